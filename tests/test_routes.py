"""Technology routes and application fields: route-aware reasons, customers apart from
producers, loader errors for bad routes, the seed atlas's carbon-fibre answer, CLI."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from graph.analysis.routes import (
    allowed_upstream,
    application_links,
    chain_applications,
    chain_routes,
    customers_of,
    firms_on_local_routes,
    route_of,
    route_paths,
)
from graph.errors import NotFound, SeedErrors
from graph.loader import load_seeds
from graph.model import Atlas, Role
from visual.render import render_html
from visual.routes import application_map, route_map

FIXTURES = Path(__file__).parent / "fixtures"


def _root(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "routes").mkdir()
    shutil.copy(FIXTURES / "routes" / "carbon.yaml", root / "routes" / "carbon.yaml")
    if extra:
        (root / "routes" / "bad.yaml").write_text(textwrap.dedent(extra), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    return load_seeds(_root(tmp_path_factory.mktemp("routes")))


def test_routes_load_with_their_steps(atlas: Atlas) -> None:
    assert set(atlas.routes) == {"route.t.pan", "route.t.pitch"}
    assert atlas.routes["route.t.pitch"].steps[0].inputs == ["煤沥青"]
    assert atlas.companies["co.t.pan"].routes == ["route.t.pan"]
    assert [r.id for r in chain_routes(atlas, "ch.t.carbon")] == ["route.t.pan", "route.t.pitch"]


def test_pan_maker_gets_no_coal_tar_path(atlas: Atlas) -> None:
    assert [r.id for r in route_of(atlas, "co.t.pan", "seg.t.cf")] == ["route.t.pan"]
    assert route_paths(atlas, "co.t.pan", "seg.t.cf") == []
    assert allowed_upstream(atlas, "co.t.pan", "seg.t.cf", ["seg.t.tar"]) == ()


def test_pitch_maker_gets_the_coal_tar_path(atlas: Atlas) -> None:
    paths = route_paths(atlas, "co.t.pitch", "seg.t.cf")
    assert paths == ["焦油深加工（本地：测试焦油化工） —沥青基碳纤维→ 碳纤维 ←生产— 测试沥青碳纤维"]
    assert allowed_upstream(atlas, "co.t.pitch", "seg.t.cf", ["seg.t.tar"]) == ("seg.t.tar",)


def test_unknown_route_keeps_generic_upstream_but_claims_no_route(atlas: Atlas) -> None:
    assert route_of(atlas, "co.t.unknown", "seg.t.cf") == []
    assert route_paths(atlas, "co.t.unknown", "seg.t.cf") == []
    assert allowed_upstream(atlas, "co.t.unknown", "seg.t.cf", ["seg.t.tar"]) == ("seg.t.tar",)


def test_firms_on_local_routes_lists_only_pitch_based(atlas: Atlas) -> None:
    fits = firms_on_local_routes(atlas, "seg.t.cf")
    assert [(f.company_id, f.route_id) for f in fits] == [("co.t.pitch", "route.t.pitch")]
    assert fits[0].local_firms == ["co.t.tar"] and fits[0].role is Role.target
    with pytest.raises(NotFound):
        firms_on_local_routes(atlas, "seg.nope")


def test_customers_are_not_producers(atlas: Atlas) -> None:
    views = chain_applications(atlas, "ch.t.nylon")
    assert [v.application_id for v in views] == ["app.t.pa66-auto"]
    v = views[0]
    assert v.customers == ["co.t.fabric"]
    assert "co.t.fabric" not in v.producers_local
    assert customers_of(atlas, "seg.t.pa66") == ["co.t.fabric"]
    assert not any(op.company == "co.t.fabric" and op.segment == "seg.t.pa66"
                   for op in atlas.operates)
    assert v.extends_absent == ["seg.t.cf"]  # parts has the local fabric firm, cf none
    assert application_links(atlas)["seg.t.pa66"] == {"seg.t.parts", "seg.t.cf"}


BAD = [
    ("unknown product", """
     routes:
       - {id: route.t.bad, name: 坏, chain: ch.t.carbon, product: seg.nope, maturity: 成熟,
          steps: [{name: 一}], src: {public: 例, as_of: 2026-11-01}}
     """, "routes[0].product", "unknown segment 'seg.nope'"),
    ("bad maturity", """
     routes:
       - {id: route.t.bad, name: 坏, chain: ch.t.carbon, product: seg.t.cf, maturity: 很好,
          steps: [{name: 一}], src: {public: 例, as_of: 2026-11-01}}
     """, "routes[0].maturity", ""),
    ("no steps", """
     routes:
       - {id: route.t.bad, name: 坏, chain: ch.t.carbon, product: seg.t.cf, maturity: 成熟,
          steps: [], src: {public: 例, as_of: 2026-11-01}}
     """, "routes[0].steps", ""),
    ("bad prefix", """
     routes:
       - {id: rt.bad, name: 坏, chain: ch.t.carbon, product: seg.t.cf, maturity: 成熟,
          steps: [{name: 一}], src: {public: 例, as_of: 2026-11-01}}
     """, "routes[0].id", "route."),
    ("unknown used segment", """
     routes:
       - {id: route.t.bad, name: 坏, chain: ch.t.carbon, product: seg.t.cf, maturity: 成熟,
          steps: [{name: 一}], uses_segments: [seg.nope], src: {public: 例, as_of: 2026-11-01}}
     """, "routes[0].uses_segments[0]", "unknown segment"),
    ("firm route for a segment it does not make", """
     companies:
       - {id: co.t.bad, name: 坏企业, role: target, routes: [route.t.pitch],
          segments: [seg.t.tar], src: {public: 例, as_of: 2026-11-01}}
     """, "companies[0].routes[0]", "does not operate in"),
    ("unknown customer", """
     applications:
       - {id: app.t.bad, name: 坏, segment: seg.t.cf, field: 汽车, customers: [co.nope],
          src: {public: 例, as_of: 2026-11-01}}
     """, "applications[0].customers[0]", "unknown company"),
]


@pytest.mark.parametrize(("text", "field", "part"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_routes_name_file_and_field(tmp_path: Path, text: str, field: str,
                                        part: str) -> None:
    with pytest.raises(SeedErrors) as exc:
        load_seeds(_root(tmp_path, text))
    hits = [p for p in exc.value.problems if "bad.yaml" in p.file and p.field == field]
    assert hits, [str(p) for p in exc.value.problems]
    assert part in hits[0].message


def test_maps_render_escaped(atlas: Atlas) -> None:
    r = route_map(atlas, "ch.t.carbon")
    assert {"route.t.pan", "route.t.pitch", "local:seg.t.tar", "seg.t.cf"} <= r.node_ids()
    assert any(e.source == "local:seg.t.tar" and e.target == "route.t.pitch" for e in r.edges)
    assert not any(e.source == "local:seg.t.tar" and e.target == "route.t.pan" for e in r.edges)
    a = application_map(atlas, "ch.t.nylon")
    assert {"app.t.pa66-auto", "customer:co.t.fabric", "extends:seg.t.cf"} <= a.node_ids()
    html = render_html(a)
    assert "<script>alert" not in html and "应用领域图" in html
    with pytest.raises(NotFound):
        route_map(atlas, "ch.nope")


def test_seed_carbon_fibre_answer_is_route_aware(seed_atlas: Atlas) -> None:
    """PAN-based leaders get no coal-tar path; the pitch-based makers do, on 永东's tar."""
    for pan in ("688295.SH", "000420.SZ", "300699.SZ", "300777.SZ", "co.hengshen",
                "co.tisco-carbon-fiber"):
        assert [r.id for r in route_of(seed_atlas, pan, "seg.carbon.carbon-fiber")] == [
            "route.carbon-fiber.pan"]
        assert route_paths(seed_atlas, pan, "seg.carbon.carbon-fiber") == []
        assert allowed_upstream(seed_atlas, pan, "seg.carbon.carbon-fiber",
                                ["seg.carbon.precursor"]) == ()
    fits = firms_on_local_routes(seed_atlas, "seg.carbon.carbon-fiber")
    assert fits and {f.route_id for f in fits} == {"route.carbon-fiber.pitch"}
    assert all("002753.SZ" in f.local_firms for f in fits)
    assert not {"688295.SH", "000420.SZ", "300699.SZ"} & {f.company_id for f in fits}


