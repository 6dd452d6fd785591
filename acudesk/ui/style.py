"""The application's look: Fusion style with a calm, clinical palette."""

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
