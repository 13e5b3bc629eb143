"""A real uvicorn process serving the API (for smoke, concurrency and benchmark runs)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UvicornServer:
    """``python -m uvicorn --factory api.app:create_app`` with one worker on 127.0.0.1,
    configured through ``ATLAS_*`` environment variables; waits until /health answers."""

    def __init__(self, data_dir: Path, seeds_dir: Path, *, api_key: str = "",
                 log: Path | None = None, env: dict[str, str] | None = None,
                 access_log: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir),
                    "ATLAS_SEEDS_DIR": str(seeds_dir), "ATLAS_API_KEYS": api_key,
                    **(env or {})}
        self.log = log or data_dir / "uvicorn.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.access_log = access_log

    def start(self, timeout: float = 60.0) -> UvicornServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
                 "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                 "--log-level", "info" if self.access_log else "warning",
                 "--access-log" if self.access_log else "--no-access-log"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn did not answer in {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush beyond what each write already made durable."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> UvicornServer:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
