"""Confidence (high / medium / low) of a computed status, from the evidence behind it.

Rule (README "Gap rules", ``[confidence]`` in ``rules.toml``):

* **Present** (strong or weak): support = Σ over the evidence items (counted firms,
  producing projects, facts, scale verdicts, co-producers) of
  ``confidence.grade_score[grade]`` x (``presence.inferred_factor`` when inferred). **high**
  when support ≥ ``high_support`` from at least ``high_min_items`` items, **medium** when
  support ≥ ``medium_support``, else **low** (``evidence_support``). When every item is
  inferred the level is at most medium (``inferred_only``): an inferred firm or a
  name-guessed anchor never gives high confidence.
* **Absent** (missing or broken): **high** when an applicable assessment calls it a gap
  (``assessed_gap``); **medium** when the region builds toward it (``pipeline_known``) or a
  segment feeding it or fed by it is present in the region (``neighbour_present``: the
  local context around the link is recorded); **low** otherwise (``no_coverage``: nothing
  is recorded around this link here, so its absence is not established).
* Then one level down for unplaced evidence on the segment in a county/park view
  (``unplaced_evidence``), one level up for an agreeing assessment of a present segment
  (``assessment_agrees``), one level down for each disagreeing class
  (``assessment_conflicts``).

Example: one local firm read in a document (grade strong) gives support 1.0: medium; two such
firms 2.0: high; one firm whose segment was guessed from its name 0.5: low.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.analysis.assessments import AssessmentView
from graph.analysis.index import AnalysisIndex
from graph.analysis.presence import Presence, RegionFilter
from graph.analysis.rules import Confidence, Rules

LEVELS: tuple[Confidence, ...] = ("low", "medium", "high")
CONFIDENCE_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
Basis = list[tuple[str, str]]


def _shift(level: Confidence, by: int) -> Confidence:
    return LEVELS[max(0, min(2, LEVELS.index(level) + by))]


def _assessment_shift(views: Sequence[AssessmentView], basis: Basis, *, agree_up: bool) -> int:
    by = 0
    clash = sorted({v.verdict for v in views if not v.agrees})
    if clash:
        basis.append(("assessment_conflicts",
                      f"与文件判断「{'、'.join(clash)}」不一致，置信度降一级"))
        by -= 1
    agree = sorted({v.verdict for v in views if v.agrees})
    if agree and agree_up:
        basis.append(("assessment_agrees", f"与文件判断「{'、'.join(agree)}」一致，置信度升一级"))
        by += 1
    return by


def present_confidence(idx: AnalysisIndex, pres: Presence, views: Sequence[AssessmentView],
                       rules: Rules) -> tuple[Confidence, Basis]:
    """Confidence of a present segment's status (module rule) and its basis."""
    c = rules.confidence
    factor = rules.presence.inferred_factor
    support = round(sum(c.grade_score.get(e.grade, 0.0) * (factor if e.inferred else 1.0)
                        for e in pres.evidence), 4)
    items = len(pres.evidence)
    inferred = sum(1 for e in pres.evidence if e.inferred)
    level: Confidence = ("high" if support >= c.high_support and items >= c.high_min_items
                         else "medium" if support >= c.medium_support else "low")
    basis: Basis = [("evidence_support", (
        f"依据{items}项（其中推定{inferred}项），支撑度{support:g}"
        f"（高≥{c.high_support:g}且≥{c.high_min_items}项，中≥{c.medium_support:g}）"))]
    level = _shift(level, _assessment_shift(views, basis, agree_up=True))
    if items and inferred == items and level == "high":
        basis.append(("inferred_only", "全部依据均为推定，置信度至多为中"))
        level = "medium"
    return level, basis


def absent_confidence(idx: AnalysisIndex, pres: Presence, views: Sequence[AssessmentView],
                      neighbour_present: bool, building: bool, region: RegionFilter
                      ) -> tuple[Confidence, Basis]:
    """Confidence that a segment is really absent (module rule) and its basis."""
    basis: Basis = []
    level: Confidence
    gaps = sorted({v.verdict for v in views if v.verdict_class == "gap"})
    if gaps:
        level = "high"
        basis.append(("assessed_gap", f"文件亦判断为「{'、'.join(gaps)}」"))
    elif building:
        level = "medium"
        basis.append(("pipeline_known", "本地正在招引或建设该环节，缺失已知"))
    elif neighbour_present:
        level = "medium"
        basis.append(("neighbour_present", "上下游相邻环节本地有记录，但无文件判断"))
    else:
        level = "low"
        basis.append(("no_coverage",
                      "本地区该环节及其上下游均无企业、项目或数据记录，也无文件判断：缺失未经确认"))
    if pres.unplaced and not region.citywide:
        names = "、".join(idx.name(i) for i in pres.unplaced[:5])
        basis.append(("unplaced_evidence",
                      f"有未记录县区/园区的项目或数据（{names}），可能位于本地区"))
        level = _shift(level, -1)
    level = _shift(level, _assessment_shift(views, basis, agree_up=False))
    return level, basis
