"""Chain-filling campaigns: start one with a baseline, report on it later.

A campaign's baseline is the diagnosis of its chain (in its county, if it has
one) on the day it starts. Its report compares today's diagnosis with that
baseline: *gaps closed* are the campaign's segments (or, if it names none, every
segment of the chain) that were missing or broken at the baseline and are
present (weak or strong) now; the completeness change is now minus then.

>>> from graph.model import Campaign
>>> c = Campaign(id="camp.x", name="尼龙补链", team="新材料专班", chain="ch.x",
...              started_on="2026-01-01", src={"public": "专班创建", "as_of": "2026-01-01"},
...              baseline={"completeness": 0.5, "statuses": {"seg.a": "missing"}})
>>> gaps_closed(c, {"seg.a": "weak"})
['seg.a']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pydantic import BaseModel

from graph.analysis.gaps import diagnose_chain
from graph.errors import InvalidInput
from graph.model import Atlas, Baseline, Campaign, Role

ABSENT = {"missing", "broken"}


def baseline(atlas: Atlas, campaign: Campaign) -> Baseline:
    """The diagnosis of the campaign's chain as it stands in ``atlas``."""
    d = diagnose_chain(atlas, campaign.chain, county=campaign.county)
    return Baseline(completeness=d.completeness,
                    statuses={s.segment_id: s.status for s in d.segments})


def start(atlas: Atlas, campaign: Campaign) -> Campaign:
    """The campaign with its baseline taken now; its targets must be outside firms
    and its connectors existing associations, institutes or firms."""
    problems = []
    for i, t in enumerate(campaign.targets):
        firm = atlas.companies.get(t.company)
        if firm is None:
            problems.append({"field": f"targets[{i}].company", "message": "unknown company"})
        elif firm.role is not Role.target:
            problems.append({"field": f"targets[{i}].company",
                             "message": "a campaign targets outside firms (role target)"})
    for i, c in enumerate(campaign.connectors):
        if c not in atlas.associations and c not in atlas.institutes and c not in atlas.companies:
            problems.append({"field": f"connectors[{i}]",
                             "message": "unknown association, institute or firm"})
    if problems:
        raise InvalidInput("campaign references are invalid", details=problems)
    return campaign.model_copy(update={"baseline": baseline(atlas, campaign)})


def gaps_closed(campaign: Campaign, now: Mapping[str, str]) -> list[str]:
    """Segments absent at the baseline and present in ``now`` (segment → status)."""
    if campaign.baseline is None:
        return []
    scope = campaign.segments or list(campaign.baseline.statuses)
    return sorted(s for s in scope if campaign.baseline.statuses.get(s) in ABSENT
                  and now.get(s) not in ABSENT and s in now)


class CampaignReport(BaseModel):
    campaign_id: str
    name: str
    team: str
    chain_id: str
    started_on: str
    completeness_then: float | None
    completeness_now: float
    completeness_change: float | None
    gaps_closed: list[str]
    gaps_open: list[str]
    targets_by_status: dict[str, int]
    projects_by_stage: dict[str, int]
    investment: float


def report(atlas: Atlas, campaign: Campaign) -> CampaignReport:
    """The campaign's progress against its baseline."""
    d = diagnose_chain(atlas, campaign.chain, county=campaign.county)
    now = {s.segment_id: s.status for s in d.segments}
    scope = campaign.segments or list(now)
    projects = [atlas.projects[p] for p in campaign.projects if p in atlas.projects]
    then = campaign.baseline.completeness if campaign.baseline else None
    return CampaignReport(
        campaign_id=campaign.id, name=campaign.name, team=campaign.team,
        chain_id=campaign.chain, started_on=campaign.started_on.isoformat(),
        completeness_then=then, completeness_now=d.completeness,
        completeness_change=None if then is None else round(d.completeness - then, 4),
        gaps_closed=gaps_closed(campaign, now),
        gaps_open=sorted(s for s in scope if now.get(s) in ABSENT),
        targets_by_status=dict(Counter(t.status for t in campaign.targets)),
        projects_by_stage=dict(Counter(p.stage.value for p in projects)),
        investment=round(sum(p.amount or 0 for p in projects), 4),
    )
