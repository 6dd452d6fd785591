"""Ranked search over the acupoint catalogue: an index built once when the catalogue loads, and the
ranking (exact code, code prefix, exact pinyin, exact English name, pinyin prefix, hanzi, English-name
words, pinyin substring, region, indication tag, location words)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from acudesk.domain.point_codes import MERIDIAN_ALIASES, MERIDIANS, code_key, meridian_key

if TYPE_CHECKING:
    from acudesk.domain.acupoints import Acupoint


def fold(text: str) -> str:
    """Lower-case, strip tone marks and other accents, drop spaces and punctuation (``Fù'āi`` -> ``fuai``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(w for w in re.split(r"[^0-9a-z]+", plain.replace("'", "")) if w)



_TIER_EXACT_CODE = 0
_TIER_CODE_PREFIX = 1
_TIER_PINYIN_EXACT = 2
_TIER_NAME_EXACT = 3
_TIER_PINYIN_PREFIX = 4
_TIER_HANZI_PART = 5
_TIER_ENGLISH_WORDS = 6
_TIER_PINYIN_PART = 7
_TIER_REGION = 8
_TIER_INDICATION = 9
_TIER_LOCATION_WORDS = 10


class _WordIndex:
    """Words mapped to the positions of the points whose text contains them; prefix look-up by bisection."""

    def __init__(self, texts: Sequence[Iterable[str]]) -> None:
        positions: dict[str, set[int]] = {}
        for position, words in enumerate(texts):
            for word in words:
                positions.setdefault(word, set()).add(position)
        self._words: list[str] = sorted(positions)
        self._positions: dict[str, frozenset[int]] = {w: frozenset(p) for w, p in positions.items()}

    def matching(self, query: str, *, prefix: bool) -> set[int]:
        if not prefix:
            return set(self._positions.get(query, ()))
        found: set[int] = set()
        index = bisect_left(self._words, query)
        while index < len(self._words) and self._words[index].startswith(query):
            found |= self._positions[self._words[index]]
            index += 1
        return found

    def all_words(self, queries: Sequence[str], *, min_prefix: int) -> set[int]:
        """Positions whose text has every query word (as a word, or as a word prefix when long enough)."""
        result: set[int] | None = None
        for query in queries:
            hits = self.matching(query, prefix=len(query) >= min_prefix)
            result = hits if result is None else result & hits
            if not result:
                return set()
        return result or set()


class SearchIndex:
    """Everything :meth:`Catalogue.search` needs, computed once when the catalogue loads."""

    def __init__(self, points: Sequence[Acupoint]) -> None:
        self._points = tuple(points)
        self.code_keys: list[tuple[str, int]] = []
        self.exact_code: dict[str, set[int]] = {}
        self.pinyins: list[tuple[str, int]] = []
        self.exact_pinyin: dict[str, set[int]] = {}
        self.exact_english: dict[str, set[int]] = {}
        self.hanzis: list[tuple[str, int]] = []
        self.regions: dict[str, set[int]] = {}
        self.indications: dict[str, set[int]] = {}
        english_words: list[tuple[str, ...]] = []
        location_words: list[tuple[str, ...]] = []
        for position, point in enumerate(points):
            keys = [code_key(point.code)]
            if point.meridian in MERIDIANS:
                keys += [f"{alias}{point.number}" for alias, m in MERIDIAN_ALIASES.items() if m == point.meridian]
            for key in keys:
                self.code_keys.append((key, position))
                self.exact_code.setdefault(key, set()).add(position)
            for name in (point.pinyin, *point.aliases):
                if _has_cjk(name):
                    continue
                folded = fold(name)
                self.pinyins.append((folded, position))
                self.exact_pinyin.setdefault(folded, set()).add(position)
            for name in (point.hanzi, *point.aliases):
                if _has_cjk(name):
                    self.hanzis.append((name, position))
            self.exact_english.setdefault(fold(point.english), set()).add(position)
            self.regions.setdefault(fold(point.region), set()).add(position)
            for tag in point.indications:
                self.indications.setdefault(fold(tag), set()).add(position)
            english_words.append(_words(point.english))
            location_words.append(_words(point.location))
        self.english_words = _WordIndex(english_words)
        self.location_words = _WordIndex(location_words)

    def search(self, text: str, limit: int = 20) -> list[Acupoint]:
        """Points matching ``text``, best first.

        Ranking: exact code, code prefix, exact pinyin (tone marks, case and spaces ignored), exact English
        name, pinyin prefix, hanzi, all English-name words, pinyin substring, region, indication tag, and
        finally all words found in the location text. Ties keep canonical order.
        """
        query = text.strip()
        if not query or limit <= 0:
            return []
        best: dict[int, int] = {}

        def hit(tier: int, positions: Iterable[int]) -> None:
            for position in positions:
                if position not in best:
                    best[position] = tier

        query_key = code_key(query)
        code_query = meridian_key(query_key)  # "UB23" -> "BL23", "bl023" -> "BL23"
        if code_query:
            query_key = code_query
        query_fold = fold(query)
        query_words = _words(query)
        query_cjk = "".join(ch for ch in query if _is_cjk(ch))
        if query_key:
            hit(_TIER_EXACT_CODE, self.exact_code.get(query_key, ()))
            if len(query_key) >= 2:
                hit(_TIER_CODE_PREFIX, (p for k, p in self.code_keys if k.startswith(query_key)))
        if query_fold:
            hit(_TIER_PINYIN_EXACT, self.exact_pinyin.get(query_fold, ()))
            hit(_TIER_NAME_EXACT, self.exact_english.get(query_fold, ()))
            if len(query_fold) >= 3:
                hit(_TIER_PINYIN_PREFIX, (p for name, p in self.pinyins if name.startswith(query_fold)))
        if query_cjk:
            hit(_TIER_HANZI_PART, (p for name, p in self.hanzis if query_cjk in name))
        if query_words:
            hit(_TIER_ENGLISH_WORDS, self.english_words.all_words(query_words, min_prefix=3))
        if len(query_fold) >= 4:
            hit(_TIER_PINYIN_PART, (p for name, p in self.pinyins if query_fold in name))
        if query_fold:
            hit(_TIER_REGION, self.regions.get(query_fold, ()))
            hit(_TIER_INDICATION, self.indications.get(query_fold, ()))
        if not code_query and query_words and all(len(q) >= 3 for q in query_words):
            hit(_TIER_LOCATION_WORDS, self.location_words.all_words(query_words, min_prefix=3))
        ranked = sorted(best, key=lambda position: (best[position], position))
        return [self._points[position] for position in ranked[:limit]]


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" or "\uf900" <= ch <= "\ufaff"


def _has_cjk(text: str) -> bool:
    return any(_is_cjk(ch) for ch in text)
