"""Backup retention keeps the newest of each of the last 12 days, 10 weeks and 9 months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acudesk.domain.backup_retention import RetentionPolicy, backups_to_keep

NOW = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def test_nothing_to_keep_when_there_are_no_backups() -> None:
    assert backups_to_keep([]) == set()


def test_the_newest_is_always_kept() -> None:
    assert backups_to_keep([NOW], RetentionPolicy(0, 0, 0)) == {NOW}


def test_several_backups_on_one_day_keep_only_the_newest_of_that_day() -> None:
    same_day = [NOW - timedelta(hours=h) for h in range(0, 8)]
    yesterday = NOW - timedelta(days=1)
    kept = backups_to_keep([*same_day, yesterday], RetentionPolicy(daily=12, weekly=0, monthly=0))
    assert kept == {NOW, yesterday}


def test_a_year_of_half_hourly_backups_is_bounded() -> None:
    stamps = [NOW - timedelta(minutes=30 * i) for i in range(365 * 48)]
    kept = backups_to_keep(stamps)
    assert len(kept) <= 12 + 10 + 9 + 1
    assert NOW in kept
    oldest = min(kept)
    assert NOW - oldest > timedelta(days=230)  # nine monthly buckets: this month and the eight before


def test_daily_buckets_cover_the_last_twelve_days() -> None:
    stamps = [NOW - timedelta(days=d) for d in range(30)]
    kept = backups_to_keep(stamps, RetentionPolicy(daily=12, weekly=0, monthly=0))
    assert kept == set(stamps[:12])
