"""The city's own assessments beside the computed status, and the conflicts between them.

Rule (README "Gap rules"): an assessment of a segment *applies* to a view of a region when

* it is made for that same place (city-wide for the city-wide view, the county for a county
  view, the park for a park view), or
* it is a **gap** (空白 缺失 短板 薄弱 卡脖子 配套率低 依赖外地) made for a larger place that
  contains the region (a city-wide 空白 is a gap in every county), or
* it is a **strength** (优势 龙头 链主 超过百亿) made for a place inside the region (a county's
  优势 is a strength of the city).

The class of an applicable assessment **agrees** with the computed status when gap ↔ weak,
missing or broken and strength ↔ strong; otherwise it is a **conflict**, listed with both
sides, never resolved either way (the computed status stays what the rules say).

Example: the plan calls 己内酰胺 空白 city-wide; the computed status is missing: they agree,
and in the 河津 county view the same assessment applies (gap of a larger place). A county
优势 for 果品种植 in 临猗 applies to the city-wide view; if the computed status there were
missing it would be listed as a conflict.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from graph.analysis.index import AnalysisIndex
from graph.analysis.presence import RegionFilter
from graph.model import Assessment, Source, Verdict

VerdictClass = Literal["gap", "strength"]
AGREES: dict[VerdictClass, frozenset[str]] = {
    "gap": frozenset({"weak", "missing", "broken"}),
    "strength": frozenset({"strong"}),
}


class AssessmentView(BaseModel):
    """A sourced assessment shown beside a computed status."""

    id: str
    verdict: Verdict
    verdict_class: VerdictClass
    county: str | None = None
    park: str | None = None
    agrees: bool = Field(description="Whether its class agrees with the computed status.")
    src: Source = Field(description="Where the city says so (document quote or public note).")


class Conflict(BaseModel):
    """A disagreement between the computed status and the city's own assessment."""

    segment_id: str
    segment_name: str
    region: str | None = Field(description="The view's county or park id; None city-wide.")
    computed: str = Field(description="The computed status.")
    assessment_id: str
    verdict: Verdict
    verdict_class: VerdictClass
    quote: str = Field(description="The document quote or public note behind the assessment.")
    message: str


def _place(idx: AnalysisIndex, a: Assessment) -> tuple[str | None, str | None]:
    """(county, park) of an assessment, the county filled in from the park."""
    park = idx.atlas.parks.get(a.park or "")
    return (a.county or (park.county if park else None)), a.park


def applies(idx: AnalysisIndex, a: Assessment, region: RegionFilter) -> bool:
    """Whether assessment ``a`` speaks about the segment in ``region`` (module rule)."""
    county, park = _place(idx, a)
    region_county = region.county or (
        idx.atlas.parks[region.park].county if region.park in idx.atlas.parks else None)
    same = (county, park) == (region_county, region.park) if region.park else (
        park is None and county == region.county)
    if same:
        return True
    if a.verdict_class == "gap":  # made for a larger place containing the region
        if county is None and park is None:
            return True
        return region.park is not None and park is None and county == region_county
    # a strength made for a place inside the region
    if region.citywide:
        return True
    return region.park is None and county == region.county


def assessment_views(idx: AnalysisIndex, segment_id: str, region: RegionFilter, status: str
                     ) -> list[AssessmentView]:
    """Every assessment of the segment that applies to ``region``, in id order."""
    out = []
    for a in idx.assessments_by_segment.get(segment_id, ()):
        if applies(idx, a, region):
            out.append(AssessmentView(
                id=a.id, verdict=a.verdict, verdict_class=a.verdict_class, county=a.county,
                park=a.park, agrees=status in AGREES[a.verdict_class], src=a.src))
    return out


CLASS_ZH: dict[VerdictClass, str] = {"gap": "短板/缺失类", "strength": "优势类"}
STATUS_ZH = {"strong": "强", "weak": "弱", "missing": "缺失", "broken": "断链"}


def conflicts(idx: AnalysisIndex, segment_id: str, region: RegionFilter, status: str,
              views: list[AssessmentView]) -> list[Conflict]:
    """The views that disagree with ``status``, as conflicts."""
    name = idx.name(segment_id)
    out = []
    for v in views:
        if v.agrees:
            continue
        place = v.park or v.county
        where = idx.name(place) if place else "全市"
        quote = v.src.quote or v.src.public or v.src.key or ""
        out.append(Conflict(
            segment_id=segment_id, segment_name=name, region=region.id, computed=status,
            assessment_id=v.id, verdict=v.verdict, verdict_class=v.verdict_class, quote=quote,
            message=(f"计算结果为「{STATUS_ZH.get(status, status)}」，而文件对{where}该环节的判断"
                     f"为「{v.verdict}」（{CLASS_ZH[v.verdict_class]}）：两者不一致，需核实")))
    return out
