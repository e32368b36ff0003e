"""README.ja.md's promises: its code runs as shown and its trace excerpt is what glassnet prints."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from glassnet.cli import main

README_JA = (Path(__file__).parents[2] / "README.ja.md").read_text(encoding="utf-8")
README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def _blocks(fence: str) -> list[str]:
    """The code blocks of README.ja.md whose opening fence is ```FENCE."""
    blocks, current, kind = [], [], None
    for line in README_JA.splitlines():
        if line.startswith("```"):
            if kind is None:
                kind, current = line[3:], []
            else:
                if kind == fence:
                    blocks.append("\n".join(current) + "\n")
                kind = None
        elif kind is not None:
            current.append(line)
    return blocks


def _printed(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return out.getvalue()


def test_the_article_in_ten_lines_prints_the_article_numbers() -> None:
    (code,) = _blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.ja.md", "exec"), {})
    printed = out.getvalue()
    assert "3.40603697 -2.6711679   5.69161398" in printed
    assert "-0.06513093" in printed and "0.99827595 0.66144452 0.48372302" in printed


def test_the_trace_excerpt_is_what_glassnet_trace_prints() -> None:
    excerpt = next(block for block in _blocks("") if "═══ ステップ 1" in block)
    printed = _printed("trace", "--steps", "1", "--lang", "ja").splitlines()
    for line in excerpt.splitlines():
        assert line in printed, line


def test_readme_links_the_japanese_readme_at_the_top() -> None:
    assert "(README.ja.md)" in "\n".join(README.splitlines()[:4])
    assert "![the playground" in README and Path("docs/playground.png").name in README
