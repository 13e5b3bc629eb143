"""Benchmark of reads: requests/s and p50/p99 latency for ``/chains/{id}/gaps`` and
``/search`` on the seed atlas, cached (warm) and right after a write (cache misses).

The API runs in a real uvicorn process with one worker on 127.0.0.1 (a fresh data dir,
loaded from the seeds on start); the load comes from a separate process: an asyncio
client with keep-alive connections over raw sockets (no HTTP library in the hot path).
Each target is warmed up first, so those numbers are for cached reads. Then, for cache
misses, a write (a new firm, through the API with a key) is made before each read, and the
first read after it is timed: gaps of the largest chain, and a search. Prints tables.

    python bench/bench_api.py                        # seeds/, 32 connections, 5 s per target
    python bench/bench_api.py --connections 4 --seconds 10 --seeds tests/fixtures/mini
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import UvicornServer  # noqa: E402

KEY = "bench-write-key"
SEARCHES = ["正威", "zhengwei", "zw", "尼龙", "nilong", "焦化", "jh", "hualu", "运城", "稀土"]


async def _connection(host: str, port: int, paths: list[str], start: int, until: float,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    while time.perf_counter() < until:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            errors.append(status)
    writer.close()


async def _load(host: str, port: int, paths: list[str], connections: int, seconds: float
                ) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    errors: list[int] = []
    t0 = time.perf_counter()
    until = t0 + seconds
    await asyncio.gather(*(_connection(host, port, paths, c, until, latencies, errors)
                           for c in range(connections)))
    return latencies, errors, time.perf_counter() - t0


def load_process(host: str, port: int, paths: list[str], connections: int, seconds: float,
                 out: mp.Queue[tuple[list[float], list[int], float]]) -> None:
    """The load generator (runs in its own process)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out.put(asyncio.run(_load(host, port, paths, connections, seconds)))


def drive(port: int, paths: list[str], connections: int, seconds: float
          ) -> tuple[list[float], list[int], float]:
    ctx = mp.get_context("spawn")
    queue: mp.Queue[tuple[list[float], list[int], float]] = ctx.Queue()
    proc = ctx.Process(target=load_process,
                       args=("127.0.0.1", port, paths, connections, seconds, queue))
    proc.start()
    result = queue.get(timeout=seconds + 120)
    proc.join()
    return result


def row(name: str, result: tuple[list[float], list[int], float]) -> str:
    lat, errors, elapsed = result
    ms = sorted(x * 1000 for x in lat)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (f"| {name:<34} | {len(ms):>8} | {len(ms) / elapsed:>9.0f} | {p50:>7.2f} | "
            f"{p99:>7.2f} | {len(errors):>6} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="Seed directory.")
    ap.add_argument("--connections", type=int, default=32, help="Keep-alive connections.")
    ap.add_argument("--writes", type=int, default=20, help="Writes for the cache-miss table.")
    ap.add_argument("--seconds", type=float, default=5.0, help="Measured seconds per target.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = UvicornServer(Path(tmp) / "data", args.seeds.resolve(), api_key=KEY,
                               log=Path(tmp) / "uvicorn.log")
        with server:
            api = f"{server.url}/api/v1"
            chains = httpx.get(f"{api}/chains", params={"limit": 1000}).json()["data"]
            chain = max(chains, key=lambda c: len(
                httpx.get(f"{api}/chains/{c['id']}").json()["segments"]))["id"]
            counties = [c["id"] for c in httpx.get(f"{api}/counties").json()["data"]]
            targets = {
                f"/chains/{chain}/gaps": [f"/api/v1/chains/{chain}/gaps"],
                "/chains/{id}/gaps (all chains)": [f"/api/v1/chains/{c['id']}/gaps"
                                                   for c in chains],
                f"/chains/{chain}/gaps?county=…": [
                    f"/api/v1/chains/{chain}/gaps?county={c}" for c in counties],
                "/search?q=… (10 queries)": [f"/api/v1/search?q={quote(q)}" for q in SEARCHES],
            }
            stats = httpx.get(f"{api}/stats").json()
            print(f"seed atlas: {stats['chain']} chains, {stats['segment']} segments, "
                  f"{stats['company']} companies; uvicorn 1 worker; "
                  f"{args.connections} keep-alive connections from a separate process; "
                  f"{args.seconds:g} s per target after a warm-up\n")
            print("| target                             | requests |     req/s | p50 ms  "
                  "| p99 ms  | non200 |")
            print("|------------------------------------|---------:|----------:|--------:"
                  "|--------:|-------:|")
            for name, paths in targets.items():
                drive(server.port, paths, args.connections, 1.0)  # warm the caches
                print(row(name, drive(server.port, paths, args.connections, args.seconds)),
                      flush=True)
            misses(api, chain, args.writes)


def misses(api: str, chain: str, writes: int) -> None:
    """Latency of the first read after a write (every cache of the old version is stale)."""
    times: dict[str, list[float]] = {"write (POST /companies)": [],
                                     f"first /chains/{chain}/gaps after a write": [],
                                     "first /search?q=… after a write": []}
    names = list(times)
    with httpx.Client(base_url=api, timeout=300) as client:
        for i in range(writes):
            body = {"id": f"co.bench-miss-{i:04d}", "name": f"合成测试企业缓存{i:04d}",
                    "role": "target", "province": "广东省",
                    "src": {"public": "基准测试合成数据", "as_of": "2026-11-01"}}
            for name, call in ((names[0], lambda b=body: client.post(
                                    "/companies", json=b, headers={"X-API-Key": KEY})),
                               (names[1], lambda: client.get(f"/chains/{chain}/gaps")),
                               (names[2], lambda i=i: client.get(
                                   "/search", params={"q": SEARCHES[i % len(SEARCHES)]}))):
                t0 = time.perf_counter()
                r = call()
                times[name].append((time.perf_counter() - t0) * 1000)
                if r.status_code not in (200, 201):
                    raise RuntimeError(f"{name}: {r.status_code} {r.text[:200]}")
    print(f"\ncache misses: {writes} writes, each followed by one read of each kind "
          "(sequential, one connection)\n")
    print("| request                                  | p50 ms  | p99 ms  |")
    print("|------------------------------------------|--------:|--------:|")
    for name, ms in times.items():
        ms.sort()
        print(f"| {name:<40} | {statistics.median(ms):>7.2f} | "
              f"{ms[min(len(ms) - 1, int(len(ms) * 0.99))]:>7.2f} |")


if __name__ == "__main__":
    main()
