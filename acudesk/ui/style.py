"""The application's look: Fusion style with a calm, clinical palette.

Every colour a screen sets itself (a style sheet, rich text, a painted canvas) is named here by what
it means, not by its hue, so a high-contrast palette replaces these values in this one module.
"""

from string import Template

# -- text on the page ------------------------------------------------------------------------------
TEXT = "#1f2933"
MUTED_TEXT = "#52606d"  # hints, counts, secondary lines
LABEL_TEXT = "#6b7280"  # field labels and placeholders in the patient details
INACTIVE_TEXT = "#7b8794"  # a cancelled visit, a day's hour labels
ARCHIVED_TEXT = "#8a8f98"  # archived patients in the list
ERROR_TEXT = "#b3261e"  # a refusal, a field's error, a missing consent
ALERT_TEXT = "#c53030"  # the booking dialog's pattern and conflict messages
WARNING_TEXT = "#8a5300"  # a plan that may go ahead with care
SUCCESS_TEXT = "#2e5e2f"  # a plan saved or activated
CHECK_PASSED_TEXT = "#2e7d32"  # the needle counts agree
LATE_TEXT = "#c05621"  # a late cancellation, a visit running late
CLOSED_DAY_TEXT = "#9b2c2c"  # a day the clinic is closed; a visit that cannot be booked
ACCENT = "#2b6cb0"  # the original of a record, planned points, the selection

# -- banners: stop (red), caution (amber), clear (green), neutral (grey) ---------------------------
STOP_BACKGROUND, STOP_BORDER, STOP_TEXT = "#fdecea", "#b3261e", "#5f1410"
CAUTION_BACKGROUND, CAUTION_BORDER, CAUTION_TEXT = "#fff4e0", "#c77700", "#4d3000"
CLEAR_BACKGROUND, CLEAR_BORDER, CLEAR_TEXT = "#e8f5e9", "#2e7d32", "#173d19"
NEUTRAL_BACKGROUND, NEUTRAL_BORDER, NEUTRAL_TEXT = "#eef1f5", "#c9d1db", "#39424e"

# -- badges and highlighted rows -------------------------------------------------------------------
ARCHIVED_BADGE_BACKGROUND = "#fde68a"
CHANGED_BACKGROUND = CAUTION_BACKGROUND  # an amended line in a record's history
MOVED_BACKGROUND = "#fff4d6"  # a visit the booking dialog moved off a closed day
CONFLICT_BACKGROUND = "#fde2e2"  # a visit that clashes with another
NOTE_BACKGROUND = "#eef4fb"  # a visit with a note
LATE_BACKGROUND = "#feebc8"  # Today: a visit whose patient is late
DRIFTED_BACKGROUND = LATE_BACKGROUND  # the booking dialog: a visit nothing could keep on its rhythm

# -- calendar states: (fill, border) of a visit's block and its legend swatch -----------------------
BOOKED_FILL, BOOKED_BORDER = "#dbe9f8", "#2b6cb0"
ARRIVED_FILL, ARRIVED_BORDER = "#ebe4f8", "#6b46c1"  # violet: orange means late (LATE_BACKGROUND)
COMPLETED_FILL, COMPLETED_BORDER = "#d5f0dc", "#2f855a"
CANCELLED_FILL, CANCELLED_BORDER = "#eceff3", "#a0a7b1"
NO_SHOW_FILL, NO_SHOW_BORDER = "#fbd9d9", "#c53030"

# -- painted canvases: the calendar grid, the body chart, the pain trend ---------------------------
CANVAS = "#ffffff"
FRAME_LINE = "#c9d1db"  # column borders, the trend's axis
GRID_LINE = "#d5dae1"  # the calendar's hour lines
HALF_HOUR_LINE = "#edf0f3"
SCORE_LINE = "#e3e7ec"  # the trend's score lines
DIVIDER_LINE = "#8795a8"  # the body's outline, a new phase in the trend
OUT_OF_HOURS_FILL = "#eef0f3"
CLOSED_DAY_FILL = "#e4e7eb"
HEADER_FILL, TODAY_HEADER_FILL = "#f3f5f8", "#dceafa"
NOW_LINE = "#e53e3e"
BODY_FILL, BODY_DETAIL_LINE, POINT_DOT = "#f3efe9", "#b9c2cf", "#a9b3bf"
# the pain drawing: a marked region (opacity grows with intensity), its letters, the region borders
PAIN_MARK, PAIN_MARK_TEXT, PAIN_REGION_LINE = "#d9480f", "#7a2506", "#dcd3c7"

