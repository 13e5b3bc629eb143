"""Read latency while ledgers are imported: a real uvicorn process on the seed atlas, a
separate load process issuing concurrent reads, and one import at a time of

* ``ledger``: an ordinary 10,000-row ledger (real counties, segments and investors);
* ``dimension-bomb``: a ~5 KB workbook whose sheet declares ``A1:XFD20000``;
* ``sst-bomb``: a shared-strings bomb (under 1 MB on the wire, 400 MB inflated).

Prints one row per scenario: the import's status and time, and the p50/p99/max latency
of the reads issued while it ran (baseline: no import).

    python bench/bench_ledger_import.py [--rows 10000] [--readers 4] [--settle 1.0]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import UvicornServer  # noqa: E402

KEY = "bench-key"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READS = ["/api/v1/projects?limit=20", "/api/v1/chains", "/api/v1/counties"]


def ledger(rows: int) -> bytes:
    """A ledger of ``rows`` new projects drawn from the seed atlas's places and firms."""
    from openpyxl import Workbook

    from graph.loader import load_seeds
    from graph.pipeline.excel import _Index

    atlas = load_seeds(ROOT / "seeds")
    counties = [c.name for c in atlas.counties.values()]
    index = _Index(atlas.segments)
    segments = [s.name for s in atlas.segments.values() if index.find(s.name)]
    firms = [c.name for c in atlas.companies.values()]
    stages = ["线索", "洽谈", "已签约", "在建", "已投产"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["项目编号", "项目名称", "投资方", "县（市、区）", "环节", "投资额(亿元)", "阶段",
               "阶段日期", "专班", "备注"])
    for i in range(rows):
        ws.append([f"XM-2026-{i:05d}", f"压测项目{i}", firms[i % len(firms)],
                   counties[i % len(counties)], segments[i % len(segments)],
                   f"{(i % 90) + 1}亿元" if i % 3 else (i % 50) + 0.5, stages[i % len(stages)],
                   f"2026/{(i % 12) + 1:02d}/{(i % 28) + 1:02d}", "压测专班", "压测"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(book: bytes, change: dict[str, bytes | None], extra: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, change.get(info.filename) or data)
        for name, data in extra.items():
            z.writestr(name, data)
    return out.getvalue()


def small_book() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目编号", "项目名称", "投资方", "阶段"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def dimension_bomb() -> bytes:
    book = small_book()
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    return _rezip(book, {"xl/worksheets/sheet1.xml": sheet.replace(
        b'<dimension ref="A1:D1"', b'<dimension ref="A1:XFD20000"')}, {})


def sst_bomb(mb: int = 400) -> bytes:
    chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    body = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + chunk * (mb * 1024) + b"</sst>")
    return _rezip(small_book(), {}, {"xl/sharedStrings.xml": body})


def load(url: str, readers: int, stop_file: Path, out: Path) -> None:
    """The load process: ``readers`` threads reading until ``stop_file`` exists."""
    lat: list[tuple[float, float]] = []
    lock = threading.Lock()

    def reader(k: int) -> None:
        with httpx.Client(base_url=url, timeout=600) as c:
            i = k
            while not stop_file.exists():
                t0 = time.perf_counter()
                r = c.get(READS[i % len(READS)])
                dt = time.perf_counter() - t0
                assert r.status_code == 200, r.text
                with lock:
                    lat.append((time.time(), dt))
                i += 1
    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    while len(lat) < 4 * readers:
        time.sleep(0.05)
    stop_file.with_suffix(".ready").touch()
    for t in threads:
        t.join()
    out.write_text(json.dumps(lat))


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


def scenario(server: UvicornServer, name: str, body: bytes | None, readers: int,
             settle: float, work: Path) -> dict[str, object]:
    stop, out = work / f"{name}.stop", work / f"{name}.json"
    proc = subprocess.Popen([sys.executable, __file__, "--load", server.url, str(readers),
                             str(stop), str(out)], cwd=ROOT)
    while not stop.with_suffix(".ready").exists():
        time.sleep(0.05)
    time.sleep(settle)
    t0 = time.time()
    status, took = "-", 0.0
    if body is None:
        time.sleep(3.0)
    else:
        r = httpx.post(f"{server.url}/api/v1/pipeline/import", params={
            "by": "压测", "filename": f"{name}.xlsx"}, content=body,
            headers={"X-API-Key": KEY, "Content-Type": XLSX}, timeout=900)
        status = str(r.status_code)
        if r.status_code >= 400:
            status += " " + r.json()["error"]["details"][0].get("code", "")
    took = time.time() - t0
    t1 = time.time()
    time.sleep(settle)
    stop.touch()
    proc.wait(600)
    lat = json.loads(out.read_text())
    during = [d for (t, d) in lat if t0 <= t <= t1 + 0.001] or [d for _, d in lat]
    return {"scenario": name, "size": "-" if body is None else f"{len(body) / 1024:.0f} KB",
            "status": status, "import_s": took if body is not None else 0.0,
            "reads": len(during), "p50_ms": statistics.median(during) * 1000,
            "p99_ms": pct(during, 99) * 1000, "max_ms": max(during) * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--load", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.load:
        load(a.load[0], int(a.load[1]), Path(a.load[2]), Path(a.load[3]))
        return
    bodies = {"baseline": None, "ledger": ledger(a.rows), "dimension-bomb": dimension_bomb(),
              "sst-bomb": sst_bomb()}
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        env = {"ATLAS_MAX_BODY_BYTES": str(20 * 2**20)}
        server = UvicornServer(work / "data", ROOT / "seeds", api_key=KEY, env=env)
        server.start(timeout=600)  # the first start loads the seed atlas
        try:
            for p in READS:  # warm the caches
                httpx.get(server.url + p, timeout=120)
            rows = [scenario(server, n, b, a.readers, a.settle, work) for n, b in bodies.items()]
        finally:
            server.stop()
    print(f"\nconcurrent reads ({a.readers} readers, {', '.join(READS)}) while one import "
          f"runs; cpu count {os.cpu_count()}\n")
    print(f"| {'scenario':15} | {'size':>8} | {'status':>30} | {'import s':>8} | {'reads':>6} |"
          f" {'p50 ms':>7} | {'p99 ms':>7} | {'max ms':>7} |")
    print("|" + "|".join("-" * (w + 2) for w in (15, 8, 30, 8, 6, 7, 7, 7)) + "|")
    for r in rows:
        print(f"| {r['scenario']:15} | {r['size']:>8} | {r['status']:>30} | "
              f"{r['import_s']:8.2f} | {r['reads']:6d} | {r['p50_ms']:7.1f} | "
              f"{r['p99_ms']:7.1f} | {r['max_ms']:7.1f} |")


if __name__ == "__main__":
    main()
