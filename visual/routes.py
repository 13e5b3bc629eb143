"""Technology-route map (技术路线图) and application-field map (应用领域图) of a chain.

Rule (route map): one row per route of the chain (:func:`graph.analysis.routes.chain_routes`),
its steps left to right (inputs → outputs in the tooltip), the locally present segments it
draws on in the left column (orange edges) and the segment it makes on the right; a route's
box says its maturity and how many firms produce by it; clicking lists those firms. A filter
per product segment shows only its routes.

Rule (application map): the chain's segments with application fields
(:func:`graph.analysis.routes.chain_applications`) on the left, their fields in the middle,
the local customer firms (users, not producers) and the segments 延链 could add on the right;
extension segments without a local firm are dashed.

Example: ``route_map(atlas, "ch.materials.carbon")`` has a row for PAN基碳纤维 and one for
沥青基碳纤维, the latter linked from 焦油深加工 (local 永东).
"""

from __future__ import annotations

from graph.analysis.routes import (
    chain_applications,
    chain_routes,
    local_firms,
    route_firms,
)
from graph.model import Atlas, Role
from visual.build import place, role_zh, short_name
from visual.model import (
    ANCHOR_COLOR,
    FIRM_COLOR,
    Detail,
    Edge,
    Filter,
    Item,
    LegendItem,
    MapData,
    Node,
    Section,
    chain_views,
)

ROW, COL = 110.0, 190.0
SEGMENT_COLOR = "#1565c0"
ROUTE_COLOR = "#00838f"
STEP_COLOR = "#eceff1"
LOCAL_COLOR = "#ef6c00"
FIELD_COLOR = "#6a1b9a"
ABSENT_COLOR = "#c62828"
MATURITY_COLOR = {"成熟": "#2e7d32", "产业化": "#00838f", "示范": "#f9a825", "研发": "#8d6e63"}


def _firm_items(atlas: Atlas, ids: list[str]) -> list[Item]:
    out = []
    for f in ids:
        c = atlas.companies[f]
        out.append(Item(text=c.name, notes=[f"{role_zh(c)} · {place(atlas, c)}"]))
    return out


