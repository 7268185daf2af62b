{#-
    dbt-core's default safe_cast is a plain `cast` on DuckDB, which raises on the
    first bad value and fails the whole build. Raw values have passed the landing
    rules already, but staging stays defensive: an unparseable value becomes null.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
