"""The floor: the same SQL through the bare driver, and capturing what the app sent.

A floor measurement runs on a plain ``sqlite3`` connection to the same file (same data, same
indexes), or a plain psycopg connection to the same PostgreSQL database (bench/engines.py), with
no SQLAlchemy, no session, no dataclasses and no transaction set-up: what the database itself
needs to answer, which no Python code above it can beat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from acudesk.persistence.database import Database
from bench.engines import PostgresRaw, explain_prefix, raw_connection

Statement = tuple[str, Any]  # SQL and its parameters: a tuple (sqlite3) or a mapping (psycopg)
Raw = sqlite3.Connection | PostgresRaw


@contextmanager
def captured(database: Database) -> Iterator[list[Statement]]:
    """Every statement the engine sends to the driver inside the block, with its parameters."""
    statements: list[Statement] = []

    def remember(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not executemany:
            params = dict(parameters) if isinstance(parameters, Mapping) else tuple(parameters or ())
            statements.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)


def statements_of(database: Database, work: Callable[[], Any], *, touching: str) -> list[Statement]:
    """The SELECTs ``work`` sends that read table ``touching`` (the rest is service overhead)."""
    with captured(database) as statements:
        work()
    return [(sql, params) for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT") and f"FROM {touching}" in sql]


def replay(connection: Raw, statements: list[Statement]) -> Callable[[], int]:
    """A function that runs ``statements`` again on ``connection`` and fetches every row."""

    def run() -> int:
        rows = 0
        for sql, params in statements:
            rows += len(connection.execute(sql, params).fetchall())
        return rows

    return run


def query_plan(connection: Raw, statement: Statement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN (ANALYZE, BUFFERS): one string per line."""
    sql, params = statement
    return [row[-1] for row in connection.execute(explain_prefix(connection) + sql, params)]


__all__ = ["Raw", "Statement", "captured", "query_plan", "raw_connection", "replay", "statements_of"]
