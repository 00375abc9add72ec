"""Writing into a store that ``onrecord serve`` has open: batches handed to the server.

DuckDB lets one process open a database file for writing, and no other process
even read it meanwhile. ``onrecord serve`` is that process while it runs: it
opens the store for reading and writing and, bound or not to loopback,
accepts batches for it only from loopback, with a token. At start it writes
the *hand-off file* ``<db>.serve.json`` (readable by its user only: mode
0600) with its loopback address and a fresh random token, and removes it
at exit. ``onrecord ingest --db FILE``, finding the file locked, reads that
file and hands each batch to the server (``RemoteStore``): the server writes
it with ``Store.write`` in one transaction, as an ingest of its own would, and
its pages and API see the batch as soon as it commits. The ingest's work
(reading, extraction, the pipeline) stays in the ingest's processes; only
rows travel, as JSON.

What happens when either side is killed: a batch is written in one
transaction on the server, so a killed ingest leaves whole batches (the
ledger says which input records are done, and running the command again
finishes the rest); a killed server rolls back the batch it was writing, the
ingest stops with a one-line error, and the same command, run again when the
server is back (or without it), finishes the work. A hand-off file left by a
killed server names a dead port: the ingest says so and that the file can be
deleted.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from onrecord.errors import OnrecordError
from onrecord.store.rows import BatchRows, CorpusChange, Written
from onrecord.store.schema import SCHEMA

#: the hand-off file's suffix, beside the database
SUFFIX = ".serve.json"
#: how long an ingest waits for the server to write one batch (a batch is seconds of work)
TIMEOUT = 300.0


def handoff_path(db: str) -> Path:
    return Path(f"{db}{SUFFIX}")


def write_handoff(db: str, port: int) -> str:
    """Write the hand-off file of ``db`` for a server on loopback port ``port``; return the
    token it holds."""
    token = secrets.token_urlsafe(32)
    path = handoff_path(db)
    data = {"pid": os.getpid(), "url": f"http://127.0.0.1:{port}", "token": token}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out)
    return token


def remove_handoff(db: str, token: str) -> None:
    """Remove the hand-off file of ``db`` if it is still this server's."""
    path = handoff_path(db)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("token") == token:
            path.unlink()
    except (OSError, ValueError):
        pass


# --------------------------------------------------------------------------- rows as JSON


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_rows(rows: BatchRows) -> dict[str, Any]:
    """A batch's rows as JSON-ready data."""
    return {
        "tables": {
            table: {col: [_plain(v) for v in values] for col, values in cols.items()}
            for table, cols in rows.tables.items()
        },
        "ledger": [list(entry) for entry in rows.ledger],
    }


def decode_rows(data: dict[str, Any]) -> BatchRows:
    """``encode_rows``' data back as a batch: values typed by their columns' SQL types.
    Raises ``ValueError`` for data of another shape."""
    rows = BatchRows()
    tables = data["tables"]
    for table, cols in rows.tables.items():
        given = tables[table]
        types = SCHEMA[table].types
        for col in cols:
            values = list(given[col])
            if types[col] == "TIMESTAMP":
                values = [datetime.fromisoformat(v) if v else None for v in values]
            elif types[col] == "DATE":
                values = [date.fromisoformat(v) if v else None for v in values]
            cols[col].extend(values)
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"table {table}: columns of different lengths")
    rows.ledger = [(str(s), str(o), a if a is None else str(a)) for s, o, a in data["ledger"]]
    return rows


def encode_written(written: Written) -> dict[str, Any]:
    out = {f.name: getattr(written, f.name) for f in fields(Written)}
    out["corpus"] = None if written.corpus is None else {"seconds": written.corpus.seconds}
    out["index_rows"] = []  # the server indexes its own writes
    return out


def decode_written(data: dict[str, Any]) -> Written:
    names = {f.name for f in fields(Written)} - {"corpus"}
    written = Written(**{k: v for k, v in data.items() if k in names})
    if data.get("corpus") is not None:
        written.corpus = CorpusChange(seconds=float(data["corpus"]["seconds"]))
    return written


# --------------------------------------------------------------------------- the client


@dataclass(slots=True)
class RemoteStore:
    """The store as the ingest sees it through a running server: the ledger's questions and
    batch writes, answered by the server (see the module's docstring)."""

    path: str
    url: str
    token: str

    @classmethod
    def find(cls, db: str) -> RemoteStore | None:
        """The server that has ``db`` open, from its hand-off file; None when there is none."""
        path = handoff_path(db)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            remote = cls(db, str(data["url"]), str(data["token"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OnrecordError(f"{path}: not a readable hand-off file ({exc})") from exc
        if not remote.url.startswith("http://127.0.0.1:"):
            raise OnrecordError(f"{path}: the hand-off file names no loopback server")
        return remote

    def _post(self, what: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.url}/internal/v1/{what}",
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise OnrecordError(
                f"{self.path}: the server that has it open refused a batch ({exc.code}: "
                f"{detail}); nothing of that batch was written"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise OnrecordError(
                f"{self.path}: the server that had it open ({self.url}) does not answer "
                f"({getattr(exc, 'reason', exc)}); batches written so far are kept: run the "
                f"same command again (if no server runs, delete {handoff_path(self.path)})"
            ) from exc

    def done(self, sources: list[str]) -> set[str]:
        if not sources:
            return set()
        return set(self._post("done", {"sources": sources})["done"])

    def stored(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self._post("stored", {"ids": ids})["stored"])

    def write(self, rows: BatchRows) -> Written:
        return decode_written(self._post("write", encode_rows(rows)))

    def sync_fts(self, written: Written | None = None) -> int:
        return 0  # the server indexes what it writes

    def close(self) -> None:
        pass
