{#-
    Names shared by the attribution and alignment marts. One list each, so a model,
    a test and the docs cannot disagree about which models or conversions exist.
-#}

{#- The attribution models of fct_attribution_credit, in report order. -#}
{% macro tl_attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay',
               'u_shaped', 'w_shaped', 'full_path', 'data_driven']) }}
{%- endmacro %}

{#- The conversions attribution credits, in funnel order. -#}
{% macro tl_conversion_types() -%}
    {{ return(['lead', 'mql', 'sql', 'opportunity', 'closed_won']) }}
{%- endmacro %}

{#- The channel of a conversion with no eligible touch (its single credit row). -#}
{% macro tl_no_touch_channel() -%}
    'no_touch'
{%- endmacro %}

{#-
    "Now" for states that depend on elapsed time (hand-off status, dropped leads,
    renewals due, days in an account's current stage): var('as_of_at') when set, else
    the last event of the journeys named (customer_journey by default; the account
    marts add account_journey, whose events an account-only export has alone), so
    rebuilding the same data always gives the same answer.
-#}
{% macro tl_as_of_at(journeys=['customer_journey']) -%}
    {%- if var('as_of_at', none) -%}
        cast('{{ var("as_of_at") }}' as timestamp with time zone)
    {%- elif journeys | length == 1 -%}
        (select max(event_at) from {{ ref(journeys[0]) }})
    {%- else -%}
        greatest(
            {%- for journey in journeys -%}
            (select max(event_at) from {{ ref(journey) }}){{ ', ' if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{#- Seconds between two timestamps, as a double (fractions kept). -#}
{% macro tl_seconds_between(start_at, end_at) -%}
    (epoch({{ end_at }}) - epoch({{ start_at }}))
{%- endmacro %}

{#-
    Rounds `value` (a share or an amount) to `scale` decimals and gives the rounding
    remainder of the group to one row, so the group adds up to `total` exactly.
    `is_anchor` marks the one row per group that takes the remainder.
-#}
{% macro tl_round_to_total(value, total, partition_by, is_anchor, precision, scale) -%}
    cast(round({{ value }}, {{ scale }}) as decimal({{ precision }}, {{ scale }}))
    + case when {{ is_anchor }} then
        cast({{ total }} as decimal({{ precision }}, {{ scale }}))
        - sum(cast(round({{ value }}, {{ scale }}) as decimal({{ precision }}, {{ scale }})))
            over (partition by {{ partition_by }})
      else 0 end
{%- endmacro %}
