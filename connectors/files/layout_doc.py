"""Write docs/file-layout.md from the table specs, so the doc cannot drift from the rules.

    .venv/bin/python -m connectors.files.layout_doc > docs/file-layout.md

tests/connectors/test_files.py fails when the committed doc differs from this output.
"""

from connectors.files.tables import FILE_TABLES

HEAD = """# The file layout: bring your own exports

Point Touchline at a folder (`touchline build --source files --files-dir DIR`, or
`TOUCHLINE_FILES_DIR`). Each table is one file, or a folder of files, found by name
under `crm/`, `ads/` or `web/`: `crm/contacts.csv`, `crm/contacts.parquet`,
`crm/contacts/part-0001.csv`, `web/events/2026-03-01.jsonl`. Formats: CSV (header row,
UTF-8, comma), Parquet, JSON Lines (`.jsonl`, `.ndjson`, `.json`). Headers are matched
case-insensitively with spaces and dashes read as underscores (`Contact ID` = `contact_id`).
Every table is optional except that the folder must hold at least one: a CRM-only
export builds every mart, with the touchpoints that exist.

Rules every row must pass (else it is set aside in `quarantine.<table>` with the rule, the
reason and its file and line, and the good rows still load):

- key and required columns (below, **bold**) present and non-empty;
- timestamps ISO 8601 (`2026-03-01T12:00:00Z`, `2026-03-01 12:00:00+02:00`, `2026-03-01`);
  without an offset they are read as UTC; before 1990 or more than a day in the future is refused;
- numbers parse; booleans are true/false/yes/no/1/0/t/f; enumerations as listed;
- a key that appears twice in one load with different values: the row with the latest
  cursor (updated_at) is kept, the others are quarantined; identical copies are dropped.

Unknown extra columns are kept (added to `raw.<table>` as text). A file already loaded
(same bytes) is skipped on the next run; a changed file is merged by key.

| file | raw table | columns (key and required **bold**) | rules |
|---|---|---|---|
"""

TAIL = """
## Web events

`web/events`: Segment-spec JSON Lines, one event per line, as Segment's S3 or warehouse
exports land them: `messageId`, `type` (page, track, identify), `event`, `anonymousId`,
`userId`, `timestamp`, `traits` (or `context.traits`) with `email`,
`context.page.{url, referrer, path, title}`, `context.campaign.{source, medium, name, term,
content}`, `properties`. snake_case keys (`message_id`, `anonymous_id`) are accepted too.
Nested objects are kept as JSON text in `raw.web_events.context`, `.traits` and
`.properties`; staging extracts the fields.

`web/ga4_events`: GA4's BigQuery export (`events_YYYYMMDD` tables) as JSON Lines or Parquet,
one event per row with GA4's own column names (`event_timestamp` in microseconds,
`event_params`, `user_pseudo_id`, `collected_traffic_source` ...). Records and repeated
fields are kept as JSON text. GA4 events carry no e-mail, so a GA4 visitor joins a CRM
contact only through `user_id`.

Stage names (`lifecycle_stage`, `deal_stage`) map to Touchline's canonical stages through
the dbt seeds `stage_mapping.csv` and `deal_stage_mapping.csv`; the defaults understand
HubSpot's and Salesforce's names. Edit the seeds for your own pipeline stages.
"""


def render() -> str:
    rows = []
    for s in FILE_TABLES:
        cols = ", ".join(f"**{c}**" if c in s.key or c in s.required else c for c in s.columns)
        rules = [f"{c}: {k}" for c, k in s.types.items()]
        rules += [f"{c} in ({'/'.join(v)})" for c, v in s.value_sets.items()]
        rows.append(f"| `{s.group}/{s.entity}` | `raw.{s.name}` | {cols} | {'; '.join(rules)} |")
    return HEAD + "\n".join(rows) + "\n" + TAIL


if __name__ == "__main__":
    print(render(), end="")
