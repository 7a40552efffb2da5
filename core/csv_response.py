"""CSV downloads that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets: the ASCII
# signs, their full-width forms (Excel reads ＝ as =), a tab and a carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Invisible characters a spreadsheet skips before reading the first sign (a byte-order mark, spaces).
_IGNORED_LEAD = "\ufeff\u200b\u00a0 "
# Where a semicolon separates cells (most of Europe and Latin America), "a;=1+1" opens as two cells,
# the second a formula.
_SEMICOLON_FORMULA = re.compile(
    "(;[" + re.escape(_IGNORED_LEAD) + "]*)(?=[" + re.escape("".join(_FORMULA_START)) + "])"
)


def neutralise_formula(value: object) -> str:
    """Text that cannot run as a formula: a leading apostrophe, as OWASP recommends, in front of the
    cell and of any part a semicolon would make a cell of its own."""
    text = "" if value is None else str(value)
    text = _SEMICOLON_FORMULA.sub(r"\1'", text)
    if text.lstrip(_IGNORED_LEAD).startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8
    yield writer.writerow([neutralise_formula(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise_formula(cell) for cell in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    # Names in file names come from users and rosters: quotes or line breaks must not break the header.
    # An attachment always has a header (None is only for an inline response without a name).
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
