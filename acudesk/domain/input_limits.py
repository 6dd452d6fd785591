"""The ranges typed or imported values must fall in, so that out-of-range input gets a clear message
instead of an overflow deep inside Python, SQLite or PostgreSQL (docs/security.md, "Bad input").

- Record numbers (patients, appointments, …) are stored as ``INTEGER``: 1 to 2,147,483,647 on
  PostgreSQL, so on every engine.
- Calendar dates a person books or prints are in the years 1900 to 2999: a course or a day list in
  year 9999 would run past the last date Python can hold.
- JSON documents (intake files) are nested at most 32 levels deep and hold no number beyond ±10^15,
  nor NaN or Infinity (which Python's JSON reader accepts).
- Every number a person types or a file holds (intake answers, outcome scores, session pain scores and
  needle counts, plan parameters) is a real, finite number: NaN and infinity are refused with a message
  naming the field (``check_number``), never compared (every comparison with NaN is false, so a NaN BMI
  silently passed "BMI below 18.5" and dropped the pneumothorax warning). Rule files (TOML) may hold no
  nan or inf either (``load_rules_toml``).
"""

from __future__ import annotations

import json
import math
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from acudesk.domain.errors import ValidationError

MAX_RECORD_NUMBER = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_JSON_DEPTH = 32
MAX_JSON_NUMBER = 10**15


def check_record_number(value: int, field: str = "id") -> int:
    """``value`` if it can be a record number, else a ValidationError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"A record number is a whole number from 1 to {MAX_RECORD_NUMBER:,}, not {value!r}.",
                              field=field)
    if not 1 <= value <= MAX_RECORD_NUMBER:
        raise ValidationError(f"No record has a number {_shown(value)}: record numbers run from 1 to "
                              f"{MAX_RECORD_NUMBER:,}.", field=field)
    return value


def check_calendar_day(day: date | datetime, field: str = "date") -> None:
    """Refuse a date outside the years AcuDesk books and prints in (1900-2999)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(f"The {field} must be in the years {FIRST_YEAR} to {LAST_YEAR}, not {day.year}.",
                              field=field)


def check_json_number(value: int | float, field: str, label: str) -> None:
    """Refuse NaN, Infinity and numbers too large for any answer, with ``label`` (the field's name)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"{label} must be a real number, not {non_finite_word(value)}.", field=field)
    if abs(value) > MAX_JSON_NUMBER:
        raise ValidationError(f"{label} is far too large a number.", field=field)


def non_finite_word(value: float) -> str:
    """How a message names a value that is not a real number: NaN, infinity or minus infinity."""
    if math.isnan(value):
        return "NaN (not a number)"
    return "infinity" if value > 0 else "minus infinity"


def check_number(value: object, field: str, label: str, low: float | None = None, high: float | None = None,
                 *, whole: bool = False) -> int | float:
    """``value`` as a typed or imported number must be: a number (not a yes/no or text), finite (never NaN
    or infinity, which Python's float() and JSON reader both accept), whole when ``whole``, and from
    ``low`` to ``high``. Every refusal is a ValidationError whose message starts with ``label``, the
    field's name as the person sees it (a question's text, a form's label), and whose field is ``field``.
    A whole float (7.0) comes back as an int."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{label} must be a number.", field=field)
    check_json_number(value, field, label)  # not NaN, infinity or a 400-digit integer
    number: int | float = value
    if whole:
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError(f"{label} must be a whole number, not {value:g}.", field=field)
        number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            bounds = f"between {low:g} and {high:g}"
        else:
            bounds = f"at least {low:g}" if low is not None else f"at most {high:g}"
        raise ValidationError(f"{label} must be {bounds}, not {number:g}.", field=field)
    return number


def finite_toml_float(text: str) -> float:
    """``tomllib``'s ``parse_float``: refuse nan and inf (and 1e309, which overflows to inf) in rule files."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def load_rules_toml(path: Path) -> dict[str, Any]:
    """A TOML rule file whose every float is finite; a nan or inf is a ValueError naming the file."""
    with open(path, "rb") as handle:
        try:
            return tomllib.load(handle, parse_float=finite_toml_float)
        except ValueError as error:
            raise ValueError(f"{path.name}: {error}") from None


def load_json(text: str | bytes, what: str, field: str) -> object:
    """``json.loads`` whose every failure is a ValidationError: bad syntax, an integer of more than
    4,300 digits, nesting too deep for the parser or deeper than ``MAX_JSON_DEPTH``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(f"{what} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}).",
                              field=field) from None
    except RecursionError:
        raise ValidationError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.", field=field) from None
    except ValueError:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise ValidationError(f"{what} holds a number far too large.", field=field) from None
    check_json_depth(document, what, field)
    return document


def check_json_depth(document: object, what: str, field: str) -> None:
    """Refuse a document (already parsed) nested deeper than ``MAX_JSON_DEPTH``; iterative, so it never
    recurses itself."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValidationError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.", field=field)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def _shown(value: int) -> str:
    """A number for a message: never str() of a huge one (Python refuses more than 4,300 digits)."""
    return str(value) if value.bit_length() <= 64 else "that large"
