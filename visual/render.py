"""HTML assembly: one page per map, data as escaped JSON, no outside requests.

Rule: the map data (:func:`page_data`: the panel, filter and legend data, and under
``"vis"`` the vis-network nodes, edges and options that pyvis built for it) goes into
``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 written as
``\\uXXXX`` escapes (so no name can close the element or start markup), the title is
HTML-escaped, and ``map.js`` shows every string with ``textContent`` or plain-text tooltips.
pyvis only builds the graph; its own HTML is not used (its pages load from CDNs and its
bundled vis-network has no licence file). Assets are vis-network 9.1.9 (vendored,
Apache-2.0/MIT) plus our ``map.js``/``map.css``:

* ``render_html(data)`` inlines them: one self-contained file whose Content-Security-Policy
  (a ``<meta>``) allows only those exact inline scripts (by hash) and no network at all.
* ``render_html(data, asset_base="/maps/static")`` links them from the serving origin; the
  route sends :data:`PAGE_CSP` as a header.

Example: ``render_html(chain_map(atlas, "ch.t.nylon"))`` is a page that works from disk.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import cache
from pathlib import Path

from graph.search import pinyin_keys
from visual.model import MapData
from visual.network import vis_payload

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDOR_JS = STATIC / "vendor" / "vis-network" / "vis-network.min.js"
ASSETS: dict[str, tuple[Path, str]] = {
    "vis-network.min.js": (VENDOR_JS, "text/javascript; charset=utf-8"),
    "map.js": (STATIC / "map.js", "text/javascript; charset=utf-8"),
    "map.css": (STATIC / "map.css", "text/css; charset=utf-8"),
}
"""Files a served page loads from ``asset_base``: name → (path, media type)."""

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
"""CSP header of a served map page: only its own origin (vis-network injects its styles)."""

DRAWN_FIELDS = frozenset({"group", "x", "y", "size", "color", "border", "border_width",
                          "shape", "dashed", "font_size", "title"})
"""Node fields the page gets only as pyvis-built vis-network options, not twice."""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: object) -> str:
    """JSON safe to place inside a ``<script>`` element.

    >>> script_json({"name": "</script><img src=x>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ": "))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


@cache
def asset_text(name: str) -> str:
    """An asset's text; the vendored script loses its ``sourceMappingURL`` comment (the map
    file is not shipped, and a page must not ask for it)."""
    path, _ = ASSETS[name]
    text = path.read_text(encoding="utf-8")
    return re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def _template() -> str:
    return (HERE / "templates" / "map.html").read_text(encoding="utf-8")


def page_data(data: MapData) -> dict[str, object]:
    """The JSON a page carries: ``data`` without the node looks (:data:`DRAWN_FIELDS`) and
    filter restyles, which come once, as vis-network options, under ``"vis"``
    (:func:`visual.network.vis_payload`); nodes keep ``id``, ``label`` and ``search``."""
    dump = data.model_dump(mode="json", exclude={"nodes": {"__all__": set(DRAWN_FIELDS)},
                                                 "filters": {"__all__": {"restyle"}}})
    for n in dump["nodes"]:
        n["search"] = search_text(n["label"], n["search"])
    return {**dump, "vis": vis_payload(data)}


def search_text(label: str, extra: str) -> str:
    """What the map search matches a node by: its label and extra text, each word also as
    full pinyin and initials (:func:`graph.search.pinyin_keys`), so ``mhj`` finds 镁合金.

    >>> search_text("镁合金", "")
    'meihejin mhj'
    """
    words = [w for w in (label.replace("\n", ""), *extra.split()) if w]
    keys = [k for w in words for k in pinyin_keys(w) if k and k != w.lower()]
    return " ".join(dict.fromkeys([*extra.split(), *keys]))


def render_html(data: MapData, *, asset_base: str | None = None) -> str:
    """The page for ``data``: self-contained (``asset_base=None``) or linking its assets
    from ``asset_base`` (a same-origin path such as ``/maps/static``)."""
    payload = script_json(page_data(data))
    if asset_base is None:
        scripts = [asset_text("vis-network.min.js"), asset_text("map.js")]
        for s in scripts:
            if re.search(r"</script", s, re.IGNORECASE):  # would end the element early
                raise ValueError("an inline script contains '</script'")
        csp = ("default-src 'none'; script-src " + " ".join(map(_sha256, scripts)) +
               "; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
               "connect-src 'none'; base-uri 'none'; form-action 'none'")
        head_csp = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">'
        style = f"<style>\n{asset_text('map.css')}</style>"
        body = "\n".join(f"<script>{s}</script>" for s in scripts)
    else:
        base = html.escape(asset_base.rstrip("/"), quote=True)
        head_csp = ""
        style = f'<link rel="stylesheet" href="{base}/map.css">'
        body = (f'<script src="{base}/vis-network.min.js"></script>\n'
                f'<script src="{base}/map.js"></script>')
    out = _template()
    for marker, value in (("<!--CSP-->", head_csp), ("<!--TITLE-->", html.escape(data.title)),
                          ("<!--STYLE-->", style), ("<!--DATA-->", payload),
                          ("<!--SCRIPTS-->", body)):
        out = out.replace(marker, value, 1)
    return out