def route_map(atlas: Atlas, chain_id: str, *, links: bool = False) -> MapData:
    """The technology-route map of ``chain_id`` (NotFound for an unknown chain)."""
    routes = chain_routes(atlas, chain_id)
    chain = atlas.chains[chain_id]
    nodes: list[Node] = []
    edges: list[Edge] = []
    details: dict[str, Detail] = {}
    width = max((len(r.steps) for r in routes), default=1)
    seg_rows: dict[str, list[float]] = {}
    local_y: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    for i, r in enumerate(routes):
        y = i * ROW
        seg_rows.setdefault(r.product, []).append(y)
        firms = route_firms(atlas, r.id)
        rid = f"{r.id}"
        members.setdefault(r.product, []).append(rid)
        color = MATURITY_COLOR[r.maturity]
        nodes.append(Node(
            id=rid, label=f"{r.name}\n{r.maturity} · 企业{len(firms)}家", group="route",
            x=COL, y=y, size=20, color=color, border=color, shape="box", font_size=13,
            title=f"{r.name}\n成熟度：{r.maturity}\n本地资源：{r.local_resources or '无'}",
            search=" ".join([r.name, *r.aliases])))
        local = [s for s in r.uses_segments if local_firms(atlas, s)]
        details[rid] = Detail(title=r.name, subtitle=f"成熟度：{r.maturity}", sections=[
            Section(key="steps", heading="工艺步骤", items=[
                Item(text=st.name, notes=[f"投入：{'、'.join(st.inputs) or '—'}",
                                          f"产出：{'、'.join(st.outputs) or '—'}"])
                for st in r.steps]),
            Section(key="local", heading="利用的本地环节/资源", items=[
                *(Item(text=atlas.segments[s].name, notes=[
                    "本地：" + "、".join(short_name(atlas.companies[f])
                                       for f in local_firms(atlas, s)[:5])]) for s in local),
                *([Item(text=r.local_resources)] if r.local_resources else [])],
                empty="不使用本地环节"),
            Section(key="firms", heading="采用此路线的企业", items=_firm_items(atlas, firms)),
            chain_views(chain_id, "routes")])
        prev = rid
        for j, st in enumerate(r.steps):
            sid = f"{r.id}#{j}"
            members[r.product].append(sid)
            nodes.append(Node(
                id=sid, label=st.name, group="step", x=COL * (j + 2), y=y, size=14,
                color=STEP_COLOR, border="#607d8b", shape="box", font_size=12,
                title=f"{st.name}\n投入：{'、'.join(st.inputs) or '—'}\n"
                      f"产出：{'、'.join(st.outputs) or '—'}",
                search=" ".join([*st.inputs, *st.outputs])))
            edges.append(Edge(source=prev, target=sid, kind="step", color="#607d8b",
                              arrow=True, width=1.5))
            prev = sid
        edges.append(Edge(source=prev, target=r.product, kind="makes", color=SEGMENT_COLOR,
                          arrow=True, width=2))
        for s in local:
            local_y.setdefault(s, y)
            members[r.product].append(f"local:{s}")
            edges.append(Edge(source=f"local:{s}", target=rid, kind="uses", color=LOCAL_COLOR,
                              arrow=True, width=2, dashed=True))
    for s, ys in seg_rows.items():
        seg = atlas.segments[s]
        nodes.append(Node(
            id=s, label=seg.name, group="segment", x=COL * (width + 2), y=sum(ys) / len(ys),
            size=26, color=SEGMENT_COLOR, border=SEGMENT_COLOR, font_size=16,
            title=f"{seg.name}\n技术路线{len(ys)}条", search=" ".join(seg.key_products)))
        details[s] = Detail(title=seg.name, subtitle=f"技术路线{len(ys)}条", sections=[
            Section(key="routes", heading="技术路线", items=[
                Item(text=atlas.routes[r].name, notes=[f"成熟度：{atlas.routes[r].maturity}"])
                for r in members[s] if r in atlas.routes]),
            chain_views(chain_id, "routes")])
        members[s].append(s)
    for s, y in local_y.items():
        seg = atlas.segments[s]
        firms = local_firms(atlas, s)
        nid = f"local:{s}"
        nodes.append(Node(
            id=nid, label=f"本地：{seg.name}", group="local", x=0.0, y=y, size=18,
            color=LOCAL_COLOR, border=LOCAL_COLOR, shape="diamond", font_size=13,
            title=f"{seg.name}（本地已有）\n" + "、".join(
                short_name(atlas.companies[f]) for f in firms[:5]),
            search=" ".join(atlas.companies[f].name for f in firms)))
        details[nid] = Detail(title=seg.name, subtitle="本地已有环节", sections=[
            Section(key="firms", heading="本地企业", items=_firm_items(atlas, firms)),
            chain_views(chain_id, "routes")])
    filters = [Filter(id=f"seg:{s}", label=atlas.segments[s].name, group="产品环节",
                      show=sorted(set(ids)))
               for s, ids in sorted(members.items())]
    legend = [*(LegendItem(label=f"路线（{m}）", color=c, shape="box")
                for m, c in MATURITY_COLOR.items()),
              LegendItem(label="工艺步骤", color=STEP_COLOR, shape="box"),
              LegendItem(label="本地已有环节", color=LOCAL_COLOR, shape="diamond"),
              LegendItem(label="产品环节", color=SEGMENT_COLOR)]
    return MapData(
        kind="routes", title=f"{chain.name} 技术路线图",
        subtitle=f"技术路线{len(routes)}条 · 产品环节{len(seg_rows)}个",
        nodes=nodes, edges=edges, details=details, filters=filters, filter_label="产品环节",
        legend=legend, links=links,
        note="每行一条技术路线：工艺步骤自左向右；橙色虚线表示路线利用的本地环节。点击路线查看采用企业。")


