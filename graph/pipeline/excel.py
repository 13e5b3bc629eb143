"""Project ledgers (台账) in: the city's own workbooks, read as the teams write them.

Rules:

* The first row holds headers, in any order. Headers are matched after NFKC
  normalisation (full-width brackets become ASCII ones) with spaces removed, against
  :data:`HEADERS` and their variants (``投资额(亿元)``, ``投资额 （ 亿元 ）``, ``总投资``,
  ``县（市、区）``…). A header given twice is an error; an unknown header close to a known
  one is an error with a 'did you mean'; other unknown columns are ignored and listed.
* 项目编号, 项目名称, 投资方 and 阶段 are required. 项目编号 is the city's project number
  (kept as ``ledger_no``, e.g. ``XM-2026-001``); the project gets a stable internal id
  (``proj.ledger.<slug>``, or a hash when the number is not ASCII); a later ledger with
  the same number updates the same project. A 项目编号 that is already an internal id
  (``proj.…``), or a 系统编号 column (as exported), names the project directly.
* Dates: ``2026-11-01``, ``2026/11/01``, ``2026.11.1``, ``2026年11月1日``, ``20261101``,
  date cells and Excel serial numbers. Amounts: numbers in the header's unit (亿元 unless
  the header says 万元), or text with a unit: ``5亿``, ``5亿元``, ``5000万元``, ``1,200万``;
  never negative, never inf/NaN. Stages: the six stages plus 终止 and synonyms
  (:data:`STAGE_SYNONYMS`: 洽谈/在谈 → 对接, 已签约 → 签约, 已开工/在建 → 开工 …).
* County, park and segment cells hold an id, a name or an alias; unknown values get a
  'did you mean' (rapidfuzz). 投资方 is resolved to an atlas company: exact name, then
  alias or the name without its legal suffix, then fuzzy (score ≥ :data:`FUZZY_LINK`,
  linked and listed in ``review`` for a person to confirm). An explicit 投资方编码 wins.
* A row for an existing project that changes its stage must obey the lifecycle rules
  (recorded as a transition by ``by``). Every bad row is reported with its row number,
  column and a Chinese message ending in an English code; if there is any, nothing is
  imported.

>>> parse_amount("5000万元", 1.0), parse_amount("5亿", 1.0), parse_amount(3, 1e-4)
(0.5, 5.0, 0.0003)
>>> parse_date("2026年11月1日"), parse_stage("洽谈")
(datetime.date(2026, 11, 1), <ProjectStage.contact: '对接'>)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process

from graph.errors import AtlasError, InvalidInput
from graph.ids import SLUG
from graph.model import Atlas, Entity, Grade, Project, ProjectStage, Source
from graph.pipeline.lifecycle import check_transition, transition
from graph.pipeline.xlsxsafe import DEFAULT_LIMITS, Limits, Sheet, read_sheet

LedgerRows = Sheet

HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "项目编号": ("ledger_no", ("编号", "项目代码", "台账编号", "项目编码")),
    "项目名称": ("name", ("名称", "项目")),
    "投资方": ("investor", ("投资主体", "投资企业", "签约企业", "投资方名称", "企业名称")),
    "投资方编码": ("investor_id", ("企业编码", "投资方代码")),
    "县区": ("county", ("县(市、区)", "县(市,区)", "县市区", "所在县区", "区县", "县(市区)")),
    "开发区": ("park", ("园区", "所在开发区", "所属开发区")),
    "环节": ("segments", ("产业链环节", "所属环节")),
    "投资额（亿元）": ("amount", ("投资额", "总投资(亿元)", "总投资", "计划总投资(亿元)",
                            "投资额(万元)", "总投资(万元)", "计划总投资(万元)")),
    "阶段": ("stage", ("项目阶段", "进展阶段", "项目状态", "状态", "进展")),
    "阶段日期": ("stage_date", ("日期", "进入阶段日期", "阶段变更日期")),
    "专班": ("team", ("招商专班", "责任专班", "小分队", "责任单位")),
    "备注": ("description", ("说明",)),
    "系统编号": ("id", ("内部编号", "系统id")),
}
LEDGER_COLUMNS: dict[str, str] = {h: f for h, (f, _) in HEADERS.items()}
"""Canonical ledger headers → Project field."""
REQUIRED = ("项目编号", "项目名称", "投资方", "阶段")
SPLIT = re.compile(r"[、，,;；\s]+")
WHITESPACE = re.compile(r"\s+")
OPEN, CLOSE = "(（[【", ")）]】"
FUZZY_LINK = 90.0
"""Minimum rapidfuzz ratio (names without their legal suffix) for linking an investor by
a fuzzy name match."""
SUGGEST = 60.0
"""Minimum score for a 'did you mean'."""

STAGE_SYNONYMS: dict[str, ProjectStage] = {
    **{s.value: s for s in ProjectStage},
    "储备": ProjectStage.lead, "谋划": ProjectStage.lead, "信息": ProjectStage.lead,
    "项目线索": ProjectStage.lead,
    "洽谈": ProjectStage.contact, "在谈": ProjectStage.contact, "谈判": ProjectStage.contact,
    "对接中": ProjectStage.contact, "洽谈中": ProjectStage.contact, "在洽谈": ProjectStage.contact,
    "已签约": ProjectStage.signed, "签订": ProjectStage.signed, "已签订": ProjectStage.signed,
    "签约未开工": ProjectStage.signed,
    "已开工": ProjectStage.started, "在建": ProjectStage.started, "建设中": ProjectStage.started,
    "开工建设": ProjectStage.started, "新开工": ProjectStage.started,
    "已投产": ProjectStage.producing, "建成投产": ProjectStage.producing,
    "试生产": ProjectStage.producing, "投产运营": ProjectStage.producing,
    "已达效": ProjectStage.effective, "达产": ProjectStage.effective,
    "达产达效": ProjectStage.effective, "已达产": ProjectStage.effective,
    "已终止": ProjectStage.terminated, "放弃": ProjectStage.terminated,
    "已放弃": ProjectStage.terminated, "取消": ProjectStage.terminated,
}
LEGAL_SUFFIX = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司)$")


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def norm(text: Any) -> str:
    """NFKC, no whitespace: how headers and names are compared."""
    return _norm(str(text))


HEADER_INDEX: dict[str, str] = {norm(v): h for h, (_, vs) in HEADERS.items() for v in (h, *vs)}


def did_you_mean(value: str, choices: list[str]) -> str:
    """``，是否为「X」？`` for the closest choice (rapidfuzz), or ``""``."""
    hit = process.extractOne(value, choices, scorer=fuzz.WRatio, score_cutoff=SUGGEST)
    return f"，是否为「{hit[0]}」？" if hit else ""


# --- values ---------------------------------------------------------------------------

DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
AMOUNT_TEXT = re.compile(r"^([-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)\s*(亿元|亿|万元|万|元)?$")
UNITS = {"亿元": 1.0, "亿": 1.0, "万元": 1e-4, "万": 1e-4, "元": 1e-8}


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is Chinese and ends with an English code."""


