"""The user guide's pictures are drawn by the repository's own script from the running app (issue 18):
``scripts/make_guide_images.py`` starts AcuDesk on a throwaway demo clinic (offscreen) and draws every
picture ``resources/help/guide.md`` shows, failing on any it has no recipe for. Run whole, as
``make guide-images`` runs it, into a scratch folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from acudesk.ui.help import guide_images, guide_text

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.smoke


def test_the_script_draws_every_picture_the_guide_shows(tmp_path: Path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_guide_images.py"), str(tmp_path / "out")],
                          env=environment, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    from PySide6.QtGui import QImage

    for picture in guide_images(guide_text()):
        drawn = QImage(str(tmp_path / "out" / Path(picture).name))
        committed = QImage(str(ROOT / "resources" / "help" / picture))
        assert not drawn.isNull(), picture
        assert drawn.width() >= 600 and drawn.height() >= 300, picture
        assert len({drawn.pixel(x, y) for x in range(0, drawn.width(), 17) for y in range(0, drawn.height(), 17)}) > 8
        assert (drawn.width(), drawn.height()) == (committed.width(), committed.height()), (
            f"{picture}: run `make guide-images` and commit the pictures")
