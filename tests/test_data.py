"""``glassnet.data``: CSV reading (fast and careful paths), errors, scaling, labels."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet import csv_numbers, data
from glassnet.data import (
    DataError,
    Scaler,
    class_probabilities,
    decode_outputs,
    detect_task,
    encode_labels,
    find_classes,
    one_hot,
    read_csv,
)

FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
FORMATS = ("repr", "%.6g", "%.18e", "%.3f", "%g", "%.17g", "%E", "%d")


def fmt(value: float, how: str) -> str:
    if how == "repr":
        return repr(value)
    if how == "%d":
        return str(int(value)) if abs(value) < 1e18 else repr(value)
    return how % value


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ----- the fast parser gives exactly float()'s numbers ---------------------------------------
@given(
    values=st.lists(FLOATS, min_size=3, max_size=60),
    how=st.sampled_from(FORMATS),
)
def test_plain_numbers_parse_exactly_as_float(values: list[float], how: str) -> None:
    cells = [fmt(v, how) for v in values]
    cells = cells[: len(cells) - len(cells) % 3]
    text = "\n".join(",".join(cells[i : i + 3]) for i in range(0, len(cells), 3)) + "\n"
    parsed = csv_numbers._parse_plain(text.encode(), 3, np.arange(3), [])
    assert parsed is not None, text
    expected = np.array([float(c) for c in cells]).reshape(-1, 3)
    np.testing.assert_array_equal(parsed[0], expected)
    # signs of zero too
    assert (np.signbit(parsed[0]) == np.signbit(expected)).all()


@pytest.mark.parametrize(
    "cell",
    ["1.5e308", "123456789012345678901234567890", "0.000000000000000000000000001234",
     "+7", "-.5", "5.", "1E+05", "4e-320", "9007199254740993", "00012.50"],
)  # fmt: skip
def test_unusual_plain_numbers(cell: str) -> None:
    parsed = csv_numbers._parse_plain(f"{cell},1\n".encode(), 2, np.arange(2), [])
    assert parsed is not None
    assert parsed[0][0, 0] == float(cell)


@pytest.mark.parametrize(
    "text",
    ["1,2\n3\n", "1,2\n\n", '1,"2"\n', "1, 2\n", "1,2x\n", "1,--2\n", "1,2-3\n", "1,1.2.3\n",
     "1,1e\n", "1,e5\n", "1,.\n", "1,-\n", "1,\n", "1,1e5.0\n", "1,nan\n"],
)  # fmt: skip
def test_anything_not_plain_goes_the_careful_way(text: str) -> None:
    assert csv_numbers._parse_plain(text.encode(), 2, np.arange(2), []) is None


def test_fast_path_skips_text_in_other_columns() -> None:
    parsed = csv_numbers._parse_plain(b"a-b c,1.5,yes\nx.y.z,-2,no\n", 3, np.array([1]), [2])
    assert parsed is not None
    np.testing.assert_array_equal(parsed[0], [[1.5], [-2.0]])
    assert parsed[1] == [["yes", "no"]]


# ----- dialects: BOM, CRLF, quotes, spaces, blank lines ---------------------------------------
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.lists(FLOATS, min_size=3, max_size=3), min_size=1, max_size=20),
    how=st.sampled_from(FORMATS[:-1]),
    bom=st.booleans(),
    crlf=st.booleans(),
    quote=st.booleans(),
    spaces=st.booleans(),
    blank_tail=st.integers(0, 3),
)
def test_dialects_read_the_same_numbers(
    tmp_path: Path,
    table: list[list[float]],
    how: str,
    bom: bool,
    crlf: bool,
    quote: bool,
    spaces: bool,
    blank_tail: int,
) -> None:
    end = "\r\n" if crlf else "\n"
    out = io.StringIO()
    writer = csv.writer(
        out, lineterminator=end, quoting=csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL
    )
    writer.writerow(["α", "b", "y"])
    for row in table:
        cells = [fmt(v, how) for v in row]
        writer.writerow([f" {c} " for c in cells] if spaces else cells)
    text = ("\ufeff" if bom else "") + out.getvalue() + end * blank_tail
    path = write(tmp_path / "t.csv", text)
    read = read_csv(path, "y")
    expected = np.array([[float(fmt(v, how)) for v in row] for row in table])
    np.testing.assert_array_equal(read.X, expected[:, :2])
    np.testing.assert_array_equal(read.y, expected[:, 2])
    assert read.feature_names == ["α", "b"]


def test_japanese_headers_target_anywhere_and_ignore(tmp_path: Path) -> None:
    path = write(tmp_path / "j.csv", "仕事,数学,名前,英語\n1,0,太郎,1\n0,1,花子,0\n")
    read = read_csv(path, "仕事", ignore=["名前"])
    assert read.feature_names == ["数学", "英語"]
    np.testing.assert_array_equal(read.X, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(read.y, [1, 0])
    assert read.columns == ["仕事", "数学", "名前", "英語"]


def test_features_by_name_and_optional_target(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "b,extra,a\n2,x,1\n4,y,3\n")
    read = read_csv(path, "label", features=["a", "b"], target_optional=True)
    np.testing.assert_array_equal(read.X, [[1, 2], [3, 4]])
    assert read.y is None and read.target_name is None


def test_text_labels_found_after_many_numeric_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target that looks numeric for several chunks and then holds a word is read as text."""
    monkeypatch.setattr(data, "CHUNK_BYTES", 64)
    rows = [f"{i % 7}.5,{i % 2}" for i in range(200)] + ["1.5,other"]
    path = write(tmp_path / "t.csv", "x,y\n" + "\n".join(rows) + "\n")
    read = read_csv(path, "y")
    assert read.y is not None and read.y.dtype.kind == "U"
    assert list(read.y[:3]) == ["0", "1", "0"] and read.y[-1] == "other"
    assert read.X.shape == (201, 1)