def parse_date(v: Any) -> dt.date:
    """A date from a date cell, an Excel serial number or common Chinese text forms."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        if not math.isfinite(v) or not 20000 <= v <= 80000:
            raise ValueProblem(f"不是日期：{v!r} (bad_date)")
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
    text = norm(v)
    m = DATE_TEXT.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise ValueProblem(f"日期「{v}」无法识别，请写作 2026-11-01、2026/11/01 或 2026年11月1日 "
                       "(bad_date)")


def parse_amount(v: Any, factor: float) -> float:
    """亿元 from a number in the column's unit (``factor`` to 亿元) or text with a unit."""
    if isinstance(v, bool):
        raise ValueProblem(f"不是金额：{v!r} (bad_amount)")
    if isinstance(v, int | float):
        amount = float(v) * factor
    else:
        text = norm(v)
        m = AMOUNT_TEXT.match(text)
        if m is None:
            if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
                raise ValueProblem(f"投资额不是有限数：{v!r} (non_finite)")
            raise ValueProblem(f"投资额「{v}」无法识别，请写数字（亿元）或带单位，如 5亿元、"
                               "5000万元 (bad_amount)")
        amount = float(m.group(1).replace(",", "")) * (UNITS[m.group(2)] if m.group(2)
                                                       else factor)
    if not math.isfinite(amount):
        raise ValueProblem(f"投资额不是有限数：{v!r} (non_finite)")
    if amount < 0:
        raise ValueProblem(f"投资额不能为负：{v!r} (negative_amount)")
    return round(amount, 6)


def parse_stage(v: Any) -> ProjectStage:
    """A stage from its name or a synonym (:data:`STAGE_SYNONYMS`)."""
    text = norm(v)
    if text in STAGE_SYNONYMS:
        return STAGE_SYNONYMS[text]
    names = "/".join(s.value for s in ProjectStage)
    raise ValueProblem(f"阶段「{v}」无法识别{did_you_mean(text, list(STAGE_SYNONYMS))}"
                       f"（可填 {names}）(unknown_stage)")


