-- One row per calendar day from 2015-01-01 to 2035-12-31: the day and the week,
-- month, quarter and year it belongs to. MetricFlow's time spine (see
-- _semantic__models.yml); a date dimension for BI tools too.
with

days as (

    select cast(unnest(generate_series(date '2015-01-01', date '2035-12-31', interval 1 day)) as date) as date_day

),

final as (

    select
        date_day,
        cast(date_trunc('week', date_day) as date) as week_start_date,
        cast(date_trunc('month', date_day) as date) as month_start_date,
        cast(date_trunc('quarter', date_day) as date) as quarter_start_date,
        cast(date_trunc('year', date_day) as date) as year_start_date,
        cast(isodow(date_day) as integer) as iso_weekday

    from days

)

select * from final
