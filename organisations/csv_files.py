"""CSV in and out, the same way for every import and export (people, OKRs, and whatever comes next).

Reading: ``read_table`` maps header names (case-insensitive, with aliases) to keys, refuses unknown
and missing columns, bounds the row count, skips blank lines and reports every problem in words a
spreadsheet user understands. Each row keeps its line number for the preview.

Writing: ``cell`` neutralises text a spreadsheet would run as a formula (OWASP's CSV injection
advice: prefix an apostrophe), ``uncell`` undoes it on import, and ``download`` answers with a file
Excel opens as UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.http import HttpResponse, StreamingHttpResponse

#: What a spreadsheet treats as the start of a formula (and tab / carriage return, which some
#: programs strip before looking).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A cell of user text that no spreadsheet will evaluate."""
    return "'" + value if value.startswith(FORMULA_START) else value


def uncell(value: str) -> str:
    """The text ``cell`` protected, as it was typed."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


@dataclass
class Table:
    """The rows of a CSV file as ``(line number, {key: value})``, or the reasons it cannot be read."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_table(
    text: str,
    *,
    headers: Mapping[str, str],
    required: Iterable[tuple[str, str]],
    expected: str,
    max_rows: int,
    empty_message: str,
) -> Table:
    """Parse ``text`` (the decoded file).

    ``headers`` maps lower-cased header names to keys; ``required`` lists ``(key, header label)``;
    ``expected`` names the usable columns for the unknown-column message. Values are stripped and
    un-protected (``uncell``); NUL characters, which no text column can store, are refused.
    """
    table = Table()
    if "\x00" in text:
        table.errors.append("The file contains NUL characters: save it again as plain CSV (UTF-8).")
        return table
    try:
        reader = csv.DictReader(io.StringIO(text))
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        table.errors.append(f"The file is not valid CSV: {exc}.")
        return table
    columns = {name: headers.get(name.strip().lower()) for name in fieldnames}
    unknown = [name for name, key in columns.items() if key is None and name.strip()]
    if unknown:
        table.errors.append(f"Unknown column(s): {', '.join(unknown)}. Expected: {expected}.")
    present = set(columns.values())
    for required_key, label in required:
        if required_key not in present:
            article = "an" if label[:1].lower() in "aeiou" else "a"
            table.errors.append(f"The header row needs {article} “{label}” column.")
    if table.errors:
        return table
    try:
        for raw in reader:
            values: dict[str, str] = {}
            for name, cell_value in raw.items():
                key = columns.get(name) if name is not None else None
                if key is not None and isinstance(cell_value, str):  # extra cells of a long row have no name
                    values[key] = uncell(cell_value.strip())
            if not any(values.values()):
                continue  # a blank line
            table.rows.append((reader.line_num, values))
            if len(table.rows) > max_rows:
                table.errors.append(f"The file has more than {max_rows} rows; split it into smaller files.")
                table.rows = []
                return table
    except csv.Error as exc:
        table.errors.append(f"The file is not valid CSV near line {reader.line_num}: {exc}.")
        table.rows = []
        return table
    if not table.rows:
        table.errors.append(empty_message)
    return table


#: A plain number (what an export writes for values and weights) is the one cell left as it is:
#: a spreadsheet reads "-5" as minus five, not as a formula.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def write_table(rows: Iterable[Iterable[str]]) -> str:
    """The CSV text of ``rows``; every cell but a plain number goes through ``cell``, so no
    column (an e-mail, a team name, one added later) can carry a formula out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([value if _PLAIN_NUMBER.fullmatch(value) else cell(value) for value in map(str, row)])
    return out.getvalue()


def download(text: str, filename: str) -> HttpResponse:
    """A CSV download; the byte-order mark makes Excel read the file as UTF-8."""
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def streamed_download(chunks: Iterable[str], filename: str) -> StreamingHttpResponse:
    """``download`` for a file written as it is read: the same bytes (byte-order mark first, then
    ``chunks`` in UTF-8), never held whole in memory."""

    def body() -> Iterator[bytes]:
        yield "\ufeff".encode()
        for chunk in chunks:
            yield chunk.encode()

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
