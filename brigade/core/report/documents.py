"""The period report as files: an Excel workbook (one sheet per area: the figures, then
the records behind them) and an editable Word work summary in Chinese, laid out like the
brigade's half-year report, compared with the previous period of the same length."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from brigade.core.report import display
from brigade.core.report.figures import AREA_LABELS, AREAS, Records, report_registry
from brigade.core.report.report import FigureValue, Report
from brigade.core.spreadsheets import XLSX_TYPE, cell_value

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Rows of one list in the workbook; a longer list ends with a row that says where the rest is.
RECORDS_LIMIT = 5000


# The lists of records behind the figures: each app registers its own (``Records``).
RECORDS = report_registry.records


# --- Excel ----------------------------------------------------------------------------------


def _filename(report: Report, extension: str) -> str:
    period = report.period
    return f"report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{extension}"


def _title(report: Report) -> str:
    return _("%(scope)s: period report, %(first)s to %(last)s") % {
        "scope": report.scope.name,
        "first": report.period.first.isoformat(),
        "last": report.period.last.isoformat(),
    }


def workbook(report: Report) -> Any:
    """The workbook as a temporary file, positioned at its start. A fixed number of queries:
    one per list of records."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(ws: Any, values: Sequence[Any], strong: bool = False) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(ws, value=cell_value(value))
            if strong:
                cell.font = bold
            out.append(cell)
        return out

    headers = [
        pgettext("period report", "Row"),
        pgettext("period report", "Figure"),
        pgettext("period report", "Value"),
        pgettext("period report", "Numerator"),
        pgettext("period report", "Denominator"),
        pgettext("period report", "Counted in"),
        pgettext("period report", "Records"),
    ]
    for area, values in report.areas():
        ws = book.create_sheet(title=str(area.label)[:31])
        # wide enough for a figure's label and for the records' dates and times below
        for index, width in enumerate((20, 44, 20, 20, 20, 20, 24, 20)):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        ws.append(cells(ws, [f"{area.label} · {_title(report)}"], strong=True))
        ws.append([])
        ws.append(cells(ws, headers, strong=True))
        for fv in values:
            ws.append(cells(ws, _figure_row(fv)))
        for records in RECORDS:
            if records.area != area.key:
                continue
            ws.append([])
            ws.append(cells(ws, [str(records.title)], strong=True))
            ws.append(cells(ws, [str(c.header) for c in records.columns], strong=True))
            rows = list(records.rows(report.period, report.scope.unit_id)[: RECORDS_LIMIT + 1])
            for row in rows[:RECORDS_LIMIT]:
                ws.append(cells(ws, [column.of(row) for column in records.columns]))
            if not rows:
                ws.append(cells(ws, [_("None in this period.")]))
            elif len(rows) > RECORDS_LIMIT:
                ws.append(
                    cells(
                        ws,
                        [
                            _(
                                "Only the first %(limit)s rows are listed here: the list "
                                "page exports them all."
                            )
                            % {"limit": RECORDS_LIMIT}
                        ],
                    )
                )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(handle)
    handle.seek(0)
    return handle


def _figure_row(fv: FigureValue) -> list[Any]:
    figure = fv.figure
    value = fv.value
    if not fv.quantified:
        shown: Any = display.not_quantified()
    elif figure.is_rate:
        shown = float(round(value, 4)) if value is not None else None
    else:
        shown = fv.numerator
    return [
        figure.row,
        str(figure.label),
        shown,
        fv.numerator if figure.is_rate else None,
        fv.denominator,
        "%" if figure.is_rate else str(figure.unit_label) if fv.quantified else "",
        fv.records_url or "",
    ]


def xlsx_response(report: Report) -> FileResponse:
    response = FileResponse(
        workbook(report),
        as_attachment=True,
        filename=_filename(report, "xlsx"),
        content_type=XLSX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Word -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """A report's figures as the work summary's text shows them (``figures.Facts``)."""

    report: Report

    @property
    def roads(self) -> list[str]:
        return self.report.roads

    def value(self, key: str) -> str:
        return display.value(self.report.get(key))

    def numerator(self, key: str) -> str:
        return display.amount(self.report.get(key).numerator)

    def denominator(self, key: str) -> str:
        return display.amount(self.report.get(key).denominator)


def _summary(report: Report) -> dict[str, str]:
    """Each area's paragraph of the work summary (as its app writes it), the figures
    filled in."""
    facts = _Facts(report)
    paragraphs = report_registry.paragraphs
    return {
        area.key: paragraphs[area.key](facts) if area.key in paragraphs else "" for area in AREAS
    }


NUMERALS = "一二三四五六七八九十"


def document(report: Report, previous: Report) -> Any:
    """The Word work summary as a temporary file, positioned at its start. Written in
    Chinese whatever the page's language: it is the brigade's report upward."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    widths = (Cm(7.5), Cm(3.2), Cm(3.2), Cm(2.6))

    with translation.override("zh-hans"):
        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "SimSun"
        style.font.size = Pt(12)
        # East Asian text needs its own font name, or Word falls back to a Latin one
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
        heading = doc.add_heading(_("%(scope)s work summary") % {"scope": report.scope.name}, 0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        period = doc.add_paragraph(
            _("Period: %(first)s to %(last)s; compared with %(prev_first)s to %(prev_last)s.")
            % {
                "first": report.period.first.isoformat(),
                "last": report.period.last.isoformat(),
                "prev_first": previous.period.first.isoformat(),
                "prev_last": previous.period.last.isoformat(),
            }
        )
        period.alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.add_paragraph(
            _(
                "Every figure below is counted from the brigade's records for the period; "
                "the table of each section compares it with the previous period of the "
                "same length."
            )
        )
        paragraphs = _summary(report)
        before = {fv.key: fv for fv in previous.figures}
        for number, (area, values) in enumerate(report.areas()):
            doc.add_heading(f"{NUMERALS[number]}、{area.label}", 1)
            doc.add_paragraph(paragraphs[area.key])
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            headers = (
                pgettext("period report", "Figure"),
                pgettext("period report", "This period"),
                pgettext("period report", "Previous period"),
                pgettext("period report", "Change"),
            )
            for cell, text in zip(table.rows[0].cells, headers, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for fv in values:
                old = before[fv.key]
                cells = table.add_row().cells
                unit = "" if fv.figure.is_rate else f" {fv.figure.unit_label}"
                cells[0].text = str(fv.figure.label)
                cells[1].text = display.value(fv) + (unit if fv.quantified else "")
                cells[2].text = display.value(old) + (unit if old.quantified else "")
                cells[3].text = display.change(fv, old)
            # the grid's widths (LibreOffice reads them) and each cell's (Word does)
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = width
        doc.add_paragraph(
            _("Generated on %(when)s from the brigade's records.")
            % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    doc.save(handle)
    handle.seek(0)
    return handle


def docx_response(report: Report, previous: Report) -> FileResponse:
    response = FileResponse(
        document(report, previous),
        as_attachment=True,
        filename=_filename(report, "docx"),
        content_type=DOCX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["AREAS", "AREA_LABELS", "RECORDS", "Records", "docx_response", "xlsx_response"]
