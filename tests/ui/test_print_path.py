"""Printing from the main window's Print…: Qt's preview, the printer, the audit, and no PDF left behind.

Before, the documents dialog could only make a PDF and hand it to the system viewer: no preview, no
printer, "Open" did nothing at all on a computer without a PDF viewer, and the PDFs stayed in /tmp.
Here the printer is a QPrinter writing a PDF file (no real printer needed); the preview's exec is
replaced by what Qt's own Print button does once a printer is chosen (``QPrintPreviewWidget.print_``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import time
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from journey import STILL_RUNNING, Journey, sign_in_through_dialog
from pypdf import PdfReader
from sqlalchemy import select

from acudesk.domain.patients import PatientDetails
from acudesk.paths import temporary_documents_dir
from acudesk.persistence.models import AuditEvent, ExportedDocument
from acudesk.services import patients
from acudesk.services.clinic import ClinicSetup, create_clinic
from acudesk.services.maintenance import open_database
from acudesk.ui import temporary_documents
from acudesk.ui.context import AppContext
from acudesk.ui.documents import DocumentsDialog
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import (
    QDesktopServices,
    QDialog,
    QMessageBox,
    QPageSize,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
    Qt,
)

TIMEOUT = 15_000
A4_POINTS = (595.28, 841.89)


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    details = PatientDetails("Okafor", "Hannah", date(1970, 2, 3), consent_to_treatment=True,
                             consent_date=date(2026, 1, 5))
    patients.register_patient(context.database, context.actor, details)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.patients)
    qtbot.keyClicks(window.patients.search, "Okafor")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    return window


def _documents_dialog(qtbot, window: MainWindow, kind: str) -> DocumentsDialog:
    window.print_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(DocumentsDialog) is not None, timeout=TIMEOUT)
    dialog = window.findChild(DocumentsDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    assert dialog.kind.currentData() == kind
    return dialog


def _pdfs_left() -> list[Path]:
    return sorted(temporary_documents_dir().rglob("*.pdf"))


def _events(context: AppContext, action: str) -> list[AuditEvent]:
    with context.database.read() as tx:
        return list(tx.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _grey_pixels(path: Path, page: int, dpi: int = 50) -> tuple[int, int, bytes]:
    """(width, height, one byte a pixel: 0 black … 255 white) of a page rasterised by PDFium."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=True)
        data = bytes(bitmap.buffer)
        rows = [data[y * bitmap.stride:y * bitmap.stride + bitmap.width] for y in range(bitmap.height)]
        return bitmap.width, bitmap.height, b"".join(rows)
    finally:
        document.close()


