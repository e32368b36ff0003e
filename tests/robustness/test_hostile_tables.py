"""Hostile tables a second attack found after the table layer moved to polars.

Each case failed on that code (a traceback, a short row taken as data, lists in Parquet, a
level read as a number, predictions written over the table's own columns, a 48 GiB
allocation); each now gets one line and exit status 2, or the right answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from glassnet.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _refused(capsys: pytest.CaptureFixture[str], words: str, *argv: Any) -> None:
    status, _, err = _run(capsys, *argv)
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert words in err, err


@pytest.fixture
def model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "base.csv"
    rows = [f"{i / 40:.3f},{(i * 7 % 40) / 40:.3f},{'red' if i % 3 else 'blue'},{'ab'[i % 2]}"
            for i in range(40)]  # fmt: skip
    data.write_text("x1,x2,color,y\n" + "\n".join(rows) + "\n")
    path = tmp_path / "m.safetensors"
    status, _, err = _run(capsys, "train", data, "--target", "y", "--epochs", "2", "--out", path)
    assert status == 0, err
    return path


@pytest.mark.parametrize(
    ("content", "words"),
    [
        # a quoted comma elsewhere hid the short row from a count of delimiters
        (b'x1,x2,color,"note, free"\n0.1,0.2,red,a\n0.5,0.5,blue\n', "line 3: 3 values"),
        (b"x1,x2,color\r0.1,0.2,red\n0.5,0.5,blue\n", "carriage return"),  # csv.Error
        (b"\xef\xbb\xbf", "is empty"),  # a byte-order mark alone
        (b"\xef\xbb\xbf\n\n", "is empty"),
        (b"\xff\xfe", "is empty"),
    ],
    ids=["short-row-quoted-comma", "cr-in-header", "bom", "bom-blank", "utf16-bom"],
)
def test_a_broken_csv_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    _refused(capsys, words, "predict", model, path)
    _refused(capsys, words, "train", path, "--target", "x1")


def test_parquet_lists_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.parquet"
    pl.DataFrame({"x": [i / 20 for i in range(20)], "tags": [[i, i + 1] for i in range(20)],
                  "y": ["a", "b"] * 10}).write_parquet(path)  # fmt: skip
    _refused(capsys, "column 'tags' holds List", "train", path, "--target", "y")


def test_a_level_is_read_as_written_whatever_the_other_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # trained on "007", "A1", "08": a file of only "007" and "08" read them as 7 and 8,
    # unknown levels, and the same row got another answer
    data = tmp_path / "d.csv"
    codes = ["007", "A1", "08"] * 20
    data.write_text("x,code,y\n" + "".join(f"0.5,{c},{'b' if c == '007' else 'a'}\n"
                                            for c in codes))  # fmt: skip
    path = tmp_path / "m.safetensors"
    assert _run(capsys, "train", data, "--target", "y", "--out", path, "--seed", "0",
                "--epochs", "300", "--learning-rate", "0.05")[0] == 0  # fmt: skip
    answers = []
    for other in ("A1", "08"):
        query = tmp_path / f"q{other}.csv"
        query.write_text(f"x,code\n0.5,007\n0.5,{other}\n")
        status, out, err = _run(capsys, "predict", path, query)
        assert status == 0, err
        answers.append(out.splitlines()[1])
    assert answers[0] == answers[1] and answers[0].startswith("0.5,007,b,")


def test_predictions_never_replace_the_tables_own_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    query = tmp_path / "q.csv"
    query.write_text("x1,x2,color,y,predicted_y,probability_a\n0.1,0.2,red,a,KEEP1,KEEP2\n")
    _refused(capsys, f"{query}: the table already has the columns predicted_y, probability_a",
             "predict", model, query)  # fmt: skip


def test_an_encoding_too_big_for_memory_is_refused_before_allocating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import glassnet.preprocessing

    monkeypatch.setattr(glassnet.preprocessing, "physical_memory", lambda: 2**20)
    data = tmp_path / "d.csv"
    data.write_text("x,z,y\n" + "".join(f"id{i},{i % 7},{'ab'[i % 2]}\n" for i in range(500)))
    _refused(capsys, "more than this machine's memory", "train", data, "--target", "y",
             "--categorical", "x", "--max-categories", "1000")  # fmt: skip


def test_evaluate_refuses_a_target_too_large_for_a_float(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1e400 read as inf: evaluate printed MSE inf and R² nan at exit 0; it is text, as written
    data = tmp_path / "r.csv"
    data.write_text("x,y\n" + "".join(f"{i / 40:.3f},{3.7 * i / 40:.4f}\n" for i in range(40)))
    path = tmp_path / "r.safetensors"
    assert _run(capsys, "train", data, "--target", "y", "--epochs", "2", "--out", path)[0] == 0
    query = tmp_path / "q.csv"
    query.write_text("x,y\n0.1,\n0.2,1e400\n")
    _refused(capsys, "the target 'y' holds text, not numbers (line 3 '1e400')", "evaluate", path,
             query)  # fmt: skip


def test_a_label_too_large_for_a_float_stays_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "1e400" read as inf: warnings on stderr, then a wrong "divide by a power of ten"
    # line; with --task classification a model whose class was null, refused at save
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i / 40:.3f},{['1e400', '1'][i % 2]}\n" for i in range(40)))
    path = tmp_path / "m.safetensors"
    status, out, err = _run(capsys, "train", data, "--target", "y", "--out", path,
                            "--epochs", "2", "--json")  # fmt: skip
    assert status == 0 and "Warning" not in err and "Traceback" not in err, err
    assert '"1e400"' in out
    _refused(capsys, "holds numbers except 20 cells (line 2 '1e400', line 4 '1e400', line 6",
             "train", data, "--target", "y", "--task", "regression")  # fmt: skip
