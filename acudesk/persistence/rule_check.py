"""Whether the database still holds its own rules: guard triggers and the schedule's invariants.

The rules are made by migrations (persistence/guards.py, persistence/visit_guards.py). Anyone with
the schema owner's rights can drop or disable them; ``acudesk check`` then says which are missing,
so a clinic learns it before trusting the record. Names only: the definitions' exact text is not
compared here.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from acudesk.persistence.guards import checkpoint_guards, guards
from acudesk.persistence.visit_guards import visit_rules

_POSTGRES_FUNCTIONS = ("acudesk_refuse", "acudesk_refuse_signed_points")


def expected_rules(dialect: str) -> dict[str, str]:
    """Every rule's name and kind ("trigger", "constraint", "index", "function") on ``dialect``."""
    expected = {guard.name: "trigger" for guard in (*guards(dialect), *checkpoint_guards(dialect))}
    expected.update({rule.name: rule.kind for rule in visit_rules(dialect)})
    if dialect == "postgresql":
        expected.update({name: "function" for name in _POSTGRES_FUNCTIONS})
    return expected


def _present(connection: Connection) -> set[str]:
    if connection.dialect.name != "postgresql":
        return set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")))
    schema = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    queries = (
        # A disabled trigger (ALTER TABLE … DISABLE TRIGGER) guards nothing: it counts as missing.
        f"SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        f"WHERE c.relnamespace = {schema} AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
        f"SELECT conname FROM pg_constraint WHERE connamespace = {schema} AND convalidated",
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
        f"SELECT proname FROM pg_proc WHERE pronamespace = {schema}",
    )
    return {name for query in queries for name in connection.scalars(text(query))}


def missing_rules(connection: Connection) -> list[str]:
    """The rules this database should hold and does not, e.g. ``"trigger audit_events_no_update"``."""
    present = _present(connection)
    return [f"{kind} {name}" for name, kind in sorted(expected_rules(connection.dialect.name).items())
            if name not in present]
