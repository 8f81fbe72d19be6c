"""Reading a participant list as rows of cells: CSV or Excel ``.xlsx``, whichever the file is.

CSV: comma or semicolon (what Norwegian Excel writes), detected from the header line; UTF-8 with or
without a byte order mark, else Windows-1252 (Excel's "CSV" on a Norwegian Windows), detected from the
bytes. It is read as a stream, never whole, so memory stays flat whatever the file's size.

Excel: the first sheet of an ``.xlsx`` file, read with openpyxl in read-only mode; a workbook is
limited to :data:`MAX_XLSX_ROWS` rows and :data:`MAX_XLSX_UNPACKED` bytes unpacked (its shared texts are
held in memory, and a small zip can unpack to gigabytes).

Headers are Norwegian or English, in any case (``navn``/``name``, ``fødselsdato``/``born``,
``bosatt``/``settled``, ``kommune``, and the facts by their form labels or ids); dates are
``31.12.1990`` or ``1990-12-31`` (or a date cell); yes/no as ``ja``/``nei``; gender as ``kvinne``/``mann``/
``uoppgitt``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from pathways.services.context import ServiceError

MAX_XLSX_ROWS = 50_000
MAX_XLSX_UNPACKED = 200_000_000  # bytes of the workbook's parts once unzipped
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (and other OLE files)


def _key(header: str) -> str:
    """A header as compared: case, spaces, underscores and hyphens do not matter."""
    return re.sub(r"[\s_\-]+", " ", header.strip().casefold())


# column → the headers that name it (its own id always does)
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("navn", "fullt navn"),
    "born": ("fødselsdato", "født", "fodselsdato", "birth date", "date of birth"),
    "settled": ("bosatt", "bosettingsdato", "bosettingsdag", "settlement date"),
    "kommune": ("municipality",),
    "gender": ("kjønn",),
    "norwegian_oral": ("norsk muntlig",),
    "norwegian_written": ("norsk skriftlig",),
    "education_track": ("opplæringsløp", "spor"),
    "has_primary_school": ("har grunnskole", "grunnskole"),
    "has_upper_secondary": ("har videregående", "videregående"),
    "legal_regime": ("regelverk",),
    "lives_with_parents": ("bor med foreldre",),
    "dependants": ("forsørger antall", "antall forsørgede", "forsørgede"),
    "registered_with_nav": ("registrert hos nav", "registrert i nav"),
}
HEADERS: dict[str, str] = {_key(alias): column for column, aliases in _ALIASES.items()
                           for alias in (column, *aliases)}
# what the header row says in bokmål in messages: the first alias
NORWEGIAN = {column: aliases[0] for column, aliases in _ALIASES.items()}

_YES_NO = {"ja": "true", "nei": "false", "j": "true", "n": "false", "yes": "true", "no": "false",
           "true": "true", "false": "false", "sann": "true", "usann": "false", "1": "true", "0": "false"}
_BOOLEANS = {"has_primary_school", "has_upper_secondary", "lives_with_parents", "registered_with_nav"}
_GENDERS = {"kvinne": "female", "k": "female", "mann": "male", "m": "male", "uoppgitt": "unspecified",
            "female": "female", "male": "male", "unspecified": "unspecified"}
_LEVELS = {"norwegian_oral", "norwegian_written"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(value: Any, field: str) -> date | None:
    """A date typed as ``31.12.1990`` or ``1990-12-31``, or a spreadsheet's date cell; empty is None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        if _ISO.match(text):
            return date.fromisoformat(text)
        found = _NORWEGIAN_DATE.match(text)
        if found:
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
    except ValueError:
        raise ServiceError("not_a_calendar_date", field, value=text) from None
    raise ServiceError("not_a_date_either", field, value=text)


def fact_value(column: str, value: Any) -> str:
    """A fact's cell as the rules' vocabulary spells it (``ja`` → ``true``, ``kvinne`` → ``female``, ``b1`` →
    ``B1``); anything else as typed, for the participant's validation to judge."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip()
    folded = text.casefold()
    if column in _BOOLEANS:
        return _YES_NO.get(folded, text)
    if column == "gender":
        return _GENDERS.get(folded, text)
    if column in _LEVELS:
        return text.upper()
    if column == "education_track":
        return folded.replace(" ", "")
    return text


def cell_text(value: Any) -> str:
    """A cell as text (a spreadsheet's whole number without its ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


@dataclass(frozen=True)
class Shape:
    """What a first look at the file found: its format, text encoding and (roughly) how many rows it has."""

    kind: str  # "csv" | "xlsx"
    encoding: str | None
    total: int


def inspect(stream: BinaryIO, path: str) -> Shape:
    """Read the file once, in chunks: xlsx or CSV, and for CSV the encoding (UTF-8, else Windows-1252)."""
    stream.seek(0)
    head = stream.read(4)
    if head == XLS_MAGIC:
        raise ServiceError("old_excel", "file", path=path)
    if head == XLSX_MAGIC:
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                unpacked = sum(item.file_size for item in archive.infolist())
        except zipfile.BadZipFile:
            raise ServiceError("bad_xlsx", "file", path=path) from None
        if unpacked > MAX_XLSX_UNPACKED:
            raise ServiceError("xlsx_too_large", "file", path=path, limit=MAX_XLSX_UNPACKED)
        return Shape("xlsx", None, MAX_XLSX_ROWS)
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines = True, 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        lines += chunk.count(b"\n")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Shape("csv", "utf-8-sig" if utf8 else "cp1252", max(1, lines))


def rows(stream: BinaryIO, shape: Shape, path: str) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows from the start, each with its line (CSV) or row (Excel) number; the first is the header.
    Empty rows are left out."""
    stream.seek(0)
    if shape.kind == "xlsx":
        yield from _xlsx_rows(stream, path)
        return
    text = io.TextIOWrapper(stream, encoding=shape.encoding, newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        for values in reader:
            if any(v.strip() for v in values):
                yield reader.line_num, values
    except UnicodeDecodeError:
        raise ServiceError("not_text_csv", "file", path=path) from None
    finally:
        text.detach()  # the caller's stream stays open for the next pass


def _xlsx_rows(stream: BinaryIO, path: str) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: ~0.3 s, and only an Excel import needs it

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises what the broken part gives (KeyError, ValueError, XML errors)
        raise ServiceError("bad_xlsx", "file", path=path) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_XLSX_ROWS + 1:
                raise ServiceError("xlsx_too_many_rows", "file", path=path, limit=MAX_XLSX_ROWS)
            cells = list(values)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            if any(c is not None and str(c).strip() for c in cells):
                yield number, cells
    finally:
        workbook.close()
