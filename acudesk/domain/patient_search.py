"""Reading what a receptionist types into the patient search box.

One box finds patients by name ("smi jo" = family or given name starting with "smi" and another
starting with "jo"), by date of birth ("1984-03-07", "7/3/1984", "07.03.1984") or by phone
("07700 900", "+44 7700"). Names and phones are matched as prefixes of normalised keys, which an
ordinary index answers on SQLite and PostgreSQL alike. Callers often quote only the last digits of
their number ("it ends 4567"): digits typed without a leading 0 or + also match the end of a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

from acudesk.domain.patients import fold

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_PHONE_CHARS = re.compile(r"^[\d\s+()\-.]+$")
MIN_PHONE_DIGITS = 3
MAX_TAIL_WITH_ZERO = 4  # "0381" may end a number; "07700 9" is its start


@dataclass(frozen=True)
class PatientQuery:
    name_prefixes: tuple[str, ...] = ()
    date_of_birth: date | None = None
    phone_prefix: str = ""
    phone_tail: str = ""  # digits that may also be the end of the number ("4567")

    @property
    def is_empty(self) -> bool:
        return not (self.name_prefixes or self.date_of_birth or self.phone_prefix)


def parse_date_text(text: str, *, month_first: bool = False) -> date | None:
    """A date typed as ISO (2024-03-07) or day/month/year (month/day/year where ``month_first``)."""
    text = text.strip()
    try:
        if match := _DATE_ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _DATE_DMY.match(text):
            first, second, year = (int(part) for part in match.groups())
            month, day = (first, second) if month_first else (second, first)
            return date(year, month, day)
    except ValueError:
        return None
    return None


def parse_query(text: str, *, country: str = "GB") -> PatientQuery:
    text = text.strip()
    if not text:
        return PatientQuery()
    born = parse_date_text(text, month_first=country.upper() == "US")
    if born is not None:
        return PatientQuery(date_of_birth=born)
    digits = re.sub(r"\D", "", text)
    if _PHONE_CHARS.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        # "+44 7700…" or "07700 9…" is the start of a number as it is dialled; a few digits, or digits
        # without the trunk 0, may be the end the caller quoted ("it ends 038") as well.
        may_be_end = "+" not in text and (not text.startswith(("0", "(")) or len(digits) <= MAX_TAIL_WITH_ZERO)
        return PatientQuery(phone_prefix=_national_digits(text, digits, country),
                            phone_tail=digits if may_be_end else "")
    return PatientQuery(name_prefixes=tuple(fold(text).split()))


def search_text_for(family_name: str, given_name: str) -> str:
    """What to type in the search box to list this patient: the first word of each name ("van der Berg",
    "Anna Maria" -> "van Anna"; "王", "小明" -> "王 小明"), since every word typed must start one of them.
    A name as written for people ("王小明", a right-to-left name between direction marks) is not."""
    return " ".join(name.split()[0] for name in (family_name, given_name) if name.split())


def reads_country(text: str) -> bool:
    """Whether ``parse_query`` may read ``text`` by the clinic's country: dates (day or month first)
    and phone numbers (the country's dialling code) hold digits; a name reads the same everywhere."""
    return re.search(r"\d", text) is not None


def _national_digits(text: str, digits: str, country: str) -> str:
    """Strip an international prefix or a national trunk zero so the digits match phone keys."""
    stripped = text.lstrip()
    if stripped.startswith(("+", "00")):
        digits = digits[2:] if stripped.startswith("00") else digits
        code = str(phonenumbers.country_code_for_region(country.upper()))
        if digits.startswith(code):
            return digits[len(code) :]
        return digits
    return digits.lstrip("0")
