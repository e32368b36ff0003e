"""``glassnet.table``: CSV and Parquet files in, typed columns out; one-line errors."""

from __future__ import annotations

import contextlib
import csv
import io
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.preprocessing import as_frame
from glassnet.table import DataError, locate, read_table

FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
FORMATS = ("repr", "%.6g", "%.18e", "%.3f", "%g", "%.17g", "%E")


def fmt(value: float, how: str) -> str:
    return repr(value) if how == "repr" else how % value


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ----- dialects: BOM, CRLF, CR, quotes, spaces, blank lines, delimiters -----------------------
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.lists(FLOATS, min_size=3, max_size=3), min_size=1, max_size=20),
    how=st.sampled_from(FORMATS),
    bom=st.booleans(),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    quote=st.booleans(),
    spaces=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    blank_tail=st.integers(0, 3),
)
def test_dialects_read_the_same_numbers(
    tmp_path: Path,
    table: list[list[float]],
    how: str,
    bom: bool,
    end: str,
    quote: bool,
    spaces: bool,
    delimiter: str,
    blank_tail: int,
) -> None:
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL
    writer = csv.writer(out, lineterminator=end, quoting=quoting, delimiter=delimiter)
    writer.writerow(["α", "b", "y"])
    for row in table:
        cells = [fmt(v, how) for v in row]
        writer.writerow([f" {c} " for c in cells] if spaces else cells)
    text = ("\ufeff" if bom else "") + out.getvalue() + end * blank_tail
    frame = read_table(write(tmp_path / "t.csv", text))
    assert frame.columns == ["α", "b", "y"]
    expected = np.array([[float(fmt(v, how)) for v in row] for row in table])
    got = np.column_stack([frame[c].cast(pl.Float64).to_numpy() for c in frame.columns])
    np.testing.assert_array_equal(got, expected)


def test_given_delimiter_utf16_and_japanese_headers(tmp_path: Path) -> None:
    text = "仕事;数学;名前\n1;0,5;太郎\n0;1,5;花子\n"
    # UTF-32's byte order mark starts as UTF-16's: it was read as UTF-16, NULs and all
    for encoding in ("utf-16", "utf-32", "utf-32-be"):
        bom = "\ufeff" if encoding == "utf-32-be" else ""
        raw = (bom + text).encode(encoding)
        frame = read_table(write(tmp_path / "j.csv", raw), delimiter=";")
        assert frame.columns == ["仕事", "数学", "名前"], encoding
        assert frame["名前"].to_list() == ["太郎", "花子"]