# --- lookups ---------------------------------------------------------------------------


class _Index:
    """Id / name / alias lookup of one entity table, with 'did you mean'."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.ids = set(table)
        self.by_name: dict[str, list[str]] = {}
        for e in table.values():
            for n in {norm(e.name), *(norm(a) for a in e.aliases)}:
                self.by_name.setdefault(n, []).append(e.id)
        self.choices = sorted(self.by_name)

    def find(self, value: str) -> str | None:
        if value in self.ids:
            return value
        hits = self.by_name.get(norm(value), [])
        return hits[0] if len(set(hits)) == 1 else None

    def hint(self, value: str) -> str:
        return did_you_mean(norm(value), self.choices)


class InvestorMatch(BaseModel):
    """A fuzzy match of a row's 投资方 to an atlas company, for a person to confirm:
    ``linked`` when the score reached :data:`FUZZY_LINK` (the project then names it)."""

    row: int
    investor: str
    company_id: str | None
    company_name: str | None
    linked: bool
    score: float


class _Companies:
    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.exact: dict[str, list[str]] = {}
        self.alias: dict[str, list[str]] = {}
        for c in atlas.companies.values():
            self.exact.setdefault(norm(c.name), []).append(c.id)
            for n in {*(norm(a) for a in c.aliases), LEGAL_SUFFIX.sub("", norm(c.name))}:
                self.alias.setdefault(n, []).append(c.id)
        self.names = {cid: LEGAL_SUFFIX.sub("", norm(c.name))
                      for cid, c in atlas.companies.items()}
        self._memo: dict[str, tuple[str | None, str, float]] = {}

    def resolve(self, name: str) -> tuple[str | None, str, float]:
        key = norm(name)
        if key not in self._memo:
            self._memo[key] = self._resolve(key)
        return self._memo[key]

    def _resolve(self, key: str) -> tuple[str | None, str, float]:
        for how, table in (("exact", self.exact), ("alias", self.alias)):
            hits = set(table.get(key, []) or table.get(LEGAL_SUFFIX.sub("", key), []))
            if len(hits) == 1:
                return hits.pop(), how, 100.0
        hit = process.extractOne(LEGAL_SUFFIX.sub("", key), self.names, scorer=fuzz.ratio,
                                 score_cutoff=SUGGEST)
        if hit is None:
            return None, "none", 0.0
        _, score, cid = hit
        return cid, "fuzzy", round(float(score), 1)


# --- the import ------------------------------------------------------------------------


class LedgerProblem(BaseModel):
    row: int
    column: str
    message: str
    code: str


class LedgerImport(BaseModel):
    created: list[str]
    updated: list[str]
    projects: list[Project]
    review: list[InvestorMatch]
    ignored_columns: list[str]


def _code(message: str) -> str:
    m = re.search(r"\(([a-z_]+)\)$", message)
    return m.group(1) if m else "invalid_value"


@dataclass
class _Ctx:
    atlas: Atlas
    counties: _Index
    parks: _Index
    segments: _Index
    companies: _Companies
    col: dict[str, str]
    problems: list[LedgerProblem]
    factor: float

    def bad(self, r: int, header: str, message: str) -> None:
        self.problems.append(LedgerProblem(row=r, column=f"{self.col.get(header, '?')}（{header}）",
                                           message=message, code=_code(message)))


def ledger_id(ledger_no: str) -> str:
    """The stable internal id of a project known by its city ledger number.

    >>> ledger_id("XM-2026-001"), ledger_id("运经开2026-001")[:14]
    ('proj.ledger.xm-2026-001', 'proj.ledger.h-')
    """
    slug = re.sub(r"[^a-z0-9._-]+", "-", norm(ledger_no).lower()).strip("-._")
    if slug and norm(ledger_no).isascii() and re.fullmatch(SLUG, slug):
        return f"proj.ledger.{slug}"
    return "proj.ledger.h-" + hashlib.sha256(norm(ledger_no).encode()).hexdigest()[:12]


def _headers(sheet: Sheet, problems: list[LedgerProblem]
             ) -> tuple[dict[int, str], dict[str, str], list[str], float]:
    """Column index → canonical header, header → column letter, ignored, amount factor."""
    head = list(sheet.rows[0]) if sheet.rows else []
    by_index: dict[int, str] = {}
    col: dict[str, str] = {}
    ignored: list[str] = []
    factor = 1.0
    for i, raw in enumerate(head):
        if raw in (None, ""):
            continue
        letter = get_column_letter(i + 1)
        key = norm(raw)
        h = HEADER_INDEX.get(key)
        if h is None:
            near = process.extractOne(key, list(HEADER_INDEX), scorer=fuzz.ratio,
                                      score_cutoff=75)
            if near:
                problems.append(LedgerProblem(
                    row=1, column=f"{letter}（{raw}）",
                    message=f"未知列「{raw}」，是否为「{HEADER_INDEX[near[0]]}」？(unknown_column)",
                    code="unknown_column"))
            else:
                ignored.append(f"{letter}（{raw}）")
            continue
        if h in col:
            problems.append(LedgerProblem(
                row=1, column=f"{letter}（{raw}）",
                message=f"列「{h}」重复：已在 {col[h]} 列 (duplicate_column)",
                code="duplicate_column"))
            continue
        col[h] = letter
        by_index[i] = h
        if h == "投资额（亿元）" and "万元" in key:
            factor = 1e-4
    for h in REQUIRED:
        if h not in col and not (h == "项目编号" and "系统编号" in col):
            problems.append(LedgerProblem(row=1, column=h, message=f"缺少必需列「{h}」 "
                                          "(missing_column)", code="missing_column"))
    return by_index, col, ignored, factor


def read_ledger(data: bytes, *, filename: str, limits: Limits = DEFAULT_LIMITS) -> Sheet:
    """The ledger's first sheet as plain rows (size limits checked; see xlsxsafe)."""
    return read_sheet(data, filename, limits)


