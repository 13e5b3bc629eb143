"""Pipeline lists and metric tables as header + rows (for Excel export and the CLI)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from graph.model import Atlas
from graph.pipeline.conflicts import find_conflicts
from graph.pipeline.excel import ledger_rows
from graph.pipeline.metrics import Metrics, Slice, pipeline_metrics, select


class Table(StrEnum):
    """The exportable tables."""

    projects = "projects"
    warnings = "warnings"
    sanwei = "sanwei"
    stages = "stages"
    rates = "rates"
    conflicts = "conflicts"
    campaigns = "campaigns"

Rows = tuple[list[str], list[list[Any]]]


def table(atlas: Atlas, what: Table, s: Slice, today: dt.date) -> Rows:
    """The named table for slice ``s``."""
    if what == "projects":
        return ledger_rows(atlas, select(atlas, s))
    if what == "conflicts":
        return (["类型", "对象", "县区", "建议", "说明"],
                [[c.kind, c.subject_name, c.places, c.suggestion, c.message]
                 for c in find_conflicts(atlas)])
    if what == "campaigns":
        return (["编号", "名称", "专班", "链条", "开始日期", "目标企业数"],
                [[c.id, c.name, c.team, c.chain, c.started_on, len(c.targets)]
                 for _, c in sorted(atlas.campaigns.items())])
    return metric_table(pipeline_metrics(atlas, s, today=today), what)


def metric_table(m: Metrics, what: Table) -> Rows:
    """A table drawn from computed metrics: stages, rates, warnings or sanwei."""
    if what == "stages":
        return (["阶段", "项目数", "投资额（亿元）"],
                [[x.stage, x.count, x.amount] for x in m.stages])
    if what == "rates":
        return (["指标", "分子", "分母", "按个数", "按投资额"],
                [[r.name, r.numerator, r.denominator, r.by_count, r.by_amount]
                 for r in m.rates.values()])
    rows = m.warnings if what == "warnings" else [x for v in m.sanwei.values() for x in v]
    return (["项目编号", "项目名称", "阶段", "停留天数", "预警", "县区", "专班"],
            [[x.project_id, x.name, x.stage, x.days, x.light, x.county, x.team] for x in rows])
