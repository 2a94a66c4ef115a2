"""Excel exports of the lists: the rows a user sees (their scope, their filters), as an
.xlsx written in streaming mode, so that a long list costs memory per row, not per file.

A list view adds ``ExcelExportMixin`` before its base and declares ``export_columns``; its
page then offers ``?export=xlsx`` with the current filters. Text that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@`` first) is written as text.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# what a spreadsheet cell holds (a datetime is a date)
Cell = str | dt.date | int | float | Decimal | None


@dataclass(frozen=True)
class Column:
    """One exported column: a header and the value of a row.

    ``value`` is a dotted attribute path (``"officer.name"``, ``"get_status_display"``:
    callables are called) or a function of the row.
    """

    header: Promise | str
    value: str | Callable[[Any], object]
    width: int = 16

    def of(self, row: object) -> object:
        if callable(self.value):
            return self.value(row)
        current: object = row
        for part in self.value.split("."):
            if current is None:
                return None
            current = getattr(current, part)
            if callable(current):
                current = current()
        return current


def cell_value(value: object) -> Cell:
    """A value as a spreadsheet cell: local naive datetimes, numbers as numbers, choices
    and other objects as their text, formula-looking text defused."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (dt.date, int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


@dataclass(frozen=True)
class Sheet:
    title: Promise | str
    columns: Sequence[Column]
    rows: Iterable[object]


# Excel refuses these in a sheet's name (and names longer than 31 characters).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_title(title: Promise | str) -> str:
    """A sheet name Excel accepts, whatever a unit's or a week's name holds."""
    cleaned = SHEET_TITLE_FORBIDDEN.sub("_", str(title)).strip("'")[:31]
    return cleaned or "-"


def write_xlsx(sheets: Sequence[Sheet]) -> IO[bytes]:
    """Write the sheets to a temporary file and return it, positioned at the start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet_title(sheet.title))
        for index, column in enumerate(sheet.columns):
            letter = _column_letter(index)
            ws.column_dimensions[letter].width = column.width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=str(column.header))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([cell_value(column.of(row)) for column in sheet.columns])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(handle)
    handle.seek(0)
    return handle


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> FileResponse:
    """An .xlsx download named ``<filename>-<today>.xlsx``."""
    name = f"{filename}-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(
        write_xlsx(sheets), as_attachment=True, filename=name, content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


class ExcelExportMixin:
    """``?export=xlsx`` on a list page: the filtered, scoped rows as an Excel file.

    Works with ``ScopedFilterListView`` (it exports ``self.object_list`` after filtering,
    unpaginated). Declare ``export_columns``; ``export_queryset()`` may add
    ``select_related`` so that the export runs a fixed number of queries.
    """

    export_columns: Sequence[Column] = ()
    export_filename = "export"
    export_sheet_title: Promise | str = ""
    # a list longer than this is cut, and the last row says so
    export_limit = 200_000

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.GET.get("export") != "xlsx":
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        view: Any = self
        filterset_class = view.get_filterset_class()
        view.filterset = view.get_filterset(filterset_class)
        if view.filterset.is_bound and not view.filterset.is_valid():
            queryset = view.filterset.queryset.none()
        else:
            queryset = view.filterset.qs
        queryset = self.export_queryset(queryset)
        title = self.export_sheet_title or getattr(view, "page_title", "") or self.export_filename
        rows = queryset[: self.export_limit].iterator(chunk_size=2000)
        return xlsx_response(self.export_filename, [Sheet(title, self.export_columns, rows)])

    def export_queryset(self, queryset: Any) -> Any:
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        if self.export_columns:
            query = self.request.GET.copy()  # type: ignore[attr-defined]
            query.pop("page", None)
            query["export"] = "xlsx"
            context["export_url"] = "?" + query.urlencode()
        return context
