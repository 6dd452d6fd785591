"""What an administrator may type into the clinic's settings: opening hours, fees, lengths, currency.

Plain rules, no database. Each refusal is a ``ValidationError`` naming the field it is about, so the
settings screen can put the message under that field. The limits and the reasons for them are in
docs/scheduling.md, "Clinic settings".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import cache

from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import check_number

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of Clinic.opening_hours
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_SPAN = re.compile(r"(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})")

# A visit shorter than 5 minutes or longer than 8 hours, or a changeover of more than 2 hours, is a
# typing mistake (an extra zero), not a clinic's practice; a fee is at most 100,000 in the clinic's
# currency (an acupuncture visit costs tens to a few thousands in every currency AcuDesk accepts).
MIN_DURATION, MAX_DURATION = 5, 8 * 60
MAX_CHANGEOVER = 120
MAX_FEE_MINOR = 100_000 * 100
MAX_NAME = 100


def hours_field(day: str) -> str:
    """The field name of one weekday's hours (``hours_sat``), as errors name it."""
    return f"hours_{day}"


def parse_day_hours(text: str, day: str) -> list[list[str]]:
    """``"09:00-13:00, 14:00-18:00"`` -> ``[["09:00", "13:00"], ["14:00", "18:00"]]``; empty = closed.

    Several spans a day are allowed (a lunch break); they must not overlap, each must end after it
    starts, within the day (24:00 is the end of the day)."""
    name = WEEKDAY_NAMES[WEEKDAY_KEYS.index(day)]
    field = hours_field(day)
    spans: list[tuple[int, int]] = []
    for chunk in (part.strip() for part in text.split(",")):
        if not chunk:
            continue
        match = _SPAN.fullmatch(chunk)
        if match is None:
            raise ValidationError(f"{name}: '{chunk}' is not like 09:00-13:00.", field=field)
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2):
            raise ValidationError(f"{name}: '{chunk}' is not a time of day.", field=field)
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValidationError(f"{name}: '{chunk}' ends before it starts.", field=field)
        spans.append((start, end))
    spans.sort()
    for (_a, end), (start, _b) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ValidationError(f"{name}: {_clock(start)} falls inside the span before it; the spans overlap.",
                                  field=field)
    return [[_clock(a), _clock(b)] for a, b in spans]


def format_day_hours(spans: Sequence[Sequence[str]] | None) -> str:
    """The stored spans of one day as the settings screen shows them: ``"09:00-13:00, 14:00-18:00"``."""
    return ", ".join(f"{a}-{b}" for a, b in spans or ())


def parse_opening_hours(texts: dict[str, str]) -> dict[str, list[list[str]]]:
    """Every weekday's text (missing or empty: closed) -> the ``Clinic.opening_hours`` JSON; all days are
    checked and every refusal reported together."""
    from acudesk.domain.errors import ValidationErrors

    unknown = set(texts) - set(WEEKDAY_KEYS)
    if unknown:
        raise ValidationError(f"Unknown weekday(s): {', '.join(sorted(unknown))}.", field="opening_hours")
    hours: dict[str, list[list[str]]] = {}
    errors: list[ValidationError] = []
    for day in WEEKDAY_KEYS:
        try:
            spans = parse_day_hours(texts.get(day, ""), day)
        except ValidationError as error:
            errors.append(error)
            continue
        if spans:
            hours[day] = spans
    if errors:
        raise ValidationErrors(errors)
    if not hours:
        raise ValidationError("The clinic must be open on at least one day of the week.", field="opening_hours")
    return hours


def parse_fee(text: str | Decimal) -> int:
    """A fee as typed (``"65"``, ``"65.50"``) -> minor units (6550). Refuses what is not a plain amount:
    NaN, infinity, negative, more than two decimals, more than ``MAX_FEE_MINOR``."""
    raw = str(text).strip().replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"The fee '{raw}' is not an amount like 65.00.", field="fee") from None
    if not amount.is_finite():
        raise ValidationError("The fee must be an amount like 65.00.", field="fee")
    if amount < 0:
        raise ValidationError("The fee cannot be negative.", field="fee")
    minor = amount * 100
    if minor != minor.to_integral_value():
        raise ValidationError("The fee has at most two decimals (pence, cents).", field="fee")
    if minor > MAX_FEE_MINOR:
        raise ValidationError(f"A fee above {MAX_FEE_MINOR // 100:,} is surely a typing mistake.", field="fee")
    return int(minor)


def format_fee(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def check_minutes(duration: int, changeover: int) -> None:
    """A visit's length and the room's changeover after it, in minutes."""
    check_number(duration, "duration", "The visit's length (minutes)", whole=True)  # not NaN, infinity or 30.5
    check_number(changeover, "changeover", "The changeover (minutes)", whole=True)
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValidationError(f"A visit lasts {MIN_DURATION} to {MAX_DURATION} minutes.", field="duration")
    if not 0 <= changeover <= MAX_CHANGEOVER:
        raise ValidationError(f"The changeover is 0 to {MAX_CHANGEOVER} minutes.", field="changeover")


def clean_name(text: str, field: str, what: str) -> str:
    """A name typed into a settings form: trimmed, not empty, not longer than ``MAX_NAME``."""
    name = " ".join(text.split())
    if not name:
        raise ValidationError(f"Enter the {what}'s name.", field=field)
    if len(name) > MAX_NAME:
        raise ValidationError(f"The {what}'s name is longer than {MAX_NAME} characters.", field=field)
    return name


# -- currency -------------------------------------------------------------------------------------
# ISO 4217 as the Unicode CLDR keeps it, through Babel: a code counts when some country uses it as
# legal tender today. AcuDesk keeps money in hundredths (fees, receipts: reports/layout.fmt_money), so
# a currency whose minor unit is not two decimals (JPY: none; BHD: three) is refused rather than
# printed wrongly on every receipt.


@cache
def currencies_in_use() -> frozenset[str]:
    from babel import Locale
    from babel.numbers import get_territory_currencies

    codes: set[str] = set()
    for territory in Locale("en").territories:
        if isinstance(territory, str) and territory.isalpha():  # regions like "001" (world) hold no currency
            codes.update(get_territory_currencies(territory))
    return frozenset(codes)


def currency_decimals(code: str) -> int:
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(code))


def currency_name(code: str) -> str:
    from babel.numbers import get_currency_name

    return str(get_currency_name(code, locale="en"))


def supported_currencies() -> list[tuple[str, str]]:
    """(code, English name) of each currency the settings accept, by code."""
    return [(code, currency_name(code)) for code in sorted(currencies_in_use()) if currency_decimals(code) == 2]


def check_currency(text: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in currencies_in_use():
        raise ValidationError(f"'{text.strip()}' is not a currency in use (ISO 4217 codes: GBP, EUR, USD…).",
                              field="currency")
    if currency_decimals(code) != 2:
        raise ValidationError(f"AcuDesk keeps fees in hundredths; {code} ({currency_name(code)}) has "
                              f"{currency_decimals(code)} decimals and is not supported yet.", field="currency")
    return code


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
