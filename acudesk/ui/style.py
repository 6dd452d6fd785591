"""The application's look: Fusion style with a calm, clinical palette.

Every colour a screen sets itself (a style sheet, rich text, a painted canvas) is named here by what
it means, not by its hue, so a high-contrast palette replaces these values in this one module.
"""

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

# -- calendar states: (fill, border) of a visit's block and its legend swatch -----------------------
BOOKED_FILL, BOOKED_BORDER = "#dbe9f8", "#2b6cb0"
ARRIVED_FILL, ARRIVED_BORDER = "#fdf0c4", "#b7791f"
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

STYLE_SHEET = """
QMainWindow, QDialog { background: #f6f7f9; }
QToolBar { background: #ffffff; border-bottom: 1px solid #dde1e6; padding: 4px; spacing: 6px; }
QToolBar QToolButton { padding: 5px 12px; border: 1px solid #c9d1db; border-radius: 4px; background: #ffffff; }
QToolBar QToolButton:hover { background: #eef4fb; }
QToolBar QToolButton:disabled { color: #a0a7b1; border-color: #e3e7ec; }
QLineEdit, QPlainTextEdit, QComboBox { padding: 4px 6px; border: 1px solid #c9d1db; border-radius: 4px;
    background: #ffffff; }
QLineEdit:focus, QPlainTextEdit:focus { border: 1px solid #2b6cb0; }
QLineEdit#patientSearch { font-size: 15px; padding: 7px 10px; }
QTableView { background: #ffffff; alternate-background-color: #f3f6fa; gridline-color: #e6e9ee;
    selection-background-color: #2b6cb0; selection-color: #ffffff; border: 1px solid #dde1e6; }
QHeaderView::section { background: #eef1f5; padding: 5px 6px; border: none;
    border-right: 1px solid #dde1e6; border-bottom: 1px solid #dde1e6; font-weight: 600; }
QFrame#patientDetails { background: #ffffff; border: 1px solid #dde1e6; border-radius: 6px; }
QGroupBox { font-weight: 600; border: 1px solid #dde1e6; border-radius: 6px; margin-top: 12px;
    background: #ffffff; padding: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QStatusBar { background: #eef1f5; color: #39424e; }
QLabel#patientCount { color: #52606d; padding: 2px; }
"""
