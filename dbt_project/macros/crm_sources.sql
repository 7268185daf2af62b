{#-
    The CRMs Touchline unions, and the staging model that holds each of their entities
    in the crm column set. Another CRM is one more entry here (and its staging models).
-#}
{% macro tl_crm_sources() -%}
    {{ return([
        {'name': 'crm', 'models': {
            'accounts': 'stg_crm__accounts', 'activities': 'stg_crm__activities',
            'campaign_members': 'stg_crm__campaign_members', 'contact_stages': 'stg_crm__contact_stage_history',
            'contacts': 'stg_crm__contacts', 'deal_stages': 'stg_crm__deal_stage_history',
            'deals': 'stg_crm__deals', 'owners': 'stg_crm__owners'}},
        {'name': 'hubspot', 'models': {
            'accounts': 'stg_hubspot__companies', 'activities': 'stg_hubspot__engagements',
            'contact_stages': 'stg_hubspot__contact_stage_history', 'contacts': 'stg_hubspot__contacts',
            'deal_stages': 'stg_hubspot__deal_stage_history', 'deals': 'stg_hubspot__deals',
            'owners': 'stg_hubspot__owners'}},
        {'name': 'salesforce', 'models': {
            'accounts': 'stg_salesforce__accounts', 'activities': 'stg_salesforce__activities',
            'campaign_members': 'stg_salesforce__campaign_members',
            'contact_stages': 'stg_salesforce__contact_stage_history', 'contacts': 'stg_salesforce__contacts',
            'deal_stages': 'stg_salesforce__deal_stage_history', 'deals': 'stg_salesforce__deals',
            'owners': 'stg_salesforce__owners'}},
    ]) }}
{%- endmacro %}

{#- `columns` of `entity` from every CRM that has it, one union all. -#}
{% macro tl_crm_union(entity, columns) -%}
    {%- set parts = [] %}
    {%- for source in tl_crm_sources() if entity in source.models %}
        {%- do parts.append('select ' ~ (columns | join(', ')) ~ ' from ' ~ ref(source.models[entity])) %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}
{%- endmacro %}
