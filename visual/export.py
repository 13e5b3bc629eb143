"""PDF and PNG export of a page with Debian's headless Chromium (no browser download).

Rule: the page (self-contained HTML: inline styles, no scripts needed) is written to a
temporary file and printed by ``chromium --headless --print-to-pdf`` (A4, the page's print
CSS) or captured by ``--screenshot``; the result is read back as bytes. Chromium gets no
network (``--no-proxy-server`` plus a proxy that refuses everything), so a page can never
reach outside. :class:`ExportError` (an :class:`~graph.errors.AtlasError`, 503) when no
browser is installed or it fails.

Example: ``html_to("<p>简报</p>", "pdf")[:4] == b"%PDF"``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from graph.errors import AtlasError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
Format = Literal["pdf", "png"]


class ExportError(AtlasError):
    code = "export_unavailable"
    status = 503


def chromium_path() -> str | None:
    """The first Chromium on PATH (or /usr/bin/chromium), else None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def html_to(html: str, fmt: Format, *, width: int = 1240, height: int = 1754,
            timeout: float = 90.0) -> bytes:
    """``html`` printed to PDF or captured as a PNG of ``width`` x ``height`` pixels."""
    exe = chromium_path()
    if exe is None:
        raise ExportError("no Chromium found: install Debian's chromium (scripts/setup.sh)",
                          details=[{"field": "chromium"}])
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as d:
        page = Path(d) / "page.html"
        page.write_text(html, encoding="utf-8")
        out = Path(d) / f"out.{fmt}"
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                f"--user-data-dir={Path(d) / 'profile'}", "--hide-scrollbars",
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=3000"]
        if fmt == "pdf":
            args += [f"--print-to-pdf={out}", "--no-pdf-header-footer"]
        else:
            args += [f"--screenshot={out}", f"--window-size={width},{height}"]
        try:
            proc = subprocess.run([*args, page.as_uri()], capture_output=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"chromium did not finish in {timeout:g} s") from exc
        if not out.exists() or out.stat().st_size == 0:
            raise ExportError("chromium produced no file", details=[
                {"field": "chromium", "message": proc.stderr.decode(errors="replace")[-500:]}])
        return out.read_bytes()
