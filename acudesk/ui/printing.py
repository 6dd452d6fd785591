"""Printing a rendered PDF: Qt's print preview, the system's printer choice, one page image at a time.

Qt cannot draw PDF pages itself (QtPdf is not in PySide6-Essentials), so each page is rasterised with
PDFium (pypdfium2) and painted onto the printer's page. The printer's page is set to the PDF page's
size with no margins and drawn from the paper's corner (``setFullPage``): a PDF page maps exactly onto
the paper, with the margins the document itself has, never scaled to fit a printer's margins. On other
paper chosen in the printer dialog a page keeps its proportions and is shrunk only to fit whole
(:func:`page_rect`). One
page image exists at a time (rendered, painted, dropped), at the printer's resolution up to
``PRINT_DPI``; the preview, which keeps every page it shows, draws them at ``PREVIEW_DPI``.

A :class:`PrintJob` owns one print: it shows the preview (whose Print button asks for the printer),
records the print through the documents service once Qt has printed it, and removes the temporary
PDF whatever happened.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.domain.errors import ValidationError
from acudesk.ui import temporary_documents
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.qt import (
    QDialog,
    QImage,
    QMarginsF,
    QObject,
    QPageLayout,
    QPageSize,
    QPaintEngine,
    QPainter,
    QPrinter,
    QPrintPreviewDialog,
    QRectF,
    QSizeF,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from acudesk.services.document_export import RenderedFile

log = logging.getLogger(__name__)
PRINT_DPI = 300  # enough for text on paper; a 1200 dpi printer would get 16 times the pixels for nothing
PREVIEW_DPI = 100  # the preview keeps every page: about 3.5 MB an A4 page at this resolution
POINTS_PER_INCH = 72


class PrintError(ValidationError):
    """The PDF could not be printed (the printer would not start, the file cannot be read)."""


def page_layout(width: float, height: float) -> QPageLayout:
    """The printer's page for a PDF page of ``width`` × ``height`` points: that size, no margins."""
    if width > height:
        size, orientation = QSizeF(height, width), QPageLayout.Orientation.Landscape
    else:
        size, orientation = QSizeF(width, height), QPageLayout.Orientation.Portrait
    return QPageLayout(QPageSize(size, QPageSize.Unit.Point), orientation, QMarginsF(0, 0, 0, 0),
                       QPageLayout.Unit.Point)


def page_rect(paper_width: float, paper_height: float, page_width: float, page_height: float,
              resolution: int) -> QRectF:
    """Where a PDF page of ``page_width`` × ``page_height`` points goes on paper of the given size in device
    pixels at ``resolution`` dpi: at its own size from the paper's corner, so on the paper it was made for
    (the printer's page is set to it) the page is the paper. On other paper chosen in the printer dialog
    (Letter, landscape) it keeps its proportions: at its own size, shrunk only as far as needed to fit
    whole, and centred; never stretched and never cut off."""
    width, height = page_width * resolution / POINTS_PER_INCH, page_height * resolution / POINTS_PER_INCH
    if abs(width - paper_width) <= 1 and abs(height - paper_height) <= 1:  # the same paper, give or take rounding
        return QRectF(0, 0, paper_width, paper_height)
    scale = min(1.0, paper_width / width, paper_height / height)
    width, height = width * scale, height * scale
    return QRectF((paper_width - width) / 2, (paper_height - height) / 2, width, height)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's size in points, in order."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise PrintError("The PDF to print could not be read; create it again.") from error
    try:
        return [document.get_page_size(index) for index in range(len(document))]
    finally:
        document.close()


def printer_for(path: Path) -> QPrinter:
    """A printer set to print ``path``'s pages at their own size, from the paper's corner."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    sizes = page_sizes(path)
    if sizes:
        printer.setPageLayout(page_layout(*sizes[0]))
    printer.setDocName(path.stem)
    return printer


def _page_image(page, dpi: int) -> tuple[QImage, object]:
    """The page rasterised at ``dpi`` and the bitmap whose memory the image uses (close it after drawing)."""
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, prefer_bgrx=True)  # RGBX, white paper
    image = QImage(memoryview(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                   QImage.Format.Format_RGBX8888)
    return image, bitmap


def paint_pdf(printer: QPrinter, path: Path) -> int:
    """Paint every page of ``path`` onto ``printer``, one page image at a time. Returns the pages painted."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise PrintError("The PDF to print could not be read; create it again.") from error
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise PrintError("The printer could not be started; check that it is switched on and try again.")
        engine = painter.paintEngine()
        previewing = engine is not None and engine.type() == QPaintEngine.Type.Picture
        dpi = PREVIEW_DPI if previewing else max(PREVIEW_DPI, min(printer.resolution(), PRINT_DPI))
        count = len(document)
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for index in range(count):
            page = document[index]
            if index:
                printer.newPage()
            width, height = page.get_size()
            target = page_rect(paper.width(), paper.height(), width, height, printer.resolution())
            image, bitmap = _page_image(page, dpi)
            painter.drawImage(target, image)
            del image
            bitmap.close()  # type: ignore[attr-defined]
            page.close()
        return count
    finally:
        if painter.isActive():
            painter.end()
        document.close()


def printer_label(printer: QPrinter) -> str:
    """What the audit says the document went to: the printer's name, or "PDF file"."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return "PDF file"
    return printer.printerName() or "the default printer"


class PrintJob(QObject):
    """One print of a rendered PDF: preview, print, record, remove the temporary file.

    ``done`` carries a sentence for the documents dialog's status line."""

    done = Signal(str)

    def __init__(self, context: AppContext, rendered: RenderedFile, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.rendered = rendered
        self.title = title
        self.error: BaseException | None = None
        self.printer = printer_for(rendered.path)
        self.preview = QPrintPreviewDialog(self.printer, parent)
        self.preview.setObjectName("printPreview")
        self.preview.setWindowTitle(f"Print preview: {title}")
        self.preview.paintRequested.connect(self._paint)
        self.preview.finished.connect(self._finished)

    def start(self) -> None:
        self.preview.open()

    def _paint(self, printer: QPrinter) -> None:
        self.error = None  # what counts is the last painting: the print after the preview's
        try:
            paint_pdf(printer, self.rendered.path)
        except PrintError as error:
            self.error = error

    def _finished(self, result: int) -> None:
        if self.error is not None:
            self._end("")
            show_error(self.error, self.preview.parentWidget())
            return
        if result != QDialog.DialogCode.Accepted:
            self._end("Printing cancelled.")
            return
        from acudesk.services import document_export

        ctx, rendered, printer = self.context, self.rendered, printer_label(self.printer)
        ctx.operations.write(
            self, lambda: document_export.record_print(ctx.database, ctx.actor, rendered, printer=printer),
            lambda _document_id: self._end(f"{self.title} sent to {printer}."),
            on_failure=self._record_failed,
        )

    def _record_failed(self, error: BaseException) -> None:
        self._end("")
        show_error(error, self.preview.parentWidget())

    def _end(self, message: str) -> None:
        temporary_documents.remove(self.rendered.path.parent)  # the job's own folder
        self.done.emit(message)
