with

accounts as (

    select * from {{ ref('int_accounts_unioned') }}

),

people as (

    select account_key, count(*) as people_count
    from {{ ref('int_people') }}
    where account_key is not null and not is_deleted
    group by account_key

),

deals as (

    select
        account_key,
        count(*) as deal_count,
        count(*) filter (where not is_closed) as open_deal_count,
        count(*) filter (where is_won) as won_deal_count,
        min(closed_at) filter (where is_won) as first_won_at

    from {{ ref('int_deals_unioned') }}
    where account_key is not null and not is_deleted
    group by account_key

),

final as (

    select
        accounts.account_id,
        accounts.source_system,
        accounts.account_name,
        accounts.domain,
        accounts.industry,
        accounts.region,
        accounts.country,
        accounts.employee_count,
        accounts.annual_revenue,
        accounts.owner_id,
        accounts.created_at,
        accounts.updated_at,
        coalesce(people.people_count, 0) as people_count,
        coalesce(deals.deal_count, 0) as deal_count,
        coalesce(deals.open_deal_count, 0) as open_deal_count,
        coalesce(deals.won_deal_count, 0) as won_deal_count,
        coalesce(deals.won_deal_count, 0) > 0 as is_customer,
        deals.first_won_at,
        accounts.is_deleted

    from accounts
    left join people
        on people.account_key = accounts.account_key
    left join deals
        on deals.account_key = accounts.account_key

)

select * from final
