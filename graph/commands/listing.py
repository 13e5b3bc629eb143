"""``chain-atlas ls KIND [--q TEXT]``: list entities with their ids (names, pinyin, aliases)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.cliatlas import store_atlas
from graph.model import Atlas, Chain, Company, Entity, Park, Project, Segment
from graph.resolve import KIND_ZH
from graph.search import SearchIndex


class Listed(StrEnum):
    """Kinds `ls` lists (plural, as typed)."""

    chains = "chains"
    segments = "segments"
    counties = "counties"
    parks = "parks"
    companies = "companies"
    institutes = "institutes"
    associations = "associations"
    projects = "projects"


_KIND = {"chains": "chain", "segments": "segment", "counties": "county", "parks": "park",
         "companies": "company", "institutes": "institute", "associations": "association",
         "projects": "project"}


def _extra(atlas: Atlas, e: Entity) -> str:
    """One short Chinese column describing where the entity belongs."""
    if isinstance(e, Segment):
        return "、".join(atlas.chains[c].name for c in e.chains if c in atlas.chains)
    if isinstance(e, Company):
        role = {"anchor": "链主/龙头", "local": "本地企业", "target": "目标企业"}[e.role.value]
        place = atlas.counties[e.county].name if e.county in atlas.counties else (
            e.province or "")
        return f"{role} {place}".strip()
    if isinstance(e, Park):
        return atlas.counties[e.county].name if e.county in atlas.counties else ""
    if isinstance(e, Chain):
        return e.cluster
    if isinstance(e, Project):
        return f"{e.stage.value} {e.investor}"
    return ""


def register(app: typer.Typer) -> None:
    @app.command("ls")
    def ls_cmd(
        kind: Annotated[Listed, typer.Argument(help="What to list.")],
        q: Annotated[str | None, typer.Option(
            "--q", help="Only those matching this text (Chinese, pinyin, initials, alias).")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 200,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List chains, segments, counties, parks, companies … with their ids, to use in
        other commands (which also take names)."""
        atlas = store_atlas()
        k = _KIND[kind.value]
        table = atlas.entities(k)
        ids = [h.id for h in SearchIndex(atlas).search(q, {k})] if q else sorted(table)
        rows = [(i, table[i].name, _extra(atlas, table[i])) for i in ids[:limit]]
        if as_json:
            typer.echo(json.dumps([{"id": i, "name": n, "note": x} for i, n, x in rows],
                                  ensure_ascii=False, indent=2))
            return
        t = Table(title=f"{KIND_ZH[k]}（共 {len(ids)} 个）")
        for col in ("编号", "名称", "说明"):
            t.add_column(col)
        for row in rows:
            t.add_row(*row)
        Console(width=160).print(t)
        if len(ids) > limit:
            typer.echo(f"… 另有 {len(ids) - limit} 个，用 --q 或 --limit 查看", err=True)
