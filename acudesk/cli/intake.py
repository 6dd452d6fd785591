"""``acudesk intake check FILE.json``: red-flag triage and plan safety for one intake file.

Prints one JSON object to stdout (level, reasons, restrictions and, when the file has a plan,
plan_violations) and exits 0. An unreadable or invalid file is reported on one stderr line naming
the field (exit 2). The format is described in docs/intake-format.md and
resources/rules/intake.schema.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from acudesk.domain.errors import ValidationError


def register(subparsers: argparse._SubParsersAction) -> None:
    intake = subparsers.add_parser("intake", help="screen patient intakes against the clinical rules")
    actions = intake.add_subparsers(dest="intake_command", metavar="ACTION")
    check = actions.add_parser(
        "check", help="print the triage level, reasons, restrictions and plan violations as JSON"
    )
    check.add_argument("file", metavar="FILE.json", help="intake file (see docs/intake-format.md)")
    check.set_defaults(handler=check_command)


@cache
def _schema_validator() -> Any:
    import jsonschema

    from acudesk.paths import resource

    schema = json.loads(resource("rules", "intake.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_check(document: object) -> None:
    """Backstop: the document must also satisfy the published JSON Schema."""
    errors = sorted(_schema_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "intake"
        raise ValidationError(f"Intake field '{where}': {error.message}", field=where)


def read_intake_file(path: str) -> object:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"Intake file not found: {path}", field="file") from None
    except IsADirectoryError:
        raise ValidationError(f"Intake file is a folder, not a file: {path}", field="file") from None
    except UnicodeDecodeError:
        raise ValidationError(f"Intake file is not UTF-8 text: {path}", field="file") from None
    except OSError as error:
        message = f"Intake file cannot be read: {path} ({error.strerror})"
        raise ValidationError(message, field="file") from None
    from acudesk.domain.input_limits import load_json

    return load_json(text, f"Intake file {path}", "file")  # bad syntax, huge numbers, deep nesting


def check_intake(document: object) -> dict[str, Any]:
    """The JSON-ready result of screening one intake document."""
    from acudesk.domain.contraindications import check_plan
    from acudesk.domain.intake_answers import parse_intake
    from acudesk.domain.triage import triage

    intake = parse_intake(document)
    _schema_check(document)
    result = triage(intake)
    output: dict[str, Any] = {
        "level": result.level.name,
        "action": result.action,
        "blocks_treatment": result.blocks_treatment,
        "rules_version": result.rules_version,
        "reasons": [r.as_json() for r in result.reasons],
        "safety_netting": list(result.safety_netting),
        "risk_factors": [{"rule": r.rule, "text": r.text, "source": r.source} for r in result.risk_factors],
        "restrictions": [r.as_json() for r in result.restrictions],
    }
    if intake.plan is not None:
        violations = check_plan(intake, intake.plan.points, intake.plan.techniques)
        output["plan_violations"] = [v.as_json() for v in violations]
    return output


def check_command(args: argparse.Namespace) -> int:
    output = check_intake(read_intake_file(args.file))
    json.dump(output, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
