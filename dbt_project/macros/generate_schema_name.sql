{#-
    Models land in exactly the schema their folder configures (staging,
    intermediate, marts; seeds in staging), not dbt's default
    `<target schema>_<custom schema>`: BI tools and the orchestrator query fixed
    names. A model without a custom schema falls back to the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
