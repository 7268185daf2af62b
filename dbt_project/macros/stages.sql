{#-
    The canonical funnel of DOMAIN.md, in order. closed_lost sits between
    opportunity and customer: a person reaches it only from an open deal, and a
    later won deal still moves them on to customer.
-#}
{% macro tl_stages() -%}
    {{ return(['visitor', 'known', 'lead', 'mql', 'sql', 'opportunity', 'closed_lost', 'customer']) }}
{%- endmacro %}

{#- Position of a canonical stage in the funnel (1 = visitor ... 8 = customer). -#}
{% macro tl_stage_rank(expr) -%}
    case {{ expr }}
    {%- for s in tl_stages() %}
        when '{{ s }}' then {{ loop.index }}
    {%- endfor %}
    end
{%- endmacro %}

{#- Canonical stage at a funnel position (inverse of tl_stage_rank). -#}
{% macro tl_stage_at_rank(expr) -%}
    case {{ expr }}
    {%- for s in tl_stages() %}
        when {{ loop.index }} then '{{ s }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- Channels owned by marketing (touchpoint team 'marketing'). -#}
{% macro tl_marketing_channels() -%}
    {{ return(['paid_search', 'paid_social', 'display', 'organic_search', 'organic_social', 'email',
               'referral', 'direct', 'affiliate', 'video', 'event', 'other']) }}
{%- endmacro %}

{#- Channels of one-to-one sales work (touchpoint team 'sales'). -#}
{% macro tl_sales_channels() -%}
    {{ return(['outbound_call', 'inbound_call', 'meeting', 'sales_email', 'task', 'note']) }}
{%- endmacro %}

{#- Every touchpoint channel. -#}
{% macro tl_all_channels() -%}
    {{ return(tl_marketing_channels() + tl_sales_channels()) }}
{%- endmacro %}

{#-
    Values of lead_source_channel: every channel, plus 'offline' (a CRM record
    created by hand, by import or by an integration: HubSpot's OFFLINE source).
-#}
{% macro tl_lead_source_channels() -%}
    {{ return(tl_all_channels() + ['offline']) }}
{%- endmacro %}

{#- SQL list literal of quoted strings: ('a', 'b'). -#}
{% macro tl_in_list(values) -%}
    ({%- for v in values -%}'{{ v | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{#-
    Marketing channel of a CRM campaign from its (lower-cased) campaign_type:
    webinars and events are `event`, e-mail campaigns `email`, and so on.
-#}
{% macro tl_campaign_type_channel(expr) -%}
    case
        when regexp_matches(coalesce({{ expr }}, ''), 'webinar|event|conference|trade|seminar|meetup|workshop') then 'event'
        when regexp_matches(coalesce({{ expr }}, ''), 'e-?mail|newsletter') then 'email'
        when regexp_matches(coalesce({{ expr }}, ''), 'social') then 'organic_social'
        when regexp_matches(coalesce({{ expr }}, ''), 'advert|display|banner') then 'display'
        when regexp_matches(coalesce({{ expr }}, ''), 'search|ppc|cpc') then 'paid_search'
        when regexp_matches(coalesce({{ expr }}, ''), 'referral|partner') then 'referral'
        else 'other'
    end
{%- endmacro %}
