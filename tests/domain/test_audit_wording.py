"""The audit trail reads as sentences: every (action, record) pair the code records has one.

The pairs are found by reading the code: each ``audit.record(...)`` call, its action and record kind
followed back through the helpers that pass them on (``appointments._audit``, ``_apply_status``,
``encryption._audit_in``), so a new event without a sentence fails here, and so does a call whose
action cannot be read from the code.
"""

from __future__ import annotations

import ast
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.audit_wording import NOT_RECORDED, AuditWording, EventFacts, local_moment, wording

PACKAGE = Path(__file__).resolve().parents[2] / "acudesk"
LONDON = ZoneInfo("Europe/London")


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions = {node.name: node for node in ast.walk(self.tree)
                          if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def calls_to(self, name: str) -> list[ast.Call]:
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name) and node.func.id == name]


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if position < len(call.args) else None


def _values(module: _Module, expr: ast.expr, depth: int = 0) -> set[str] | None:
    """The strings ``expr`` can be, read from the code; None when they cannot be read."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body, orelse = _values(module, expr.body, depth), _values(module, expr.orelse, depth)
        return None if body is None or orelse is None else body | orelse
    if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "replace"
            and len(expr.args) == 2 and all(isinstance(a, ast.Constant) for a in expr.args)):
        inner = _values(module, expr.func.value, depth)
        old, new = (a.value for a in expr.args)  # type: ignore[attr-defined]
        return None if inner is None else {value.replace(old, new) for value in inner}
    if isinstance(expr, ast.Name) and depth < 4:
        function = module.enclosing_function(expr)
        if function is None:
            return None
        parameters = [a.arg for a in function.args.args]
        if expr.id not in parameters:
            return None
        callers = module.calls_to(function.name)
        if not callers:
            return None
        found: set[str] = set()
        for call in callers:
            argument = _argument(call, parameters.index(expr.id), expr.id)
            values = None if argument is None else _values(module, argument, depth + 1)
            if values is None:
                return None
            found |= values
        return found
    return None


def recorded_pairs() -> tuple[set[tuple[str, str]], list[str]]:
    """Every (action, entity) the package records, and the call sites whose pair could not be read."""
    pairs: set[tuple[str, str]] = set()
    unreadable: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _Module(path)
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                continue
            action = _argument(node, 2, "action")
            entity = _argument(node, 3, "entity")
            actions = None if action is None else _values(module, action)
            entities = None if entity is None else _values(module, entity)
            if actions is None or entities is None:
                unreadable.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
                continue
            pairs |= {(a, e) for a in actions for e in entities}
    return pairs, unreadable


def test_the_scan_reads_every_call_and_finds_the_events_it_should() -> None:
    pairs, unreadable = recorded_pairs()
    assert unreadable == []
    # the helpers are followed: the appointment status changes, the encryption's events
    assert {("move", "appointment"), ("check-in", "appointment"), ("undo-check-in", "appointment"),
            ("no-show", "appointment"), ("encrypt", "database"), ("decrypt", "database"),
            ("sign", "session_record"), ("login", "user"), ("backup", "database")} <= pairs


def test_every_recorded_event_has_a_sentence() -> None:
    pairs, _unreadable = recorded_pairs()
    missing = sorted(f"{action} {entity}" for action, entity in pairs if not wording().has_sentence(action, entity))
    assert missing == [], "resources/audit_wording.toml has no sentence for these events"


def test_every_sentence_is_for_an_event_the_code_records() -> None:
    pairs, _unreadable = recorded_pairs()
    stale = sorted(key for key in wording().sentences if tuple(key.split(" ")[:2]) not in pairs)
    assert stale == []


def test_every_sentence_names_only_what_its_events_have() -> None:
    """A placeholder that is neither a name the viewer gives nor a detail key its event records reads
    "(not recorded)": each sentence, filled from a realistic event, never says that."""
    shared = {"who", "patient", "user", "record"}
    pairs, _unreadable = recorded_pairs()
    detail_keys = set(wording().labels)
    for key, sentence in wording().sentences.items():
        names = {name for _t, name, _s, _c in string.Formatter().parse(sentence) if name}
        assert names <= shared | detail_keys, f"{key}: {names - shared - detail_keys} has no label"


def test_a_signature_reads_as_a_sentence_with_the_patients_name() -> None:
    event = EventFacts("sign", "session_record", 40, who="Dr Mei Chen", patient_id=12, patient_name="Nora Quill",
                       detail={"seal": "ab" * 32})
    assert wording().sentence(event, LONDON) == "Dr Mei Chen signed the session record of Nora Quill (patient no. 12)"


def test_a_move_gives_both_times_in_the_one_date_style() -> None:
    event = EventFacts("move", "appointment", 7, who="Jess Brook", patient_id=3, patient_name="Nora Quill",
                       detail={"old_local_start": "2026-12-08T10:00:00", "local_start": "2026-12-09T11:00:00",
                               "reason": "patient asked"})
    assert wording().sentence(event, LONDON) == (
        "Jess Brook moved a visit of Nora Quill (patient no. 3) from Tue 8 Dec 2026 10:00 to Wed 9 Dec 2026 11:00")


def test_an_event_time_is_shown_in_the_clinics_time_zone() -> None:
    summer = datetime(2026, 7, 2, 13, 5, tzinfo=UTC)
    assert local_moment(summer, LONDON) == "Thu 2 Jul 2026 14:05"
    assert local_moment(datetime(2026, 12, 3, 14, 5, tzinfo=UTC), LONDON) == "Thu 3 Dec 2026 14:05"


def test_sign_ins_and_failed_sign_ins_read_as_words() -> None:
    assert wording().sentence(EventFacts("login", "user", 1, who="admin"), LONDON) == "Admin signed in"
    failed = EventFacts("login_failed", "user", 2, user_name="Jess Brook",
                        detail={"reason": "wrong password", "attempt": 2})
    assert wording().sentence(failed, LONDON) == "A sign-in as Jess Brook failed (wrong password)"


def test_a_hand_over_reads_differently_from_an_ordinary_sign_out() -> None:
    handed = EventFacts("logout", "user", 3, who="Dr Mei Chen", detail={"handed_over_to": 5})
    assert wording().sentence(handed, LONDON, {5: "Jess Brook"}) == (
        "Dr Mei Chen signed out, handing the locked screen over to Jess Brook")
    assert wording().sentence(handed, LONDON).endswith("over to user no. 5")  # an account not (yet) looked up
    assert wording().sentence(EventFacts("logout", "user", 3, who="Dr Mei Chen"), LONDON) == "Dr Mei Chen signed out"


def test_an_unknown_pair_still_reads_as_words_never_json() -> None:
    event = EventFacts("re_index", "session_record", 5, who="Dr Mei Chen", patient_id=12, patient_name="Nora Quill",
                       detail={"pages": [1, 2]})
    text = wording().sentence(event, LONDON)
    assert text == "Dr Mei Chen did “re index” to a session record of Nora Quill (patient no. 12)"
    assert "{" not in text


def test_a_missing_placeholder_says_so_instead_of_failing() -> None:
    text = wording().sentence(EventFacts("backup", "database", who="admin"), LONDON)
    assert text == f"Backup written by admin ({NOT_RECORDED})"


def test_detail_keys_read_as_words_and_values_are_formatted() -> None:
    lines = dict(wording().detail_lines({
        "old_local_start": "2026-12-08T10:00:00", "late_cancellation": False, "roles": ["practitioner", "receptionist"],
        "kind": "retained_needle", "day": "2026-12-03", "odd": {"nested": 1}}, LONDON))
    assert lines == {"Was at": "Tue 8 Dec 2026 10:00", "Late cancellation": "no",
                     "Roles": "practitioner, receptionist", "Kind": "retained needle", "Day": "Thu 3 Dec 2026",
                     "Odd": '{\n  "nested": 1\n}'}


def test_a_wording_file_with_a_malformed_key_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "audit_wording.toml"
    bad.write_text('[sentences]\n"sign" = "{who} signed"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not 'action entity'"):
        AuditWording.load(bad)
