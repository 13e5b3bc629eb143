"""Pipeline metrics for any slice of the project ledger (项目四库).

Definitions (a project *reached* a stage if it is at that stage or later, or its
history records it; a terminated project keeps the stages it reached):

* 签约开工率 ``sign_to_start`` = reached 开工 / reached 签约
* 开工投产率 ``start_to_produce`` = reached 投产 / reached 开工
* 投产达效率 ``produce_to_effect`` = reached 达效 / reached 投产

Each rate is given by count and by investment (亿元); it is ``None`` when its
denominator is empty. With a period, a rate's denominator holds the projects that
entered its base stage within the period (projects with no known entry date for
that stage are left out), and stage counts hold the projects that entered their
current stage within the period.

三未 lists: 签而未落 (at 签约), 落而未投 (at 开工), 投未见效 (at 投产), each with the
days spent there. Warnings: a live project at one stage longer than the stage's
``yellow`` days gets 黄灯, longer than ``red`` days 红灯 (``pipeline.toml``). A project
whose entry into its current stage was never dated (no ``stage_date``, no dated history)
gets no light: it is counted as 日期未知 and listed in ``date_unknown`` for the team to
complete; its days are ``None``. (The date of the document that lists a project is not
the date it entered its stage.)

>>> from graph.model import Atlas
>>> m = pipeline_metrics(Atlas(), Slice(), today=dt.date(2026, 1, 1))
>>> m.total, m.rates["sign_to_start"].by_count is None
(0, True)
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from graph.coverage import chain_family
from graph.errors import NotFound
from graph.model import PROJECT_STAGE_ORDER, Atlas, Project, ProjectStage, Strict
from graph.pipeline.lifecycle import entered_on, reached

DEFAULT_THRESHOLDS = Path(__file__).with_name("pipeline.toml")

RATES: dict[str, tuple[ProjectStage, ProjectStage, str]] = {
    "sign_to_start": (ProjectStage.signed, ProjectStage.started, "签约开工率"),
    "start_to_produce": (ProjectStage.started, ProjectStage.producing, "开工投产率"),
    "produce_to_effect": (ProjectStage.producing, ProjectStage.effective, "投产达效率"),
}
FORMULAS: dict[str, str] = {
    "sign_to_start": "签约开工率 = 到达开工阶段的项目数 ÷ 到达签约阶段的项目数"
                     "（“到达”含已进入之后阶段及到达后终止的项目）；按投资额：两类项目投资额之比",
    "start_to_produce": "开工投产率 = 到达投产阶段的项目数 ÷ 到达开工阶段的项目数；按投资额同理",
    "produce_to_effect": "投产达效率 = 到达达效阶段的项目数 ÷ 到达投产阶段的项目数；按投资额同理",
}
"""Each rate's definition in Chinese, shown beside its value."""
SANWEI: dict[str, tuple[ProjectStage, str]] = {
    "signed_not_started": (ProjectStage.signed, "签而未落"),
    "started_not_producing": (ProjectStage.started, "落而未投"),
    "producing_not_effective": (ProjectStage.producing, "投未见效"),
}


class Slice(Strict):
    """Which projects to measure; every given field must match."""

    chain: str | None = None
    segment: str | None = None
    county: str | None = None
    park: str | None = None
    team: str | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None


class StageLimit(Strict):
    yellow: int = Field(gt=0)
    red: int = Field(gt=0)


class Thresholds(Strict):
    """Days a project may stay at a stage before 黄灯 / 红灯."""

    version: str = "1"
    stages: dict[ProjectStage, StageLimit]


def load_thresholds(path: Path | None = None) -> Thresholds:
    """Thresholds from a TOML file (default: the shipped ``pipeline.toml``)."""
    with (path or DEFAULT_THRESHOLDS).open("rb") as f:
        return Thresholds.model_validate(tomllib.load(f))


class StageCount(BaseModel):
    stage: ProjectStage
    count: int
    amount: float


class Rate(BaseModel):
    name: str
    formula: str
    numerator: int
    denominator: int
    by_count: float | None
    amount_numerator: float
    amount_denominator: float
    by_amount: float | None


class Stalled(BaseModel):
    project_id: str
    name: str
    stage: ProjectStage
    days: int | None
    light: Literal["黄灯", "红灯"] | None
    date_known: bool = True
    county: str | None
    team: str | None


class Metrics(BaseModel):
    slice: Slice
    today: dt.date
    total: int
    amount: float
    stages: list[StageCount]
    terminated: int
    rates: dict[str, Rate]
    sanwei: dict[str, list[Stalled]]
    warnings: list[Stalled]
    date_unknown_count: int = Field(
        description="日期未知：在库项目中未登记进入当前阶段日期的个数")
    date_unknown: list[Stalled] = Field(
        description="日期未知的在库项目（不亮灯），请专班补填阶段日期")


