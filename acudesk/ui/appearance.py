"""How the application looks: the usual palette, or high contrast (View → High contrast).

High contrast is a preference of this computer (acudesk/preferences.py), applied at start-up by
``create_application`` and at once when ticked. It replaces the application's style sheet and
palette with ``HIGH_CONTRAST_STYLE_SHEET`` and a palette of the ``HIGH_CONTRAST_*`` named colours in
ui/style.py. Colours a screen sets itself (the calendar's blocks, the banners) stay as they are:
each already pairs dark text with a light fill (docs/accessibility.md).
"""

from __future__ import annotations

import logging

from acudesk.preferences import load_preferences, update_preferences
from acudesk.ui.qt import QAction, QApplication, QColor, QMainWindow, QPalette
from acudesk.ui.style import (
    HIGH_CONTRAST_ACCENT,
    HIGH_CONTRAST_ALTERNATE_ROW,
    HIGH_CONTRAST_BACKGROUND,
    HIGH_CONTRAST_DISABLED_TEXT,
    HIGH_CONTRAST_HEADER_BACKGROUND,
    HIGH_CONTRAST_MUTED_TEXT,
    HIGH_CONTRAST_SELECTION_TEXT,
    HIGH_CONTRAST_STYLE_SHEET,
    HIGH_CONTRAST_TEXT,
    STYLE_SHEET,
)

log = logging.getLogger(__name__)


def high_contrast_palette() -> QPalette:
    role = QPalette.ColorRole
    palette = QPalette()
    for roles, colour in (
        ((role.Window, role.Base, role.Button, role.ToolTipBase), HIGH_CONTRAST_BACKGROUND),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText, role.BrightText), HIGH_CONTRAST_TEXT),
        ((role.AlternateBase,), HIGH_CONTRAST_ALTERNATE_ROW),
        ((role.Highlight, role.Link, role.LinkVisited), HIGH_CONTRAST_ACCENT),
        ((role.HighlightedText,), HIGH_CONTRAST_SELECTION_TEXT),
        ((role.PlaceholderText,), HIGH_CONTRAST_MUTED_TEXT),
        ((role.Light, role.Midlight), HIGH_CONTRAST_HEADER_BACKGROUND),
        ((role.Mid, role.Dark, role.Shadow), HIGH_CONTRAST_TEXT),
    ):
        for each in roles:
            palette.setColor(each, QColor(colour))
    for each in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, each, QColor(HIGH_CONTRAST_DISABLED_TEXT))
    return palette


_usual_palette: list[QPalette] = []  # the palette before high contrast was first applied


def apply_appearance(app: QApplication, *, high_contrast: bool) -> None:
    """The usual look (``STYLE_SHEET`` over the style's palette) or high contrast, for every window at once."""
    if high_contrast:
        if not _usual_palette:
            _usual_palette.append(app.palette())
        app.setPalette(high_contrast_palette())
        app.setStyleSheet(HIGH_CONTRAST_STYLE_SHEET)
    else:
        if _usual_palette:
            app.setPalette(_usual_palette[0])
        app.setStyleSheet(STYLE_SHEET)


def install_view_menu(window: QMainWindow) -> QAction:
    """View → High contrast, ticked when this computer uses it; ticking it applies and remembers it."""
    action = QAction("High contrast", window)
    action.setObjectName("highContrastAction")
    action.setCheckable(True)
    action.setChecked(load_preferences().high_contrast)
    action.setToolTip("Black text on white, strong borders and a thick outline around the field in use "
                      "(kept for this computer)")

    def toggled(on: bool) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_appearance(app, high_contrast=on)
        try:
            update_preferences(high_contrast=on)
        except OSError as error:  # the look still changes; it is only not remembered for next time
            log.warning("High contrast could not be remembered: %s", error.strerror)

    action.toggled.connect(toggled)
    window.menuBar().addMenu("&View").addAction(action)
    return action