def _ink_box(width: int, pixels: bytes) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the dark pixels."""
    dark = [i for i, value in enumerate(pixels) if value < 128]
    xs = [i % width for i in dark]
    return min(xs), dark[0] // width, max(xs), dark[-1] // width


def _preview_that_prints_to(out: Path, seen: dict) -> callable:
    """Stands in for the preview's exec: shows every page in the preview widget, then does what Qt's Print
    button does once a printer is chosen (here a PDF file)."""

    def open_and_print(preview: QPrintPreviewDialog) -> None:
        job = preview.parent().print_job
        source = job.rendered.path
        seen["mode"] = stat.S_IMODE(source.stat().st_mode)
        seen["folder_modes"] = [stat.S_IMODE(p.stat().st_mode) for p in (source.parent, temporary_documents_dir())]
        seen["in_private_folder"] = temporary_documents_dir() in source.parents
        shutil.copyfile(source, out.with_name("as-rendered.pdf"))
        widget = preview.findChild(QPrintPreviewWidget)
        widget.updatePreview()
        seen["preview_pages"] = widget.pageCount()
        printer = preview.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        widget.print_()
        preview.done(QDialog.DialogCode.Accepted)

    return open_and_print


def test_a_handout_printed_from_print_is_previewed_printed_page_for_page_recorded_and_not_left_behind(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "printed.pdf"

    seen: dict = {}
    monkeypatch.setattr(QPrintPreviewDialog, "open", _preview_that_prints_to(out, seen))
    dialog = _documents_dialog(qtbot, window, "handout")

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sent to" in dialog.status.text(), timeout=TIMEOUT)

    assert dialog.status.text() == "Patient handout “Your acupuncture plan” sent to PDF file."
    # the temporary PDF was private: 0600 in 0700 folders in the user's cache folder, not /tmp
    assert seen["mode"] == 0o600 and seen["folder_modes"] == [0o700, 0o700] and seen["in_private_folder"]
    printed = PdfReader(out)
    rendered = PdfReader(tmp_path / "as-rendered.pdf")
    assert len(printed.pages) == len(rendered.pages) == seen["preview_pages"] >= 1
    for page in printed.pages:  # the PDF page is the paper: A4, not scaled into a printer's margins
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=1)
    for index in range(len(printed.pages)):
        *size, on_paper = _grey_pixels(out, index)
        *original_size, original = _grey_pixels(tmp_path / "as-rendered.pdf", index)
        assert size == original_size
        assert sum(value < 200 for value in on_paper) / len(on_paper) > 0.01  # ink, not a blank sheet
        # the same page in the same place, neither shifted nor scaled: the ink starts and ends where it does in
        # the PDF (within a pixel at 50 dpi), and the pixels differ only by the smoothing of the text's edges
        ink, original_ink = _ink_box(size[0], on_paper), _ink_box(size[0], original)
        assert all(abs(a - b) <= 1 for a, b in zip(ink, original_ink, strict=True)), (ink, original_ink)
        assert sum(abs(a - b) for a, b in zip(on_paper, original, strict=True)) / len(on_paper) < 10

    [event] = _events(window.context, "print")
    assert (event.entity, event.patient_id) == ("document", window.patients.current.id)
    assert event.detail["kind"] == "handout" and event.detail["printer"] == "PDF file"
    assert event.detail["pages"] == len(printed.pages)
    with window.context.database.read() as tx:
        document = tx.get(ExportedDocument, event.entity_id)
        assert (document.kind, document.pages) == ("handout", len(printed.pages))
    assert _events(window.context, "export") == []  # a print is recorded as a print, not an export
    assert _pdfs_left() == []  # the print's temporary PDF is gone
    assert dialog.print_button.isEnabled()


def test_on_other_paper_chosen_in_the_printer_dialog_a_page_is_shrunk_whole_never_stretched_or_cut(
        qtbot, context: AppContext, tmp_path: Path) -> None:
    """US Letter is wider and shorter than A4: the A4 page is shrunk to Letter's height, centred, its
    proportions kept, the footer still on the paper."""
    from acudesk.services import document_export
    from acudesk.ui import printing

    source = tmp_path / "day-list.pdf"
    source.write_bytes(document_export.render_document(context.database, context.actor, "daylist",
                                                       day=date(2026, 12, 3))[0])
    printer = printing.printer_for(source)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "letter.pdf"))
    assert printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    assert printing.paint_pdf(printer, source) == len(PdfReader(source).pages)

    [page] = PdfReader(tmp_path / "letter.pdf").pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((612, 792), abs=1)
    width, _height, on_letter = _grey_pixels(tmp_path / "letter.pdf", 0, dpi=72)
    original_width, _original_height, original = _grey_pixels(source, 0, dpi=72)
    left, top, right, bottom = _ink_box(width, on_letter)
    o_left, o_top, o_right, o_bottom = _ink_box(original_width, original)
    scale = 792 / 841.89
    assert (bottom - top) / (o_bottom - o_top) == pytest.approx(scale, abs=0.01)  # shrunk to fit the height
    assert (right - left) / (o_right - o_left) == pytest.approx(scale, abs=0.01)  # in proportion
    assert top == pytest.approx(o_top * scale, abs=2) and bottom < 792  # the footer is on the paper
    centre = (612 - 595.28 * scale) / 2
    assert left == pytest.approx(centre + o_left * scale, abs=2)


def test_pages_are_painted_one_image_at_a_time_at_the_printers_resolution_up_to_300_dpi(
        qtbot, context: AppContext, tmp_path: Path, monkeypatch) -> None:
    from acudesk.services import document_export
    from acudesk.ui import printing

    source = tmp_path / "handout.pdf"
    source.write_bytes(document_export.render_document(context.database, context.actor, "handout")[0])
    pages = len(PdfReader(source).pages)
    assert pages >= 2
    made: list[tuple[int, int]] = []
    open_images: list[object] = []
    real_page_image = printing._page_image

    class Watched:
        def __init__(self, bitmap) -> None:
            self.bitmap = bitmap

        def close(self) -> None:
            open_images.remove(self)
            self.bitmap.close()

    def page_image(page, dpi: int):
        assert open_images == [], "the previous page's image is still held"
        image, bitmap = real_page_image(page, dpi)
        made.append((dpi, image.width()))
        open_images.append(Watched(bitmap))
        return image, open_images[-1]

    monkeypatch.setattr(printing, "_page_image", page_image)
    printer = printing.printer_for(source)  # high resolution: 1200 dpi
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert printer.resolution() > printing.PRINT_DPI
    assert printing.paint_pdf(printer, source) == pages
    assert open_images == []
    assert [dpi for dpi, _width in made] == [300] * pages  # one after the other
    assert all(abs(width - 2480) <= 1 for _dpi, width in made)  # A4's 210 mm at 300 dpi

    made.clear()  # the preview keeps every page it shows: those are drawn at 100 dpi
    preview = QPrintPreviewDialog(printer)
    qtbot.addWidget(preview)
    preview.paintRequested.connect(lambda target: printing.paint_pdf(target, source))
    preview.findChild(QPrintPreviewWidget).updatePreview()
    assert [dpi for dpi, _width in made] == [printing.PREVIEW_DPI] * pages and open_images == []


def test_cancelling_the_preview_prints_nothing_records_nothing_and_removes_the_file(
        qtbot, window: MainWindow, monkeypatch) -> None:
    shown: list[int] = []

    def open_and_cancel(preview: QPrintPreviewDialog) -> None:
        widget = preview.findChild(QPrintPreviewWidget)
        widget.updatePreview()
        shown.append(widget.pageCount())
        preview.done(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(QPrintPreviewDialog, "open", open_and_cancel)
    dialog = _documents_dialog(qtbot, window, "daylist")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status.text() == "Printing cancelled.", timeout=TIMEOUT)
    assert shown and shown[0] >= 1
    assert _events(window.context, "print") == []
    assert _pdfs_left() == []


def test_a_printer_that_will_not_start_is_said_and_nothing_is_recorded(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    from acudesk.ui import printing

    shown: list[BaseException] = []
    monkeypatch.setattr(printing, "show_error", lambda error, parent=None: shown.append(error))

    def open_and_print_nowhere(preview: QPrintPreviewDialog) -> None:
        printer = preview.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "no such folder" / "out.pdf"))  # cannot be opened
        preview.findChild(QPrintPreviewWidget).print_()
        preview.done(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "open", open_and_print_nowhere)
    dialog = _documents_dialog(qtbot, window, "handout")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT)
    assert [type(error) for error in shown] == [printing.PrintError]
    assert shown[0].message.startswith("The printer could not be started")
    assert _events(window.context, "print") == []  # nothing came out, so nothing is recorded as printed
    assert _pdfs_left() == []
    assert dialog.print_button.isEnabled()


def test_open_without_a_pdf_viewer_says_so_and_where_the_file_is(qtbot, window: MainWindow, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: asked.append(url.toLocalFile())
                                                                  or False))
    dialog = _documents_dialog(qtbot, window, "handout")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.open_button.isEnabled(), timeout=TIMEOUT)
    path = dialog.output
    assert temporary_documents_dir() in path.parents and stat.S_IMODE(path.stat().st_mode) == 0o600

    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert asked == [str(path)]
    message = dialog.findChild(QMessageBox, "noPdfViewerMessage")
    assert message is not None and message.isVisible()
    assert message.text() == "No PDF viewer is installed on this computer."
    assert message.informativeText() == (f"The file is saved at {path}; use Print… to print it, "
                                         "or install a PDF viewer.")
    assert message.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse  # the path can be copied
    assert str(path) in dialog.status.text()


def test_leftovers_older_than_a_day_are_removed_at_start_up_and_this_runs_files_at_quit(
        qtbot, tmp_path: Path, test_setup: ClinicSetup) -> None:
    root = temporary_documents_dir()
    old = root / "run-1234-crashed"
    old.mkdir(mode=0o700)
    (old / "print-x").mkdir()
    (old / "print-x" / "handout-patient-1.pdf").write_bytes(b"%PDF-1.4 left by a crash")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (old / "print-x" / "handout-patient-1.pdf", old / "print-x", old):
        os.utime(path, (two_days_ago, two_days_ago))
    recent = root / "run-5678-another-acudesk"  # another AcuDesk of this user may still be using it
    recent.mkdir(mode=0o700)
    (recent / "day-list.pdf").write_bytes(b"%PDF-1.4 in use")
    database = open_database(tmp_path / "clinic.sqlite3")
    create_clinic(database, test_setup)
    database.dispose()
    made: list[Path] = []

    def make_a_pdf_to_open() -> None:
        made.append(temporary_documents.new_folder("documents-") / "summary-patient-2.pdf")
        made[0].write_bytes(b"%PDF-1.4 open in a viewer")

    journey = Journey(qtbot, argparse.Namespace(demo=False, db=str(tmp_path / "clinic.sqlite3")))
    try:
        sign_in_through_dialog(journey, test_setup.admin_username, test_setup.admin_password)
        journey.then("a PDF made to open in a viewer", make_a_pdf_to_open)
        assert journey.run() == STILL_RUNNING
        assert not old.exists()  # removed at start-up
        assert (recent / "day-list.pdf").exists() and made[0].exists()
        journey.shutdown()  # what run_gui does when the application's loop has ended
        assert not made[0].exists()
        assert _pdfs_left() == [recent / "day-list.pdf"]
    finally:
        journey.close()
