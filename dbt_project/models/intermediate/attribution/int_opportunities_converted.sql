-- One row per live deal: its amount in the reporting currency, converted at the rate
-- of the day it was created (pipeline_amount) and, for won deals, of the day it
-- closed (won_amount). A deal without a currency is in var('default_currency_code');
-- a currency without a rate converts to null, never to an unconverted number.
with

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

rates as (

    select * from {{ ref('int_currency_rates_ranged') }}

),

dated as (

    select
        source_system || ':' || opportunity_id as deal_key,
        opportunity_id,
        source_system,
        account_id,
        case when account_id is not null then source_system || ':' || account_id end as account_key,
        person_id,
        owner_id,
        created_at,
        closed_at,
        is_closed,
        is_won,
        amount,
        coalesce(currency_code, upper('{{ var("default_currency_code") }}')) as currency_code,
        cast(coalesce(created_at, closed_at) as date) as created_date,
        cast(coalesce(closed_at, created_at) as date) as closed_date

    from opportunities

),

final as (

    select
        dated.*,
        cast(round(dated.amount * created_rates.rate_to_reporting, 4) as decimal(18, 4)) as pipeline_amount,
        case when dated.is_won
            then cast(round(dated.amount * closed_rates.rate_to_reporting, 4) as decimal(18, 4))
        end as won_amount,
        dated.amount is not null and created_rates.rate_to_reporting is null as is_currency_unknown

    from dated
    left join rates as created_rates
        on created_rates.currency_code = dated.currency_code
        and dated.created_date >= created_rates.valid_from
        and dated.created_date < created_rates.valid_to
    left join rates as closed_rates
        on closed_rates.currency_code = dated.currency_code
        and dated.closed_date >= closed_rates.valid_from
        and dated.closed_date < closed_rates.valid_to

)

select * from final
