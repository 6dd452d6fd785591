"""A field that shows what is wrong with it keeps its size, and its message is not covered (issue 18's
inline errors, as seen in the first-run set-up under X11 at 1366x768).

Before: the red border was a style sheet, which drops the style's frame and padding, so a line edit
asking to be corrected shrank from 26 to 18 px and cut its text; and a window whose text wraps (the
set-up dialog's introduction) was not grown for the messages, so its fields were pressed over them."""

from __future__ import annotations

from acudesk.ui.forms import FieldWithError
from acudesk.ui.qt import QPushButton
from acudesk.ui.setup_dialog import SetupDialog


def test_the_set_up_dialogs_fields_keep_their_height_and_show_their_messages_whole(qtbot) -> None:
    dialog = SetupDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    heights = {name: field.editor.height() for name, field in dialog.fields.items()}
    create = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Create clinic")
    create.click()  # nothing typed: the clinic's name, your name, user name and password are asked for

    wrong = {name: field for name, field in dialog.fields.items() if field.has_error()}
    assert {"clinic_name", "admin_display_name", "admin_username", "admin_password"} <= set(wrong)

    def whole(field: FieldWithError) -> bool:
        editor, message = field.editor.geometry(), field.error.geometry()
        return editor.bottom() < message.top() and message.bottom() < field.height()

    qtbot.waitUntil(lambda: all(whole(field) for field in wrong.values()), timeout=5_000)  # laid out again
    for name, field in wrong.items():
        assert field.editor.height() >= heights[name], f"{name} shrank"