def import_ledger(atlas: Atlas, data: bytes, *, filename: str, by: str,
                  today: dt.date) -> LedgerImport:
    """Read and validate a ledger workbook against ``atlas`` (nothing is written here)."""
    return import_rows(atlas, read_ledger(data, filename=filename), by=by, today=today)


def import_rows(atlas: Atlas, sheet: Sheet, *, by: str, today: dt.date) -> LedgerImport:
    """Validate parsed ledger rows against ``atlas``; raise :class:`InvalidInput` listing
    every bad row and column, or return the projects to write."""
    filename = sheet.filename
    if not sheet.rows:
        raise InvalidInput(f"{filename}：工作表为空 (empty_sheet)",
                           details=[{"field": "file", "code": "empty_sheet"}])
    problems: list[LedgerProblem] = []
    by_index, col, ignored, factor = _headers(sheet, problems)
    if problems:
        _raise(filename, problems)
    ctx = _Ctx(atlas, _Index(atlas.counties), _Index(atlas.parks), _Index(atlas.segments),
               _Companies(atlas), col, problems, factor)
    by_ledger_no = {norm(p.ledger_no): p.id for p in atlas.projects.values() if p.ledger_no}
    result = LedgerImport(created=[], updated=[], projects=[], review=[],
                          ignored_columns=ignored)
    seen: dict[str, int] = {}
    for r, values in enumerate(sheet.rows[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        raw = {h: _strip(values[i]) for i, h in by_index.items() if i < len(values)}
        before = len(problems)
        fields = _row_fields(ctx, raw, r, result)
        pid = _row_id(fields, by_ledger_no)
        if pid in seen:
            ctx.bad(r, "项目编号", f"与第 {seen[pid]} 行是同一项目 (duplicate_row)")
        seen[pid] = r
        if len(problems) > before:
            continue
        project = _project(ctx, fields, pid, filename, r, by, today)
        if project is not None:
            (result.updated if pid in atlas.projects else result.created).append(pid)
            result.projects.append(project)
    if problems:
        _raise(filename, problems)
    return result


def _strip(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


def _row_id(fields: dict[str, Any], by_ledger_no: dict[str, str]) -> str:
    if fields.get("id"):
        return str(fields["id"])
    no = str(fields.get("ledger_no") or "")
    if re.fullmatch(rf"proj\.{SLUG}", no):
        fields.pop("ledger_no", None)
        return no
    return by_ledger_no.get(norm(no)) or ledger_id(no)


def _row_fields(ctx: _Ctx, raw: dict[str, Any], r: int, result: LedgerImport) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for header, value in raw.items():
        field = LEDGER_COLUMNS[header]
        if value in (None, ""):
            if header in REQUIRED and not (header == "项目编号" and raw.get("系统编号")):
                ctx.bad(r, header, f"「{header}」为必填项 (required)")
            continue
        try:
            out[field] = _value(ctx, field, header, value)
        except ValueProblem as exc:
            ctx.bad(r, header, str(exc))
    if "investor" in out and "investor_id" not in out:
        cid, how, score = ctx.companies.resolve(out["investor"])
        linked = cid is not None and (how != "fuzzy" or score >= FUZZY_LINK)
        if linked:
            out["investor_id"] = cid
        if how == "fuzzy":
            firm = ctx.atlas.companies.get(cid or "")
            result.review.append(InvestorMatch(
                row=r, investor=out["investor"], company_id=cid,
                company_name=firm.name if firm else None, linked=linked, score=score))
    return out


def split_list(text: str) -> list[str]:
    """Items of a list cell split at 、，,;； or spaces outside brackets (a segment name
    may itself hold a list in brackets: ``智能感知（摄像头、毫米波/激光雷达）``).

    >>> split_list("己内酰胺、智能感知（摄像头、雷达） 尼龙6")
    ['己内酰胺', '智能感知（摄像头、雷达）', '尼龙6']
    """
    out, buf, depth = [], "", 0
    for ch in text:
        depth += (ch in OPEN) - (ch in CLOSE)
        if depth <= 0 and SPLIT.fullmatch(ch):
            depth = 0
            if buf:
                out.append(buf)
            buf = ""
        else:
            buf += ch
    return [*out, buf] if buf else out


def _value(ctx: _Ctx, field: str, header: str, value: Any) -> Any:
    if field in ("county", "park"):
        index = ctx.counties if field == "county" else ctx.parks
        hit = index.find(str(value))
        if hit is None:
            raise ValueProblem(f"未知{header}「{value}」{index.hint(str(value))} (unknown_{field})")
        return hit
    if field == "segments":
        whole = ctx.segments.find(str(value))
        if whole is not None:
            return [whole]
        segs = []
        for part in split_list(str(value)):
            hit = ctx.segments.find(part)
            if hit is None:
                raise ValueProblem(f"未知或不唯一的环节「{part}」{ctx.segments.hint(part)} "
                                   "(unknown_segment)")
            segs.append(hit)
        return segs
    if field == "amount":
        return parse_amount(value, ctx.factor)
    if field == "stage":
        return parse_stage(value)
    if field == "stage_date":
        return parse_date(value)
    if field == "investor_id":
        if str(value) not in ctx.atlas.companies:
            raise ValueProblem(f"未知企业编码「{value}」 (unknown_company)")
        return str(value)
    if field == "id" and not re.fullmatch(rf"proj\.{SLUG}", str(value)):
        raise ValueProblem(f"系统编号「{value}」格式不对（应为 proj.…，由系统生成）；"
                           "新项目请留空 (bad_id)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem(f"不是有限数：{value!r} (non_finite)")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


PYDANTIC_CN = {"string_too_short": "不能为空", "missing": "缺少", "value_error": "取值无效",
               "greater_than_equal": "不能为负", "enum": "取值不在可选范围内"}


def _project(ctx: _Ctx, fields: dict[str, Any], pid: str, filename: str, r: int, by: str,
             today: dt.date) -> Project | None:
    old = ctx.atlas.projects.get(pid)
    src = Source.model_construct(dataset=f"台账 {filename}", key=f"第{r}行", as_of=today,
                                 grade=Grade.medium)  # all ours: no need to validate
    fields.pop("id", None)
    try:
        if old is None:
            return Project.model_validate({**fields, "id": pid, "src": src})
        stage = fields.pop("stage")
        new = old.model_copy(update={**fields, "rev": old.rev + 1})
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
            what = PYDANTIC_CN.get(str(e["type"]), "取值无效")
            msg = str(e["msg"]).removeprefix("Value error, ")
            ctx.bad(r, header, f"{what}：{msg} ({e['type']})")
    except AtlasError as exc:
        ctx.bad(r, "阶段", exc.message)
    return None


def _raise(filename: str, problems: list[LedgerProblem]) -> None:
    raise InvalidInput(f"{filename}：{len(problems)} 处错误，未导入任何数据 (ledger_invalid)",
                       details=[{"field": f"第 {p.row} 行 {p.column}", "row": p.row,
                                 "column": p.column, "message": p.message, "code": p.code}
                                for p in problems])


def entity_name(atlas: Atlas, ref: str | None) -> str:
    """The display name of an entity id (the id itself if unknown, "" for None)."""
    if not ref:
        return ""
    e: Entity | None = atlas.find(ref)
    return e.name if e is not None else ref
