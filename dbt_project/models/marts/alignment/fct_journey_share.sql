-- One row per won deal: how much of its buying group's journey (the eligible touches
-- of its person and of everyone at its account, from the first touch to the win;
-- int_deal_touches_matched) happened before sales first appeared, i.e. before the
-- first customer-facing sales touch (call, meeting, outbound e-mail). In touches and
-- in days. Without any sales touch, the whole journey was before sales. The answer to
-- "about 60% of the buying cycle is over before a rep appears", measured.
with

deals as (

    select * from {{ ref('int_opportunities_segmented') }}
    where is_won and closed_at is not null

),

deal_touches as (

    select * from {{ ref('int_deal_touches_matched') }}

),

journeys as (

    select
        deal_key,
        min(occurred_at) as first_touch_at,
        min(occurred_at) filter (where is_sales_touch) as first_sales_touch_at,
        count(*) as touches,
        count(*) filter (where team = 'marketing') as marketing_touches,
        count(*) filter (where is_sales_touch) as sales_touches

    from deal_touches
    group by deal_key

),

before_sales as (

    select
        deal_touches.deal_key,
        count(*) filter (
            where journeys.first_sales_touch_at is null or deal_touches.occurred_at < journeys.first_sales_touch_at
        ) as touches_before_sales

    from deal_touches
    inner join journeys
        on journeys.deal_key = deal_touches.deal_key
    group by deal_touches.deal_key

),

final as (

    select
        deals.deal_key,
        deals.opportunity_id,
        deals.source_system,
        deals.account_id,
        deals.person_id,
        deals.owner_id,
        deals.segment,
        deals.region,
        deals.industry,
        deals.first_touch_channel,
        deals.sourcing,
        deals.created_at,
        deals.closed_at,
        deals.won_amount,
        deals.reporting_currency_code,
        journeys.first_touch_at,
        journeys.first_sales_touch_at,
        cast(coalesce(journeys.touches, 0) as bigint) as touches,
        cast(coalesce(journeys.marketing_touches, 0) as bigint) as marketing_touches,
        cast(coalesce(journeys.sales_touches, 0) as bigint) as sales_touches,
        cast(coalesce(before_sales.touches_before_sales, 0) as bigint) as touches_before_sales,
        case when journeys.touches > 0
            then before_sales.touches_before_sales * 1.0 / journeys.touches
        end as share_of_touches_before_sales,
        {{ tl_seconds_between('journeys.first_touch_at', 'deals.closed_at') }} / 86400.0 as journey_days,
        {{ tl_seconds_between('journeys.first_touch_at',
            'least(coalesce(journeys.first_sales_touch_at, deals.closed_at), deals.closed_at)') }} / 86400.0
            as days_before_sales,
        case when deals.closed_at > journeys.first_touch_at
            then {{ tl_seconds_between('journeys.first_touch_at',
                    'least(coalesce(journeys.first_sales_touch_at, deals.closed_at), deals.closed_at)') }}
                / {{ tl_seconds_between('journeys.first_touch_at', 'deals.closed_at') }}
        end as share_of_days_before_sales

    from deals
    left join journeys
        on journeys.deal_key = deals.deal_key
    left join before_sales
        on before_sales.deal_key = deals.deal_key

)

select * from final
