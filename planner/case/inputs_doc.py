"""Generate docs/inputs.md from the schema, so the documentation never restates it by hand.

    python -m planner.case.inputs_doc > docs/inputs.md

tests/test_template_docs.py fails when the committed file differs from what this prints.
"""
from __future__ import annotations

from planner.case.schema import SHEETS, Column, Kind, Sheet

MATCHING = """\
## How cells are read

* A case is an `.xlsx` workbook (sheets named as below) or a folder of CSV files (`regions.csv`, ...,
  UTF-8). Both read identically. Sheets and files with other names are ignored, with a warning
  when the name is close to one of these.
* **Sheet and column names** are matched ignoring case and surrounding spaces. A missing required
  column is reported with the nearest existing name. Columns not listed here (notes, sources) are
  kept as information and ignored by the model.
* **Ids** (regions, workloads, zones) are matched exactly after removing surrounding spaces:
  `Gansu` and `gansu` are different ids, and the message suggests the near miss. Words from a fixed
  list (`policy`, `kind`) ignore case.
* **Numbers** must be numbers. In a workbook, a number typed as text (`'12`) is an error, because
  the spreadsheet's own sums would skip it. In a CSV file every cell is text, so numbers are read
  from text. `n/a`, `-`, `1,000` and other text in a number column are errors: leave the cell
  blank to take the default.
* **Blank** cells take the column's default; a blank required cell is an error. A blank row inside
  the data is skipped, with a warning naming it. Merged cells are errors: every cell needs its own
  value.
* **Units row**: a row right under the header that names each column's unit (as the template
  writes it, e.g. `trillion tokens/day`, or in brackets, `(MW)`) is skipped; row numbers in
  messages stay those of the spreadsheet.
* **Empty required sheets** (`regions`, `workloads`, `demand` with a header and no rows) are
  errors: a case needs at least one row of each.
* **Every problem is reported at once**, sorted by sheet and row, with the cell as the spreadsheet
  shows it (e.g. `regions!E7`), the column, the value and what is wrong; the same problem on
  consecutive rows is shown once as a range (`D12:D40`). `planner validate CASE` prints the report
  and exits 2 when there are errors, 0 when there are only warnings.
* **Warnings** (the case still runs): a region with no demand and no corridor, a workload without
  demand, planned builds outside the horizon, an optional sheet with a header but no rows.
"""


def _type(col: Column) -> str:
    return {Kind.ID: "id", Kind.TEXT: "text", Kind.NUMBER: "number", Kind.YEAR: "year",
            Kind.CHOICE: "one of: " + ", ".join(col.choices)}[col.kind]


def _checks(col: Column, sheet: Sheet) -> str:
    parts = []
    if col.bounds_text() and not col.choices:
        parts.append(col.bounds_text())
    if col.ref:
        parts.append(f"a value of `{col.ref}`")
    if col.kind is Kind.YEAR:
        parts.append("whole year")
    if col.name in sheet.key:
        parts.append("part of the key")
    return "; ".join(parts)


def sheet_section(sheet: Sheet) -> str:
    lines = [f"## {sheet.name}" + ("" if sheet.required else " (optional)"), "", sheet.doc, ""]
    if sheet.key_value:
        lines += ["Columns `key` and `value`, one row per setting.", "",
                  "| key | type | unit | default | checks | meaning |", "|---|---|---|---|---|---|"]
    else:
        if sheet.key:
            order = " (in either order)" if sheet.unordered_key else ""
            lines += [f"Key: {', '.join(f'`{k}`' for k in sheet.key)}{order}; each key at most once.", ""]
        if sheet.wide:
            w = sheet.wide
            lines += [f"Wide form also accepted: {', '.join(f'`{i}`' for i in w.ids)}, then one column per "
                      f"year holding `{w.value}`; a blank cell means no value for that year.", ""]
        lines += ["| column | type | unit | default | checks | meaning |", "|---|---|---|---|---|---|"]
    for col in sheet.columns:
        default = "**required**" if col.required else col.default_text()
        lines.append(f"| `{col.name}` | {_type(col)} | {col.unit} | {default} | {_checks(col, sheet)} | {col.doc} |")
    if sheet.rules:
        lines += ["", "Also checked:", ""] + [f"* {r.text}" for r in sheet.rules]
    return "\n".join(lines) + "\n"


def render() -> str:
    head = ("# Input reference\n\n"
            "Generated from `planner/case/schema.py` by `python -m planner.case.inputs_doc`; do not edit by hand.\n"
            "`planner template FILE.xlsx` writes a workbook with these sheets and columns, annotated and\n"
            "with dropdowns; `planner template FILE.xlsx --from CASE` writes a case in that layout.\n\n")
    return head + MATCHING + "\n" + "\n".join(sheet_section(s) for s in SHEETS.values())


if __name__ == "__main__":
    print(render(), end="")