def application_map(atlas: Atlas, chain_id: str, *, links: bool = False) -> MapData:
    """The application-field map of ``chain_id`` (NotFound for an unknown chain)."""
    apps = chain_applications(atlas, chain_id)
    chain = atlas.chains[chain_id]
    nodes: list[Node] = []
    edges: list[Edge] = []
    details: dict[str, Detail] = {}
    seg_rows: dict[str, list[float]] = {}
    placed: set[str] = set()
    right_y = 0.0
    for i, a in enumerate(apps):
        y = i * ROW
        seg_rows.setdefault(a.segment_id, []).append(y)
        nodes.append(Node(
            id=a.application_id, label=a.field, group="field", x=COL * 1.6, y=y, size=18,
            color=FIELD_COLOR, border=FIELD_COLOR, shape="box", font_size=13,
            title=f"{a.name}\n产品：{'、'.join(a.products) or '—'}",
            search=" ".join([a.name, a.field, *a.products])))
        details[a.application_id] = Detail(title=a.name, subtitle=f"应用领域：{a.field}", sections=[
            Section(key="products", heading="应用产品", items=[Item(text=p) for p in a.products]),
            Section(key="customers", heading="本地客户企业（使用方，非生产方）",
                    items=_firm_items(atlas, a.customers)),
            Section(key="producers", heading="本地生产企业",
                    items=_firm_items(atlas, a.producers_local)),
            Section(key="extends", heading="可延链环节", items=[
                Item(text=atlas.segments[s].name,
                     notes=["本地暂无" if s in a.extends_absent else "本地已有"])
                for s in a.extends_to]),
            chain_views(chain_id, "applications")])
        edges.append(Edge(source=a.segment_id, target=a.application_id, kind="applies",
                          color=FIELD_COLOR, arrow=True, width=2))
        for kind, ids in (("customer", a.customers), ("extends", a.extends_to)):
            for t in ids:
                nid = f"{kind}:{t}"
                edges.append(Edge(source=a.application_id, target=nid, kind=kind,
                                  color=ANCHOR_COLOR if kind == "customer" else "#90a4ae",
                                  dashed=kind == "extends", arrow=True))
                if nid in placed:
                    continue
                placed.add(nid)
                if kind == "customer":
                    c = atlas.companies[t]
                    anchor = c.role is Role.anchor
                    nodes.append(Node(
                        id=nid, label=short_name(c), group="customer", x=COL * 3.4,
                        y=right_y, size=12, color=ANCHOR_COLOR if anchor else FIRM_COLOR,
                        border="#37474f", shape="star" if anchor else "dot", font_size=12,
                        title=f"{c.name}\n{role_zh(c)}\n{place(atlas, c)}",
                        search=" ".join([c.name, *c.aliases])))
                    details[nid] = Detail(title=c.name, subtitle="应用领域客户", sections=[
                        Section(key="fields", heading="所在应用领域", items=[
                            Item(text=b.name) for b in apps if t in b.customers]),
                        chain_views(chain_id, "applications")])
                else:
                    seg = atlas.segments[t]
                    absent = t in a.extends_absent
                    color = ABSENT_COLOR if absent else "#2e7d32"
                    nodes.append(Node(
                        id=nid, label=seg.name, group="extension", x=COL * 5.0, y=right_y,
                        size=14, color=color, border=color, shape="diamond", dashed=absent,
                        font_size=12,
                        title=f"{seg.name}\n{'本地暂无，可延链' if absent else '本地已有'}",
                        search=" ".join(seg.key_products)))
                right_y += ROW / 2
    for s, ys in seg_rows.items():
        seg = atlas.segments[s]
        nodes.append(Node(
            id=s, label=seg.name, group="segment", x=0.0, y=sum(ys) / len(ys), size=26,
            color=SEGMENT_COLOR, border=SEGMENT_COLOR, font_size=16,
            title=f"{seg.name}\n应用领域{len(ys)}个", search=" ".join(seg.key_products)))
        details[s] = Detail(title=seg.name, subtitle=f"应用领域{len(ys)}个", sections=[
            Section(key="fields", heading="应用领域", items=[
                Item(text=a.name) for a in apps if a.segment_id == s]),
            chain_views(chain_id, "applications")])
    legend = [LegendItem(label="产品环节", color=SEGMENT_COLOR),
              LegendItem(label="应用领域", color=FIELD_COLOR, shape="box"),
              LegendItem(label="本地客户（链主/龙头）", color=ANCHOR_COLOR, shape="star"),
              LegendItem(label="本地客户", color=FIRM_COLOR),
              LegendItem(label="可延链环节（本地暂无）", color=ABSENT_COLOR, shape="diamond",
                         dashed=True),
              LegendItem(label="延链环节（本地已有）", color="#2e7d32", shape="diamond")]
    return MapData(
        kind="applications", title=f"{chain.name} 应用领域图",
        subtitle=f"应用领域{len(apps)}个 · 产品环节{len(seg_rows)}个",
        nodes=nodes, edges=edges, details=details, legend=legend, links=links,
        note="产品 → 应用领域 → 本地客户企业（使用方）与可延链环节。客户不计为生产企业。")