@pytest.mark.parametrize("chunk", [32, 100, 4096])
def test_chunked_reading_and_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(data, "CHUNK_BYTES", chunk)
    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 4))
    lines = [",".join(repr(float(v)) for v in row) for row in values]
    lines[150] = lines[150].replace(",", ",\t", 1)  # a careful-path chunk in the middle
    lines[100] = lines[100].replace(",", " ,  ", 1)  # spaces the fast path strips
    path = write(tmp_path / "c.csv", "a,b,c,d\r\n" + "\r\n".join(lines) + "\r\n")
    read = read_csv(path, "d")
    np.testing.assert_array_equal(read.X, values[:, :3])
    np.testing.assert_array_equal(read.y, values[:, 3])
    lines[250] = lines[250].split(",", 1)[0] + ",oops,1,2"
    write(path, "a,b,c,d\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"line 252, column 'b': 'oops' is not a number"):
        read_csv(path, "d")


# ----- quotes: only whole-field quotes are dropped on the fast path ------------------------
@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('a,b\n1"2,3\n', r"line 2, column 'a': '1\"2' is not a number"),
        ('a,b\n"1""",3\n', r"line 2, column 'a': '1\"' is not a number"),
        ('a,b\n"3,4",5\n', r"line 2, column 'a': '3,4' is not a number"),
        ('a,b\n1,2\n"3,4\n5,6\n', r"line 3: a quote opened on this line is not closed"),
        ('a,b\n1,2\n3,"4\n', r"line 3: a quote opened on this line is not closed"),
    ],
)
def test_stray_quotes_are_errors_with_their_line(tmp_path: Path, text: str, pattern: str) -> None:
    path = write(tmp_path / "q.csv", text)
    with pytest.raises(DataError, match=pattern) as error:
        read_csv(path, "b")
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_quotes_around_whole_fields_read_as_the_value(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", 'a,b,y\n"1.5",2,"x"\n3,"-4e2",y\n')
    read = read_csv(path, "y")
    np.testing.assert_array_equal(read.X, [[1.5, 2.0], [3.0, -400.0]])
    assert read.y is not None and read.y.tolist() == ["x", "y"]
    assert csv_numbers.parse_chunk(b'"1",2\n', 2, np.arange(2), []) is not None
    for chunk in (b'1"2,3\n', b'"1""",3\n', b'"3,4",5\n', b'"3,4\n'):
        assert csv_numbers.parse_chunk(chunk, 2, np.arange(2), []) is None


@pytest.mark.parametrize(
    "text",
    ["a,b\n1,x\n2,\n", "a,b\n1,x\n2,  \n", 'a,b\n1,x\n2,""\n', "a,b\n1,\n2,x\n"],
)
def test_an_empty_label_is_the_empty_cell_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "e.csv", text)
    with pytest.raises(DataError, match=r"e.csv, line 3|e.csv, line 2") as error:
        read_csv(path, "b")
    message = str(error.value)
    assert "column 'b': the cell is empty" in message
    line = 2 if text.startswith("a,b\n1,\n") else 3
    assert f"line {line}," in message


