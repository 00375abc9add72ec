"""The driver's part of reading: input names -> tasks (one file, or one shard of a file, each).

Nothing is read here but manifests (lists of paths, like CC-NEWS's
``warc.paths.gz``): files are opened by the executors. Local inputs are
named exactly as ``onrecord ingest`` names them (resolved paths, folders
walked in name order), so that both name the same records the same way.

A task is a whole file when there are at least as many files as partitions;
otherwise each file is read by several tasks (*shards*), shard ``k`` of ``K``
keeping the records whose article id (the URL's hash) hashes to ``k``
(``worker.records``): reading a file is a hundred times cheaper than
processing it, so a single WARC keeps every core busy, and every copy of a
re-fetched URL is in one task, as in ``onrecord ingest``'s one process.
"""

from __future__ import annotations

import gzip
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from onrecord.errors import InputError
from onrecord.read.document import RecordError
from onrecord.read.sources import ReadStats, iter_inputs, kind_of

#: a manifest: one path or URI per line (``#`` comments and blank lines skipped)
MANIFEST_SUFFIXES = (".paths", ".paths.gz")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(slots=True, frozen=True)
class Task:
    """One file (or shard of one) for an executor: ``kind`` is ``local`` (read as ``onrecord
    ingest`` reads it), ``warc``/``jsonl``/``parquet`` (by URI or for Parquet), or ``error``
    (an input the driver already knows is bad: ``reason`` and ``message`` say why)."""

    index: int
    name: str
    kind: str
    shard: int = 0
    shards: int = 1
    reason: str | None = None
    message: str | None = None


def is_uri(name: str) -> bool:
    """A name with a scheme (``s3://``, ``https://``...), ``file://`` excepted."""
    return bool(_SCHEME.match(name)) and not name.lower().startswith("file://")


def local_name(name: str) -> str:
    """``file:///x`` and ``file:/x`` -> ``/x``; other names unchanged."""
    if name.lower().startswith("file:"):
        return urlsplit(name).path
    return name


def is_manifest(name: str) -> bool:
    return name.lower().endswith(MANIFEST_SUFFIXES)


def uri_kind(name: str) -> str | None:
    """``warc``, ``jsonl`` or ``parquet`` by a name's suffix."""
    path = PurePosixPath(urlsplit(name).path if is_uri(name) else name).name.lower()
    if path.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return "warc"
    if path.endswith(".jsonl"):
        return "jsonl"
    if path.endswith(".parquet"):
        return "parquet"
    return None


def read_manifest(name: str, *, prefix: str | None = None) -> list[str]:
    """The paths a manifest lists; relative ones under ``prefix``, else beside the manifest."""
    if is_uri(name):
        from onrecord.read.uri import open_uri

        with open_uri(name) as (handle, _):
            data = handle.read()
    else:
        try:
            data = Path(local_name(name)).read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read the manifest ({exc.strerror or exc})") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read()
        except (OSError, EOFError) as exc:
            raise InputError(f"{name}: the manifest is not valid gzip ({exc})") from exc
    base = prefix.rstrip("/") if prefix else _parent(name)
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not is_uri(entry) and not entry.startswith(("/", "file:")):
            entry = f"{base}/{entry}"
        out.append(entry)
    return out


def _parent(name: str) -> str:
    if is_uri(name):
        return name.rsplit("/", 1)[0]
    return str(Path(local_name(name)).resolve().parent)


def input_files(inputs: Iterable[str], *, prefix: str | None = None) -> list[Task]:
    """Every input file (manifests expanded, folders walked), once each, as whole-file tasks.

    Raises ``InputError`` for an input named on the command line that does not
    exist (a path a manifest lists that is missing becomes an error row).
    """
    tasks: list[Task] = []
    seen: set[str] = set()

    def add(name: str, kind: str, reason: str | None = None, message: str | None = None) -> None:
        if kind != "error" and name in seen:
            return
        seen.add(name)
        tasks.append(Task(len(tasks), name, kind, reason=reason, message=message))

    def entries(raw: str, top: bool) -> Iterator[str]:
        if is_manifest(raw):
            if top and not is_uri(raw) and not Path(local_name(raw)).exists():
                raise InputError(f"{raw}: no such manifest; check the path")
            yield from read_manifest(raw, prefix=prefix)
        else:
            yield raw

    for raw in inputs:
        if raw == "-":
            raise InputError("onrecord spark does not read standard input; give files or URIs")
        for entry in entries(raw, top=True):
            if is_uri(entry):
                kind = uri_kind(entry)
                if kind is None:
                    add(entry, "error", "unsupported",
                        f"{entry}: not a .warc(.gz), .jsonl or .parquet file")  # fmt: skip
                else:
                    add(entry, kind)
                continue
            name = local_name(entry)
            if entry is raw and not Path(name).exists():
                raise InputError(f"{raw}: no such file or folder; check the path")
            for item in iter_inputs([name], stats=ReadStats()):
                if isinstance(item, RecordError):
                    add(item.source, "error", item.reason, str(item))
                else:
                    add(item, "parquet" if kind_of(Path(item)) == "parquet" else "local")
    return tasks


def shard(files: list[Task], partitions: int) -> list[Task]:
    """Split files into shards when there are fewer files than ``partitions``."""
    readable = [t for t in files if t.kind != "error"]
    if not readable or len(readable) >= partitions:
        return files
    k = math.ceil(partitions / len(readable))
    out: list[Task] = []
    for t in files:
        if t.kind == "error":
            out.append(t)
        else:
            out.extend(Task(t.index, t.name, t.kind, s, k) for s in range(k))
    return out
