"""Patient details: validation and the normalised keys the registry searches on.

Pure functions over plain data. ``validate_patient`` reports every problem at once so the form can
show them all next to their fields.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

import phonenumbers

from acudesk.domain.errors import ValidationError, ValidationErrors

MAX_AGE_YEARS = 120
SEXES = ("female", "male", "other", "unknown")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class PatientDetails:
    """What a receptionist enters for a patient (as typed; see ``validate_patient``)."""

    family_name: str
    given_name: str
    date_of_birth: date | None
    preferred_name: str = ""
    sex: str = "unknown"
    phone: str = ""
    email: str = ""
    address: str = ""
    gp_name: str = ""
    gp_practice: str = ""
    gp_address: str = ""
    gp_phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    consent_to_treatment: bool = False
    consent_date: date | None = None


# Scripts whose names are written family name first: Chinese, Japanese (kanji and kana), Korean.
_FAMILY_FIRST = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
                           "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile("[\u3040-\u30ff]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def without_isolates(text: str) -> str:
    """``text`` without bidi isolation marks, for a place that shows them as they are (a window's title,
    drawn by the window manager)."""
    return text.replace(FIRST_STRONG_ISOLATE, "").replace(POP_DIRECTIONAL_ISOLATE, "")


def full_name(given: str, family: str) -> str:
    """A patient's name as it is written: "Nora Quill"; a Chinese, Japanese or Korean name family name
    first, as its owner writes it: "王小明", "김민준", "山田花子" (kana keeps its space: "やまだ はなこ")."""
    given, family = (given or "").strip(), (family or "").strip()
    if given and family and _FAMILY_FIRST.search(given) and _FAMILY_FIRST.search(family):
        joiner = " " if _KANA.search(given + family) else ""
        return f"{family}{joiner}{given}"
    name = " ".join(part for part in (given, family) if part)
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name):
        # A right-to-left name is isolated (FSI ... PDI), so that a sentence that starts with it
        # ("محمد العلي still has 9 visits booked") still reads left to right around it. The PDF
        # writer drops the marks (reports/fonts.runs) and orders the words itself.
        return f"{FIRST_STRONG_ISOLATE}{name}{POP_DIRECTIONAL_ISOLATE}"
    return name


def fold(text: str) -> str:
    """Lower case with accents removed and spaces collapsed: 'Müller  Ó' -> 'muller o'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def normalise_phone(text: str, country: str, *, field: str = "phone") -> str:
    """Parse a phone number for the clinic's country and return it in E.164 (+447700900123)."""
    if not text.strip():
        return ""
    try:
        number = phonenumbers.parse(text, country.upper())
    except phonenumbers.NumberParseException as error:
        raise ValidationError(f"'{text}' is not a phone number.", field=field) from error
    # "Possible" (right length and shape for the country) rather than "valid": the number-range
    # tables lag behind operators, and Ofcom's drama ranges used by the demo clinic count as invalid.
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(f"'{text}' is not a valid phone number for {country.upper()}.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_key(e164: str) -> str:
    """Digits of the national number ('+447700900123' -> '7700900123'), for prefix search."""
    if not e164:
        return ""
    try:
        return str(phonenumbers.parse(e164).national_number)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", e164)


def display_phone(e164: str, country: str | None = None) -> str:
    """A stored number as people write it: national form at home ('07700 900123'), else international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    home = country is not None and number.country_code == phonenumbers.country_code_for_region(country.upper())
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def validate_patient(details: PatientDetails, *, today: date, country: str) -> PatientDetails:
    """Return cleaned details (trimmed, phones in E.164) or raise ``ValidationErrors``."""
    errors: list[ValidationError] = []
    family = " ".join(details.family_name.split())
    given = " ".join(details.given_name.split())
    if not family:
        errors.append(ValidationError("Enter the family name.", field="family_name"))
    if not given:
        errors.append(ValidationError("Enter the given name.", field="given_name"))
    for value, field in ((family, "family_name"), (given, "given_name")):
        if len(value) > 100:
            errors.append(ValidationError("Names are limited to 100 characters.", field=field))
    born = details.date_of_birth
    if born is None:
        errors.append(ValidationError("Enter the date of birth.", field="date_of_birth"))
    elif born > today:
        errors.append(ValidationError("The date of birth is in the future.", field="date_of_birth"))
    elif age_on(born, today) > MAX_AGE_YEARS:
        errors.append(
            ValidationError(
                f"A date of birth more than {MAX_AGE_YEARS} years ago is not plausible.",
                field="date_of_birth",
            )
        )
    if details.sex not in SEXES:
        errors.append(ValidationError(f"Sex must be one of {', '.join(SEXES)}.", field="sex"))
    email = details.email.strip()
    if email and not _EMAIL.match(email):
        errors.append(ValidationError(f"'{email}' is not an email address.", field="email"))
    phones: dict[str, str] = {}
    for field in ("phone", "gp_phone", "emergency_contact_phone"):
        try:
            phones[field] = normalise_phone(getattr(details, field), country, field=field)
        except ValidationError as error:
            errors.append(error)
    if details.consent_to_treatment and details.consent_date is None:
        errors.append(ValidationError("Enter the date consent was given.", field="consent_date"))
    if details.consent_date is not None and details.consent_date > today:
        errors.append(ValidationError("The consent date is in the future.", field="consent_date"))
    if errors:
        raise ValidationErrors(errors)
    return replace(
        details,
        family_name=family,
        given_name=given,
        preferred_name=details.preferred_name.strip(),
        email=email,
        address=details.address.strip(),
        gp_name=details.gp_name.strip(),
        gp_practice=details.gp_practice.strip(),
        gp_address=details.gp_address.strip(),
        emergency_contact_name=details.emergency_contact_name.strip(),
        phone=phones["phone"],
        gp_phone=phones["gp_phone"],
        emergency_contact_phone=phones["emergency_contact_phone"],
    )
