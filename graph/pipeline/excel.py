"""Excel in and out (openpyxl): project ledgers (台账) and any table.

Ledger import rules: the first row holds headers (any order, names from
:data:`LEDGER_COLUMNS`); 项目编号, 项目名称, 投资方 and 阶段 are required. A county or
park cell may hold an id or a name; 环节 holds segment ids or names separated by
、，,; . A row for an existing project that changes its stage must obey the
lifecycle rules (it is recorded as a transition by ``by``). Every bad row is
reported with its row number and column; if there is any, nothing is imported.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from graph.errors import AtlasError, InvalidInput
from graph.model import Atlas, Entity, Project, ProjectStage, Source
from graph.pipeline.lifecycle import check_transition, transition

LEDGER_COLUMNS: dict[str, str] = {
    "项目编号": "id", "项目名称": "name", "投资方": "investor", "投资方编码": "investor_id",
    "县区": "county", "开发区": "park", "环节": "segments", "投资额（亿元）": "amount",
    "阶段": "stage", "阶段日期": "stage_date", "专班": "team", "备注": "description",
}
REQUIRED = ("项目编号", "项目名称", "投资方", "阶段")
SPLIT = re.compile(r"[、，,;；\s]+")


class LedgerProblem(BaseModel):
    row: int
    column: str
    message: str


class LedgerImport(BaseModel):
    created: list[str]
    updated: list[str]
    projects: list[Project]


def _lookup(table: dict[str, Any], value: str) -> str | None:
    if value in table:
        return value
    hits = [e.id for e in table.values() if value == e.name or value in e.aliases]
    return hits[0] if len(hits) == 1 else None


def _cell(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


def _row_fields(atlas: Atlas, raw: dict[str, Any], col: dict[str, str],
                problems: list[LedgerProblem], r: int) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def bad(header: str, message: str) -> None:
        problems.append(LedgerProblem(row=r, column=f"{col[header]}（{header}）", message=message))

    for header, value in raw.items():
        field = LEDGER_COLUMNS[header]
        if value in (None, ""):
            if header in REQUIRED:
                bad(header, "必填")
            continue
        if field in ("county", "park"):
            table = atlas.counties if field == "county" else atlas.parks
            hit = _lookup(table, str(value))
            if hit is None:
                bad(header, f"未知{'县区' if field == 'county' else '开发区'}「{value}」")
            out[field] = hit
        elif field == "segments":
            segs = []
            for part in (p for p in SPLIT.split(str(value)) if p):
                hit = _lookup(atlas.segments, part)
                if hit is None:
                    bad(header, f"未知或不唯一的环节「{part}」")
                segs.append(hit)
            out[field] = segs
        elif field == "amount":
            try:
                amount = float(value)
            except (TypeError, ValueError):
                bad(header, f"不是数字：{value!r}")
                continue
            if amount < 0:
                bad(header, "投资额不能为负")
            out[field] = amount
        elif field == "stage":
            try:
                out[field] = ProjectStage(str(value))
            except ValueError:
                bad(header, f"阶段应为 {'/'.join(s.value for s in ProjectStage)}，实为「{value}」")
        elif field == "stage_date":
            day = value.date() if isinstance(value, dt.datetime) else value
            if isinstance(day, str):
                try:
                    day = dt.date.fromisoformat(day)
                except ValueError:
                    bad(header, f"日期格式应为 YYYY-MM-DD：{value!r}")
                    continue
            if not isinstance(day, dt.date):
                bad(header, f"不是日期：{value!r}")
                continue
            out[field] = day
        elif field == "investor_id":
            if str(value) not in atlas.companies:
                bad(header, f"未知企业编码「{value}」")
            out[field] = str(value)
        else:
            out[field] = str(value)
    return out


def import_ledger(atlas: Atlas, data: bytes, *, filename: str, by: str,
                  today: dt.date) -> LedgerImport:
    """Validate a ledger workbook against ``atlas``; raise :class:`InvalidInput` listing every
    bad row and column, or return the projects to write (nothing is written here)."""
    try:
        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many types for a non-xlsx file
        raise InvalidInput(f"{filename}: not an .xlsx workbook ({exc.__class__.__name__})",
                           details=[{"field": "file"}]) from exc
    if ws is None:
        raise InvalidInput(f"{filename}: no worksheet", details=[{"field": "file"}])
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise InvalidInput(f"{filename}: empty worksheet", details=[{"field": "file"}])
    problems: list[LedgerProblem] = []
    headers = [_cell(h) for h in rows[0]]
    col = {h: get_column_letter(i + 1) for i, h in enumerate(headers) if h}
    for h in col:
        if h not in LEDGER_COLUMNS:
            problems.append(LedgerProblem(row=1, column=f"{col[h]}（{h}）", message="未知列"))
    for h in REQUIRED:
        if h not in col:
            problems.append(LedgerProblem(row=1, column=h, message="缺少必需列"))
    if problems:
        _raise(filename, problems)
    result = LedgerImport(created=[], updated=[], projects=[])
    seen: dict[str, int] = {}
    for r, values in enumerate(rows[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        raw = {h: _cell(values[i]) if i < len(values) else None
               for i, h in enumerate(headers) if h in LEDGER_COLUMNS}
        before = len(problems)
        fields = _row_fields(atlas, raw, col, problems, r)
        pid = str(fields.get("id", ""))
        if pid in seen:
            problems.append(LedgerProblem(row=r, column=f"{col['项目编号']}（项目编号）",
                                          message=f"与第 {seen[pid]} 行重复"))
        seen[pid] = r
        if len(problems) > before:
            continue
        project = _project(atlas, fields, filename, r, by, today, col, problems)
        if project is not None:
            (result.updated if project.id in atlas.projects else result.created).append(project.id)
            result.projects.append(project)
    if problems:
        _raise(filename, problems)
    return result


def _project(atlas: Atlas, fields: dict[str, Any], filename: str, r: int, by: str,
             today: dt.date, col: dict[str, str], problems: list[LedgerProblem]) -> Project | None:
    old = atlas.projects.get(fields["id"])
    src = Source(dataset=f"台账 {filename}", key=f"第{r}行", as_of=today)
    try:
        if old is None:
            return Project.model_validate({**fields, "src": src})
        stage = fields.pop("stage")
        new = old.model_copy(update=fields)
        Project.model_validate(new.model_dump())
        if stage is not old.stage:
            check_transition(old, stage, "台账导入")
            new = transition(new, stage, by=by, at=fields.get("stage_date") or today,
                             reason="台账导入")
        return new
    except ValidationError as exc:
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "id"
            header = next((h for h, f in LEDGER_COLUMNS.items() if f == field), "项目编号")
            problems.append(LedgerProblem(row=r, column=f"{col.get(header, '?')}（{header}）",
                                          message=e["msg"]))
    except AtlasError as exc:
        problems.append(LedgerProblem(row=r, column=f"{col['阶段']}（阶段）", message=exc.message))
    return None


def _raise(filename: str, problems: list[LedgerProblem]) -> None:
    raise InvalidInput(f"{filename}: {len(problems)} 处错误，未导入任何数据",
                       details=[{"field": f"row {p.row}, column {p.column}", "row": p.row,
                                 "column": p.column, "message": p.message} for p in problems])


def to_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """One-sheet workbook of ``rows`` under ``headers``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(headers)
    for row in rows:
        ws.append([_plain(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plain(v: Any) -> Any:
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    if isinstance(v, Entity | BaseModel):
        return str(v)
    return getattr(v, "value", v)


def ledger_rows(atlas: Atlas, projects: list[Project]) -> tuple[list[str], list[list[Any]]]:
    """Projects as ledger rows (the same columns the import reads)."""
    headers = list(LEDGER_COLUMNS)
    rows = [[getattr(p, LEDGER_COLUMNS[h]) for h in headers] for p in projects]
    return headers, rows
