"""Spreadsheet imports (12345 tickets, the key-vehicle register): reading a CSV or XLSX file
into rows numbered as the user sees them in a spreadsheet, and the report every import
returns. Validating and writing the rows is each app's service; it is all-or-nothing: any
bad row means nothing is written and every bad row is listed with its reason.

What no importer could store is caught here, as errors of its row (``Table.errors``, which
the importer puts on its report): a cell holding a NUL character (anywhere in the file,
not only in the first 4,096 bytes that tell a text file from a binary one), and a value
longer than its column's ``max_lengths``.

A page keeps an uploaded file between the preview (dry run) and the confirmation with
``stash_upload``/``open_stash``, so the user does not upload it twice.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from brigade.core.typing import Visitor

# The row numbers users see: the header is row 1 of the sheet.
HEADER_ROW = 1
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class TableError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, no header, required columns
    missing); ``problems`` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class RowErrorDict(TypedDict):
    row: int
    column: str
    message: str


class ImportReportDict(TypedDict):
    dry_run: bool
    ok: bool
    total: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorDict]
    notices: list[RowErrorDict]
    preview: list[dict[str, Any]]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> RowErrorDict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do."""

    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # a few rows as they would be written, for the preview
    preview: list[dict[str, Any]] = field(default_factory=list)
    # notes about rows that are fine but worth saying (a cleared vehicle reopened...)
    notices: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, message: str | Promise) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def add_validation_error(self, row: int, error: ValidationError) -> None:
        """Every message of a model/form ``ValidationError``, by field."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for item in errors:
                    for message in item.messages:
                        self.add_error(row, "" if name == "__all__" else name, message)
        else:
            for message in error.messages:
                self.add_error(row, "", message)

    def as_dict(self) -> ImportReportDict:
        return {
            "dry_run": self.dry_run,
            "ok": self.ok,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "notices": [n.as_dict() for n in self.notices],
            "preview": self.preview,
        }


@dataclass
class Table:
    """A sheet's rows as ``(row number, {column key: text})``; columns are keyed by the
    names the importer declares, whatever header spelling (Chinese or English) the file
    used."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    # rows left out of ``rows`` because a cell cannot be stored (a NUL, too long)
    errors: list[RowError] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        """Every data row of the file, good or not."""
        return len(self.rows) + len({error.row for error in self.errors})


def _normalise(header: object) -> str:
    return re.sub(r"[\s_\-()（）:：*]+", "", str(header or "")).lower()


