"""Local paths and remote URIs opened as binary streams.

``http(s)://`` is read with urllib; any other scheme through pyarrow's filesystems (``s3://``
— and Hadoop's ``s3a://``/``s3n://`` spellings —, ``gs://``, ``hdfs://``, ``abfs://``; the
usual credentials of each, e.g. the AWS chain for S3).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

from onrecord.errors import InputError

_HADOOP_S3 = re.compile(r"^s3[an]://", re.I)


@contextlib.contextmanager
def open_uri(uri: str, *, seekable: bool = False) -> Iterator[tuple[BinaryIO, int | None]]:
    """An open binary stream of ``uri`` and its size when known; ``InputError`` if it can't."""
    scheme = urlsplit(uri).scheme.lower()
    if scheme in ("http", "https"):
        if seekable:
            raise InputError(f"{uri}: Parquet over http(s) needs random access; copy it first",
                             reason="unsupported")  # fmt: skip
        import urllib.error
        import urllib.request

        try:
            response = urllib.request.urlopen(uri, timeout=120)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise InputError(f"{uri}: cannot be fetched ({exc})", reason="unreadable") from exc
        with response:
            length = response.headers.get("Content-Length")
            yield response, int(length) if length and length.isdigit() else None
        return
    from pyarrow import fs

    try:
        filesystem, path = fs.FileSystem.from_uri(_HADOOP_S3.sub("s3://", uri))
        info = filesystem.get_file_info(path)
        if info.type == fs.FileType.NotFound:
            raise InputError(f"{uri}: no such file; check the path", reason="unreadable")
        handle = (
            filesystem.open_input_file(path) if seekable else filesystem.open_input_stream(path)
        )
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises OSError, ArrowInvalid, ArrowNotImplementedError
        raise InputError(f"{uri}: cannot be opened ({exc})", reason="unreadable") from exc
    with handle:
        yield handle, info.size
