"""One date style, in the clinic's time: dates and times a person reads are written by acudesk/domain/dates.py.

The scan reads the source of every layer that writes for a person (ui, reports, services' and domain's
messages, the command line) and fails on a date or time formatted anywhere else: a ``strftime`` call or an
f-string format such as ``{day:%d %b}``. What is left is a machine format (file names, document numbers)
or a grid heading, each named below with the reason. It also fails on ``.astimezone()`` without a zone
in ui/ and reports/: that is the computer's zone, not the clinic's (the chart once showed UTC so).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "acudesk"
SCANNED = ("ui", "reports", "services", "domain", "cli")
DATES_MODULE = ROOT / "domain" / "dates.py"

# (file, format) → why it may stay. The format is the f-string spec or the strftime argument's source.
ALLOWED = {
    # Machine formats: file names and numbers sorted and parsed by the app, never read as a date.
    ("services/backups.py", "STAMP_FORMAT"): "backup file name",
    ("services/encryption.py", "STAMP_FORMAT"): "file name of a copy set aside",
    ("services/documents.py", "%Y%m%d"): "statement number S-<patient>-<yyyymmdd>",
    ("cli/course.py", '"%z"'): "the UTC offset a course preview shows beside each visit's clinic time",
    # Not a date: the weekday's name in "outside the opening hours on Mondays".
    ("services/courses.py", "%A"): "weekday name",
    # A chart's axis: day and month under each point; the table beside the chart gives the full dates.
    ("reports/charts.py", "%b"): "trend chart axis tick",
}


def _format_sites(tree: ast.AST, source: str) -> list[tuple[int, str]]:
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(v.value for v in node.format_spec.values if isinstance(v, ast.Constant)
                           and isinstance(v.value, str))
            if "%" in spec:
                sites.append((node.lineno, spec))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strftime":
            argument = ast.get_source_segment(source, node.args[0]) if node.args else ""
            sites.append((node.lineno, argument or ""))
    return sites


def _zoneless_astimezone(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "astimezone" and not node.args and not node.keywords]


def _modules(*layers: str) -> list[Path]:
    return sorted(p for layer in layers for p in (ROOT / layer).rglob("*.py") if p != DATES_MODULE)


def test_dates_and_times_are_written_by_the_dates_module_only() -> None:
    found, used = [], set()
    for path in _modules(*SCANNED):
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT).as_posix()
        for line, spec in _format_sites(ast.parse(source), source):
            if (relative, spec) in ALLOWED:
                used.add((relative, spec))
            else:
                found.append(f"acudesk/{relative}:{line}: {spec!r}")
    assert not found, "write dates with acudesk/domain/dates.py (or allow a machine format, saying why):\n" + \
        "\n".join(found)
    assert used == set(ALLOWED), f"allowed but no longer used (remove them): {set(ALLOWED) - used}"


def test_stored_moments_are_never_put_into_the_computers_zone_on_screen_or_paper() -> None:
    found = [f"acudesk/{path.relative_to(ROOT).as_posix()}:{line}"
             for path in _modules("ui", "reports")
             for line in _zoneless_astimezone(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "use the clinic's zone (context.zone, dates.in_zone), not .astimezone():\n" + "\n".join(found)


def test_no_screen_says_utc() -> None:
    """A person reads the clinic's time (the restore dialog listed backups "… 14:05 UTC")."""
    found = []
    for path in _modules("ui"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        found += [f"acudesk/{path.relative_to(ROOT).as_posix()}:{node.lineno}: {node.value!r}"
                  for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and "UTC" in node.value and id(node) not in docstrings]
    assert not found, "\n".join(found)


def test_date_fields_take_dates_as_they_are_typed_everywhere() -> None:
    """Every date field shows and takes dd/mm/yyyy (ui/forms.DATE_FIELD_FORMAT), not its own format."""
    found = []
    for path in _modules("ui"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "setDisplayFormat" and node.args
                    and isinstance(node.args[0], ast.Constant) and "yy" in str(node.args[0].value)):
                found.append(f"acudesk/{path.relative_to(ROOT).as_posix()}:{node.lineno}: {node.args[0].value!r}")
        source = path.read_text(encoding="utf-8")
        fields, formatted = source.count("QDateEdit("), source.count("setDisplayFormat(DATE_FIELD_FORMAT)")
        if fields > formatted:  # Qt's own default format writes "1 12 2026"
            found.append(f"acudesk/{path.relative_to(ROOT).as_posix()}: {fields} date fields, {formatted} formatted")
    assert not found, "use ui.forms.DATE_FIELD_FORMAT:\n" + "\n".join(found)


def test_the_scan_sees_what_it_is_meant_to_forbid() -> None:
    source = "x = f'{day:%d %b}' + day.strftime('%Y-%m-%d') + str(moment.astimezone())\n"
    tree = ast.parse(source)
    assert sorted(spec for _, spec in _format_sites(tree, source)) == ["%d %b", "'%Y-%m-%d'"]
    assert _zoneless_astimezone(tree) == [1]
    assert _zoneless_astimezone(ast.parse("moment.astimezone(zone)")) == []
