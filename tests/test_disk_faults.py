"""A full disk and a read-only file: one line, exit code 2, and a store that is still whole.

The faults are real: a small tmpfs that fills up, then one remounted read-only. Mounting needs
root (as on the project's CI machines); elsewhere the tests skip and say why."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.model


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onrecord.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Path]:
    """A 32 MB tmpfs."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({made.stderr.strip() or 'not root'})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def big_input(path: Path) -> Path:
    text = "Mayor Ana Ruiz said the harbor would reopen in June after the repairs. " * 40
    rows = [json.dumps({"id": f"big-{k}", "text": f"Article {k}. {text}"}) for k in range(16)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def fill(mnt: Path, leave: int = 64 * 1024) -> Path:
    """A file that takes the tmpfs' free space but ``leave`` bytes."""
    import os

    st = os.statvfs(mnt)
    filler = mnt / "filler"
    filler.write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    return filler


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    return lines[0]


def test_a_full_disk_is_one_line_and_the_store_survives(small: Path, tmp_path: Path) -> None:
    db = small / "news.duckdb"
    assert run("ingest", str(ROOT / "examples"), "--db", str(db), "--workers", "0",
               "--no-progress").returncode == 0  # fmt: skip
    filler = fill(small)
    full = run("ingest", str(big_input(tmp_path / "big.jsonl")), "--db", str(db), "--workers",
               "0", "--no-progress")  # fmt: skip
    assert full.returncode == 2
    line = last_line(full)
    assert "cannot write the batch" in line and "nothing of it was stored" in line
    # what was committed reads back, whole
    check = run("check", "--db", str(db), "--json")
    findings = json.loads(check.stdout)["findings"]
    assert all(f["repairable"] for f in findings), findings
    assert run("quotes", "--db", str(db), "--speaker", "Brennan").returncode == 0
    # with room again, the same command finishes the work
    filler.unlink()
    again = run("ingest", str(tmp_path / "big.jsonl"), "--db", str(db), "--workers", "0",
                "--no-progress", "--json")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(run("check", "--db", str(db), "--repair", "--json").stdout)["ok"]


def test_a_read_only_file_is_one_line(small: Path) -> None:
    db = small / "news.duckdb"
    texts = [str(p) for p in sorted((ROOT / "examples").glob("*.txt"))]
    assert run("ingest", *texts, "--db", str(db), "--workers", "0").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True)
    refused = run("ingest", str(ROOT / "examples"), "--db", str(db), "--workers", "0",
                  "--no-progress")  # fmt: skip
    assert refused.returncode == 2
    assert str(db) in last_line(refused)
    # reading still works
    assert run("quotes", "--db", str(db), "--speaker", "Brennan").returncode == 0
