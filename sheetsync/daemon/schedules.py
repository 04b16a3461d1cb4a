"""When a History snapshot is due (pure: the local time and the last snapshot's day in).

A snapshot is due once per scheduled day, from the scheduled time on: at 18:00 daily, the first
check at or after 18:00 local time takes it, and no other that day. The check runs every
minute, so a snapshot missed while the daemon was stopped is taken when it starts again the
same day (not on a later day). Times are wall-clock times in the config's time zone, so the
schedule follows daylight saving: a time that does not exist on the day the clocks go forward
(02:30) fires at the first check after it (03:00); a time that happens twice fires once.
"""

from __future__ import annotations

from datetime import date, datetime

from sheetsync.config.values import SnapshotSchedule


def scheduled_today(schedule: SnapshotSchedule, day: date) -> bool:
    """Whether `day` is one of the schedule's days."""
    if schedule.every == "week":
        return day.weekday() == schedule.weekday
    if schedule.every == "month":
        return day.day == schedule.day
    return True


def snapshot_due(schedule: SnapshotSchedule, local_now: datetime, last: date | None) -> bool:
    """Due when today is a scheduled day, its time has come, and no snapshot was taken today."""
    today = local_now.date()
    if last is not None and last >= today:
        return False
    if not scheduled_today(schedule, today):
        return False
    return (local_now.hour, local_now.minute) >= (schedule.hour, schedule.minute)
