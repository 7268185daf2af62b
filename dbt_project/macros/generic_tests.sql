{#-
    Generic test: no two rows share the same values in `combination_of_columns`.
    Our own copy of dbt_utils' test (the project ships no packages: dbt deps
    cannot reach the hub on the build machines).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Generic test: every value of `column_name` satisfies `expression` (null passes). -#}
{% test expression_is_true(model, column_name, expression) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null and not ({{ expression }})
{% endtest %}
