"""Server-rendered Chinese pages (home, search, profiles, chain, targets, briefing).

Rule: Jinja2 templates in ``visual/templates/pages/`` with autoescaping on for every
template, so every string from the atlas is HTML-escaped; links are same-origin paths
built by :mod:`visual.views` and prefixed with the app's root path. Pages load only
``/static/site.css`` and ``/static/site.js`` from their own origin (no CDN); a briefing
rendered for print or PDF inlines its styles (``inline=True``) so it works from a file.

Example: ``render_page("home.html", root="", view=home_view(atlas, today=day))``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from visual.model import STATUS_COLOR, STATUS_ZH

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