def test_missing_markers_unnamed_columns_and_text(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", ',a,b,c\n1,NA,x,?\n2,3, ,y\n3,,"q, r",None\n')
    frame = read_table(path)
    assert frame.columns == ["(unnamed 1)", "a", "b", "c"]
    assert frame["a"].to_list() == [None, 3, None]
    assert frame["b"].to_list() == ["x", None, "q, r"]
    assert frame["c"].to_list() == [None, "y", None]
    # other markers, on request: "NA" is then a value
    frame = read_table(path, na_values=["?"])
    assert frame["a"].to_list() == ["NA", "3", None]


def test_text_columns_stay_exactly_as_written(tmp_path: Path) -> None:
    """Labels such as Nan, Li, Infinity and integers beyond 2^63 are the file's text."""
    cells = ["Nan", "Li", "Infinity", "18446744073709551617", "007"]
    path = write(tmp_path / "l.csv", "x,y\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells)))
    assert read_table(path, text_columns=["y"])["y"].to_list() == cells


def test_a_late_cell_that_breaks_the_guessed_type_reads_as_text(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i % 3}\n" for i in range(20_000))
    path = write(tmp_path / "late.csv", "a,b\n" + rows + "1.5,x\n")
    frame = read_table(path)
    assert frame["a"].dtype == pl.String and frame["b"].dtype == pl.String
    assert frame.height == 20_001 and frame["b"][-1] == "x"


def test_long_fields_and_parquet(tmp_path: Path) -> None:
    long = "w" * 200_000
    path = write(tmp_path / "long.csv", f"a,b\n1,{long}\n2,short\n")
    assert read_table(path)["b"].str.len_chars().to_list() == [200_000, 5]
    with pytest.raises(DataError, match="line 3: 3 values"):  # found again by the csv module
        read_table(write(path, f"a,b\n1,{long}\n2,{long},3\n"))
    frame = pl.DataFrame({"a": [1.5, None], "b": ["x", "NA"]})
    frame.write_parquet(tmp_path / "t.parquet")
    again = read_table(tmp_path / "t.parquet")
    assert again["a"].to_list() == [1.5, None] and again["b"].to_list() == ["x", None]


def test_pipes_are_read_and_a_fifo_with_no_writer_does_not_hang(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"a,b\n1,2\n")
    os.close(write_end)
    try:
        assert read_table(f"/dev/fd/{read_end}")["b"].to_list() == [2]
    finally:
        os.close(read_end)
    # through a pipe as from a file: UTF-32's NUL bytes after a byte order mark are text
    # (the pipe's own check knew only UTF-16's marks and called big-endian UTF-32 binary)
    for encoding in ("utf-16", "utf-32"):
        for endian in ("le", "be"):
            read_end, write_end = os.pipe()
            os.write(write_end, "\ufeffa,b\n1,2\n".encode(f"{encoding}-{endian}"))
            os.close(write_end)
            try:
                assert read_table(f"/dev/fd/{read_end}")["b"].to_list() == [2], encoding
            finally:
                os.close(read_end)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="is a pipe \\(FIFO\\) that nothing wrote to; start"):
        read_table(fifo)


def test_an_endless_pipe_of_binary_bytes_is_refused_from_its_start() -> None:
    # `cat /dev/zero | glassnet predict M /dev/stdin` read until the memory ran out
    import threading

    read_end, write_end = os.pipe()

    def endless() -> None:
        with contextlib.suppress(OSError), os.fdopen(write_end, "wb") as out:
            while True:
                out.write(b"\x00" * 65536)

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    try:
        with pytest.raises(DataError, match="is a binary file, not CSV text"):
            read_table(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    writer.join(timeout=10)


# ----- errors: where and what --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("a,b\n", "has a header but no data rows"),
        ("\n\n", "is empty"),
        ("a,b,a\n1,2,3\n", "line 1: the column name 'a' appears twice"),
        ("a,b\n1,2\n3,4,5\n", r"line 3: 3 values but the header has 2 columns"),
        ("a,b\n1,2\n\n\n3\n", r"line 5: 1 value but the header has 2 columns"),
        ('a,b\n1,2\n"3,4\n5,6\n', r"line 3: a quote on this line is not closed"),
        ('a,b\n1,2\n3,"4\n', r"line 3: a quote on this line is not closed"),
        # the quoted name swallowed every line below: "no data rows"
        ('a,"b,y\n1,2,0\n3,4,1\n', r"line 1: a quote in the header is not closed on its line"),
        # a name with a line break (closed on line 2: "not closed" misled)
        ('a,"b\nc",y\n1,2,0\n', r"line 1: a quote in the header .* cannot hold a line break"),
        # polars' words ("more fields than defined in 'Schema'") named no line
        ("a,b,y\r\n1,2,0\n3,4,1\r5,6,0\n", r"line 3: a carriage return \(CR\) ends a line"),
        (b"PK\x03\x04\x00\x00", "binary file"),
        ("é,y\n1,2\n".encode("latin-1"), "the header is not UTF-8"),
        ("x,y\n1,2\n\xe9,2\n".encode("latin-1"), "line 3: the bytes are not UTF-8"),
    ],
)
def test_error_messages(tmp_path: Path, text: str | bytes, pattern: str) -> None:
    path = write(tmp_path / "e.csv", text)
    with pytest.raises(DataError, match=pattern) as error:
        read_table(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_table(tmp_path)
    with pytest.raises(DataError, match="is not a Parquet file"):
        read_table(write(tmp_path / "fake.parquet", "a,b\n1,2\n"))
    with pytest.raises(DataError, match="Parquet file cannot be read"):
        read_table(write(tmp_path / "cut.parquet", b"PAR1" + b"\x00" * 20 + b"PAR1"))
    with pytest.raises(DataError, match="--delimiter must be one character"):
        read_table(write(tmp_path / "d.csv", "a,b\n1,2\n"), delimiter="::")
    # devices that never end were read until the memory ran out
    for device in ("/dev/zero", "/dev/urandom"):
        with pytest.raises(DataError, match=f"^{device} is a device, not a table"):
            read_table(device)


def test_locate_names_the_line_of_a_data_row(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", 'a,b\n1,"x\ny"\n\n2,z\n3,w\n')
    error = DataError("{place0}, column 'a': bad", [2])
    assert str(error) == "data row 3, column 'a': bad"
    assert str(locate(error, path)) == f"{path}, line 6, column 'a': bad"
    # a row whose quoted cell spans lines is named by the line it starts on, not ends on
    assert str(locate(DataError("{place0}: x", [0]), path)) == f"{path}, line 2: x"
    # a subset of the rows: row 0 of the subset is the file's data row 1
    assert str(locate(DataError("{place0}: x", [0]), path, np.array([1]))) == f"{path}, line 5: x"
    assert str(locate(DataError("no rows"), path)) == f"{path}: no rows"


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.lists(
        st.text(alphabet='ab1.,;"\n\r \t\x00é-', max_size=12), min_size=0, max_size=12
    ).map("".join),
    raw=st.binary(max_size=40),
)
def test_any_bytes_read_or_give_one_line(tmp_path: Path, body: str, raw: bytes) -> None:
    """Random text after a header, and random bytes: a frame, or one DataError line."""
    for content in ("a,b\n" + body, raw):
        path = write(tmp_path / "r.csv", content)
        try:
            frame = read_table(path)
        except DataError as error:
            assert "\n" not in str(error) and str(path) in str(error)
        else:
            assert frame.height >= 1


def big_table(rows: int, line_end: str = "\n", start: str = "") -> str:
    """Over ``HEAD_BYTES`` of CSV text: a number, a text column with a few cells to clean."""
    cells = [
        f"{i * 0.25},{(' b ', 'NA', 'c')[i % 3] if i % 1000 == 7 else 'a'}" for i in range(rows)
    ]
    return start + "x,t" + line_end + line_end.join(cells) + line_end


@pytest.mark.parametrize(
    ("line_end", "start"),
    [("\n", ""), ("\r\n", ""), ("\r", ""), ("\n", "\ufeff"), ("\n", " \n" * 700_000)],
    ids=["lf", "crlf", "cr", "bom", "blank-megabyte-first"],
)
def test_a_file_beyond_the_first_megabyte_reads_whole_and_clean(
    tmp_path: Path, line_end: str, start: str
) -> None:
    from glassnet.table import HEAD_BYTES

    path = write(tmp_path / "big.csv", big_table(200_000, line_end, start))
    assert path.stat().st_size > HEAD_BYTES
    frame = read_table(path)
    assert frame.columns == ["x", "t"] and frame.height == 200_000
    assert frame["x"].to_list() == [i * 0.25 for i in range(200_000)]
    t = frame["t"]
    assert t[7] is None and t[1007] == "c" and t[2007] == "b" and t[8] == "a"
    assert t.null_count() == sum(1 for i in range(200_000) if i % 1000 == 7 and i % 3 == 1)


@pytest.mark.parametrize("marker", ["NA", "nan", '"NA"', "?"])
def test_a_marker_first_seen_past_the_first_megabyte_is_missing_as_one_at_the_start(
    tmp_path: Path, marker: str
) -> None:
    # a file whose start holds no marker is parsed without them; one further on (an int
    # or float column's, or a text column's) must not change a column's type or cells
    from glassnet.table import HEAD_BYTES

    rows = [f"{i},{i * 0.5},{'ab'[i % 2]}" for i in range(120_000)]
    missing = ",".join([marker] * 3)
    late, early = [*rows[:100_000], missing, *rows[100_000:]], [missing, *rows]
    frames = []
    for name, lines in (("late.csv", late), ("early.csv", early)):
        path = write(tmp_path / name, "i,f,t\n" + "\n".join(lines) + "\n")
        frames.append(read_table(path))
    assert (tmp_path / "late.csv").stat().st_size > HEAD_BYTES
    late_frame, early_frame = frames
    types = {"i": pl.Int64, "f": pl.Float64, "t": pl.String}
    assert late_frame.schema == early_frame.schema == types
    assert late_frame.row(100_000) == (None, None, None) == early_frame.row(0)
    assert late_frame.null_count().row(0) == (1, 1, 1)


def test_a_short_row_far_into_a_big_file_is_named_by_its_line(tmp_path: Path) -> None:
    text = big_table(200_000).replace("\n37500.0,a\n", "\n37500.0\n")
    path = write(tmp_path / "short.csv", text)
    with pytest.raises(DataError, match=r"short.csv, line 150002: 1 value but the header has 2"):
        read_table(path)


def test_text_columns_that_need_no_cleaning_are_kept_and_others_cleaned() -> None:
    from glassnet.table import clean_text

    frame = pl.DataFrame(
        {
            "clean": ["a", "b", None, "a"],
            "spaced": ["a", " b", "b ", "a"],
            "marker": ["a", "NA", "", "a"],
            "kind": pl.Series(["x", " y", "x", None], dtype=pl.Categorical),
        }
    )
    cleaned = clean_text(frame, ["NA"])
    assert cleaned["clean"].to_list() == ["a", "b", None, "a"]
    assert cleaned["spaced"].to_list() == ["a", "b", "b", "a"]
    assert cleaned["marker"].to_list() == ["a", None, None, "a"]
    assert cleaned.schema["kind"] == pl.String and cleaned["kind"].to_list() == [
        "x",
        "y",
        "x",
        None,
    ]


def test_a_row_of_empty_cells_is_a_row_and_a_blank_line_is_not(tmp_path: Path) -> None:
    # a file to predict may hold a row whose cells are all missing: it is answered (its
    # cells filled), in its place; dropping it shifted every later answer by one row
    path = tmp_path / "q.csv"
    path.write_bytes(b"x1,x2\n0.1,0.2\n,\n\n  \n0.5,0.9\n,\n")
    frame = read_table(path)
    assert frame.height == 4
    # (a line of spaces makes polars read the column as text; the preprocessing reads the
    # numbers in it)
    assert [v if v is None else float(v) for v in frame["x1"].to_list()] == [0.1, None, 0.5, None]
    one_column = tmp_path / "one.csv"
    one_column.write_bytes(b"x\n1\n\n2\n")
    assert read_table(one_column)["x"].to_list() == [1, 2]


def test_a_tab_delimiter_may_be_typed_as_backslash_t(tmp_path: Path) -> None:
    # the error message's own advice, "\t for a tab", was refused as two characters
    path = tmp_path / "t.csv"
    path.write_text("a\tb\n1\t2\n")
    assert read_table(path, delimiter="\\t").columns == ["a", "b"]


@pytest.mark.parametrize(
    "start", [b"\n\n", b"\r\n\r\n", b"  \n", b"\n \t\n\n", b"\xef\xbb\xbf\n  \n"], ids=repr
)
def test_blank_lines_before_the_header_are_skipped(tmp_path: Path, start: bytes) -> None:
    # polars skips empty lines itself, so skipping them again took the header as a row
    path = tmp_path / "t.csv"
    path.write_bytes(start + b"x1,x2,color\n0.1,0.2,red\n0.3,0.1,blue\n")
    frame = read_table(path)
    assert frame.columns == ["x1", "x2", "color"] and frame.height == 2


def test_a_parquet_column_with_no_name_is_unnamed(tmp_path: Path) -> None:
    # a "" column was trained on as a feature (the README says unnamed columns are
    # ignored) and its ONNX export failed
    from glassnet.preprocessing import Preprocessor

    path = tmp_path / "t.parquet"
    pl.DataFrame({"": [3, 1, 2, 5], "x": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]}).write_parquet(
        path
    )
    frame = read_table(path)
    assert frame.columns == ["(unnamed 1)", "x", "y"]
    pre = Preprocessor().fit(pl.read_parquet(path), "y")
    assert pre.feature_names_in_ == ["x"] and pre.columns_[0]["name"] == "(unnamed 1)"


