"""acudesk.ui.qt binds its Qt names on first use: every listed name must resolve, others must not."""

from __future__ import annotations

import pytest

from acudesk.ui import qt


def test_every_listed_name_is_the_pyside6_object_of_that_name() -> None:
    import importlib

    names = qt._read_the_list()
    assert {"QApplication", "QTableView", "Qt", "Signal"} <= set(names)
    for name, module in names.items():
        assert module.startswith("PySide6."), name
        assert getattr(qt, name) is getattr(importlib.import_module(module), name), name


def test_a_name_not_in_the_list_is_an_error_that_says_where_to_add_it() -> None:
    with pytest.raises(AttributeError, match="add it to the list"):
        qt.QGraphicsView  # noqa: B018  # a real PySide6 class, but not one AcuDesk lists
    with pytest.raises(ImportError):
        from acudesk.ui.qt import QNotAThing  # noqa: F401
