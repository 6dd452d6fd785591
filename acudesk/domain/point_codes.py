"""How acupoint codes are written: the 14 meridians, the other spellings of their abbreviations seen
in clinics and older books, and the key a typed code is compared by (``bl-23`` -> ``BL23``,
``UB 23`` -> ``BL23``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

MERIDIANS: tuple[str, ...] = (
    "LU", "LI", "ST", "SP", "HT", "SI", "BL", "KI", "PC", "TE", "GB", "LR", "GV", "CV",
)
EXTRA_MERIDIAN = "EX"
ASHI_MERIDIAN = "ASHI"

# Other spellings of meridian abbreviations seen in clinics and older books.
MERIDIAN_ALIASES: Mapping[str, str] = MappingProxyType({
    "UB": "BL", "B": "BL", "TW": "TE", "SJ": "TE", "TH": "TE", "SAN": "TE", "LV": "LR", "LIV": "LR",
    "DU": "GV", "GOV": "GV", "REN": "CV", "CO": "CV", "CON": "CV", "P": "PC", "PE": "PC", "H": "HT",
    "HE": "HT", "K": "KI", "KID": "KI", "LUNG": "LU", "G": "GB", "S": "ST", "SPL": "SP",
})

CODE_RE = re.compile(r"^([A-Z]+)(\d+)$")


def code_key(text: str) -> str:
    """Upper-case letters and digits only: ``bl-23`` -> ``BL23``, ``ex-b2`` -> ``EXB2``."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch.isascii() and ch.isalnum())


def meridian_key(key: str) -> str | None:
    """A meridian-point key in the standard spelling (``UB23`` -> ``BL23``, ``BL023`` -> ``BL23``), or
    None when ``key`` (from :func:`code_key`) is not letters followed by a number."""
    match = CODE_RE.match(key)
    if not match:
        return None
    letters, digits = match.groups()
    return f"{MERIDIAN_ALIASES.get(letters, letters)}{int(digits)}"
