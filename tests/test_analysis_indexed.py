"""The indexed analysis path gives the straightforward path's results on the seed atlas.

The shortcuts (local firms per region, institute cooperators, names, the chain's diagnosis
reused across its gaps) are checked against the plain computations they replace: a scan
of every company, of every cooperation, the atlas's own lookup, a fresh diagnosis on a
fresh copy of the atlas; the top k against the full ranking.
"""

from __future__ import annotations

import pytest

from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.index import analysis_index
from graph.analysis.presence import RegionFilter
from graph.analysis.targets import rank_targets
from graph.model import ENTITY_TYPES, Atlas


def _copy(atlas: Atlas) -> Atlas:
    """Same tables, a new atlas object: a cold index, nothing memoised."""
    return Atlas.from_tables({n: getattr(atlas, n) for n in Atlas.model_fields})


def _gaps(atlas: Atlas) -> list[tuple[str, str]]:
    return [(c, s.segment_id) for c in sorted(atlas.chains)
            for s in diagnose_chain(atlas, c).segments if s.status in ("missing", "broken")]


def test_index_tables_equal_plain_scans(seed_atlas: Atlas) -> None:
    idx = analysis_index(seed_atlas)
    regions = [RegionFilter(), *(RegionFilter(county=c) for c in seed_atlas.counties),
               *(RegionFilter(park=p) for p in seed_atlas.parks)]
    for region in regions:
        scan = {c.id for c in seed_atlas.companies.values() if region.has_firm(c)}
        assert idx.local_firms(region) == scan
    assert idx.local_firms(RegionFilter()), "the seed atlas has local firms"
    for co in seed_atlas.cooperates:
        assert co.company in idx.cooperators[co.institute]
    assert sum(len(v) for v in idx.cooperators.values()) == len(
        {(c.company, c.institute) for c in seed_atlas.cooperates})
    for kind in ENTITY_TYPES:
        for eid, e in seed_atlas.entities(kind).items():
            assert idx.name(eid) == e.name
    assert idx.name("no.such-id") == "no.such-id"


def test_ranking_equals_cold_full_ranking(seed_atlas: Atlas) -> None:
    gaps = _gaps(seed_atlas)
    assert len(gaps) >= 20, "the seed atlas has gaps to rank"
    ranked = 0
    for chain, seg in gaps:
        warm = rank_targets(seed_atlas, chain, seg, top=20)
        cold = rank_targets(_copy(seed_atlas), chain, seg, top=20)
        assert warm == cold, (chain, seg)
        full = rank_targets(_copy(seed_atlas), chain, seg, top=1_000_000)
        assert warm == full[:20], (chain, seg)
        assert [r.score for r in full] == sorted((r.score for r in full), reverse=True)
        ranked += bool(warm)
    assert ranked >= 10, "most gaps have candidates"


@pytest.mark.parametrize("county", [None, "first"])
def test_county_ranking_and_gaps_unchanged_by_warm_caches(seed_atlas: Atlas,
                                                         county: str | None) -> None:
    cid = sorted(seed_atlas.counties)[0] if county else None
    chain, seg = _gaps(seed_atlas)[0]
    assert rank_targets(seed_atlas, chain, seg, county=cid) == rank_targets(
        _copy(seed_atlas), chain, seg, county=cid)
    assert city_gaps(seed_atlas, county=cid) == city_gaps(_copy(seed_atlas), county=cid)