def test_a_parquet_column_of_durations_is_read_and_written_back_as_iso_8601(
    tmp_path: Path,
) -> None:
    # a Duration column refused the whole file, even at predict where the model never
    # reads it (a DataFrame with the same column trained, the column ignored)
    import datetime

    from glassnet.table import read_table_as_written

    lasting = tmp_path / "d.parquet"
    took = [datetime.timedelta(seconds=90), None, datetime.timedelta(days=2, microseconds=5)]
    pl.DataFrame({"took": took, "y": [0, 1, 0]}).write_parquet(lasting)
    assert read_table(lasting)["took"].to_list() == took
    _, written = read_table_as_written(lasting)
    assert written["took"].to_list() == ["PT90S", None, "PT172800.000005S"]


def test_listed_quotes_the_values_that_hold_a_comma() -> None:
    # "classes : Compact Cars, Special Purpose Vehicle, SUV 2WD" told no one where a label ends
    from glassnet.table import listed

    assert listed(["Compact Cars", "Special Purpose Vehicle, SUV 2WD", 3]) == (
        'Compact Cars, "Special Purpose Vehicle, SUV 2WD", 3'
    )


def test_a_parquet_column_with_no_name_beside_one_named_unnamed_is_one_line() -> None:
    # "" and "(unnamed 1)": polars' DuplicateError traceback on every command
    import tempfile

    from glassnet.preprocessing import Preprocessor

    frame = pl.DataFrame({"": [1, 2], "(unnamed 1)": [3, 4], "y": [0, 1]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        frame.write_parquet(path)
        with pytest.raises(
            DataError, match=r"t.parquet: the column name '\(unnamed 1\)' appears twice"
        ):
            read_table(path)
    with pytest.raises(
        DataError, match=r"the table: the column name '\(unnamed 1\)' appears twice"
    ):
        Preprocessor().fit(frame)


def test_a_csv_whose_header_starts_with_par1_is_a_csv(tmp_path: Path) -> None:
    # "PAR1" at its start made it "not a Parquet file"; a Parquet file has it at both ends
    frame = read_table(write(tmp_path / "p.csv", "PAR1_score,y\n1,a\n2,b\n"))
    assert frame.columns == ["PAR1_score", "y"]
    pl.DataFrame({"x": [1, 2]}).write_parquet(tmp_path / "named.csv")
    assert read_table(tmp_path / "named.csv")["x"].to_list() == [1, 2]


def test_a_float_nan_in_parquet_is_missing_as_a_csv_cell_nan_is(tmp_path: Path) -> None:
    # a Parquet NaN was refused ("mark it missing with --na-values", which did not help),
    # and a NaN target became a class "NaN", where the CSV of the table had missing cells
    frame = pl.DataFrame({"x": [1.5, float("nan"), 3.0], "y": [0.0, float("nan"), 1.0]})
    frame.write_parquet(tmp_path / "t.parquet")
    (tmp_path / "t.csv").write_text("x,y\n1.5,0\nNaN,NaN\n3.0,1\n")
    for name in ("t.parquet", "t.csv"):
        read = read_table(tmp_path / name)
        assert read["x"].to_list() == [1.5, None, 3.0] and read["y"][1] is None
    # whatever the markers: a float NaN is missing in a DataFrame, a dict of columns and
    # pandas, and was refused from Parquet or polars under --na-values "?" ("nan is not a
    # finite number") where those routes answered
    kept = read_table(tmp_path / "t.parquet", na_values=["?"])
    assert kept["x"].to_list() == [1.5, None, 3.0]
    assert as_frame(frame, na_values=["?"])["x"].to_list() == [1.5, None, 3.0]


def test_lines_are_counted_with_the_delimiter_the_file_was_read_with(tmp_path: Path) -> None:
    # a header "a,b,c,d;x2;y" sniffs as commas; read with --delimiter ';', a quoted line
    # break was counted as a record's end and the bad cell named a line too early
    rows = ['1.0;"two\nlines";yes'] + [f"{i}.5;{i};no" for i in range(12)]
    path = write(tmp_path / "b.csv", "a,b,c,d;x2;y\n" + "\n".join(rows) + "\n")
    frame = read_table(path, delimiter=";")
    assert frame.columns == ["a,b,c,d", "x2", "y"] and frame.height == 13
    assert str(locate(DataError("{place0}", [11]), path)) == f"{path}, line 14"


def test_rows_one_field_longer_than_the_header_hold_their_names_first(tmp_path: Path) -> None:
    # R's write.table writes a row name first and no header cell for it: "line 2: 8
    # values but the header has 7 columns", and no option got past it
    path = write(tmp_path / "r.csv", '"w","feed","t"\n"1",26.5,NA,1\n"3",36.5,17.6,3\n')
    frame = read_table(path)
    assert frame.columns == ["(unnamed 1)", "w", "feed", "t"]
    assert frame.row(0) == (1, 26.5, None, 1) and frame.row(1) == (3, 36.5, 17.6, 3)
    # a delimiter at the end of every line is no row name: still one line too long
    trailing = write(tmp_path / "t.csv", "a,b\n1,2,\n3,4,\n")
    with pytest.raises(DataError, match="line 2: 3 values but the header has 2 columns"):
        read_table(trailing)
    # and a single longer line is a broken line, named
    broken = write(tmp_path / "b.csv", "a,b\n1,2\n3,4,5\n")
    with pytest.raises(DataError, match="line 3: 3 values but the header has 2 columns"):
        read_table(broken)


def test_a_name_that_is_no_column_suggests_the_one_written_like_it() -> None:
    # statsmodels' anes96 names its columns 'vote' with the quotes: "no column named
    # 'vote'; the columns are …, 'vote'" read as a contradiction
    from glassnet.table import nearest

    assert nearest("vote", ["popul", "'vote'"]) == " (did you mean \"'vote'\"?)"
    assert nearest("species", ["Species", "x"]) == " (did you mean 'Species'?)"
    assert nearest("Specie", ["Species", "x"]) == " (did you mean 'Species'?)"
    assert nearest("weight", ["a", "b"]) == ""
    assert nearest("ys", ["y", "x"]) == " (did you mean 'y'?)"  # short names: looser
    assert nearest("dya", ["day", "x"]) == " (did you mean 'day'?)"


def test_an_empty_or_columnless_parquet_file_is_named_as_parquet(tmp_path: Path) -> None:
    # an empty .parquet was told "a CSV file needs a header line", one of no columns "has
    # columns but no rows"; a header of one name was "1 columns"
    empty = write(tmp_path / "e.parquet", b"")
    with pytest.raises(DataError, match="is empty; a Parquet file needs columns and rows"):
        read_table(empty)
    pl.DataFrame().write_parquet(tmp_path / "none.parquet")
    with pytest.raises(DataError, match="has no columns; give a table"):
        read_table(tmp_path / "none.parquet")
    one = write(tmp_path / "one.csv", "a\n1\n2,3\n")
    with pytest.raises(DataError, match="line 3: 2 values but the header has 1 column; "):
        read_table(one)


def test_a_second_byte_order_mark_is_no_part_of_a_name(tmp_path: Path) -> None:
    # two files joined: the second mark stayed in the first name ("lacks x1")
    path = write(tmp_path / "b.csv", b"\xef\xbb\xbf\xef\xbb\xbfx1,y\n1,2\n")
    assert read_table(path).columns == ["x1", "y"]


def test_a_number_as_a_marker_is_missing_wherever_it_first_appears(tmp_path: Path) -> None:
    # --na-values=-999 read a late -999 as the number: the fast parse skips the markers,
    # and a check after it cannot tell the sentinel from a value in a column of numbers
    from glassnet.table import HEAD_BYTES

    rows = [f"{i % 9},{i}" for i in range(300_000)]
    text = "a,i\n" + "\n".join([*rows[:250_000], "-999,5", *rows[250_000:]]) + "\n"
    assert text.index("-999") > HEAD_BYTES
    frame = read_table(write(tmp_path / "late.csv", text), na_values=["-999"])
    assert frame["a"].null_count() == 1 and frame["a"][250_000] is None


@pytest.mark.parametrize("where", ["top", "late"])
def test_a_nan_that_is_no_marker_is_text_wherever_it_is(tmp_path: Path, where: str) -> None:
    # "NAN" (the markers are NaN and nan) at the top made the column text, to be judged
    # as a word; after 10,000 rows polars parsed it as a float NaN, filled as missing
    # once a NaN meant missing: one cell, two outcomes
    rows = [f"{i * 0.5}" for i in range(12_000)]
    rows.insert(1 if where == "top" else 11_000, "NAN")
    frame = read_table(write(tmp_path / "n.csv", "b\n" + "\n".join(rows) + "\n"))
    assert frame.schema["b"] == pl.String and frame["b"].to_list().count("NAN") == 1


def test_a_line_of_spaces_is_a_blank_line_whatever_the_other_rows(tmp_path: Path) -> None:
    # a line of spaces was a row to answer, unless another row was all missing; with a row
    # of markers beside it, the table as written had one row more than the table typed
    from glassnet.table import read_table_as_written

    for extra in ("", ",,\n", "NA,NA,NA\n"):
        path = write(tmp_path / "s.csv", "id,x,c\n001,1.5,p\n   \n003,0.2,r\n" + extra)
        frame, written = read_table_as_written(path)
        assert frame.height == written.height == 2 + bool(extra)
        assert written["id"].to_list()[:2] == ["001", "003"]


def test_a_late_marker_is_read_again_only_where_it_changes_a_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # among words a late "NA" is made missing after the parse; among numbers it made the
    # column text, and the file is read again with the markers to type it as numbers
    reads = []
    parse = pl.read_csv

    def counted(*args: object, **kwargs: object) -> pl.DataFrame:
        reads.append(kwargs.get("null_values"))
        return parse(*args, **kwargs)

    monkeypatch.setattr(pl, "read_csv", counted)
    from glassnet.table import HEAD_BYTES

    rows = [f"{i % 97},w{i % 5}" for i in range(300_000)]
    for column, cells in (("words", "3,NA"), ("numbers", "NA,w1")):
        reads.clear()
        text = "n,t\n" + "\n".join([*rows[:250_000], cells, *rows[250_000:]]) + "\n"
        assert text.index("NA") > HEAD_BYTES
        frame = read_table(write(tmp_path / f"{column}.csv", text))
        assert frame.schema == {"n": pl.Int64, "t": pl.String}
        assert frame.row(250_000) == ((3, None) if column == "words" else (None, "w1"))
        assert reads[0] is None and (len(reads) == 1) == (column == "words"), reads


def test_numbers_with_a_decimal_comma_are_numbers(tmp_path: Path) -> None:
    # Excel's export where a comma is the decimal sign (0,23 in a file of ";") was read as
    # text: every such column one-hot (365 and 1,001 levels), its later values unseen
    path = tmp_path / "t.csv"
    path.write_text("a;b;name;y\n0,23;1,5;x;1\n-1,7;2;y;0\n3,0;1e3;x;1\n;4,25;y;0\n")
    frame = read_table(path)
    assert frame.schema["a"] == pl.Float64 and frame["a"].to_list() == [0.23, -1.7, 3.0, None]
    assert frame["b"].to_list() == [1.5, 2.0, 1000.0, 4.25] and frame["name"].dtype == pl.String
    # tabs too; a target read as text gets points, so that its labels read as numbers
    # (a regression's target 12,69 was "text, not numbers")
    tabs = tmp_path / "t.tsv"
    tabs.write_text("a\ty\n0,5\t1,5\n2\t2,5\n")
    assert read_table(tabs, text_columns=["y"]).rows() == [(0.5, "1.5"), (2.0, "2.5")]
    # a cell written with a point, or a typo, among commas: the column stays numbers (as
    # text, for the typo check to name the typo), points between thousands dropped
    mixed = tmp_path / "m.csv"
    mixed.write_text("a;b\n" + "".join(f"{i},5;1.234,{i}\n" for i in range(40)) + "1.5;x,3\n")
    frame = read_table(mixed)
    assert frame["a"].to_list()[:2] == [0.5, 1.5] and frame["a"].to_list()[-1] == 1.5
    assert frame["b"].to_list()[:2] == ["1234.0", "1234.1"] and frame["b"].to_list()[-1] == "x,3"
    # where a comma separates the fields nothing changes; a column that mixes in words
    # stays text (its numbers with points), for the preprocessing to judge
    commas = tmp_path / "c.csv"
    commas.write_text('a,b\n"0,5",1\n"2,5",2\n')
    assert read_table(commas)["a"].to_list() == ["0,5", "2,5"]
    words = tmp_path / "w.csv"
    words.write_text("a;b\n0,5;1\nmany;2\n")
    assert read_table(words)["a"].to_list() == ["0.5", "many"]
    # 1,500 alone could be 1.5 or a thousand and a half (a US export's tabs): left as
    # written; a comma no thousands take, anywhere in the file, says decimal
    us = tmp_path / "us.tsv"
    us.write_text("price\tname\n1,500\tSmith, J\n25,000\tDoe\n")
    assert read_table(us)["price"].to_list() == ["1,500", "25,000"]
    eu = tmp_path / "eu.csv"
    eu.write_text("price;rate\n1,500;0,5\n25,000;2\n")
    assert read_table(eu)["price"].to_list() == [1.5, 25.0]


def test_excels_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    # Excel's "sep=;" first line was read as the header: "no column named 'label'; the
    # columns are (unnamed 1), sep=, …"
    path = tmp_path / "t.csv"
    path.write_bytes(b"sep=;\r\na;label\r\n1,5;x\r\n2;y\r\nNA;x\r\n")
    frame = read_table(path)
    assert frame.columns == ["a", "label"] and frame["a"].to_list() == [1.5, 2.0, None]
    tabs = tmp_path / "t.tsv"
    tabs.write_bytes(b"sep=\t\r\na\tb\r\n1\t2\r\n")
    assert read_table(tabs).rows() == [(1, 2)]
    commas = tmp_path / "c.csv"
    commas.write_text("\nsep=,\nlabel,x\na,1\nb,oops\n")
    assert read_table(commas).columns == ["label", "x"]
    # a bad cell is still named by its line in the file
    from glassnet.preprocessing import Preprocessor

    with pytest.raises(DataError) as caught:
        Preprocessor().fit(commas, numeric=["x"])
    assert "line 5, column 'x': 'oops' is not a number" in str(locate(caught.value, commas))