def select(atlas: Atlas, s: Slice) -> list[Project]:
    """Projects of ``atlas`` in slice ``s`` (period ignored here), in id order."""
    for ref, table in ((s.chain, atlas.chains), (s.segment, atlas.segments),
                       (s.county, atlas.counties), (s.park, atlas.parks)):
        if ref is not None and ref not in table:
            raise NotFound(f"unknown id {ref!r}", details=[{"field": "slice", "value": ref}])
    segs: set[str] | None = None
    if s.chain:
        family = chain_family(atlas, s.chain)
        segs = {x.id for x in atlas.segments.values() if family & set(x.chains)}
    out = []
    for p in sorted(atlas.projects.values(), key=lambda p: p.id):
        county = p.county or (atlas.parks[p.park].county if p.park in atlas.parks else None)
        if ((segs is not None and not segs & set(p.segments))
                or (s.segment and s.segment not in p.segments)
                or (s.county and county != s.county) or (s.park and p.park != s.park)
                or (s.team and p.team != s.team)):
            continue
        out.append(p)
    return out


def _in_period(day: dt.date | None, s: Slice) -> bool:
    if s.period_from is None and s.period_to is None:
        return True
    if day is None:
        return False
    return (s.period_from is None or day >= s.period_from) and (
        s.period_to is None or day <= s.period_to)


def stalled(p: Project, today: dt.date, th: Thresholds) -> Stalled:
    """How long ``p`` has stood at its stage, and its warning light."""
    since = entered_on(p, p.stage)
    if since is None:
        return Stalled(project_id=p.id, name=p.name, stage=p.stage, days=None, light=None,
                       date_known=False, county=p.county, team=p.team)
    days = max((today - since).days, 0)
    limit = th.stages.get(p.stage)
    light: Literal["黄灯", "红灯"] | None = None
    if limit is not None and p.stage is not ProjectStage.terminated:
        light = "红灯" if days > limit.red else "黄灯" if days > limit.yellow else None
    return Stalled(project_id=p.id, name=p.name, stage=p.stage, days=days, light=light,
                   county=p.county, team=p.team)


def _rate(key: str, projects: list[Project], base: ProjectStage, goal: ProjectStage,
          s: Slice) -> Rate:
    den = [p for p in projects if base in reached(p) and _in_period(entered_on(p, base), s)]
    num = [p for p in den if goal in reached(p)]
    amt_den = sum(p.amount or 0 for p in den)
    amt_num = sum(p.amount or 0 for p in num)
    return Rate(name=RATES[key][2], formula=FORMULAS[key], numerator=len(num), denominator=len(den),
                by_count=round(len(num) / len(den), 4) if den else None,
                amount_numerator=round(amt_num, 4), amount_denominator=round(amt_den, 4),
                by_amount=round(amt_num / amt_den, 4) if amt_den else None)


def pipeline_metrics(atlas: Atlas, s: Slice, *, today: dt.date,
                     thresholds: Thresholds | None = None) -> Metrics:
    """Counts and investment per stage, the three rates, 三未 lists and warnings."""
    th = thresholds or load_thresholds()
    projects = select(atlas, s)
    current = [p for p in projects if _in_period(entered_on(p, p.stage), s)]
    stages = [StageCount(stage=st, count=sum(1 for p in current if p.stage is st),
                         amount=round(sum(p.amount or 0 for p in current if p.stage is st), 4))
              for st in PROJECT_STAGE_ORDER]
    live = [p for p in current if p.stage is not ProjectStage.terminated]
    rows = [stalled(p, today, th) for p in live]
    return Metrics(
        slice=s, today=today, total=len(current),
        amount=round(sum(p.amount or 0 for p in current), 4), stages=stages,
        terminated=sum(1 for p in current if p.stage is ProjectStage.terminated),
        rates={k: _rate(k, projects, a, b, s) for k, (a, b, _) in RATES.items()},
        sanwei={k: sorted((r for r in rows if r.stage is st), key=_longest_first)
                for k, (st, _) in SANWEI.items()},
        warnings=sorted((r for r in rows if r.light),
                        key=lambda r: (r.light != "红灯", *_longest_first(r))),
        date_unknown_count=sum(1 for r in rows if not r.date_known),
        date_unknown=[r for r in rows if not r.date_known],
    )


def _longest_first(r: Stalled) -> tuple[bool, int, str]:
    """Longest wait first; undated projects last, by id."""
    return r.days is None, -(r.days or 0), r.project_id