# -- the application style sheet (ui/app.py) ---------------------------------------------------------
WINDOW_BACKGROUND = "#f6f7f9"
PANEL_BORDER = "#dde1e6"  # toolbars, tables, group boxes
HOVER_BACKGROUND = "#eef4fb"
DISABLED_TEXT, DISABLED_BORDER = "#a0a7b1", "#e3e7ec"
ALTERNATE_ROW, TABLE_GRID_LINE = "#f3f6fa", "#e6e9ee"
HEADER_BACKGROUND = NEUTRAL_BACKGROUND  # table headers, the status bar
READ_ONLY_BACKGROUND = "#eef0f3"  # a signed note, a locked field: text that cannot be typed into

_STYLE_SHEET = Template("""
QMainWindow, QDialog { background: $WINDOW_BACKGROUND; }
QToolBar { background: $CANVAS; border-bottom: 1px solid $PANEL_BORDER; padding: 4px; spacing: 6px; }
QToolBar QToolButton { padding: 5px 12px; border: 1px solid $FRAME_LINE; border-radius: 4px; background: $CANVAS; }
QToolBar QToolButton:hover { background: $HOVER_BACKGROUND; }
QToolBar QToolButton:disabled { color: $DISABLED_TEXT; border-color: $DISABLED_BORDER; }
QLineEdit, QPlainTextEdit, QComboBox { padding: 4px 6px; border: 1px solid $FRAME_LINE; border-radius: 4px;
    background: $CANVAS; }
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid $ACCENT; }
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] { background: $READ_ONLY_BACKGROUND;
    border: 1px dashed $FRAME_LINE; }
QComboBox QAbstractItemView { background: $CANVAS; color: $TEXT; outline: 0;
    selection-background-color: $ACCENT; selection-color: $CANVAS; }
QComboBox { combobox-popup: 0; }
QComboBox QAbstractItemView::item { padding: 3px 6px; }
QComboBox QAbstractItemView::item:selected { background: $ACCENT; color: $CANVAS; }
QLineEdit#patientSearch { font-size: 15px; padding: 7px 10px; }
QTableView { background: $CANVAS; alternate-background-color: $ALTERNATE_ROW; gridline-color: $TABLE_GRID_LINE;
    selection-background-color: $ACCENT; selection-color: $CANVAS; border: 1px solid $PANEL_BORDER; }
QCalendarWidget QTableView { border: none; }  /* the table's frame pushed the month's last row out of sight */
QHeaderView::section { background: $HEADER_BACKGROUND; padding: 5px 6px; border: none;
    border-right: 1px solid $PANEL_BORDER; border-bottom: 1px solid $PANEL_BORDER; font-weight: 600; }
QFrame#patientDetails { background: $CANVAS; border: 1px solid $PANEL_BORDER; border-radius: 6px; }
QGroupBox { font-weight: 600; border: 1px solid $PANEL_BORDER; border-radius: 6px; margin-top: 12px;
    background: $CANVAS; padding: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QStatusBar { background: $HEADER_BACKGROUND; color: $NEUTRAL_TEXT; }
QLabel#patientCount { color: $MUTED_TEXT; padding: 2px; }
""")
STYLE_SHEET = _STYLE_SHEET.substitute(globals())

# -- high contrast (View → High contrast; ui/appearance.py) --------------------------------------------
# Black text on white, black borders, a dark accent behind white selected text, a thick focus outline.
# Every pair of text and background below is at least 7:1 (WCAG AAA; AA asks 4.5:1, tested).
HIGH_CONTRAST_TEXT = "#000000"
HIGH_CONTRAST_BACKGROUND = "#ffffff"
HIGH_CONTRAST_BORDER = "#000000"
HIGH_CONTRAST_ACCENT = "#003a8c"  # selection and focus; white on it is 11:1
HIGH_CONTRAST_SELECTION_TEXT = "#ffffff"
HIGH_CONTRAST_MUTED_TEXT = "#333333"  # hints, counts, placeholders: 12.6:1
HIGH_CONTRAST_DISABLED_TEXT = "#595959"  # 7:1, still readable when greyed out
HIGH_CONTRAST_HEADER_BACKGROUND = "#e6e6e6"  # table headers, the status bar
HIGH_CONTRAST_HOVER_BACKGROUND = "#dce6f7"
HIGH_CONTRAST_ALTERNATE_ROW = "#f2f2f2"
HIGH_CONTRAST_FOCUS_OUTLINE = HIGH_CONTRAST_ACCENT
HIGH_CONTRAST_FOCUS_WIDTH = "3px"

