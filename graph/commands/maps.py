"""CLI: ``map`` exports an interactive map as one self-contained HTML file.

``chain-atlas map CHAIN -o FILE.html [--county X | --park Y]`` (chain map),
``chain-atlas map --atlas -o FILE.html`` (all chains) and ``chain-atlas map --regions -o
FILE.html`` (区域分布图). The file inlines vis-network and the data, makes no network
requests and is written atomically (a temp file renamed into place). Unknown ids exit 2.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph.analysis.rules import Rules
from graph.commands.analysis import CountyOpt, ParkOpt, SeedsOpt, _run
from graph.model import Atlas
from visual.build import chain_map
from visual.export import ExportError, html_to
from visual.model import MapData
from visual.overview import atlas_map, regions_map
from visual.pages import brief_html
from visual.render import render_html
from visual.routes import application_map, route_map
from visual.svg import map_svg


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file in the same directory (never
    half-written)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def map_(
    chain: Annotated[str | None, typer.Argument(
        help="Chain id (e.g. ch.coking.nylon); omit with --atlas or --regions.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="File to write: .html (interactive) or .svg.",
                                         dir_okay=False)] = Path("map.html"),
    atlas_view: Annotated[bool, typer.Option(
        "--atlas", help="Overview of every chain (shared segments highlighted).")] = False,
    regions_view: Annotated[bool, typer.Option(
        "--regions", help="Regional view: counties, parks, their firms and chains.")] = False,
    routes_view: Annotated[bool, typer.Option(
        "--routes", help="With CHAIN: its technology-route map (技术路线图).")] = False,
    applications_view: Annotated[bool, typer.Option(
        "--applications", help="With CHAIN: its application-field map (应用领域图).")] = False,
    county: CountyOpt = None, park: ParkOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, max=50,
                                     help="Targets listed per segment.")] = 5,
    seeds: SeedsOpt = None,
) -> None:
    """Export an interactive map (chain, --atlas or --regions) as one offline HTML file."""
    views = [v for v, on in (("CHAIN", chain is not None), ("--atlas", atlas_view),
                             ("--regions", regions_view)) if on]
    if len(views) != 1:
        typer.echo("error: give exactly one of CHAIN, --atlas, --regions"
                   + (f" (got {', '.join(views)})" if views else ""), err=True)
        raise typer.Exit(2)
    if chain is None and (county or park):
        typer.echo("error: --county/--park apply to a CHAIN map only", err=True)
        raise typer.Exit(2)
    if (routes_view or applications_view) and (chain is None or (routes_view and
                                                                 applications_view)):
        typer.echo("error: --routes/--applications need a CHAIN and exclude each other",
                   err=True)
        raise typer.Exit(2)
    console = Console(stderr=True)
    with console.status("正在生成图谱…"):
        def build(a: Atlas, _rules: Rules) -> MapData:
            if chain is not None and routes_view:
                return route_map(a, chain)
            if chain is not None and applications_view:
                return application_map(a, chain)
            if chain is not None:
                return chain_map(a, chain, county=county, park=park, top=top)
            return atlas_map(a) if atlas_view else regions_map(a)

        data = _run(seeds, None, build)
        write_atomic(output, map_svg(data) if output.suffix.lower() == ".svg"
                     else render_html(data))
    typer.echo(f"wrote {output} ({len(data.nodes)} nodes, {len(data.edges)} edges)")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def brief(
    chain: Annotated[str, typer.Argument(help="Chain id (e.g. ch.coking.nylon).")],
    segment: Annotated[str | None, typer.Option(
        "--segment", help="Brief one gap segment of the chain instead of the whole chain.")] = None,
    output: Annotated[Path, typer.Option(
        "--output", "-o", dir_okay=False,
        help="File to write: .html (printable page), .pdf or .png (Chromium headless).")
    ] = Path("brief.pdf"),
    seeds: SeedsOpt = None,
) -> None:
    """Export a briefing (招商简报) of a chain or one gap segment: map, statuses with reasons,
    top targets with connectors, projects and sources, as HTML, PDF or PNG."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("html", "pdf", "png"):
        typer.echo("error: --output must end in .html, .pdf or .png", err=True)
        raise typer.Exit(2)
    console = Console(stderr=True)
    with console.status("正在生成简报…"):
        html = _run(seeds, None, lambda a, _r: brief_html(
            a, chain, segment, today=dt.date.today(), inline=True))
        if fmt == "html":
            write_atomic(output, html)
        else:
            try:
                write_bytes_atomic(output, html_to(html, "pdf" if fmt == "pdf" else "png"))
            except ExportError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
    typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add the ``map`` and ``brief`` commands to the CLI."""
    app.command("map")(map_)
    app.command("brief")(brief)