# ----- errors: where and what -------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("a,b\n", "has a header but no data rows"),
        ("\n\n", "has no header line"),
        ("a,,b\n1,2,3\n", "column 2 has no name"),
        ("a,b,a\n1,2,3\n", "'a' appears twice"),
        ("a,b\n1,2\n3,x\n4,5\n", None),  # a text target: fine
        ("a,b\n1,2\nx,4\n", r"line 3, column 'a': 'x' is not a number; .*--ignore a"),
        ("a,b\n1,2\n3,4,5\n", r"line 3: 3 values but the header has 2 columns"),
        ("a,b\n1,2\n\n\n3\n", r"line 5: 1 value but the header has 2 columns"),
        ("a,b\n1,2\n ,4\n", r"line 3, column 'a': the cell is empty"),
        ("a,b\n1,2\n3,NaN\n", r"line 3, column 'b': 'NaN' is not a finite number"),
        ("a,b\n1,2\n1e999,2\n", r"line 3, column 'a': '1e999' is not a finite number"),
        ("a,c\n1,2\n", r"no column named 'b'; the columns are a, c"),
    ],
)
def test_error_messages(tmp_path: Path, text: str, pattern: str | None) -> None:
    path = write(tmp_path / "e.csv", text)
    if pattern is None:
        read_csv(path, "b")
        return
    with pytest.raises(DataError, match=pattern) as error:
        read_csv(path, "b")
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_csv(tmp_path / "nope.csv", "y")
    with pytest.raises(DataError, match="is a folder"):
        read_csv(tmp_path, "y")
    with pytest.raises(DataError, match="is empty"):
        read_csv(write(tmp_path / "e.csv", b""), "y")
    with pytest.raises(DataError, match="binary file"):
        read_csv(write(tmp_path / "b.csv", b"PK\x03\x04\x00\x00"), "y")
    with pytest.raises(DataError, match="header is not UTF-8"):
        read_csv(write(tmp_path / "h.csv", "é,y\n1,2\n".encode("latin-1")), "y")
    with pytest.raises(DataError, match="line 3: the bytes are not UTF-8"):
        read_csv(write(tmp_path / "u.csv", "x,y\n1,2\n\xe9,2\n".encode("latin-1")), "y")
    with pytest.raises(DataError, match="--ignore names z"):
        read_csv(write(tmp_path / "i.csv", "x,y\n1,2\n"), "y", ignore=["z"])
    with pytest.raises(DataError, match="no feature columns"):
        read_csv(write(tmp_path / "f.csv", "x,y\n1,2\n"), "y", ignore=["x"])
    with pytest.raises(DataError, match="needs the columns b, c"):
        read_csv(write(tmp_path / "m.csv", "a,y\n1,2\n"), "y", features=["a", "b", "c"])


# ----- the target ----------------------------------------------------------------------------
def test_detect_task_rule() -> None:
    assert detect_task(np.array(["yes", "no"])) == "classification"
    assert detect_task(np.array([0.0, 1.0, 2.0, 1.0])) == "classification"
    assert detect_task(np.arange(21.0)) == "regression"  # more than 20 whole values
    assert detect_task(np.arange(20.0)) == "classification"
    assert detect_task(np.array([0.5, 1.0])) == "regression"


def test_classes_and_encoding() -> None:
    assert find_classes(np.array([3.0, 1.0, 3.0]), "f", "y") == [1, 3]
    assert find_classes(np.array(["b", "a", "b"]), "f", "y") == ["a", "b"]
    with pytest.raises(DataError, match="only one class"):
        find_classes(np.array(["a", "a"]), "f", "y")
    index = encode_labels(np.array(["b", "c", "a", "c"]), ["a", "b", "c"], "f", "y")
    np.testing.assert_array_equal(index, [1, 2, 0, 2])
    np.testing.assert_array_equal(encode_labels(np.array([3.0, 1.0]), [1, 3], "f", "y"), [1, 0])
    with pytest.raises(DataError, match="'zebra', which is not one of the model's classes"):
        encode_labels(np.array(["a", "zebra"]), ["a", "b"], "f", "y")
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 1), [[1], [0]])
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 2), [[0, 1], [1, 0]])
    np.testing.assert_allclose(class_probabilities(np.array([[0.25]])), [[0.75, 0.25]])