# The named colours of the style sheet above, replaced in high contrast (the others stay as they are).
HIGH_CONTRAST_COLOURS = {
    "TEXT": HIGH_CONTRAST_TEXT, "NEUTRAL_TEXT": HIGH_CONTRAST_TEXT, "MUTED_TEXT": HIGH_CONTRAST_MUTED_TEXT,
    "WINDOW_BACKGROUND": HIGH_CONTRAST_BACKGROUND, "CANVAS": HIGH_CONTRAST_BACKGROUND,
    "PANEL_BORDER": HIGH_CONTRAST_BORDER, "FRAME_LINE": HIGH_CONTRAST_BORDER, "TABLE_GRID_LINE": HIGH_CONTRAST_BORDER,
    "ACCENT": HIGH_CONTRAST_ACCENT, "HOVER_BACKGROUND": HIGH_CONTRAST_HOVER_BACKGROUND,
    "DISABLED_TEXT": HIGH_CONTRAST_DISABLED_TEXT, "DISABLED_BORDER": HIGH_CONTRAST_DISABLED_TEXT,
    "ALTERNATE_ROW": HIGH_CONTRAST_ALTERNATE_ROW, "HEADER_BACKGROUND": HIGH_CONTRAST_HEADER_BACKGROUND,
}

# Text on its background in high contrast, by what it is (tests/ui/test_high_contrast.py measures each).
HIGH_CONTRAST_PAIRS = (
    ("text", HIGH_CONTRAST_TEXT, HIGH_CONTRAST_BACKGROUND),
    ("selected text", HIGH_CONTRAST_SELECTION_TEXT, HIGH_CONTRAST_ACCENT),
    ("hints and counts", HIGH_CONTRAST_MUTED_TEXT, HIGH_CONTRAST_BACKGROUND),
    ("greyed-out text", HIGH_CONTRAST_DISABLED_TEXT, HIGH_CONTRAST_BACKGROUND),
    ("table headers and the status bar", HIGH_CONTRAST_TEXT, HIGH_CONTRAST_HEADER_BACKGROUND),
    ("a row under the pointer", HIGH_CONTRAST_TEXT, HIGH_CONTRAST_HOVER_BACKGROUND),
    ("alternate rows", HIGH_CONTRAST_TEXT, HIGH_CONTRAST_ALTERNATE_ROW),
)

_HIGH_CONTRAST_RULES = Template("""
QWidget { color: $HIGH_CONTRAST_TEXT; }
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox { border: 2px solid $HIGH_CONTRAST_BORDER;
    background: $HIGH_CONTRAST_BACKGROUND; }
QPushButton { border: 2px solid $HIGH_CONTRAST_BORDER; border-radius: 3px; padding: 4px 12px;
    background: $HIGH_CONTRAST_BACKGROUND; color: $HIGH_CONTRAST_TEXT; }
QPushButton:pressed, QPushButton:checked { background: $HIGH_CONTRAST_ACCENT; color: $HIGH_CONTRAST_SELECTION_TEXT; }
QPushButton:disabled { color: $HIGH_CONTRAST_DISABLED_TEXT; border-color: $HIGH_CONTRAST_DISABLED_TEXT; }
QToolBar QToolButton { border: 2px solid $HIGH_CONTRAST_BORDER; }
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QAbstractSpinBox:focus, QPushButton:focus,
QToolButton:focus, QCheckBox:focus, QRadioButton:focus, QAbstractItemView:focus {
    border: $HIGH_CONTRAST_FOCUS_WIDTH solid $HIGH_CONTRAST_FOCUS_OUTLINE; }
QTabBar::tab { padding: 6px 14px; margin-right: 2px; border: 2px solid $HIGH_CONTRAST_BORDER;
    background: $HIGH_CONTRAST_BACKGROUND; color: $HIGH_CONTRAST_TEXT; }
QTabBar::tab:selected { background: $HIGH_CONTRAST_ACCENT; color: $HIGH_CONTRAST_SELECTION_TEXT; }
QTabBar::tab:focus { border: $HIGH_CONTRAST_FOCUS_WIDTH solid $HIGH_CONTRAST_FOCUS_OUTLINE; }
QMenuBar, QMenu { background: $HIGH_CONTRAST_BACKGROUND; color: $HIGH_CONTRAST_TEXT; }
QMenu { border: 2px solid $HIGH_CONTRAST_BORDER; }
QMenuBar::item:selected, QMenu::item:selected { background: $HIGH_CONTRAST_ACCENT;
    color: $HIGH_CONTRAST_SELECTION_TEXT; }
QToolTip { background: $HIGH_CONTRAST_BACKGROUND; color: $HIGH_CONTRAST_TEXT; border: 2px solid $HIGH_CONTRAST_BORDER; }
QStatusBar { border-top: 2px solid $HIGH_CONTRAST_BORDER; }
""")
HIGH_CONTRAST_STYLE_SHEET = (_STYLE_SHEET.substitute({**globals(), **HIGH_CONTRAST_COLOURS})
                             + _HIGH_CONTRAST_RULES.substitute(globals()))
