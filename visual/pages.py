"""Server-rendered Chinese pages (home, search, profiles, chain, targets, briefing).

Rule: Jinja2 templates in ``visual/templates/pages/`` with autoescaping on for every
template, so every string from the atlas is HTML-escaped; links are same-origin paths
built by :mod:`visual.views` and prefixed with the app's root path. Pages load only
``/static/site.css`` and ``/static/site.js`` from their own origin (no CDN); a briefing
rendered for print or PDF inlines its styles (``inline=True``) so it works from a file.

Example: ``render_page("home.html", root="", view=home_view(atlas, today=day))``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.errors import NotFound
from graph.model import Atlas
from visual.build import chain_map
from visual.model import STATUS_COLOR, STATUS_ZH
from visual.svg import map_svg
from visual.views import brief_view

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
SITE_ASSETS: dict[str, tuple[Path, str]] = {
    "site.css": (STATIC / "site.css", "text/css; charset=utf-8"),
    "site.js": (STATIC / "site.js", "text/javascript; charset=utf-8"),
}
"""Files the pages load from ``/static/``: name → (path, media type)."""


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates" / "pages"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(STATUS_ZH=STATUS_ZH, STATUS_COLOR=STATUS_COLOR, STATUSES=list(STATUS_COLOR))
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v):.0%}"
    return env


@cache
def site_asset(name: str) -> str:
    return SITE_ASSETS[name][0].read_text(encoding="utf-8")


def render_page(template: str, *, root: str = "", inline: bool = False, **context: Any) -> str:
    """``template`` rendered with ``context``; ``root`` prefixes every link; ``inline``
    puts the stylesheet into the page (for files and PDF export)."""
    css = site_asset("site.css") if inline else None
    return environment().get_template(template).render(root=root, inline_css=css, **context)


def brief_html(atlas: Atlas, chain_id: str, segment_id: str | None = None, *,
               today: dt.date, root: str = "", inline: bool = False) -> str:
    """The briefing of a chain, or of one of its segments: map (SVG), statuses with
    reasons, top targets with connectors, projects and sources. ``inline``: self-contained
    (for a file, PDF or PNG), without the download links. NotFound for unknown ids."""
    if chain_id not in atlas.chains:
        raise NotFound(f"no chain {chain_id!r}", details=[{"field": "chain_id",
                                                           "value": chain_id}])
    b = brief_view(atlas, chain_id, segment_id, today=today)
    svg = map_svg(chain_map(atlas, chain_id, top=1))
    q = quote(chain_id, safe="")
    base = f"/brief/chain/{q}" if segment_id is None else (
        f"/brief/segment/{q}/{quote(segment_id, safe='')}")
    return render_page("brief.html", root=root, inline=inline, b=b, svg=svg,
                       pdf_link=None if inline else f"{base}.pdf",
                       png_link=None if inline else f"{base}.png")
