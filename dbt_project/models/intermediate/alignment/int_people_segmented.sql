-- One row per live person: their account's segment, region and industry ('unknown'
-- without an account), lead source and owner, for the alignment marts' breakdowns.
with

people as (

    select * from {{ ref('int_people') }}
    where not is_deleted

),

accounts as (

    select * from {{ ref('int_accounts_segmented') }}

),

final as (

    select
        people.person_id,
        people.account_id,
        case when people.account_id is not null
            then people.account_source_system || ':' || people.account_id
        end as account_key,
        people.owner_id,
        coalesce(people.lead_source_channel, 'unknown') as lead_source_channel,
        coalesce(people.lead_source_detail, 'unknown') as lead_source_detail,
        coalesce(accounts.segment, 'unknown') as segment,
        coalesce(accounts.region, 'unknown') as region,
        coalesce(accounts.industry, 'unknown') as industry

    from people
    left join accounts
        on accounts.account_key = people.account_source_system || ':' || people.account_id

)

select * from final
