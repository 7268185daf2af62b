"""The nightly job and its schedule (cron and timezone from the environment)."""


import dagster as dg

from orchestration import settings as settings_mod

nightly_job = dg.define_asset_job(
    name="nightly_job",
    selection=dg.AssetSelection.all(),
    description="Extract every source, gate each load, build the dbt models, publish.",
)


def nightly_schedule() -> dg.ScheduleDefinition:
    s = settings_mod.load()
    return dg.ScheduleDefinition(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=s.schedule_cron,
        execution_timezone=s.schedule_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Runs nightly_job (TOUCHLINE_SCHEDULE_CRON, TOUCHLINE_SCHEDULE_TIMEZONE).",
    )
