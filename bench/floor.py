"""The floor: the same SQL through the bare ``sqlite3`` module, and capturing what the app sent.

A floor measurement runs on a plain ``sqlite3`` connection to the same file (same data, same
indexes), with no SQLAlchemy, no session, no dataclasses and no transaction set-up: what SQLite
itself needs to answer, which no Python code above it can beat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from acudesk.persistence.database import Database

Statement = tuple[str, tuple[Any, ...]]


def raw_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


@contextmanager
def captured(database: Database) -> Iterator[list[Statement]]:
    """Every statement the engine sends to the driver inside the block, with its parameters."""
    statements: list[Statement] = []

    def remember(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not executemany:
            statements.append((statement, tuple(parameters or ())))

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


def replay(connection: sqlite3.Connection, statements: list[Statement]) -> Callable[[], int]:
    """A function that runs ``statements`` again on ``connection`` and fetches every row."""

    def run() -> int:
        rows = 0
        for sql, params in statements:
            rows += len(connection.execute(sql, params).fetchall())
        return rows

    return run


def query_plan(connection: sqlite3.Connection, statement: Statement) -> list[str]:
    sql, params = statement
    return [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]
