"""``glassnet demo`` as a user runs it: the article's numbers, in English, Japanese and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

WEIGHTS = [3.4060369676610347, -2.6711678969340755, 5.691613980699549]
BIAS = -0.06513092927302165
OUTPUTS = [0.9982759475133801, 0.6614445222142281, 0.4837230212384422]


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", "demo", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_demo_json_gives_the_article_numbers() -> None:
    result = demo("--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["weights"] == pytest.approx(WEIGHTS, abs=1e-9)
    assert doc["bias"] == pytest.approx(BIAS, abs=1e-9)
    assert [p["input"] for p in doc["predictions"]] == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    assert [p["output"] for p in doc["predictions"]] == pytest.approx(OUTPUTS, abs=1e-9)
    assert [p["found_job"] for p in doc["predictions"]] == [True, True, False]
    assert 0 < doc["cost"] < 0.01


def test_demo_prints_in_the_article_order() -> None:
    out = demo().stdout
    out = out[out.index("Loss") :]
    order = [out.index(word) for word in ("Loss", "weight:", "bias", "[1, 1, 1]", "[0, 0, 0]")]
    assert order == sorted(order)
    assert "[0, 0, 0] does not find a job  0.48372302" in out
    assert "3.40603696766" in out


def test_demo_in_japanese_uses_the_article_words() -> None:
    out = demo("--lang", "ja").stdout
    assert "仕事が見つかる" in out and "仕事が見つからない" in out
    assert "数学" in out and "英語" in out and "物理" in out
    assert "(学習後の重みでの ½·Σ(a − y)²)" in out  # the Loss line's words too


def test_unknown_language_is_a_user_error() -> None:
    result = demo("--lang", "fr")
    assert result.returncode == 2
    assert "invalid choice: 'fr'" in result.stderr


def test_demo_prints_every_digit_of_the_article_numbers() -> None:
    # 16 significant digits printed 3.406036967661035 for 3.4060369676610347: a learner
    # comparing with the article's own run digit by digit found a difference that is none
    out = demo().stdout
    for value in (*WEIGHTS, BIAS, *OUTPUTS):
        assert repr(value) in out, value
