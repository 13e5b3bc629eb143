"""Pipeline lists and metric tables as columns + rows (for Excel export and the CLI).

Tables show names, not ids (county 河津市, not ``county.hejin``); the ids an officer may
need to quote back come in the last column. The projects table has the ledger's own
columns, so an exported ledger imports again unchanged.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from graph.model import Atlas, Project, ProjectStage
from graph.pipeline.conflicts import find_conflicts
from graph.pipeline.excel import REQUIRED, STAGE_SYNONYMS, entity_name
from graph.pipeline.metrics import Metrics, Slice, pipeline_metrics, select
from graph.pipeline.xlsxout import Col, template_xlsx


class Table(StrEnum):
    """The exportable tables."""

    projects = "projects"
    warnings = "warnings"
    sanwei = "sanwei"
    undated = "undated"
    stages = "stages"
    rates = "rates"
    conflicts = "conflicts"
    campaigns = "campaigns"


TITLES: dict[Table, str] = {
    Table.projects: "项目台账", Table.warnings: "预警项目", Table.sanwei: "三未项目",
    Table.undated: "日期未知项目", Table.stages: "阶段统计", Table.rates: "三率",
    Table.conflicts: "错位招商", Table.campaigns: "招商行动",
}
Rows = tuple[list[Col], list[list[Any]]]

LEDGER: list[Col] = [
    Col("项目编号"), Col("项目名称"), Col("投资方"), Col("投资方编码"), Col("县区"),
    Col("开发区"), Col("环节"), Col("投资额（亿元）", "amount"), Col("阶段"),
    Col("阶段日期", "date"), Col("专班"), Col("备注"),
]
PROJECTS: list[Col] = [*LEDGER, Col("系统编号")]
STALLED: list[Col] = [Col("项目名称"), Col("阶段"), Col("停留天数", "int"), Col("预警"),
                      Col("县区"), Col("专班"), Col("系统编号")]
KIND_NAMES = {"same_target": "同一目标企业", "same_segment": "同一环节"}


def ledger_rows(atlas: Atlas, projects: list[Project]) -> Rows:
    """Projects as ledger rows with names (the same columns the import reads)."""
    def names(ids: list[str]) -> str:
        return "、".join(entity_name(atlas, i) for i in ids)
    return PROJECTS, [[p.ledger_no or "", p.name, p.investor, p.investor_id or "",
                       entity_name(atlas, p.county), entity_name(atlas, p.park),
                       names(p.segments), p.amount, p.stage.value, p.stage_date, p.team or "",
                       p.description, p.id] for p in projects]


def table(atlas: Atlas, what: Table, s: Slice, today: dt.date) -> Rows:
    """The named table for slice ``s``."""
    if what == "projects":
        return ledger_rows(atlas, select(atlas, s))
    if what == "conflicts":
        return ([Col("类型"), Col("对象"), Col("县区"), Col("建议承接地"), Col("说明"),
                 Col("对象编号")],
                [[KIND_NAMES.get(c.kind, c.kind), c.subject_name,
                  [entity_name(atlas, x) for x in c.places], entity_name(atlas, c.suggestion),
                  c.message, c.subject_id] for c in find_conflicts(atlas)])
    if what == "campaigns":
        return ([Col("名称"), Col("专班"), Col("链条"), Col("县区"), Col("开始日期", "date"),
                 Col("目标企业数", "int"), Col("系统编号")],
                [[c.name, c.team, entity_name(atlas, c.chain), entity_name(atlas, c.county),
                  c.started_on, len(c.targets), c.id] for _, c in sorted(atlas.campaigns.items())])
    return metric_table(atlas, pipeline_metrics(atlas, s, today=today), what)


def metric_table(atlas: Atlas, m: Metrics, what: Table) -> Rows:
    """A table drawn from computed metrics: stages, rates, warnings, sanwei or undated."""
    if what == "stages":
        return ([Col("阶段"), Col("项目数", "int"), Col("投资额（亿元）", "amount")],
                [[x.stage, x.count, x.amount] for x in m.stages])
    if what == "rates":
        return ([Col("指标"), Col("分子", "int"), Col("分母", "int"), Col("按个数", "rate"),
                 Col("按投资额", "rate"), Col("公式")],
                [[r.name, r.numerator, r.denominator, r.by_count, r.by_amount, r.formula]
                 for r in m.rates.values()])
    rows = (m.warnings if what == "warnings" else m.date_unknown if what == "undated"
            else [x for v in m.sanwei.values() for x in v])
    return STALLED, [[x.name, x.stage, x.days,
                      x.light or ("日期未知" if not x.date_known else ""),
                      entity_name(atlas, x.county), x.team or "", x.project_id] for x in rows]


def template(atlas: Atlas) -> bytes:
    """The ledger template workbook: ledger columns, a sample row, drop-down lists for
    阶段, 县区 and 开发区 drawn from the atlas, and the filling rules."""
    county = next(iter(sorted(atlas.counties.values(), key=lambda c: c.id)), None)
    park = next((p for p in sorted(atlas.parks.values(), key=lambda p: p.id)
                 if county is None or p.county == county.id), None)
    segment = next(iter(sorted(atlas.segments.values(), key=lambda s: s.id)), None)
    sample = ["XM-2026-001", "（示例）年产 X 万吨 XX 项目", "（示例）投资方全称", "",
              county.name if county else "", park.name if park else "",
              segment.name if segment else "", 5.0, ProjectStage.contact.value,
              dt.date(2026, 11, 1), "（示例）XX 招商专班", "示例行，导入前请删除"]
    synonyms = "、".join(f"{k}→{v.value}" for k, v in STAGE_SYNONYMS.items() if k != v.value)
    notes = [
        f"必填列：{'、'.join(REQUIRED)}；列的顺序不限，括号全角半角均可。",
        "项目编号填本市台账的项目编号（如 XM-2026-001），系统另行生成内部编号；"
        "再次导入同一编号即更新该项目。",
        "投资额单位为亿元；也可写带单位的文字，如 5亿元、5000万元。",
        "阶段日期可写 2026-11-01、2026/11/01、2026.11.1、2026年11月1日 或 Excel 日期。",
        f"阶段可选：{'、'.join(s.value for s in ProjectStage)}；也认：{synonyms}。",
        "县区、开发区从下拉列表选择；环节填环节名称，多个用顿号分隔。",
        "阶段变化须逐级推进（回退或终止须在备注说明原因并走阶段变更）；任何一行有误则整表不导入，并列出行号与列。",
    ]
    return template_xlsx(LEDGER, sample, {
        "阶段": [s.value for s in ProjectStage],
        "县区": [c.name for c in sorted(atlas.counties.values(), key=lambda c: c.id)],
        "开发区": [p.name for p in sorted(atlas.parks.values(), key=lambda p: p.id)],
    }, notes)
