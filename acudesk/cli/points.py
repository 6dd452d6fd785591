"""``acudesk points search TEXT [--limit N] [--format text|json]``: look up acupoints in the catalogue.

TEXT may be a code in any spelling (``bl23``, ``BL-23``, ``UB 23``), a pinyin name with or without tone
marks, hanzi, words of the English name, a region (``lumbar``) or an indication tag (``sciatica``).
Text output is one line per point; safety attributes follow a ``!``. No match prints a message on
stderr and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from acudesk.cli.common import positive_int
from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.acupoints import Acupoint

EXIT_NO_MATCH = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    points = subparsers.add_parser("points", help="look up acupoints in the reference catalogue")
    actions = points.add_subparsers(dest="points_command", metavar="ACTION")
    search = actions.add_parser(
        "search", help="find points by code, pinyin, hanzi, English name, region or indication"
    )
    search.add_argument("text", metavar="TEXT", nargs="+", help="what to look for, e.g. bl23, shenshu, 肾俞")
    search.add_argument("--limit", type=positive_int, default=20, metavar="N", help="at most N results (20)")
    search.add_argument("--format", choices=("text", "json"), default="text", help="output format (text)")
    search.set_defaults(handler=search_command)


def search_command(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    results = load_catalogue().search(text, limit=args.limit)
    if not results:
        print(f"No acupoint matches {text!r}.", file=sys.stderr)
        return EXIT_NO_MATCH
    if args.format == "json":
        print(json.dumps([point.to_dict() for point in results], ensure_ascii=False, indent=2))
    else:
        print("\n".join(format_line(point, results) for point in results))
    return 0


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_line(point: Acupoint, column_peers: list[Acupoint] | None = None) -> str:
    """``BL23   Shènshū  肾俞  Kidney Shu  [lumbar]  ! organ_depth_kidney``, aligned across ``column_peers``."""
    peers = column_peers or [point]
    code_w = max(len(p.code) for p in peers) + 2
    pinyin_w = max(_width(p.pinyin) for p in peers) + 2
    hanzi_w = max(_width(p.hanzi) for p in peers) + 2
    english_w = max(_width(p.english) for p in peers) + 2
    line = (
        _pad(point.code, code_w) + _pad(point.pinyin, pinyin_w) + _pad(point.hanzi, hanzi_w)
        + _pad(point.english, english_w) + f"[{point.region}]"
    )
    if point.safety:
        line += "  ! " + ", ".join(point.safety_kinds)
    return line
