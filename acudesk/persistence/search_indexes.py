"""Partial indexes of active patients, walked in list order by the type-ahead search.

Every index here holds only active (not archived) patients, the ones the list shows by default,
and ends with the list order (family key, given key, then the row id SQLite and PostgreSQL append),
so a search with a limit reads only the rows it returns, however many patients match
(docs/performance.md, "Third round"): family-name and phone prefixes are ranges of them; a
given-name prefix of one or two letters is an equality on the initials expression.

They are DDL kept beside the ORM models rather than in them, like the guard triggers: SQLAlchemy
declares a partial index only through dialect keywords (``sqlite_where``, ``postgresql_where``),
and validating those imports every dialect named, 30 ms of start-up for PostgreSQL's alone on a
SQLite clinic. Migration 0006 creates them. The WHERE clause must read exactly as SQLAlchemy renders
``Patient.archived == false()`` on each backend, or the planner will not use them.
"""

from __future__ import annotations

# The first one and two letters of the given name; queries must spell the expression the same way.
GIVEN_INITIALS = {1: "substr(given_key, 1, 1)", 2: "substr(given_key, 1, 2)"}

ACTIVE_SEARCH_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_patients_active_family": ("family_key", "given_key"),
    "ix_patients_active_given1": (GIVEN_INITIALS[1], "family_key", "given_key"),
    "ix_patients_active_given2": (GIVEN_INITIALS[2], "family_key", "given_key"),
    "ix_patients_active_phone": ("phone_key", "family_key", "given_key"),
}
_ACTIVE = {"sqlite": "archived = 0", "postgresql": "archived = false"}


def create_sql(dialect: str, *, with_ids: bool = False) -> list[str]:
    """The indexes' DDL. ``with_ids`` (PostgreSQL, migration 0009) ends each index with the row id,
    which PostgreSQL, unlike SQLite, does not keep in an index: a search then reads the index alone
    (an index-only scan) instead of visiting every matching row in the table too. SQLite keeps the
    rowid in every index already, and scans a whole index that names it (docs/performance.md)."""
    tail = ", id" if with_ids else ""
    return [f"CREATE INDEX {name} ON patients ({', '.join(columns)}{tail}) WHERE {_ACTIVE[dialect]}"
            for name, columns in ACTIVE_SEARCH_INDEXES.items()]


def drop_sql() -> list[str]:
    return [f"DROP INDEX {name}" for name in reversed(ACTIVE_SEARCH_INDEXES)]