def test_seed_counts(seed_atlas: Atlas) -> None:
    assert len(seed_atlas.routes) >= 30
    assert len(seed_atlas.applications) >= 15
    assert sum(1 for c in seed_atlas.companies.values() if c.routes) >= 30
    products = {r.product for r in seed_atlas.routes.values()}
    for seg in ("seg.nylon.caprolactam", "seg.nylon.pa66", "seg.carbon.carbon-fiber",
                "seg.nev.battery", "seg.pv.cell", "seg.h2.production",
                "seg.magnesium.primary", "seg.semiconductor.substrate"):
        assert seg in products, seg
    assert len({r.id for r in seed_atlas.routes.values() if r.product == "seg.nylon.pa66"}) == 3


def test_extension_uses_application_fields(tmp_path: Path) -> None:
    """An application field of a strong segment naming an absent one relates them (weight
    ``[extension] application``); without it the absent segment is not a candidate."""
    from graph.analysis.extension import extension_candidates

    base = load_seeds(_root(tmp_path / "a"))
    assert "seg.t.pa6" not in {e.segment_id for e in extension_candidates(base, "ch.t.carbon")}
    atlas = load_seeds(_root(tmp_path / "b", """
     applications:
       - {id: app.t.tar-pa6, name: 焦油·尼龙, segment: seg.t.tar, field: 化工,
          extends_to: [seg.t.pa6], src: {public: 测试, as_of: 2026-11-01}}
     """))
    hit = {e.segment_id: e for e in extension_candidates(atlas, "ch.t.carbon")}["seg.t.pa6"]
    assert hit.components == {"application": 0.5}
    assert hit.reasons == ["焦油深加工（本地强） —应用领域→ 尼龙6"]
