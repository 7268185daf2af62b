-- One row per won deal whose renewal falls within the next var('renewal_horizon_days')
-- days of "now" (tl_as_of_at()). The sources hold no renewal dates: a won deal renews
-- var('renewal_term_months') months after it closed. With the account's engagement
-- from both teams over the last var('renewal_engagement_days') days and the risks
-- sales should know before the renewal call:
--   no_recent_sales_touch        no call, meeting or outbound e-mail at the account;
--   no_recent_marketing_touch    nobody at the account engaged with marketing;
--   recent_lost_deal             a deal at the account was lost;
--   unanswered_lead              an MQL at the account is dropped or overdue (sales did
--                                not follow up someone who raised their hand).
-- Open deals at the account (expansion in progress) are shown, not counted as a risk.
{%- set term_months = var('renewal_term_months') | int %}
{%- set horizon_days = var('renewal_horizon_days') | int %}
{%- set engagement_days = var('renewal_engagement_days') | int %}

with

deals as (

    select * from {{ ref('int_opportunities_segmented') }}

),

converted as (

    select deal_key, account_key from {{ ref('int_opportunities_converted') }}

),

accounts as (

    select * from {{ ref('int_accounts_segmented') }}

),

touches as (

    select * from {{ ref('int_attribution_touches') }}
    where account_key is not null

),

handoffs as (

    select * from {{ ref('fct_lead_handoff') }}

),

people as (

    select person_id, account_key from {{ ref('int_people_segmented') }}

),

as_of as (

    select {{ tl_as_of_at() }} as as_of_at

),

renewals as (

    select
        deals.*,
        converted.account_key,
        deals.closed_at + interval '{{ term_months }} months' as renewal_at,
        as_of.as_of_at

    from deals
    inner join converted
        on converted.deal_key = deals.deal_key
    cross join as_of
    where deals.is_won
        and deals.closed_at + interval '{{ term_months }} months' > as_of.as_of_at
        and deals.closed_at + interval '{{ term_months }} months'
            <= as_of.as_of_at + interval '{{ horizon_days }} days'

),

engagement as (

    select
        renewals.deal_key,
        count(*) filter (where touches.team = 'marketing') as recent_marketing_touches,
        count(*) filter (where touches.is_sales_touch) as recent_sales_touches,
        count(distinct touches.person_id) as recent_people_engaged,
        max(touches.occurred_at) filter (where touches.team = 'marketing') as last_marketing_touch_at,
        max(touches.occurred_at) filter (where touches.is_sales_touch) as last_sales_touch_at

    from renewals
    inner join touches
        on touches.account_key = renewals.account_key
    where touches.occurred_at > renewals.as_of_at - interval '{{ engagement_days }} days'
        and touches.occurred_at <= renewals.as_of_at
    group by renewals.deal_key

),

account_deals as (

    select
        renewals.deal_key,
        count(*) filter (where other_deals.outcome = 'open') as open_deals,
        sum(other_deals.pipeline_amount) filter (where other_deals.outcome = 'open') as open_pipeline_amount,
        count(*) filter (
            where other_deals.outcome = 'lost'
                and other_deals.closed_at > renewals.as_of_at - interval '{{ engagement_days }} days'
                and other_deals.closed_at <= renewals.as_of_at
        ) as recent_lost_deals

    from renewals
    inner join converted as other_keys
        on other_keys.account_key = renewals.account_key
    inner join deals as other_deals
        on other_deals.deal_key = other_keys.deal_key
    where other_deals.deal_key <> renewals.deal_key
    group by renewals.deal_key

),

unanswered_leads as (

    select
        renewals.deal_key,
        count(*) as unanswered_leads

    from renewals
    inner join people
        on people.account_key = renewals.account_key
    inner join handoffs
        on handoffs.person_id = people.person_id
    where handoffs.handoff_status in ('dropped', 'overdue')
        and handoffs.mql_at > renewals.as_of_at - interval '{{ engagement_days }} days'
    group by renewals.deal_key

),

flagged as (

    select
        renewals.*,
        accounts.account_name,
        accounts.owner_id as account_owner_id,
        coalesce(engagement.recent_marketing_touches, 0) as recent_marketing_touches,
        coalesce(engagement.recent_sales_touches, 0) as recent_sales_touches,
        coalesce(engagement.recent_people_engaged, 0) as recent_people_engaged,
        engagement.last_marketing_touch_at,
        engagement.last_sales_touch_at,
        coalesce(account_deals.open_deals, 0) as open_deals,
        coalesce(account_deals.open_pipeline_amount, 0) as open_pipeline_amount,
        coalesce(account_deals.recent_lost_deals, 0) as recent_lost_deals,
        coalesce(unanswered_leads.unanswered_leads, 0) as unanswered_leads

    from renewals
    left join accounts
        on accounts.account_key = renewals.account_key
    left join engagement
        on engagement.deal_key = renewals.deal_key
    left join account_deals
        on account_deals.deal_key = renewals.deal_key
    left join unanswered_leads
        on unanswered_leads.deal_key = renewals.deal_key

),

final as (

    select
        deal_key,
        opportunity_id,
        source_system,
        account_id,
        account_name,
        coalesce(account_owner_id, owner_id) as owner_id,
        segment,
        region,
        industry,
        closed_at as won_at,
        reporting_currency_code,
        won_amount,
        cast({{ term_months }} as integer) as renewal_term_months,
        renewal_at,
        cast(date_diff('day', cast(as_of_at as date), cast(renewal_at as date)) as bigint) as days_to_renewal,
        cast(recent_marketing_touches as bigint) as recent_marketing_touches,
        cast(recent_sales_touches as bigint) as recent_sales_touches,
        cast(recent_people_engaged as bigint) as recent_people_engaged,
        last_marketing_touch_at,
        last_sales_touch_at,
        cast(open_deals as bigint) as open_deals,
        cast(open_pipeline_amount as decimal(18, 4)) as open_pipeline_amount,
        cast(recent_lost_deals as bigint) as recent_lost_deals,
        cast(unanswered_leads as bigint) as unanswered_leads,
        recent_sales_touches = 0 as has_no_recent_sales_touch,
        recent_marketing_touches = 0 as has_no_recent_marketing_touch,
        recent_lost_deals > 0 as has_recent_lost_deal,
        unanswered_leads > 0 as has_unanswered_lead,
        cast(
            case when recent_sales_touches = 0 then 1 else 0 end
            + case when recent_marketing_touches = 0 then 1 else 0 end
            + case when recent_lost_deals > 0 then 1 else 0 end
            + case when unanswered_leads > 0 then 1 else 0 end
        as integer) as risk_count,
        nullif(concat_ws(', ',
            case when recent_sales_touches = 0 then 'no_recent_sales_touch' end,
            case when recent_marketing_touches = 0 then 'no_recent_marketing_touch' end,
            case when recent_lost_deals > 0 then 'recent_lost_deal' end,
            case when unanswered_leads > 0 then 'unanswered_lead' end
        ), '') as risks,
        as_of_at

    from flagged

)

select * from final
