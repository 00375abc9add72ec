"""The README's Python example runs and prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from conftest import ROOT

pytestmark = pytest.mark.model


def _python_example() -> tuple[str, list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.S)
    assert block, "the README has no python example"
    code = block.group(1)
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    return code, expected


def test_readme_python_example_prints_what_it_says(pipeline: object) -> None:
    code, expected = _python_example()
    assert expected, "the example documents its output in '# ' comment lines"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().splitlines() == expected
