"""Official pipeline statistics (报告值) beside the values computed from the ledger (计算值).

The figures come from ``seeds/reported/pipeline.yaml``: each item names its place,
period and batch, the figures as written (counts 个, amounts 亿元, rates %) and a verbatim
quote. :func:`load_reported` checks that every quote is in its document (whitespace
ignored) and that every figure is written in its quote, so a figure cannot drift from
its source.

:func:`compare` puts each reported figure beside the same measure computed over the
ledger's projects in the same period (a project counts for a period when it *entered*
the stage then: history or stage date; undated projects cannot count). Coverage says how
many of the reported projects the ledger holds (N of M signed projects). The ledger note
says what the ledger is: projects copied from planning documents are a plan list, not
the city's project ledger, and computed rates over them say little about the city.

>>> ratio_text(None), ratio_text(0.8219)
('—', '82.19%')
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from graph.errors import Problem, SeedErrors
from graph.model import Atlas, ProjectStage, Source, Strict
from graph.pipeline.lifecycle import entered_on, reached
from graph.pipeline.metrics import FORMULAS, RATES, Metrics, Slice, pipeline_metrics

Metric = Literal["signed_count", "signed_amount", "started_count", "started_amount",
                 "produced_count", "produced_amount", "sign_to_start", "start_to_produce",
                 "produce_to_effect"]
LABELS: dict[str, tuple[str, str]] = {
    "signed_count": ("签约项目数", "个"), "signed_amount": ("签约投资额", "亿元"),
    "started_count": ("开工项目数", "个"), "started_amount": ("开工项目投资额", "亿元"),
    "produced_count": ("投产项目数", "个"), "produced_amount": ("投产项目投资额", "亿元"),
    "sign_to_start": ("签约开工率", "%"), "start_to_produce": ("开工投产率", "%"),
    "produce_to_effect": ("投产达效率", "%"),
}
STAGE_OF = {"signed": ProjectStage.signed, "started": ProjectStage.started,
            "produced": ProjectStage.producing}
COUNT_FORMULA = ("{label} = 期内进入{stage}阶段的台账项目{what}"
                 "（按历史记录或阶段日期；日期未知的不计）")
DEFAULT_FILE = Path("reported") / "pipeline.yaml"


class Reported(Strict):
    """One reported statistic: place, period, batch, figures as written, source."""

    id: str = Field(pattern=r"^rep\.[a-z0-9][a-z0-9._-]*$")
    place: str
    atlas_city: bool = Field(description="True when the place is the atlas's own city")
    period: str
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    batch: str
    figures: dict[Metric, float]
    src: Source


class ReportedFile(Strict):
    reported: list[Reported]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _written(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def load_reported(path: Path, sources_dir: Path | None) -> list[Reported]:
    """The reported statistics in ``path``; :class:`SeedErrors` lists every problem (bad
    field, quote not in its document, figure not written in its quote)."""
    name = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = ReportedFile.model_validate(raw).reported
    except OSError as exc:
        raise SeedErrors([Problem(name, None, "<file>", f"无法读取：{exc.strerror}")]) from exc
    except yaml.YAMLError as exc:
        raise SeedErrors([Problem(name, None, "<file>", f"YAML 语法错误：{exc}")]) from exc
    except ValidationError as exc:
        raise SeedErrors([Problem(name, None, ".".join(map(str, e["loc"])), e["msg"])
                          for e in exc.errors()]) from exc
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for i, r in enumerate(items):
        quote = _squash(r.src.quote or "")
        for metric, value in r.figures.items():
            if _written(value) not in quote:
                problems.append(Problem(name, None, f"reported[{i}].figures.{metric}",
                                        f"{_written(value)} 不在引文中（{r.id}）"))
        if sources_dir is None or not r.src.doc:
            continue
        doc = sources_dir / r.src.doc
        if not doc.is_file():
            problems.append(Problem(name, None, f"reported[{i}].src.doc",
                                    f"文件不存在：{r.src.doc}"))
            continue
        if r.src.doc not in texts:
            texts[r.src.doc] = _squash(doc.read_text(encoding="utf-8"))
        if quote not in texts[r.src.doc]:
            problems.append(Problem(name, None, f"reported[{i}].src.quote",
                                    f"引文不在 {r.src.doc} 中（{r.id}）"))
    if len({r.id for r in items}) != len(items):
        problems.append(Problem(name, None, "reported.id", "编号重复"))
    if problems:
        raise SeedErrors(problems)
    return items


@lru_cache(maxsize=8)
def _cached(path: Path, mtime: float, sources_dir: Path | None) -> tuple[Reported, ...]:
    return tuple(load_reported(path, sources_dir))


def reported_for(seeds_dir: Path, sources_dir: Path | None) -> list[Reported]:
    """The reported statistics shipped with the seeds (none if the file is missing)."""
    path = seeds_dir / DEFAULT_FILE
    if not path.is_file():
        return []
    return list(_cached(path, path.stat().st_mtime, sources_dir))


class FigureRow(BaseModel):
    metric: str
    label: str
    unit: str
    reported: float
    computed: float | None
    formula: str


class Coverage(BaseModel):
    ledger: int = Field(description="台账中期内签约的项目数 N")
    reported: int | None = Field(description="报告的签约项目数 M（未报告则为空）")
    text: str


class Comparison(BaseModel):
    id: str
    place: str
    atlas_city: bool
    period: str
    batch: str
    source: str
    quote: str
    figures: list[FigureRow]
    coverage: Coverage


class LedgerNote(BaseModel):
    total: int
    from_documents: int
    from_ledgers: int
    other: int
    text: str


def ratio_text(v: float | None) -> str:
    """A rate as a Chinese-report percentage."""
    return "—" if v is None else f"{v * 100:.2f}%"


def ledger_note(atlas: Atlas) -> LedgerNote:
    """What the ledger is made of, said plainly."""
    kinds = Counter(p.src.kind for p in atlas.projects.values())
    total = len(atlas.projects)
    docs, sheets = kinds["document"], kinds["dataset"]
    text = (f"台账共 {total} 个项目：{docs} 个摘自规划文件（规划项目清单，不是全市项目台账），"
            f"{sheets} 个来自导入的台账，{total - docs - sheets} 个为其他公开信息。")
    if total and docs * 2 >= total:
        text += "计算值只反映这些项目，多数项目没有阶段日期，与官方统计不可直接比较。"
    return LedgerNote(total=total, from_documents=docs, from_ledgers=sheets,
                      other=total - docs - sheets, text=text)


def _entered_in(atlas: Atlas, stage: ProjectStage, s: Slice) -> list[float]:
    out = []
    for p in atlas.projects.values():
        if stage not in reached(p):
            continue
        day = entered_on(p, stage)
        if day is None or (s.period_from and day < s.period_from) or (
                s.period_to and day > s.period_to):
            continue
        out.append(p.amount or 0.0)
    return out


def compare(atlas: Atlas, items: list[Reported], today: dt.date) -> list[Comparison]:
    """Each reported statistic beside the ledger's value for the same period."""
    out = []
    for r in items:
        s = Slice(period_from=r.period_from, period_to=r.period_to)
        m = pipeline_metrics(atlas, s, today=today)
        rows = []
        for metric, value in r.figures.items():
            label, unit = LABELS[metric]
            if metric in RATES:
                rate = m.rates[metric].by_count
                rows.append(FigureRow(metric=metric, label=label, unit=unit, reported=value,
                                      computed=None if rate is None else round(rate * 100, 2),
                                      formula=FORMULAS[metric]))
                continue
            what, kind = metric.split("_")
            amounts = _entered_in(atlas, STAGE_OF[what], s)
            computed = float(len(amounts)) if kind == "count" else round(sum(amounts), 2)
            rows.append(FigureRow(metric=metric, label=label, unit=unit, reported=value,
                                  computed=computed, formula=COUNT_FORMULA.format(
                                      label=label, stage=STAGE_OF[what].value,
                                      what="个数" if kind == "count" else "投资额之和")))
        n = len(_entered_in(atlas, ProjectStage.signed, s))
        m_rep = r.figures.get("signed_count")
        if m_rep is not None:
            text = f"台账有该期签约项目 {n} 个，报告为 {int(m_rep)} 个（覆盖 {n / m_rep:.1%}）"
        else:
            text = f"台账有该期签约项目 {n} 个；报告未给出项目数"
        if not r.atlas_city:
            text += "；该统计属外市，仅作参照"
        out.append(Comparison(id=r.id, place=r.place, atlas_city=r.atlas_city, period=r.period,
                              batch=r.batch, source=r.src.doc or r.src.dataset or "",
                              quote=r.src.quote or "", figures=rows,
                              coverage=Coverage(ledger=n, reported=None if m_rep is None
                                                else int(m_rep), text=text)))
    return out


class MetricsWithReported(Metrics):
    """Computed metrics, what the ledger is, and the reported statistics beside them."""

    ledger: LedgerNote
    reported: list[Comparison]


def with_reported(atlas: Atlas, m: Metrics, items: list[Reported]) -> MetricsWithReported:
    """``m`` plus the ledger note and the comparison with ``items``."""
    return MetricsWithReported(**dict(m), ledger=ledger_note(atlas),
                               reported=compare(atlas, items, m.today))


def comparison_rows(c: Comparison) -> list[list[str]]:
    """One comparison as printable rows: 指标, 报告值, 计算值, 公式."""
    def show(v: float | None, unit: str) -> str:
        return "—" if v is None else f"{v:g}{unit}"
    return [[f.label, show(f.reported, f.unit), show(f.computed, f.unit), f.formula]
            for f in c.figures]