def test_decode_outputs() -> None:
    meta = {"task": "classification", "classes": ["a", "b"]}
    answers, probabilities = decode_outputs(meta, np.array([[0.2], [0.5], [0.9]]))
    np.testing.assert_array_equal(answers, [0, 1, 1])
    assert probabilities is not None and probabilities.shape == (3, 2)
    meta = {"task": "regression", "target_scaler": {"mean": [10.0], "scale": [2.0]}}
    values, none = decode_outputs(meta, np.array([[0.0], [1.5]]))
    np.testing.assert_allclose(values, [10.0, 13.0])
    assert none is None


# ----- scaling ---------------------------------------------------------------------------------
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=2, max_size=50))
def test_scaler_standardizes_and_survives_constant_columns(rows: list[list[float]]) -> None:
    X = np.array(rows)
    X[:, 2] = 7.0  # a constant column
    scaler = Scaler().fit(X, chunk_rows=7)
    np.testing.assert_allclose(scaler.mean, X.mean(axis=0), rtol=1e-9, atol=1e-6)
    Z = scaler.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert scaler.scale is not None and scaler.scale[2] == 1.0
    varied = X.std(axis=0) > 1e-6 * np.maximum(np.abs(X.mean(axis=0)), 1)
    np.testing.assert_allclose(Z[:, varied].std(axis=0), 1.0, rtol=1e-6)
    again = Scaler.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(again.transform(X), Z)
    inplace = X.copy()
    assert scaler.transform(inplace, inplace=True) is inplace


def test_scaler_keeps_tiny_columns_and_scales_huge_ones_without_overflow() -> None:
    rng = np.random.default_rng(0)
    tiny = rng.uniform(0.0, 2e-13, 200)  # spread 1e-13 around 1e-13: a real feature
    huge = 10.0 ** rng.uniform(154, 300, 200)  # squares overflow float64
    signed = rng.normal(size=200) * 1e300
    X = np.column_stack([tiny, huge, signed, np.full(200, 1.7e308), np.zeros(200)])
    scaler = Scaler().fit(X, chunk_rows=64)
    assert scaler.scale is not None and np.isfinite(scaler.scale).all()
    assert (scaler.scale > 0).all()
    size = np.abs(X[:, :3]).max(axis=0)  # NumPy's own std would overflow on these
    np.testing.assert_allclose(scaler.scale[:3], (X[:, :3] / size).std(axis=0) * size, rtol=1e-9)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z[:, :3].std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(Z[:, 3:], 0.0)  # constant columns: scale 1, all zero
    with pytest.raises(ValueError, match="column 'edge' has values too close to the float64"):
        Scaler().fit(np.array([[1.0, 1.7e308], [2.0, -1.7e308], [3.0, -1.7e308]]),
                     names=["a", "edge"])  # fmt: skip
    with pytest.raises(ValueError, match="not finite"):
        Scaler([0.0], [math.inf]).to_dict()


def test_scaler_errors() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        Scaler().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="3 columns but the scaler was fitted on 2"):
        Scaler().fit(np.ones((3, 2))).transform(np.zeros((2, 3)))


def test_large_file_reads_in_pieces(tmp_path: Path) -> None:
    """Several default-size chunks: the worker threads give the rows back in file order."""
    rng = np.random.default_rng(1)
    values = rng.normal(size=(60_000, 5))
    path = tmp_path / "big.csv"
    with path.open("w") as f:
        f.write("a,b,c,d,e\n")
        np.savetxt(f, values, delimiter=",", fmt="%.17g")
    read = read_csv(path, "e")
    np.testing.assert_array_equal(read.X, values[:, :4])
    np.testing.assert_array_equal(read.y, values[:, 4])
    assert math.isclose(float(read.X.sum()), float(values[:, :4].sum()))


@settings(max_examples=300)
@given(
    cells=st.lists(
        st.text(alphabet="0123456789.-+eE", min_size=1, max_size=12), min_size=2, max_size=40
    ),
    columns=st.integers(1, 4),
)
def test_fast_parser_never_accepts_what_float_refuses(cells: list[str], columns: int) -> None:
    """Random strings of number characters: the fast path gives float()'s value or declines."""
    cells = cells[: len(cells) - len(cells) % columns] or cells[:columns]
    if len(cells) < columns:
        return
    text = "\n".join(",".join(cells[i : i + columns]) for i in range(0, len(cells), columns))
    parsed = csv_numbers._parse_plain((text + "\n").encode(), columns, np.arange(columns), [])
    numbers = []
    for cell in cells:
        try:
            numbers.append(float(cell))
        except ValueError:
            numbers.append(None)
    if parsed is None:
        return
    assert None not in numbers, (cells, parsed[0])
    np.testing.assert_array_equal(parsed[0].ravel(), np.array(numbers, dtype=float))
