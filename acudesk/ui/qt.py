"""The one module through which AcuDesk imports Qt (PySide6).

Screens import names from here, never from PySide6 directly, so a Qt binding change or a
compatibility shim touches one file.
"""


__all__ = [name for name in dir() if name.startswith("Q") or name in {"Qt", "Signal", "Slot"}]
