"""Report-ready, injection-safe Excel out: any table, and the ledger template.

Every workbook written here:

* holds no formula cell: a text starting with ``=``, ``+``, ``-``, ``@``, tab or CR is
  stored as a text cell with Excel's quote prefix (OWASP CSV/formula-injection
  guidance), so ``=HYPERLINK(...)`` is shown, never evaluated;
* drops control characters Excel cannot hold (they are refused at input anyway, so an
  old record holding one can never break an export);
* has a Chinese sheet name, a bold frozen header with an autofilter, column widths
  fitted to the content (CJK characters count double), amounts (亿元) as numbers with
  two decimals, rates as percentages and dates as dates.

>>> from openpyxl import load_workbook
>>> import io
>>> data = to_xlsx("示例", [Col("名称"), Col("投资额（亿元）", "amount")], [["=1+1", 2.5]])
>>> ws = load_workbook(io.BytesIO(data)).active
>>> ws["A2"].value, ws["A2"].data_type, ws["B2"].number_format, ws.freeze_panes
('=1+1', 's', '0.00', 'A2')
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

Kind = Literal["text", "int", "amount", "rate", "date"]
FORMATS: dict[str, str] = {"int": "0", "amount": "0.00", "rate": "0.00%", "date": "yyyy-mm-dd"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Col:
    """One column of an exported table: its header and how its values are shown."""

    header: str
    kind: Kind = "text"


def safe_text(v: str) -> str:
    """``v`` without the control characters a workbook cannot hold."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", v))


def _plain(v: Any) -> Any:
    if isinstance(v, list | tuple | set):
        return "、".join(str(_plain(x)) for x in v)
    if isinstance(v, BaseModel):
        return str(v)
    return getattr(v, "value", v)


def _width(v: Any) -> int:
    text = v.isoformat() if isinstance(v, dt.date) else str(v)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def put(ws: Worksheet, row: int, column: int, value: Any, kind: Kind = "text") -> None:
    """Write one cell safely: never a formula, never a control character."""
    v = _plain(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(v, str):
        v = safe_text(v)
        cell.value = v
        if v.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    if kind == "date" and isinstance(v, dt.datetime):
        v = v.date()
    cell.value = v
    if kind in FORMATS and v is not None:
        cell.number_format = FORMATS[kind]


def fill_sheet(ws: Worksheet, title: str, columns: Sequence[Col],
               rows: Sequence[Sequence[Any]]) -> None:
    """Header, rows, widths, frozen header and autofilter on ``ws``."""
    ws.title = safe_text(title)[:31] or "Sheet"
    widths = [_width(c.header) for c in columns]
    for j, c in enumerate(columns, start=1):
        put(ws, 1, j, c.header)
        ws.cell(row=1, column=j).font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, (c, v) in enumerate(zip(columns, row, strict=False), start=1):
            put(ws, i, j, v, c.kind)
            if v is not None:
                widths[j - 1] = max(widths[j - 1], _width(_plain(v)))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def to_xlsx(title: str, columns: Sequence[Col], rows: Sequence[Sequence[Any]]) -> bytes:
    """One-sheet workbook of ``rows`` under ``columns``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    fill_sheet(ws, title, columns, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_xlsx(columns: Sequence[Col], sample: Sequence[Any],
                  choices: dict[str, list[str]], notes: list[str]) -> bytes:
    """The ledger template: the columns, one sample row, drop-down lists (data
    validation) for the columns named in ``choices`` (the lists live on a hidden sheet
    ``选项``) and a ``填写说明`` sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    fill_sheet(ws, "项目台账", columns, [sample])
    lists = wb.create_sheet("选项")
    headers = [c.header for c in columns]
    for j, (header, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(j)
        put(lists, 1, j, header)
        for i, v in enumerate(values, start=2):
            put(lists, i, j, v)
        target = get_column_letter(headers.index(header) + 1)
        dv = DataValidation(type="list", formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=True,
                            errorTitle="取值不在列表中", error=f"请从下拉列表选择{header}")
        dv.add(f"{target}2:{target}5000")
        ws.add_data_validation(dv)
    lists.sheet_state = "hidden"
    help_ws = wb.create_sheet("填写说明")
    fill_sheet(help_ws, "填写说明", [Col("说明")], [[n] for n in notes])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
