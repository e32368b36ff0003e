"""The scripts in examples/ run and print the numbers they promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_01_article_prints_the_articles_numbers() -> None:
    out = run_example("01_article.py")
    assert "[1.2 0.7 0.7 1.2]" in out
    assert "[0.7685247835 0.6681877722 0.6681877722 0.7685247835]" in out
    assert "[-0.1147451966  0.1069676767 -0.0823563083]" in out
    assert "[0.5114745197 0.4893032323 0.5082356308]" in out
    assert "weight: [ 3.4060369677 -2.6711678969  5.6916139807]" in out
    assert "bias  : -0.06513092927302165" in out
    assert "[1.0, 1.0, 1.0] 0.9982759475 仕事が見つかる (finds a job)" in out
    assert "[1.0, 1.0, 0.0] 0.6614445222 仕事が見つかる (finds a job)" in out
    assert "[0.0, 0.0, 0.0] 0.4837230212 仕事が見つからない (does not find a job)" in out
    assert "z = 6.361352, a = sigmoid(z) = 0.998276 → finds a job" in out


def test_02_xor_fails_flat_and_is_solved_with_a_hidden_layer() -> None:
    out = run_example("02_xor_needs_a_hidden_layer.py")
    flat, hidden = out.split("\nhidden layer: ")
    assert "cost after 1000 epochs: 0.693147" in flat  # stuck at ln 2
    assert "accuracy: 0.50" in flat
    assert "accuracy: 1.00" in hidden
    found = re.search(r"cost after 1000 epochs: ([0-9.]+)", hidden)
    assert found is not None and float(found.group(1)) < 0.01
    assert "(passed)" in hidden


def test_03_digits_reaches_high_held_out_accuracy() -> None:
    pytest.importorskip("sklearn")
    out = run_example("03_digits.py")
    found = re.search(r"held-out accuracy: ([0-9.]+)", out)
    assert found is not None and float(found.group(1)) >= 0.95
    assert "2410 parameters" in out
    assert "(passed)" in out
