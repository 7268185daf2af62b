{#-
    Typing helpers for staging. Every raw column is text; these turn it into the
    warehouse type once, the same way everywhere. Each takes a SQL expression.
-#}

{#- Trimmed text, empty string as null. -#}
{% macro tl_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Timestamp with time zone; strings without an offset are UTC (session TimeZone). -#}
{% macro tl_timestamp(expr) -%}
    {{ dbt.safe_cast(tl_text(expr), 'timestamptz') }}
{%- endmacro %}

{% macro tl_date(expr) -%}
    {{ dbt.safe_cast(tl_text(expr), 'date') }}
{%- endmacro %}

{#- Boolean from true/false, t/f, 1/0, yes/no, y/n (any case); anything else null. -#}
{% macro tl_bool(expr) -%}
    case
        when lower({{ tl_text(expr) }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ tl_text(expr) }}) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{% macro tl_number(expr) -%}
    {{ dbt.safe_cast(tl_text(expr), 'double') }}
{%- endmacro %}

{#- Whole number; accepts '250.0' as HubSpot sends numbers as text with decimals. -#}
{% macro tl_integer(expr) -%}
    cast(round({{ dbt.safe_cast(tl_text(expr), 'double') }}) as bigint)
{%- endmacro %}

{#- Money: a fixed-point decimal so sums do not drift. -#}
{% macro tl_money(expr) -%}
    cast({{ dbt.safe_cast(tl_text(expr), 'double') }} as decimal(18, 4))
{%- endmacro %}

{#- E-mail address as the join key for identity: trimmed, lower-cased. -#}
{% macro tl_email(expr) -%}
    nullif(lower(trim(cast({{ expr }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{#-
    The first id of an association column: connectors may land one id, a
    comma/semicolon separated list or a JSON array; the first one is the primary.
-#}
{% macro tl_first_id(expr) -%}
    nullif(split_part(regexp_replace(regexp_replace(cast({{ expr }} as {{ dbt.type_string() }}), '[\[\]"'' ]', '', 'g'), ';', ',', 'g'), ',', 1), '')
{%- endmacro %}

{#- JSON text to JSON; malformed JSON becomes null instead of failing the build. -#}
{% macro tl_json(expr) -%}
    {{ dbt.safe_cast(tl_text(expr), 'json') }}
{%- endmacro %}

{#- The value of query parameter `name` in a URL, URL-decoded ('+' is a space). -#}
{% macro tl_url_param(url, name) -%}
    nullif(trim(url_decode(replace(regexp_extract({{ url }}, '(?i)[?&]{{ name }}=([^&#]*)', 1), '+', ' '))), '')
{%- endmacro %}

{#- The host of a URL, lower-cased, without a leading `www.`. -#}
{% macro tl_url_host(url) -%}
    nullif(regexp_replace(lower(regexp_extract({{ url }}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//([^/?#:@]+)', 1)), '^www\.', ''), '')
{%- endmacro %}

{#- The path of a URL ('/' when the URL has none). -#}
{% macro tl_url_path(url) -%}
    case when {{ url }} is not null then
        coalesce(nullif(regexp_extract({{ url }}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#]*([^?#]*)', 1), ''), '/')
    end
{%- endmacro %}

{#-
    The first ad click id a URL carries (var click_id_parameters): its parameter name,
    lower-cased, and its value. One regular expression for all of them.
-#}
{% macro tl_click_id_pattern() -%}
    (?i)[?&]({{ var('click_id_parameters') | join('|') }})=([^&#]+)
{%- endmacro %}

{% macro tl_click_id_type(url) -%}
    case when {{ tl_click_id_value(url) }} is not null
        then lower(regexp_extract({{ url }}, '{{ tl_click_id_pattern() }}', 1))
    end
{%- endmacro %}

{% macro tl_click_id_value(url) -%}
    nullif(trim(url_decode(replace(regexp_extract({{ url }}, '{{ tl_click_id_pattern() }}', 2), '+', ' '))), '')
{%- endmacro %}

{#- Lower-case words joined by '_': 'ABM - Target Accounts' -> 'abm_target_accounts'. -#}
{% macro tl_slug(expr) -%}
    trim(regexp_replace(lower({{ expr }}), '[^a-z0-9]+', '_', 'g'), '_')
{%- endmacro %}

{#- The domain of a website as people type it ('https://www.Acme.com/about' -> 'acme.com'). -#}
{% macro tl_domain(expr) -%}
    nullif(regexp_replace(lower({{ expr }}), '^([a-z]+://)?(www\.)?([^/:?#]+).*$', '\3'), '')
{%- endmacro %}
