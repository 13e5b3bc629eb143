"""The officer-facing pages over the real seed atlas and the mini atlas: home, search,
profiles, chain pages, target lists and briefings (HTTP level; the browser tests are in
tests/test_pages_browser.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from graph.model import Atlas, Role
from tests.conftest import API_KEY
from visual.views import home_place, home_view

PROBE = "<img src=x onerror=alert(1)>"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag in ("script", "img", "link") and (a.get("src") or a.get("href")):
            self.srcs.append(a.get("src") or a.get("href") or "")


def links(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def test_home_lists_every_chain_and_links_resolve(seed_client: TestClient,
                                                  seed_atlas: Atlas) -> None:
    r = seed_client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "form-action 'self'" in r.headers["Content-Security-Policy"]  # search form works
    html = r.text
    for ch in seed_atlas.chains.values():
        assert f'href="/chain/{ch.id}"' in html
    for heading in ("产业链完整度", "全市重点缺口", "项目四库", "预警", "错位招商"):
        assert heading in html
    found = links(html)
    assert all((s.startswith("/") and not s.startswith("//")) or s == "data:,"
               for s in found.srcs), found.srcs
    pages = sorted({h for h in found.hrefs if h.startswith("/") and not h.endswith(".pdf")})
    assert len(pages) > 80
    for href in pages:  # every item links onward to a page that exists
        assert seed_client.get(href).status_code == 200, href


def test_home_view_top_gaps_carry_targets(seed_atlas: Atlas) -> None:
    import datetime as dt

    view = home_view(seed_atlas, today=dt.date(2026, 11, 1))
    assert len(view.gaps) == 10 and view.total_gaps >= 10
    assert any(g.targets for g in view.gaps)
    assert [g.gap.priority for g in view.gaps] == sorted((g.gap.priority for g in view.gaps),
                                                         reverse=True)
    assert {r.label for r in view.rates} == {"签约开工率", "开工投产率", "投产达效率"}


def test_search_page_finds_pinyin_and_initials(seed_client: TestClient,
                                               seed_atlas: Atlas) -> None:
    firm = next(c for c in sorted(seed_atlas.companies.values(), key=lambda c: c.id)
                if c.role is Role.anchor)
    from graph.search import pinyin_keys

    full, initials = pinyin_keys(firm.name)
    for q in (firm.name[:3], full[:10], initials):
        html = seed_client.get("/search", params={"q": q}).text
        assert f'href="/company/{firm.id}"' in html, q
    assert "无匹配结果" in seed_client.get("/search", params={"q": "zzzzqqqxx"}).text


def test_profiles_of_every_kind(seed_client: TestClient, seed_atlas: Atlas) -> None:
    target = next(c for c in sorted(seed_atlas.companies.values(), key=lambda c: c.id)
                  if c.role is Role.target and c.province == c.city and c.city)
    html = seed_client.get(f"/company/{target.id}").text
    assert "企业画像" in html and "作为招商目标" in html
    assert f"{target.city}{target.city}" not in html  # 北京市北京市 is written once
    for kind, table in (("segment", seed_atlas.segments), ("institute", seed_atlas.institutes),
                        ("association", seed_atlas.associations),
                        ("county", seed_atlas.counties), ("park", seed_atlas.parks),
                        ("project", seed_atlas.projects)):
        eid = sorted(table)[0]
        r = seed_client.get(f"/{kind}/{eid}")
        assert r.status_code == 200, (kind, eid)
        assert "来源" in r.text and table[eid].name in r.text
    r = seed_client.get("/company/no-such-firm")
    assert r.status_code == 404


def test_chain_page_views_county_headline_and_targets(seed_client: TestClient,
                                                      seed_atlas: Atlas) -> None:
    html = seed_client.get("/chain/ch.materials").text
    for view in ("产业链图谱", "区域分布图", "招商目标清单", "技术路线图", "应用领域图"):
        assert view in html
    assert "全市完整度" in html
    county = sorted(seed_atlas.counties)[0]
    name = seed_atlas.counties[county].name
    html = seed_client.get("/chain/ch.materials", params={"county": county}).text
    assert f"{name}完整度" in html and "全市完整度" not in html
    assert seed_client.get("/chain/ch.materials", params={"county": "county.nope"}
                           ).status_code == 422
    targets = seed_client.get("/chain/ch.materials/targets").text
    assert "评分" in targets and 'href="/company/' in targets


def test_briefings_print_css_and_reasons_without_codes(seed_client: TestClient) -> None:
    html = seed_client.get("/brief/chain/ch.coking.nylon").text
    assert "<svg" in html and "环节状态与原因" in html and "重点目标企业" in html
    assert "no_local_firm" not in html and "single_firm" not in html
    css = seed_client.get("/static/site.css").text
    assert "@media print" in css
    seg = re.search(r'href="/brief/segment/([^/"]+)/([^"]+)"',
                    seed_client.get("/chain/ch.coking.nylon/targets").text)
    assert seg is not None
    one = seed_client.get(f"/brief/segment/{seg.group(1)}/{seg.group(2)}")
    assert one.status_code == 200 and "招商简报" in one.text


def test_pages_escape_names(mini_client: TestClient) -> None:
    body = {"id": "co.t.probe", "name": PROBE, "role": "target", "province": PROBE,
            "src": {"public": PROBE}}
    r = mini_client.post("/api/v1/companies", json=body, headers={"X-API-Key": API_KEY})
    assert r.status_code == 201, r.text
    html = mini_client.get("/company/co.t.probe").text
    assert PROBE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert PROBE not in mini_client.get("/search", params={"q": "img"}).text


def test_home_place_writes_municipalities_once() -> None:
    assert home_place("上海市", "上海市") == "上海市"
    assert home_place("浙江省", "杭州市") == "浙江省杭州市"
