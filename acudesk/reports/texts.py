"""Document wording kept as data in ``resources/handouts/*.toml`` (reviewable without touching code)."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from acudesk.domain.errors import AcuDeskError
from acudesk.paths import resource


class HandoutTextError(AcuDeskError):
    """A handout text file is missing or malformed."""


@cache
def load_texts(name: str) -> dict[str, Any]:
    path = resource("handouts", f"{name}.toml")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise HandoutTextError(f"The document text {path.name} is missing; reinstall AcuDesk.") from error
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise HandoutTextError(f"The document text {path.name} cannot be read: {error}") from error
