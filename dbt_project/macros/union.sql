{#-
    One branch of a union on a conformed column set. `columns` is the set, in order:
    a list of (name, type), type 'string' meaning dbt.type_string(); `values` maps
    the columns the branch has to their SQL expressions. Every other column is a typed
    null, so each branch says only what it knows and the set is written once.
-#}
{% macro tl_conformed(columns, values) -%}
    {%- for name, type in columns %}
        {%- set null_type = dbt.type_string() if type == 'string' else type %}
        {{ values[name] if name in values else 'cast(null as ' ~ null_type ~ ')' }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
