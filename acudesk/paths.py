"""The one place that knows where AcuDesk's files live.

Resources are found both in a checkout (``<repo>/resources``) and in an installed wheel, where
``resources/`` is packaged as ``acudesk/_resources`` (see pyproject.toml). User data and logs go to
the platform's directories (platformdirs).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

APP_NAME = "AcuDesk"
APP_AUTHOR = "AcuDesk"


@cache
def resources_dir() -> Path:
    """Directory holding the reference data (acupoints, rule sets, handout texts, fonts)."""
    override = os.environ.get("ACUDESK_RESOURCES")
    if override:
        return Path(override)
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "_resources"
    if installed.is_dir():
        return installed
    checkout = package_dir.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("AcuDesk's resources folder is missing; reinstall the application.")


def resource(*parts: str) -> Path:
    """Path of one file or folder inside ``resources/``."""
    return resources_dir().joinpath(*parts)


# The fonts for names in other scripts that the PDFs embed and the Qt side registers as fallbacks
# (resources/fonts/make_subset.py says where each comes from; acudesk/reports/fonts.py which runs use them).
SCRIPT_FONT_FILES = (
    "AcuDeskCJK.ttf", "AcuDeskHangul.ttf",
    "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf",
)


def script_font_paths() -> list[Path]:
    return [resource("fonts", name) for name in SCRIPT_FONT_FILES]


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR, ensure_exists=True)


def user_log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, APP_AUTHOR, ensure_exists=True)


def temporary_documents_dir() -> Path:
    """The one folder for PDFs made only to be opened or printed (acudesk/ui/temporary_documents.py).

    They hold patient data, so the folder is in the user's own cache folder, never the shared temporary
    folder, and only its owner may enter it (0700)."""
    from platformdirs import user_cache_path

    folder = user_cache_path(APP_NAME, APP_AUTHOR) / "documents"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # also when an older copy made it with the default mode
    return folder


def preferences_path() -> Path:
    """This computer's preferences (acudesk/preferences.py): the user's configuration folder, not the
    clinic's database, since they belong to the screen in front of someone (high contrast)."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, APP_AUTHOR) / "preferences.json"


def default_database_path() -> Path:
    return user_data_dir() / "acudesk.sqlite3"


@cache
def migrations_dir() -> Path:
    """Alembic's script folder: ``db/`` in a checkout, ``acudesk/_migrations`` when installed."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "_migrations"
    if (installed / "env.py").is_file():
        return installed
    return package_dir.parent / "db"
