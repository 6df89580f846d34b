"""Problems found in input files, each pointing at a cell as the spreadsheet shows it."""
from __future__ import annotations

import difflib
import reprlib
from dataclasses import dataclass
from itertools import groupby

ERROR = "error"
WARNING = "warning"


def column_letter(position: int) -> str:
    """Spreadsheet column letters of a 0-based column position.

    >>> [column_letter(i) for i in (0, 25, 26, 701, 702)]
    ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    letters = ""
    position += 1
    while position:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the input.

    ``row`` is the row number the spreadsheet shows (header is usually row 1), ``letter`` the
    column letter; either may be absent when the problem is about a whole sheet or column.
    """

    severity: str
    sheet: str
    message: str
    row: int | None = None
    column: str | None = None
    letter: str | None = None
    value: object = None

    @property
    def cell(self) -> str:
        if self.letter and self.row:
            return f"{self.letter}{self.row}"
        if self.row:
            return f"row {self.row}"
        if self.letter:
            return f"column {self.letter}"
        return ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self):
        return (self.sheet, self.row or 0, self.letter or "", self.message)


def error(sheet: str, message: str, **where) -> Problem:
    return Problem(ERROR, sheet, message, **where)


def warning(sheet: str, message: str, **where) -> Problem:
    return Problem(WARNING, sheet, message, **where)


def short_text(value: object, n: int = 40) -> str:
    """At most ``n`` characters describing ``value``, without ever turning all of it into text.

    >>> short_text("x" * 100, 10), short_text(list(range(1000)), 20)
    ('xxxxxxxxx…', '[0, 1, 2, 3, 4, 5, …')
    """
    if isinstance(value, str):
        text = value
    else:
        shown = reprlib.Repr()
        shown.maxlevel, shown.maxstring, shown.maxother = 3, n, n
        shown.maxlist = shown.maxtuple = shown.maxdict = shown.maxset = 6
        text = shown.repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def nearest(name: str, candidates) -> str | None:
    """The candidate closest to a mistyped ``name``, if one is close enough.

    >>> nearest("regoins", ["regions", "workloads"])
    'regions'
    >>> nearest("zzz", ["regions"]) is None
    True
    """
    found = difflib.get_close_matches(name, [str(c) for c in candidates], n=1, cutoff=0.6)
    if found:
        return found[0]
    lowered = {str(c).lower(): c for c in candidates}
    return lowered.get(name.lower())


class InputError(Exception):
    """The input has errors; nothing was solved or written."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = sorted(dict.fromkeys(problems), key=Problem.sort_key)   # one mistake, one message
        self.source = source
        n = len(errors(self.problems))
        super().__init__(f"{source}: {n} input error(s)")


@dataclass(frozen=True)
class Line:
    """Problems collapsed for display: one message over a run of cells."""

    severity: str
    sheet: str
    cells: str
    column: str
    value: str
    message: str


def collapse(problems: list[Problem]) -> list[Line]:
    """Merge the same message on consecutive rows of one column into a range (``B12:B40``).

    >>> ps = [error("demand", "must be >= 0", row=r, column="ttok_per_day", letter="D", value=-1)
    ...       for r in (3, 4, 5, 9)]
    >>> [(l.cells, l.value) for l in collapse(ps)]
    [('D3:D5', '-1'), ('D9', '-1')]
    """
    lines: list[Line] = []
    ordered = sorted(problems, key=lambda p: (p.severity != ERROR, p.sheet, p.letter or "", p.message, p.row or 0))
    for (sev, sheet, letter, message), group in groupby(
        ordered, key=lambda p: (p.severity, p.sheet, p.letter, p.message)
    ):
        group = list(group)
        run: list[Problem] = []
        for p in group:
            if run and (p.row is None or run[-1].row is None or p.row != run[-1].row + 1):
                lines.append(_line(run))
                run = []
            run.append(p)
        if run:
            lines.append(_line(run))
    lines.sort(key=lambda l: (l.severity != ERROR, l.sheet, _first_row(l.cells), l.cells, l.column))
    return lines


def _line(run: list[Problem]) -> Line:
    first, last = run[0], run[-1]
    cells = first.cell if len(run) == 1 else f"{first.cell}:{last.cell}"
    values = {_show(p.value) for p in run}
    value = values.pop() if len(values) == 1 else f"{_show(first.value)} ..."
    return Line(first.severity, first.sheet, cells, first.column or "", value, first.message)


def _first_row(cells: str) -> int:
    digits = ""
    for ch in cells.split(":")[0]:
        if ch.isdigit():
            digits += ch
    return int(digits) if digits else 0


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return short_text(value, 60)
