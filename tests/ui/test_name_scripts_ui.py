"""Names in any script show in the desktop app: the bundled fonts are Qt's fallbacks for every script a
clinic meets, and a patient registered with such a name through the New patient dialog is in the list."""

from __future__ import annotations

import pytest

from acudesk.paths import SCRIPT_FONT_FILES
from acudesk.ui.app import add_script_fonts
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.patient_dialog import PatientDialog
from acudesk.ui.qt import QApplication, QFont, QLineEdit

TIMEOUT = 10_000
# (given name, family name, the bundled family that draws them where the system has no such font)
NAMES = [
    ("小明", "王", "AcuDesk CJK"),
    ("大文", "陳", "AcuDesk CJK"),
    ("はなこ", "やまだ", "AcuDesk CJK"),
    ("민준", "김", "AcuDesk Hangul"),
    ("محمد", "العلي", "Noto Sans Arabic"),
    ("דוד", "כהן", "Noto Sans Hebrew"),
    ("देवानंद", "शर्मा", "Noto Sans Devanagari"),
]


def test_the_bundled_fonts_are_the_application_fonts_fallbacks(qapp) -> None:
    added = add_script_fonts(qapp)
    assert len(SCRIPT_FONT_FILES) == 8
    assert set(added) == {family for _g, _f, family in NAMES}
    from PySide6.QtGui import QFontInfo, QFontMetrics

    font = QApplication.font()
    families = font.families()
    assert families[-len(added):] == added  # after the system's own font, which keeps Latin text as it was
    # The system's font first, by the family it resolves to: named generically ("Sans Serif"), Qt found no
    # family of that name and made the CJK font every text's font, with a taller line (line edits' text
    # was cut at the top under X11).
    assert QFontInfo(font).family() == families[0] and families[0] not in added
    alone = QFont(families[0])
    alone.setPointSizeF(font.pointSizeF())
    assert QFontMetrics(font).height() == QFontMetrics(alone).height()


@pytest.mark.parametrize(("given", "family", "font_family"), NAMES, ids=[f + g for g, f, _ in NAMES])
def test_each_name_has_a_glyph_for_every_character_in_its_fallback_font(qapp, given, family, font_family) -> None:
    from PySide6.QtGui import QFontMetrics, QRawFont

    add_script_fonts(qapp)
    raw = QRawFont.fromFont(QFont(font_family))
    assert raw.familyName() == font_family  # the registered file, not some other font
    name = f"{given} {family}"
    assert [ch for ch in name if not ch.isspace() and not raw.supportsCharacter(ord(ch))] == []
    metrics = QFontMetrics(QFont(font_family))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in name if not ch.isspace())


def test_greek_cyrillic_and_latin_diacritics_have_glyphs_in_the_bundled_latin_font(qapp) -> None:
    from PySide6.QtGui import QRawFont

    from acudesk.paths import resource

    raw = QRawFont(str(resource("fonts", "DejaVuSans.ttf")), 12)
    for name in ("Σοφία Παπαδοπούλου", "Анна Иванова", "Nguyễn Thị Ánh", "Łukasz Żółć"):
        assert [ch for ch in name if not ch.isspace() and not raw.supportsCharacter(ord(ch))] == [], name


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == "0 patients", timeout=TIMEOUT)
    return window


def _type(editor: QLineEdit, text: str) -> None:
    """Type as an input method (pinyin, kana, hangul, Arabic or Devanagari keyboard) does: by committing
    the composed text to the focused field. (QTest's key clicks know only ASCII keys.)"""
    from PySide6.QtGui import QInputMethodEvent

    editor.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(editor, event)
    assert text in editor.text()


@pytest.mark.parametrize(("given", "family"), [("小明", "王"), ("محمد", "العلي"), ("देवानंद", "शर्मा")])
def test_a_patient_registered_with_such_a_name_shows_in_the_patient_list(qtbot, window: MainWindow, given,
                                                                        family) -> None:
    window.new_action.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PatientDialog)), timeout=TIMEOUT)
    dialog = next(d for d in window.findChildren(PatientDialog) if d.isVisible())
    editors = {field: dialog.editor(field) for field in ("family_name", "given_name", "date_of_birth")}
    assert all(isinstance(editor, QLineEdit) for editor in editors.values())
    _type(editors["family_name"], family)
    _type(editors["given_name"], given)
    qtbot.keyClicks(editors["date_of_birth"], "14/03/1975")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.patients.count.text() == "1 patient", timeout=TIMEOUT)
    model = window.patients.table.model()
    shown = [str(model.data(model.index(0, column))) for column in range(model.columnCount())]
    assert shown[:2] == [family, given]
    # The list draws with the application font, whose fallbacks are the bundled fonts.
    assert set(add_script_fonts(QApplication.instance())) <= set(window.patients.table.font().families())

    _type(window.patients.search, family)
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    assert window.patients.current.details.given_name == given
