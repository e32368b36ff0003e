"""The README's promises: two Quick start commands, and code blocks that run as shown."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _block_after(heading: str, fence: str) -> str:
    section = README[README.index(heading) :]
    match = re.search(rf"```{fence}\n(.*?)```", section, re.S)
    assert match, f"no ```{fence} block after {heading!r}"
    return match.group(1)


def test_quick_start_is_exactly_the_two_commands() -> None:
    commands = [line for line in _block_after("## Quick start", "").splitlines() if line.strip()]
    assert commands == ["pip install . && glassnet demo", "pip install -e '.[test]' && pytest"]


def test_the_article_in_ten_lines_runs_and_prints_the_article_numbers() -> None:
    code = _block_after("## The article in ten lines", "python")
    assert len([line for line in code.splitlines() if line.strip()]) <= 11
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    assert "3.40603697 -2.6711679   5.69161398" in printed
    assert "-0.06513093" in printed
    assert "0.99827595 0.66144452 0.48372302" in printed


def test_the_xor_example_runs() -> None:
    code = _block_after("## Add a hidden layer: XOR", "python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == "[0 1 1 0]"


def test_the_python_api_and_scikit_learn_blocks_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a newcomer pastes them into a fresh interpreter: every name they use is defined there
    monkeypatch.chdir(tmp_path)
    for heading in ("## The Python API", "## scikit-learn, ONNX and clusters"):
        code = _block_after(heading, "python")
        scope: dict[str, object] = {}
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, "README.md", "exec"), scope)
    assert (tmp_path / "model.onnx").exists() and (tmp_path / "model.safetensors").exists()
