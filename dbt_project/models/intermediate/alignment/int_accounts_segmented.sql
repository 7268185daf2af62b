-- One row per live CRM account: its segment (seed account_segments, by employee
-- count; 'unknown' without one), region and industry, keyed by account_key.
with

accounts as (

    select * from {{ ref('int_accounts_unioned') }}
    where not is_deleted

),

segments as (

    select * from {{ ref('account_segments') }}

),

final as (

    select
        accounts.source_system || ':' || accounts.account_id as account_key,
        accounts.account_id,
        accounts.source_system,
        accounts.account_name,
        accounts.owner_id,
        accounts.employee_count,
        coalesce(segments.segment, 'unknown') as segment,
        coalesce(accounts.region, 'unknown') as region,
        coalesce(accounts.industry, 'unknown') as industry

    from accounts
    left join segments
        on accounts.employee_count >= segments.min_employee_count
        and (segments.max_employee_count is null or accounts.employee_count < segments.max_employee_count)
    qualify row_number() over (
        partition by accounts.source_system, accounts.account_id order by segments.segment_order
    ) = 1

)

select * from final
