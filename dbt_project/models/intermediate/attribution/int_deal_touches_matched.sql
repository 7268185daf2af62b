-- One row per deal and touch of its buying group, at or before the deal closed (open
-- deals: any time): the touches of the deal's own person, and every touch at the
-- deal's account (its people's, and sales activities logged on the account). This
-- is the account-based journey of B2B: a deal is the work of everyone at the buyer.
-- Two equality joins, then a union, rather than one join on "person or account".
with

deals as (

    select deal_key, person_id, account_key, closed_at
    from {{ ref('int_opportunities_converted') }}

),

touches as (

    select * from {{ ref('int_attribution_touches') }}

),

by_person as (

    select deals.deal_key, touches.touchpoint_id
    from deals
    inner join touches
        on touches.person_id = deals.person_id
    where deals.closed_at is null or touches.occurred_at <= deals.closed_at

),

by_account as (

    select deals.deal_key, touches.touchpoint_id
    from deals
    inner join touches
        on touches.account_key = deals.account_key
    where deals.closed_at is null or touches.occurred_at <= deals.closed_at

),

matched as (

    select * from by_person
    union
    select * from by_account

),

final as (

    select
        matched.deal_key,
        touches.*,
        coalesce(touches.person_id = deals.person_id, false) as is_deal_person_touch

    from matched
    inner join touches
        on touches.touchpoint_id = matched.touchpoint_id
    inner join deals
        on deals.deal_key = matched.deal_key

)

select * from final
