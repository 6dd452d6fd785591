"""Which automatic backups to keep: the newest of each of the last 12 days, 10 weeks and 9 months.

The same scheme Anki uses for its collection backups: a long reach into the past with a bounded
number of files. The newest backup is always kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int = 12
    weekly: int = 10
    monthly: int = 9


def _newest_per_bucket(stamps: list[datetime], key: Callable[[datetime], Hashable], count: int) -> set[datetime]:
    kept: set[datetime] = set()
    seen: set[Hashable] = set()
    for stamp in stamps:  # newest first
        bucket = key(stamp)
        if bucket in seen:
            continue
        if len(seen) == count:
            break
        seen.add(bucket)
        kept.add(stamp)
    return kept


def backups_to_keep(stamps: Iterable[datetime], policy: RetentionPolicy | None = None) -> set[datetime]:
    policy = policy or RetentionPolicy()
    ordered = sorted(set(stamps), reverse=True)
    if not ordered:
        return set()
    keep = {ordered[0]}
    keep |= _newest_per_bucket(ordered, lambda s: s.date(), policy.daily)
    keep |= _newest_per_bucket(ordered, lambda s: s.isocalendar()[:2], policy.weekly)
    keep |= _newest_per_bucket(ordered, lambda s: (s.year, s.month), policy.monthly)
    return keep
