"""Invented names and drama-range phone numbers for the synthetic clinic.

Family names are the demo clinic's plus compounds of two syllable lists (about 1,000 in all);
both lists are drawn with Zipf-like weights, so a few names are common (like Smith in a real
register) and a search for a common prefix returns thousands of patients, as in a real clinic.
Phones come from Ofcom's ranges reserved for drama, so no real number ever appears.
"""

from __future__ import annotations

import itertools
import random

from acudesk.services.demo_people import FAMILY_NAMES, GIVEN_NAMES

_EXTRA_GIVEN = (
    "Ada", "Alfie", "Aoife", "Bashir", "Bronwen", "Cai", "Dafydd", "Delphine", "Eamon", "Emeka", "Freya",
    "Gwen", "Hamza", "Harriet", "Ilse", "Ines", "Jonah", "Juno", "Keira", "Kofi", "Leila", "Magnus",
    "Marisol", "Nell", "Noor", "Orla", "Otto", "Petra", "Pip", "Rafael", "Ruth", "Sunil", "Tabitha",
    "Teodor", "Ulrike", "Vera", "Wilf", "Xenia", "Yasmin", "Zofia", "Ansel", "Clémence", "Zoë", "Björn",
)
_FAMILY_HEADS = (
    "Ash", "Black", "Bram", "Brook", "Cald", "Cold", "Cran", "Dun", "Elm", "Fair", "Fern", "Glen", "Hal",
    "Haw", "Holm", "Kings", "Lang", "Lind", "Marsh", "Mill", "Moor", "Nor", "Oak", "Pen", "Red", "Ros",
    "Shel", "Stan", "Thorn", "Wes",
)
_FAMILY_TAILS = (
    "borough", "bridge", "brook", "bury", "by", "combe", "cott", "croft", "dale", "den", "field", "ford",
    "gate", "hall", "ham", "hurst", "ington", "ley", "low", "mere", "more", "ridge", "shaw", "stead",
    "stone", "ton", "well", "wick", "wood", "worth",
)

GIVEN = tuple(dict.fromkeys(GIVEN_NAMES + _EXTRA_GIVEN))
FAMILY = tuple(dict.fromkeys(FAMILY_NAMES + tuple(h + t for h, t in itertools.product(_FAMILY_HEADS, _FAMILY_TAILS))))

# Ofcom drama ranges: (national prefix without the trunk 0, first, count) -> +44 prefix + 4 digits.
_DRAMA = (
    ("7700900", 0, 1000), ("1134960", 0, 1000), ("1144960", 0, 1000), ("1154960", 0, 1000),
    ("1164960", 0, 1000), ("1174960", 0, 1000), ("1184960", 0, 1000), ("1214960", 0, 1000),
    ("1314960", 0, 1000), ("1414960", 0, 1000), ("1514960", 0, 1000), ("1614960", 0, 1000),
    ("2079460", 0, 1000), ("2920180", 0, 1000), ("1632960", 0, 1000),
)


def drama_phones() -> list[str]:
    """Every drama-range number as E.164, mobile ones first (about 15,000)."""
    numbers = []
    for prefix, first, count in _DRAMA:
        stem = prefix[:-1]
        start = int(prefix[-1]) * 1000 + first
        numbers.extend(f"+44{stem}{start + n:04d}" for n in range(count))
    return numbers


def zipf_cum_weights(count: int, exponent: float = 0.9) -> list[float]:
    total = 0.0
    weights = []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        weights.append(total)
    return weights


class NamePicker:
    """Draws (given, family) pairs with Zipf-like frequencies, deterministically for a seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.given = list(GIVEN)
        self.family = list(FAMILY)
        rng.shuffle(self.given)
        rng.shuffle(self.family)
        self._given_w = zipf_cum_weights(len(self.given), 0.5)
        self._family_w = zipf_cum_weights(len(self.family), 0.5)

    def pick(self, count: int) -> list[tuple[str, str]]:
        given = self.rng.choices(self.given, cum_weights=self._given_w, k=count)
        family = self.rng.choices(self.family, cum_weights=self._family_w, k=count)
        return list(zip(given, family, strict=True))