def read_table(
    upload: IO[bytes],
    *,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str],
    max_rows: int | None = None,
    max_lengths: Mapping[str, int] | None = None,
) -> Table:
    """Read a CSV (UTF-8 or GB18030) or XLSX upload.

    ``columns`` maps each column key to the header spellings accepted for it (the key
    itself is always accepted); unknown headers are ignored; a missing required column,
    or a header given twice, is a ``TableError``. Cells come back as stripped text (dates
    in XLSX as ISO text), empty rows are skipped. A row with a cell holding a NUL
    character, or longer than ``max_lengths`` gives for its column, is left out of the
    rows and listed in ``Table.errors``.
    """
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise TableError(
            [
                _("The file is %(size)s MB; at most %(limit)s MB is accepted.")
                % {"size": f"{size / 1048576:.1f}", "limit": settings.IMPORT_MAX_BYTES // 1048576}
            ]
        )
    handle: IO[bytes] = upload.file if hasattr(upload, "file") else upload
    handle.seek(0)
    head = handle.read(4)
    handle.seek(0)
    if head.startswith(b"PK\x03\x04"):
        raw_rows = _xlsx_rows(handle)
    elif name.lower().endswith((".xlsx", ".xls")):
        raise TableError([_("The file is not a readable Excel workbook (.xlsx).")])
    else:
        raw_rows = _csv_rows(handle)
    return _table(raw_rows, columns, set(required), max_rows, max_lengths or {})


def _csv_rows(handle: IO[bytes]) -> Iterator[Sequence[object]]:
    data = handle.read()
    # A NUL near the start: a binary file (a legacy .xls, a picture), not a damaged cell.
    if b"\x00" in data[:4096]:
        raise TableError([_("The file is neither a CSV text file nor an Excel workbook.")])
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError([_("The CSV file is neither UTF-8 nor GB18030 text.")])
    try:
        dialect: type[csv.Dialect] = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error as exc:
        raise TableError([_("The CSV file cannot be read: %(reason)s.") % {"reason": exc}]) from exc


def _xlsx_rows(handle: IO[bytes]) -> Iterator[Sequence[object]]:
    import datetime as dt

    from openpyxl import load_workbook

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError([_("The file is not a readable Excel workbook (.xlsx).")]) from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            row: list[object] = []
            for value in values:
                if isinstance(value, dt.datetime):
                    value = (
                        value.date().isoformat()
                        if value.time() == dt.time(0)
                        else value.isoformat(sep=" ")
                    )
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                elif isinstance(value, float) and value.is_integer():
                    value = int(value)
                row.append(value)
            yield row
    finally:
        book.close()


def _table(
    raw_rows: Iterable[Sequence[object]],
    columns: Mapping[str, Iterable[str]],
    required: set[str],
    max_rows: int | None,
    max_lengths: Mapping[str, int],
) -> Table:
    lookup: dict[str, str] = {}
    for key, spellings in columns.items():
        for spelling in (key, *spellings):
            lookup[_normalise(spelling)] = key
    iterator = iter(raw_rows)
    header: Sequence[object] | None = None
    row_number = 0
    for values in iterator:
        row_number += 1
        if any(str(v).strip() for v in values if v is not None):
            header = values
            break
    if header is None:
        raise TableError([_("The file is empty: it has no header row.")])
    index: dict[int, str] = {}
    problems = []
    seen: dict[str, str] = {}
    for position, title in enumerate(header):
        found = lookup.get(_normalise(title))
        if found is None:
            continue
        key = found
        if key in seen:
            problems.append(
                _("Columns “%(first)s” and “%(second)s” both give %(key)s.")
                % {"first": seen[key], "second": title, "key": key}
            )
            continue
        seen[key] = str(title)
        index[position] = key
    missing = [key for key in columns if key in required and key not in seen]
    for key in missing:
        names = " / ".join(dict.fromkeys([key, *columns[key]]))
        problems.append(_("Required column missing: %(names)s.") % {"names": names})
    if problems:
        raise TableError(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    bad_rows = 0
    for values in iterator:
        row_number += 1
        if not any(str(v).strip() for v in values if v is not None):
            continue
        record = {key: "" for key in index.values()}
        for position, key in index.items():
            if position < len(values) and values[position] is not None:
                record[key] = str(values[position]).strip()
        unstorable = _cell_problems(row_number, record, max_lengths)
        if unstorable:
            errors.extend(unstorable)
            bad_rows += 1
        else:
            rows.append((row_number, record))
        if max_rows is not None and len(rows) + bad_rows > max_rows:
            raise TableError(
                [_("The file has more than %(max)s rows; split it.") % {"max": max_rows}]
            )
    return Table(columns=list(index.values()), rows=rows, errors=errors)


def _cell_problems(
    row: int, record: dict[str, str], max_lengths: Mapping[str, int]
) -> list[RowError]:
    """Why the row's cells cannot be stored: a NUL character, a value too long."""
    problems = []
    for key, value in record.items():
        if "\x00" in value:
            problems.append(
                RowError(
                    row,
                    key,
                    _(
                        "This cell holds a NUL character, which no text may hold: "
                        "the file may be damaged."
                    ),
                )
            )
        elif key in max_lengths and len(value) > max_lengths[key]:
            problems.append(
                RowError(
                    row,
                    key,
                    _("At most %(max)s characters are accepted (this value has %(length)s).")
                    % {"max": max_lengths[key], "length": len(value)},
                )
            )
    return problems


def max_lengths(model: type[Model], *names: str) -> dict[str, int]:
    """The ``max_length`` of the model's text fields of those names (column key = field
    name), for ``read_table``."""
    found = {}
    for name in names:
        length = getattr(model._meta.get_field(name), "max_length", None)
        if length:
            found[name] = int(length)
    return found


# --- keeping an upload between the preview and the confirmation ----------------------------


def _stash_dir(user: Visitor) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(user.pk)


def stash_upload(upload: IO[bytes], user: Visitor) -> str:
    """Keep an uploaded file for ``user``; returns the token that ``open_stash`` takes."""
    token = uuid.uuid4().hex
    directory = _stash_dir(user)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if str(getattr(upload, "name", "")).lower().endswith(".xlsx") else ".csv"
    handle = upload.file if hasattr(upload, "file") else upload
    handle.seek(0)
    with open(directory / f"{token}{suffix}", "wb") as out:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            out.write(chunk)
    handle.seek(0)
    return token


def open_stash(token: str, user: Visitor) -> File | None:
    """The file stashed by ``user`` under ``token`` (another user's token finds nothing)."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    for suffix in (".xlsx", ".csv"):
        path = _stash_dir(user) / f"{token}{suffix}"
        if path.exists():
            return File(open(path, "rb"), name=path.name)
    return None


def drop_stash(token: str, user: Visitor) -> None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return
    for suffix in (".xlsx", ".csv"):
        (_stash_dir(user) / f"{token}{suffix}").unlink(missing_ok=True)
