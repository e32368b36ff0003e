"""``glassnet.Preprocessor``: column roles, missing values, one-hot and standardized inputs."""

from __future__ import annotations

import datetime
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glassnet import Preprocessor
from glassnet.preprocessing import MISSING, OTHER, TYPO_WORDS, Scaler, TypoWarning
from glassnet.table import DataError

PENGUINS = {
    "": [1, 2, 3, 4, 5, 6],  # pandas' and R's row numbers
    "bill": [39.1, None, 40.3, 36.7, 39.3, 38.9],
    "island": ["Biscoe", "Dream", None, "Biscoe", "Torgersen", "Dream"],
    "name": ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"],
    "year": [2007, 2007, 2007, 2007, 2007, 2007],
    "male": ["yes", "no", "YES", "no", "n", "y"],
    "species": ["A", "A", "G", "G", "C", "C"],
}


def roles(pre: Preprocessor) -> dict[str, str]:
    return {c["name"]: c["role"] for c in pre.columns_}


def test_roles_names_and_encoding() -> None:
    pre = Preprocessor().fit(PENGUINS, "species")
    assert roles(pre) == {
        "(unnamed 1)": "ignored",
        "bill": "numeric",
        "island": "categorical",
        "name": "ignored",
        "year": "ignored",
        "male": "categorical",
    }
    reasons = {c["name"]: (c["reason"], c["keep"]) for c in pre.columns_ if c["role"] == "ignored"}
    assert "unnamed" in reasons["(unnamed 1)"][0]
    assert "different value in every row" in reasons["name"][0]
    assert reasons["name"][1] == "--categorical name"
    assert reasons["year"] == ("constant", "--numeric year")
    assert pre.feature_names_in_ == ["bill", "island", "male"]
    assert pre.feature_names_out_[:6] == [
        "bill", "bill (missing)", "island=Biscoe", "island=Dream", "island=Torgersen",
        f"island={MISSING}",
    ]  # fmt: skip
    X = pre.transform(PENGUINS)
    assert X.shape == (6, len(pre.feature_names_out_))
    bill = np.array([39.1, 39.1, 40.3, 36.7, 39.3, 38.9])  # the median fills row 2
    np.testing.assert_allclose(X[:, 0], (bill - bill.mean()) / bill.std())
    np.testing.assert_array_equal(X[:, 1], [0, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(X[:, 2:6].argmax(axis=1), [0, 1, 3, 0, 2, 1])
    assert (X[:, 2:] == 0).sum() + (X[:, 2:] == 1).sum() == X[:, 2:].size


def test_missing_and_unseen_at_transform_every_row_answers() -> None:
    pre = Preprocessor().fit(PENGUINS, "species")
    query = {"bill": [None, 41.0], "island": ["Mars", None], "male": [None, "no"]}
    X = pre.transform(query)
    assert np.isfinite(X).all() and X.shape[0] == 2
    names = pre.feature_names_out_
    row = dict(zip(names, X[0], strict=True))
    assert row["bill (missing)"] == 1
    assert all(row[f"island={level}"] == 0 for level in ("Biscoe", "Dream", "Torgersen"))
    assert sum(v for k, v in row.items() if k.startswith("male=")) == 0  # no "(missing)" level
    assert dict(zip(names, X[1], strict=True))[f"island={MISSING}"] == 1
    assert pre.transform_counts_ == {
        "rows": 2,
        "missing": {"bill": 1, "island": 1, "male": 1},
        "unseen": {"island": 1},
        "other": {},
    }


def test_a_column_of_nothing_but_missing_cells_is_filled_whatever_its_type() -> None:
    # a Parquet file (pandas or polars) stores such a column as type Null: it was refused,
    # "column 'n' is a Null column, not numbers", where the same CSV's empty cells were filled
    pre = Preprocessor().fit({"n": [1.0, 2.0, None, 4.0], "c": ["a", "b", None, "a"]})
    expected = pre.transform({"n": [None, None], "c": [None, None]})
    nothing = pl.DataFrame({"n": [None, None], "c": [None, None]})
    assert nothing.schema["n"] == pl.Null
    np.testing.assert_array_equal(pre.transform(nothing), expected)
    assert pre.transform_counts_["missing"] == {"n": 2, "c": 2}


def test_a_level_read_as_other_is_counted_apart_from_unseen_ones() -> None:
    # a rare training level folded into "(other)" was reported as an "unseen category"
    levels = ["a"] * 30 + ["b"] * 20 + ["rare1", "rare2"]
    pre = Preprocessor().fit({"c": levels, "d": ["x", "y"] * 26, "n": list(range(52))},
                             max_categories=2)  # fmt: skip
    pre.transform({"c": ["a", "rare1", "never"], "d": ["x", "z", "y"], "n": [1, 2, 3]})
    assert pre.transform_counts_["other"] == {"c": 2}
    assert pre.transform_counts_["unseen"] == {"d": 1}


def test_overrides_and_their_mistakes() -> None:
    pre = Preprocessor().fit(
        PENGUINS, "species", categorical=["year"], numeric=["(unnamed 1)"], ignore=["island"]
    )
    assert roles(pre)["year"] == "categorical" and roles(pre)["(unnamed 1)"] == "numeric"
    assert [c["reason"] for c in pre.columns_ if c["name"] == "island"] == ["--ignore"]
    with pytest.raises(DataError, match="--numeric names 'nope', which is not a column"):
        Preprocessor().fit(PENGUINS, "species", numeric=["nope"])
    with pytest.raises(DataError, match="given to both --categorical and --ignore"):
        Preprocessor().fit(PENGUINS, categorical=["bill"], ignore=["bill"])
    with pytest.raises(DataError, match=r"every column is ignored .*keep one with"):
        Preprocessor().fit({"id": [1, 2, 3], "y": [0, 1, 0]}, "y")
    with pytest.raises(DataError, match="no column named 'z'"):
        Preprocessor().fit(PENGUINS, "z")


@pytest.mark.parametrize(
    "cells",
    [[datetime.timedelta(seconds=s) for s in (1, 5, 9, 2)], [[1], [2, 3], [4], []]],
    ids=["durations", "lists"],
)
def test_cells_no_input_can_be_made_of_are_ignored_and_refused_as_inputs(cells: list) -> None:
    # a duration or list column was ignored with the advice "keep it with --categorical",
    # and that option (or such cells at transform for a categorical column) raised
    # polars' InvalidOperationError
    frame = pl.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "b"], "d": cells,
                          "y": [0, 1, 0, 1]})  # fmt: skip
    pre = Preprocessor().fit(frame, "y")
    (ignored,) = [c for c in pre.columns_ if c["name"] == "d"]
    assert ignored["role"] == "ignored" and "neither numbers nor text" in ignored["reason"]
    assert "--categorical" not in ignored["keep"]
    for option in ("categorical", "numeric"):
        with pytest.raises(DataError, match=r"column 'd' holds .*, which cannot be an input; "):
            Preprocessor().fit(frame, "y", **{option: ["d"]})
    with pytest.raises(DataError, match=r"column 'c' holds .*, where the model reads categor"):
        pre.transform(frame.with_columns(pl.col("d").alias("c")))


def test_a_numeric_column_with_a_few_typos_reads_them_as_missing_and_says_so() -> None:
    # not a silent categorical column, and not a refusal either: MASS's Cars93 holds
    # "rotary" once among its Cylinders numbers, and trains with no option
    cells = [str(i * 3 % 7) for i in range(40)]
    cells[17], cells[30] = "4..2", "seven"
    with pytest.warns(TypoWarning) as caught:
        pre = Preprocessor().fit({"x": cells, "y": [0, 1] * 20}, "y")
    message = str(caught[0].message)
    assert "column 'x' holds numbers except 2 cells" in message
    assert "(data row 18 '4..2', data row 31 'seven'), read as missing" in message
    assert "--categorical x" in message and "\n" not in message
    column = pre.columns_[0]
    assert column["role"] == "numeric" and column["missing_words"] == ["4..2", "seven"]
    assert column["missing_indicator"] and column["median"] == 3.0
    assert pre.typos_ == {"x": {"cells": 2, "first": [(17, "4..2"), (30, "seven")]}}
    # the same words are missing at transform (and after a round trip of the config)
    again = Preprocessor.from_config(json.loads(json.dumps(pre.get_config())))
    X = again.transform({"x": ["seven", "4", None]})
    np.testing.assert_array_equal(X[:, 1], [1.0, 0.0, 1.0])
    assert X[0, 0] == X[2, 0] == (3.0 - column["mean"]) / column["scale"]
    assert again.transform_counts_["missing"] == {"x": 2}
    # a non-number it never saw is refused, naming it
    with pytest.raises(DataError, match=r"data row 2, column 'x': 'eight' is not a number"):
        again.transform({"x": ["4", "eight"]})


def test_a_numeric_column_with_many_kinds_of_non_numbers_is_refused() -> None:
    cells = [str(i % 9) for i in range(400)]
    for k in range(TYPO_WORDS + 1):
        cells[10 * k + 3] = f"word{k}"
    with pytest.raises(DataError) as error:
        Preprocessor().fit({"x": cells, "y": [0, 1] * 200}, "y")
    message = str(error.value)
    assert "column 'x' holds numbers except 11 cells" in message
    assert "data row 4 'word0', data row 14 'word1', data row 24 'word2', …" in message


def test_max_categories_keeps_the_most_frequent_plus_other() -> None:
    colours = ["red"] * 5 + ["blue"] * 4 + ["green"] * 3 + ["pink", "teal"]
    pre = Preprocessor().fit({"c": colours, "n": list(range(14, 0, -1))}, max_categories=2)
    assert pre.columns_[0]["categories"] == ["blue", "red", OTHER]
    X = pre.transform({"c": ["teal", "gold", "red"], "n": [1, 2, 3]})
    np.testing.assert_array_equal(X[:, :3], [[0, 0, 1], [0, 0, 1], [0, 1, 0]])


def test_labels_such_as_nan_and_li_are_categories_and_integers_keep_their_text() -> None:
    pre = Preprocessor().fit({"element": ["Li", "Nan", "Infinity", "Li"], "k": [1.0, 2.0, 2, 1]})
    assert pre.columns_[0]["categories"] == ["Infinity", "Li", "Nan"]
    pre = Preprocessor().fit({"k": [1.0, 2.0, 2.0, 1.0], "z": [3, 1, 2, 3]}, categorical=["k"])
    assert pre.columns_[0]["categories"] == ["1", "2"]


def test_bad_numbers_at_transform_name_the_row() -> None:
    pre = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
    with pytest.raises(DataError, match=r"data row 2, column 'a': 'oops' is not a number"):
        pre.transform({"a": ["1", "oops"], "b": ["x", "y"]})
    with pytest.raises(DataError, match=r"data row 1, column 'a': inf \(written so, or past "):
        pre.transform({"a": [math.inf], "b": ["x"]})
    with pytest.raises(DataError, match="needs the column b, which the data lacks"):
        pre.transform({"a": [1.0]})


def test_data_kinds_path_polars_pandas_dict_array(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    table = {"a": [1.5, None, 3.0, 4.0], "b": ["x", "y", None, "x"]}
    frame = pl.DataFrame(table)
    frame.write_csv(tmp_path / "t.csv")
    frame.write_parquet(tmp_path / "t.parquet")
    expected = Preprocessor().fit(table).transform(table)
    for data in (
        tmp_path / "t.csv",
        str(tmp_path / "t.parquet"),
        frame,
        pd.DataFrame(table),
        np.array([[1.5, "x"], [None, "y"], [3.0, None], [4.0, "x"]], dtype=object),
    ):
        pre = Preprocessor().fit(frame)
        np.testing.assert_array_equal(pre.transform(data), expected)
    with pytest.raises(ValueError, match="one sample → reshape"):
        pre.transform(np.zeros(3))


def test_config_round_trip_is_json_and_exact() -> None:
    pre = Preprocessor().fit(PENGUINS, "species", na_values=["?"])
    config = json.loads(json.dumps(pre.get_config()))
    again = Preprocessor.from_config(config)
    np.testing.assert_array_equal(again.transform(PENGUINS), pre.transform(PENGUINS))
    assert again.feature_names_out_ == pre.feature_names_out_ and again.na_values == ["?"]
    for broken in (
        {},
        {"columns": [{"name": "a", "role": "numeric"}], "na_values": []},
        {"columns": [{"name": "a", "role": "wat"}], "na_values": []},
        {"columns": [{"name": "a", "role": "categorical", "categories": [1]}], "na_values": []},
        {"columns": [{"name": "a", "role": "ignored", "reason": "x", "keep": "y"}],
         "na_values": []},
    ):  # fmt: skip
        with pytest.raises(ValueError):
            Preprocessor.from_config(broken)


CELLS = st.one_of(
    st.none(),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from(["a", "b", "Nan", "Li", "?", "NA", " c ", ""]),
)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 30),
    numbers=st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=30, max_size=30),
    words=st.lists(CELLS, min_size=30, max_size=30),
    seed=st.integers(0, 2**16),
)
def test_any_table_encodes_to_finite_numbers_and_round_trips(
    n: int, numbers: list[float | None], words: list[object], seed: int
) -> None:
    """Random mixed columns: either one clear DataError, or a finite matrix of the right
    shape whose one-hot blocks hold at most one 1, identical after a config round trip."""
    rng = np.random.default_rng(seed)
    table = {
        "x": numbers[:n],
        "w": [w if not isinstance(w, float) else str(w) for w in words[:n]],
        "z": rng.normal(size=n).tolist(),
    }
    try:
        pre = Preprocessor().fit(table)
    except DataError as error:
        assert "\n" not in str(error)
        return
    X = pre.transform(table)
    assert X.shape == (n, len(pre.feature_names_out_)) and np.isfinite(X).all()
    for column in pre.columns_:
        if column["role"] == "categorical":
            block = [f"{column['name']}={c}" for c in column["categories"]]
            index = [pre.feature_names_out_.index(name) for name in block]
            assert set(np.unique(X[:, index])) <= {0.0, 1.0}
            assert (X[:, index].sum(axis=1) <= 1).all()
    again = Preprocessor.from_config(json.loads(json.dumps(pre.get_config())))
    np.testing.assert_array_equal(again.transform(table), X)


def test_scaler_refuses_values_at_the_float_limit_naming_the_column() -> None:
    with pytest.raises(DataError, match="column 'edge' has values too close to the float64"):
        Scaler().fit(np.array([[1.0, 1.7e308], [2.0, -1.7e308], [3.0, -1.7e308]]),
                     names=["a", "edge"])  # fmt: skip


def test_row_numbers_with_rows_left_out_are_still_row_numbers() -> None:
    """The CLI leaves out rows whose target is missing: the numbers that remain rise with
    small gaps; numbers that merely rise (every 4th) are data."""
    gaps = Preprocessor().fit({"id": [1, 2, 4, 5, 6, 8], "a": [1.0, 2, 3, 1, 2, 5]})
    assert roles(gaps)["id"] == "ignored"
    spread = Preprocessor().fit({"n": [1, 5, 9, 12, 16, 20], "a": [1.0, 2, 3, 1, 2, 5]})
    assert roles(spread)["n"] == "numeric"  # (named "id", it would be an identifier)


def reference_encoding(pre: Preprocessor, columns: dict[str, list[object]]) -> np.ndarray:
    """The encoding the module docstring describes, one cell at a time in plain Python."""
    rows = len(next(iter(columns.values())))
    out = []
    for r in range(rows):
        row: list[float] = []
        for c in pre.columns_:
            value = columns[c["name"]][r] if c["role"] != "ignored" else None
            if c["role"] == "numeric":
                filled = c["median"] if value is None else float(value)  # type: ignore[arg-type]
                row.append((filled - c["mean"]) / c["scale"])
                if c["missing_indicator"]:
                    row.append(float(value is None))
            elif c["role"] == "categorical":
                levels = c["categories"]
                level = MISSING if value is None else value if value in levels else OTHER
                row.extend(float(level == known) for known in levels)
        out.append(row)
    return np.array(out)


@pytest.mark.parametrize("part_rows", [None, 1000], ids=["one-part", "many-parts"])
def test_transform_of_a_table_in_many_pieces_equals_the_cell_by_cell_encoding(
    monkeypatch: pytest.MonkeyPatch, part_rows: int | None
) -> None:
    from glassnet import preprocessing
    from glassnet.preprocessing import SLICE_ROWS

    if part_rows is not None:  # polars prepares the table a part at a time
        monkeypatch.setattr(preprocessing, "PART_ROWS", part_rows)

    rng = np.random.default_rng(3)
    n = 3 * SLICE_ROWS + 123
    x = rng.normal(size=n).round(3).tolist()
    k = rng.integers(0, 1000, n).tolist()
    for r in rng.choice(n, 40, replace=False):
        x[r] = None
    words = [f"w{int(v)}" for v in rng.zipf(1.6, n) % 9]
    for r in rng.choice(n, 30, replace=False):
        words[r] = None
    columns: dict[str, list[object]] = {"x": x, "k": k, "word": words}
    pre = Preprocessor().fit(columns, max_categories=5)
    assert pre.columns_[2]["categories"][-2:] == [OTHER, MISSING]
    # the same rows as a polars table in uneven pieces, and a level never seen
    query = dict(columns, word=["new", *words[1:]])
    pieces = [pl.DataFrame(query, strict=False).slice(a, b - a)
              for a, b in ((0, 1000), (1000, 5000), (5000, n))]  # fmt: skip
    frame = pl.concat(pieces, rechunk=False)
    assert frame.n_chunks() == 3
    X = pre.transform(frame)
    assert X.shape == (n, len(pre.feature_names_out_)) and X.flags.c_contiguous
    expected = reference_encoding(pre, query)
    # (value − mean) / scale in float64, as Python computes it: the same bits
    assert np.array_equal(X, expected)
    for block_rows in (7, SLICE_ROWS + 5):
        blocks = [X.copy() for _, X in pre.transform_in_blocks(frame, block_rows)]
        assert np.array_equal(np.concatenate(blocks), expected)
    assert pre.transform_counts_["missing"] == {"x": 40, "word": 30}
    kept = pre.columns_[2]["categories"][:-2]
    others = sum(w is not None and w not in kept for w in query["word"])  # "new" among them
    assert pre.transform_counts_["other"] == {"word": others}
    assert pre.transform_counts_["unseen"] == {}


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=2, max_size=60
    )
)
def test_mean_and_scale_are_those_of_the_column_with_its_missing_cells_filled(
    values: list[float | None],
) -> None:
    present = [v for v in values if v is not None]
    assume(len(set(present)) > 1)
    pre = Preprocessor().fit(
        {"a": values, "b": ["x", "y"] * (len(values) // 2) + ["x"] * (len(values) % 2)}
    )
    column = pre.columns_[0]
    filled = np.array([column["median"] if v is None else v for v in values])
    assert column["median"] == float(np.median(present))
    assert column["mean"] == pytest.approx(filled.mean(), rel=1e-12, abs=1e-9)
    assert column["scale"] == pytest.approx(filled.std(), rel=1e-12)


@pytest.mark.parametrize("present", [2, 3, 7, 10])
def test_the_median_fills_missing_cells_as_numpy_finds_it(present: int) -> None:
    values = [3.5, -1.0, 8.25, 0.0, 2.0, 2.0, 9.0, -4.5, 1.0, 7.0][:present]
    pre = Preprocessor().fit({"a": [*values, None, None], "b": ["x", "y"] * ((present + 2) // 2)
                              + ["x"] * (present % 2)})  # fmt: skip
    assert pre.columns_[0]["median"] == float(np.median(values))


def test_cells_that_are_no_finite_numbers_are_named_at_transform_whatever_their_type() -> None:
    import datetime

    pre = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
    dates = pl.DataFrame({"a": [datetime.date(2020, 1, 1)], "b": ["x"]})
    with pytest.raises(DataError, match="column 'a' is a Date column, not numbers"):
        pre.transform(dates)
    with pytest.raises(DataError, match=r"data row 3, column 'a': inf \(written so"):
        pre.transform(pl.DataFrame({"a": [1.0, None, math.inf], "b": ["x", "y", "x"]}))
    # a NaN is a missing cell, as scikit-learn's imputers take it (and a CSV's "NaN")
    X = pre.transform(pl.DataFrame({"a": [math.nan], "b": ["x"]}))
    assert (
        X[0, 0] == (pre.columns_[0]["median"] - pre.columns_[0]["mean"]) / pre.columns_[0]["scale"]
    )
    assert pre.transform({"a": [1e308, 1e308], "b": ["x", "y"]}).shape == (2, 3)
    # a column read as text: "1e400" looks like a number and casts to inf (the network's
    # "X has a non-finite value inf at row 0" named no file, line or column)
    text = pl.DataFrame({"a": ["1", "2", "1e400"], "b": ["x", "y", "x"]})
    with pytest.raises(DataError, match=r"data row 3, column 'a': inf \(written so, or past"):
        pre.transform(text)
    with pytest.raises(DataError, match=r"data row 3, column 'a': inf \(written so, or past"):
        Preprocessor().fit(text)


def test_a_wide_table_costs_a_few_schema_builds_not_one_per_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # polars builds DataFrame.schema anew on each access, in time proportional to the
    # columns: read once per column, a 3,000-column table took 12 s to fit and transform
    built = []
    schema = pl.DataFrame.schema

    def counted(frame: pl.DataFrame) -> Any:
        built.append(frame.width)
        return schema.fget(frame)  # type: ignore[attr-defined]

    monkeypatch.setattr(pl.DataFrame, "schema", property(counted))
    rng = np.random.default_rng(0)
    columns = {f"c{i}": rng.normal(size=6) for i in range(400)}
    pre = Preprocessor().fit(pl.DataFrame(columns))
    pre.transform(pl.DataFrame(columns))
    assert len([width for width in built if width >= 400]) < 20


def test_a_value_is_standardized_the_same_whatever_rows_come_with_it() -> None:
    # (x − mean) / scale, correctly rounded: polars divided a long column by multiplying
    # with the reciprocal, so one row alone and the same row in a table differed by an ulp
    x = np.random.default_rng(0).normal(size=5000)
    pre = Preprocessor().fit({"x": x, "y": np.arange(5000) % 2})
    column = pre.columns_[0]
    X = pre.transform({"x": x, "y": np.arange(5000) % 2})
    np.testing.assert_array_equal(X[:, 0], (x - column["mean"]) / column["scale"])
    alone = pre.transform({"x": x[-1:], "y": [1]})
    np.testing.assert_array_equal(alone[0], X[-1])


def test_shuffled_ids_and_pandas_parquet_index_are_identifiers() -> None:
    # a shuffled 'index' column leaked wine's class order into the inputs; breast_cancer's
    # 'id' and fair's 'respondent_id' were standardized as numbers
    rng = np.random.default_rng(0)
    n = 60
    table = {
        "index": rng.permutation(n),
        "respondent_id": rng.permutation(n) * 7 + 1000,
        "PassengerId": rng.permutation(n),
        "id_customer": rng.permutation(n) + 7,
        "__index_level_0__": rng.permutation(n),
        "rownames": rng.permutation(n) + 1,  # R's row names, as Rdatasets writes them
        "paid": rng.permutation(n),  # a word ending in "id" is no id
        "store_id": rng.integers(0, 5, n),  # repeated ids group rows: a feature
        "ID": np.arange(n) // 2 * 3 + 100,  # MASS's biopsy: a patient's ID on two rows
        "day": [f"2012-03-{i % 28 + 1:02d} {i}:00" for i in range(n)],
        "y": rng.integers(0, 2, n),
    }
    pre = Preprocessor().fit(table, "y")
    assert roles(pre) == {
        "index": "ignored",
        "respondent_id": "ignored",
        "PassengerId": "ignored",
        "id_customer": "ignored",
        "__index_level_0__": "ignored",
        "rownames": "ignored",
        "paid": "numeric",
        "store_id": "numeric",
        "ID": "ignored",
        "day": "ignored",
    }
    reasons = {c["name"]: c["reason"] for c in pre.columns_ if c["role"] == "ignored"}
    assert reasons["ID"] == "30 different whole numbers in 60 rows, named as an id"
    assert reasons["respondent_id"] == "a different whole number in every row, named as an id"
    assert reasons["day"].startswith("dates with a different value in every row")


def test_text_with_a_different_value_in_nearly_every_row_is_an_identifier() -> None:
    # Titanic's passenger names: one name twice among a thousand made the column
    # categorical, its 50 "most frequent" levels the first 50 names in text order
    n = 400
    names = [f"passenger {i}" for i in range(n - 1)] + ["passenger 7"]
    groups = [f"cabin {i // 2}" for i in range(n)]  # two rows a level: a feature
    pre = Preprocessor().fit({"name": names, "cabin": groups, "y": [i % 2 for i in range(n)]}, "y")
    assert roles(pre) == {"name": "ignored", "cabin": "categorical"}
    reason = pre.columns_[0]["reason"]
    assert reason == (
        "text with a different value in nearly every row (399 values in 400 rows; an identifier)"
    )


def test_a_config_that_names_a_column_twice_is_refused() -> None:
    # a model file edited so gave polars' DuplicateError traceback at predict
    config = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}).get_config()
    config["columns"][1]["name"] = "a"
    with pytest.raises(ValueError, match="names the column 'a' twice"):
        Preprocessor.from_config(config)


def test_repr_counts_the_roles() -> None:
    assert repr(Preprocessor()) == "Preprocessor(not fitted)"
    pre = Preprocessor().fit(PENGUINS, "species")
    assert repr(pre) == (
        "Preprocessor(6 columns: 1 numeric, 2 categorical, 3 ignored → "
        f"{len(pre.feature_names_out_)} inputs; see .report())"
    )


def test_digits_of_other_scripts_are_not_numbers() -> None:
    # "١٢" and "１２" matched \d, then polars could not cast them: a traceback
    pre = Preprocessor().fit({"x": ["0.5", "1.5", "2.5", "3.5"], "y": [0, 1, 0, 1]}, "y")
    for cell in ("١٢", "１２"):
        with pytest.raises(DataError, match=f"data row 2, column 'x': '{cell}' is not a number"):
            pre.transform({"x": ["1", cell]})


def test_the_keep_hint_can_be_pasted() -> None:
    # "keep it with --numeric Customer ID" split into two words; a text index was told
    # --numeric, which then refused its text
    n = 30
    table = {
        "Customer ID": list(range(100, 100 + n))[::-1],
        "Unnamed: 0": [f"r{i}" for i in range(n)],
        "x": [float(i % 7) for i in range(n)],
    }
    keep = {
        c["name"]: c["keep"] for c in Preprocessor().fit(table).columns_ if c["role"] == "ignored"
    }
    assert keep == {
        "Customer ID": "--numeric 'Customer ID'",
        "Unnamed: 0": "--categorical 'Unnamed: 0'",
    }


def test_number_levels_match_the_same_number_written_otherwise() -> None:
    # a pandas CSV writes a float column as "5.0": the model's levels; the same rows as
    # a Parquet file or a DataFrame hold the number 5.0 (text "5"), all unseen before
    pre = Preprocessor().fit({"rating": ["1.0", "2.0", "5.0", "2.0"], "x": [1, 2, 3, 4]},
                             categorical=["rating"])  # fmt: skip
    assert pre.columns_[0]["categories"] == ["1.0", "2.0", "5.0"]
    expected = pre.transform({"rating": ["5.0", "2.0", "7.0", None], "x": [1, 2, 3, 4]})
    for cells in ([5.0, 2.0, 7.0, None], ["5", "2.00", "7", None], [5, 2, 7, None]):
        got = pre.transform(pl.DataFrame({"rating": cells, "x": [1, 2, 3, 4]}, strict=False))
        np.testing.assert_array_equal(got, expected, err_msg=str(cells))
    assert pre.transform_counts_["unseen"] == {"rating": 1}


def test_tables_that_are_no_tables_get_a_line_that_says_what_to_give() -> None:
    # polars' ShapeError, a misleading "height of column" and an AttributeError before
    import pandas as pd

    cases = [
        ({"a": [1, 2, 3], "b": [1, 2]}, "must all have as many cells; they have 'a' 3, 'b' 2"),
        ({"a": 1, "cat": "x"}, "'a' of a dict of columns must be a list of cells"),
        (pd.Series([1.0, 2.0]), "got a Series: one row → series.to_frame().T"),
    ]
    for data, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            Preprocessor().fit(data)


def test_the_default_level_count_keeps_every_level_of_a_small_table_and_fewer_of_a_big_one() -> (
    None
):
    # 50 kept of EPA 2012's 574 car lines cost 12 points of accuracy; a million rows of
    # 1,000 levels would be 8 GB of one-hot inputs
    from glassnet.preprocessing import default_max_categories

    assert [default_max_categories(n) for n in (10, 50_000, 100_000, 10**6, 10**8)] == [
        1000, 1000, 500, 50, 50]  # fmt: skip
    levels = [f"car {i % 70}" for i in range(140)]
    pre = Preprocessor().fit({"car": levels, "x": [i % 3 for i in range(140)]})
    assert len(pre.columns_[0]["categories"]) == 70


def test_number_levels_match_by_value_only_where_the_value_is_one_number() -> None:
    # 9007199254740992 took the level "9007199254740993" (one float64), true took "1",
    # and "7.0" took "007" rather than "7"
    levels = ["9007199254740993", "7", "007", "1", "x"]
    pre = Preprocessor().fit({"c": levels, "n": [1, 2, 3, 4, 5]}, categorical=["c"])
    names = pre.feature_names_out_

    def level(cell: object) -> list[str]:
        X = pre.transform(pl.DataFrame({"c": [cell], "n": [1]}, strict=False))
        return [names[j] for j in np.flatnonzero(X[0]) if names[j].startswith("c=")]

    assert level("9007199254740992") == [] and level(9007199254740992) == []
    assert level("9007199254740993") == ["c=9007199254740993"]
    assert level(True) == []
    assert level("7.0") == ["c=7"] and level(7.0) == ["c=7"] and level("007") == ["c=007"]


def test_a_config_with_missing_words_on_a_categorical_column_is_refused() -> None:
    # an edited model file: the words would silently turn levels into missing cells
    config = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]}).get_config()
    config["columns"][1]["missing_words"] = ["x"]
    with pytest.raises(ValueError, match="'b': only a numeric column has missing_words"):
        Preprocessor.from_config(config)


def test_a_config_column_with_an_empty_name_is_refused() -> None:
    # an edited model file: it loaded, and ONNX export then failed on an input named ""
    config = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]}).get_config()
    config["columns"][0]["name"] = ""
    with pytest.raises(ValueError, match="a numeric column entry has an empty name"):
        Preprocessor.from_config(config)


def test_a_config_number_too_large_for_a_float_is_refused_in_words() -> None:
    # a median of 400 digits raised OverflowError from math.isfinite
    config = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]}).get_config()
    config["columns"][0]["median"] = 10**400
    with pytest.raises(ValueError, match="'a': median, mean and scale must be finite"):
        Preprocessor.from_config(config)


def test_fit_rows_outside_the_table_are_refused_in_words() -> None:
    # polars' OutOfBoundsError before
    table = {"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]}
    with pytest.raises(
        ValueError, match=r"fit_rows holds row 5, outside the table's 3 rows \(0 to 2\)"
    ):
        Preprocessor().fit(table, fit_rows=[0, 5])
    with pytest.raises(ValueError, match="fit_rows must be a 1-D array of row numbers"):
        Preprocessor().fit(table, fit_rows=[0.5])


def test_boolean_levels_match_in_any_case_whatever_the_other_rows_hold() -> None:
    # a CSV row "True" matched the level true when its column read as booleans, and was
    # unseen when another row's "maybe" made the column text: one row, two answers
    pre = Preprocessor().fit({"flag": [True, False] * 5, "x": list(range(10))})
    names = pre.feature_names_out_
    as_text = pre.transform(pl.DataFrame({"flag": ["True", "maybe", "FALSE"], "x": [1, 2, 3]}))
    as_booleans = pre.transform(pl.DataFrame({"flag": [True, None, False], "x": [1, 2, 3]}))
    np.testing.assert_array_equal(as_text[[0, 2]], as_booleans[[0, 2]])
    assert X_row(as_text[0], names) == ["flag=true"] and X_row(as_text[1], names) == []
    assert pre.transform_counts_["unseen"] == {}  # the booleans' transform: none unseen
    yes_no = Preprocessor().fit({"ok": ["Yes", "No"] * 5, "x": list(range(10))})
    X = yes_no.transform({"ok": ["yes", "NO", "Yes"], "x": [1, 2, 3]})
    assert [X_row(row, yes_no.feature_names_out_) for row in X] == [
        ["ok=Yes"],
        ["ok=No"],
        ["ok=Yes"],
    ]


def X_row(row: np.ndarray, names: list[str]) -> list[str]:
    """The one-hot inputs that are 1 in an encoded row."""
    return [names[j] for j in np.flatnonzero(row) if "=" in names[j] and row[j] == 1.0]


def test_r_row_names_are_an_identifier_whatever_their_cells() -> None:
    # Rdatasets' GSSvocab names rows 1978.1, 1978.11 …: read as numbers, the column was
    # a numeric input where whole-number row names were ignored
    pre = Preprocessor().fit({"rownames": [1978.1 + i / 100 for i in range(20)],
                              "x": [i % 3 for i in range(20)]})  # fmt: skip
    assert pre.columns_[0]["role"] == "ignored"
    assert pre.columns_[0]["reason"] == "R's row names (an identifier)"


def test_date_and_time_levels_match_the_same_instant_written_otherwise() -> None:
    # a Parquet datetime's level "2024-01-01 02:00:00.000000" met a CSV's
    # 2024-01-01T02:00:00.000000 (polars) or 2024-01-01 02:00:00 (pandas) as unseen
    import datetime

    moments = [datetime.datetime(2024, 1, 1 + i % 3, 2) for i in range(12)]
    typed = {"dt": moments, "x": list(range(12))}
    pre = Preprocessor().fit(pl.DataFrame(typed), categorical=["dt"])
    expected = pre.transform(pl.DataFrame(typed))
    for written in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        text = pre.transform({"dt": [m.strftime(written) for m in moments], "x": typed["x"]})
        np.testing.assert_array_equal(text, expected)
        assert pre.transform_counts_["unseen"] == {}
    # and the other way: levels written as text match dates
    dated = Preprocessor().fit({"d": ["2024-01-01", "2024-01-02"] * 4, "x": list(range(8))})
    X = dated.transform(pl.DataFrame({"d": [datetime.date(2024, 1, 2)], "x": [1]}))
    assert X_row(X[0], dated.feature_names_out_) == ["d=2024-01-02"]
    assert not dated.transform({"d": ["not a day"], "x": [1]}).any()  # unseen: no level
    # minutes without seconds (a spreadsheet's "2024-01-01 12:30")
    stamps = [datetime.datetime(2024, 1, 1, 12, 30)] * 4 + [datetime.datetime(2024, 1, 2)] * 4
    noon = Preprocessor().fit(
        pl.DataFrame({"at": stamps, "x": [1, 5, 2, 7, 3, 6, 4, 8]}), categorical=["at"]
    )
    X = noon.transform({"at": ["2024-01-01 12:30", "2024-01-01T12:30"], "x": [1, 2]})
    assert [X_row(row, noon.feature_names_out_) for row in X] == [
        ["at=2024-01-01 12:30:00.000000"]] * 2  # fmt: skip
    # a time of day as polars writes it in a CSV, and as text of a time
    times = [datetime.time(1 + i % 2, 30) for i in range(8)]
    timed = Preprocessor().fit(pl.DataFrame({"t": times, "x": list(range(8))}), categorical=["t"])
    written = timed.transform({"t": ["01:30:00.000000000", "02:30"], "x": [1, 2]})
    np.testing.assert_array_equal(
        written, timed.transform(pl.DataFrame({"t": times[:2], "x": [1, 2]}))
    )


def test_datetimes_with_a_time_zone_match_the_same_instant_written_otherwise() -> None:
    # a Parquet file's zoned datetime level "2024-01-01 03:00:00.000000+01:00" met polars'
    # CSV 2024-01-01T03:00:00.000000+0100, pandas' 2024-01-01 03:00:00+01:00 and ISO's
    # 2024-01-01T02:00:00Z as unseen: every row of them, no level
    import io

    utc = datetime.timezone.utc
    moments = [datetime.datetime(2024, 1, 1 + i % 3, 2, tzinfo=utc) for i in range(12)]
    zoned = pl.DataFrame({"t": moments, "x": [i % 5 for i in range(12)]}).with_columns(
        pl.col("t").dt.convert_time_zone("Europe/Paris")
    )
    pre = Preprocessor().fit(zoned, categorical=["t"])
    expected = pre.transform(zoned)
    iso = zoned.with_columns(t=pl.Series([m.strftime("%Y-%m-%dT%H:%M:%SZ") for m in moments]))
    for written in (zoned.write_csv(), zoned.to_pandas().to_csv(index=False), None):
        text = pl.read_csv(io.StringIO(written)) if written else iso
        np.testing.assert_array_equal(pre.transform(text), expected)
        assert pre.transform_counts_["unseen"] == {}
    # a time without a zone is no instant of the world's clock: unseen
    naive = zoned.with_columns(t=pl.Series([m.strftime("%Y-%m-%d %H:%M:%S") for m in moments]))
    assert not pre.transform(naive)[:, :3].any() and pre.transform_counts_["unseen"] == {"t": 12}


def test_a_column_of_dates_has_the_role_its_csv_text_has(tmp_path: Path) -> None:
    # a Parquet file's Date column of 12 months was ignored ("a Date column, neither numbers
    # nor text"), the same table's CSV made it categorical: two models of one table
    months = [datetime.date(2024, 1 + i % 12, 1) for i in range(48)]
    table = pl.DataFrame({"month": months, "x": [i % 7 for i in range(48)], "y": [0, 1] * 24})
    table.write_parquet(tmp_path / "t.parquet")
    table.write_csv(tmp_path / "t.csv")
    fitted = [Preprocessor().fit(tmp_path / f"t.{kind}", "y") for kind in ("parquet", "csv")]
    assert fitted[0].report() == fitted[1].report()
    assert fitted[0].report()[0][1] == "categorical"
    np.testing.assert_array_equal(
        fitted[0].transform(tmp_path / "t.csv"), fitted[1].transform(tmp_path / "t.parquet")
    )
    # a date in every row is an identifier either way
    days = [datetime.date(2024, 1, 1) + datetime.timedelta(days=i) for i in range(48)]
    daily = table.with_columns(month=pl.Series(days))
    daily.write_parquet(tmp_path / "d.parquet")
    daily.write_csv(tmp_path / "d.csv")
    reasons = [Preprocessor().fit(tmp_path / f"d.{kind}", "y").columns_[0].get("reason")
               for kind in ("parquet", "csv")]  # fmt: skip
    assert reasons == ["dates with a different value in every row (an identifier)"] * 2


def test_a_column_of_mostly_rare_levels_is_told_as_crowded() -> None:
    # nassCDS's caseid (8,623 levels in 19,663 rows) became 1,001 inputs with no word:
    # training took 82 s against 9 s without it
    ids = [f"c{i % 450}" for i in range(600)]  # 450 levels in 600 rows: few repeats
    table = {"case": ids, "kind": ["a", "b"] * 300, "x": [i % 5 for i in range(600)]}
    pre = Preprocessor().fit(table, max_categories=100)
    assert set(pre.crowded_) == {"case"}
    found = pre.crowded_["case"]
    assert found["kept"] == 100 and found["levels"] == 450 and found["share"] < 0.5
    # a few kept levels cost little: no note
    assert Preprocessor().fit(table, max_categories=20).crowded_ == {}


def test_a_value_written_two_ways_is_one_level() -> None:
    # yes/YES/No/no kept four levels (README: yes/no match in any case), so "Yes" was
    # unseen; "5" and "5.0" in one --categorical column were two levels, and a row "5.0"
    # answered by the one as text and by the other when read as a number
    answers = ["yes", "YES", "No", "no"] * 5
    pre = Preprocessor().fit({"a": answers, "x": list(range(20))})
    assert pre.columns_[0]["categories"] == ["no", "yes"]
    X = pre.transform({"a": ["Yes", "yes", "NO"], "x": [1, 2, 3]})
    assert [X_row(row, pre.feature_names_out_) for row in X] == [["a=yes"], ["a=yes"], ["a=no"]]
    assert pre.transform_counts_["unseen"] == {}
    rated = Preprocessor().fit({"k": ["5", "5.0", "7", "5"] * 5, "x": list(range(20))},
                               categorical=["k"])  # fmt: skip
    assert rated.columns_[0]["categories"] == ["5", "7"]
    both = rated.transform({"k": ["5.0", "5", "7.00"], "x": [1, 2, 3]})
    assert [X_row(row, rated.feature_names_out_) for row in both] == [["k=5"], ["k=5"], ["k=7"]]


def test_true_and_false_among_numbers_are_one_and_zero_on_every_route() -> None:
    # a CSV's TRUE/False in a 0/1 column reads as booleans (1 and 0); the same cells as
    # text (a dict, pandas' dtype=str, a polars frame of text) were refused
    pre = Preprocessor().fit({"flag": [0, 1, 1, 0] * 5, "x": [i % 7 for i in range(20)]})
    typed = pre.transform(pl.DataFrame({"flag": [True, False], "x": [1, 2]}))
    text = pre.transform({"flag": ["TRUE", "False"], "x": ["1", "2"]})
    np.testing.assert_array_equal(text, typed)
    with pytest.raises(DataError, match="'yes' is not a number"):
        pre.transform({"flag": ["yes"], "x": ["1"]})


def test_a_pandas_column_of_mixed_python_types_is_read_as_a_dict_is() -> None:
    # an object column holding 3, "7" and 1.0: pyarrow's ArrowInvalid from every route
    pd = pytest.importorskip("pandas")
    cells = [3, "7", 1.0, None] * 5
    pre = Preprocessor().fit({"k": cells, "x": list(range(20))})
    frame = pd.DataFrame({"k": pd.Series(cells, dtype=object), "x": range(20)})
    np.testing.assert_array_equal(pre.transform(frame), pre.transform({"k": cells, "x": range(20)}))
    assert Preprocessor().fit(frame).columns_ == pre.columns_


def test_fit_on_a_path_reads_the_categorical_columns_as_text(tmp_path: Path) -> None:
    # glassnet train --categorical zip kept 007, 012, 100; Preprocessor().fit(path,
    # categorical=["zip"]) read the column as numbers: 100, 12, 7, in another order
    path = tmp_path / "t.csv"
    path.write_text("zip,x\n" + "".join(f"{['007', '012', '100'][i % 3]},{i}\n" for i in range(9)))
    pre = Preprocessor().fit(path, categorical=["zip"])
    assert pre.columns_[0]["categories"] == ["007", "012", "100"]


def test_true_and_false_read_as_booleans_find_levels_written_in_capitals() -> None:
    # levels TRUE, FALSE and maybe: a query of only TRUE and FALSE reads as booleans
    # (pandas, polars), which became "true" and "false", unseen: every row answered "no"
    pre = Preprocessor().fit({"answer": ["TRUE", "FALSE", "maybe"] * 10, "x": list(range(30))})
    X = pre.transform(pl.DataFrame({"answer": [True, False, None], "x": [1, 2, 3]}))
    found = [X_row(row, pre.feature_names_out_) for row in X]
    assert found[:2] == [["answer=TRUE"], ["answer=FALSE"]]
    assert pre.transform_counts_["unseen"] == {}
    # and the same cells as text (a CSV read with the column as text) find them too
    np.testing.assert_array_equal(pre.transform({"answer": ["true", "False", None],
                                                 "x": [1, 2, 3]}), X)  # fmt: skip


def test_a_wide_encoding_is_made_a_few_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2,000 rows of 260,000 inputs: the buffer was 16,384 rows of them (34 GB), a
    # MemoryError traceback; blocks now hold at most BLOCK_CELLS numbers
    from glassnet import preprocessing

    table = {f"t{j}": [f"v{(i * (j + 3)) % 40}" for i in range(300)] for j in range(6)}
    pre = Preprocessor().fit(table)
    expected = pre.transform(table)
    width = len(pre.feature_names_out_)
    monkeypatch.setattr(preprocessing, "BLOCK_CELLS", 7 * (width + 1))
    np.testing.assert_array_equal(pre.transform(table), expected)
    blocks = [X.shape for _, X in pre.transform_in_blocks(table, 16384)]
    assert blocks[0] == (7, width) and sum(rows for rows, _ in blocks) == 300


def test_names_that_are_not_text_and_numbers_past_the_range_are_one_clear_error() -> None:
    # target=5 raised AttributeError ('int' object has no attribute 'strip'), na_values=[5]
    # polars' RuntimeError, 10**400 in a dict polars' OverflowError
    table = {"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"]}
    for options, message in (({"target": 5}, "target must be a column name"),
                             ({"categorical": [5]}, "categorical must hold texts"),
                             ({"na_values": [5]}, "na_values must hold texts"),
                             ({"ignore": "c"}, "ignore must be a list of texts")):  # fmt: skip
        with pytest.raises(TypeError, match=message):
            Preprocessor().fit(table, **options)
    assert Preprocessor().fit(table, categorical=(n for n in ["c"])).columns_[1]["role"] == (
        "categorical"
    )
    # markers given as a generator are checked and kept (the check once used them up)
    assert Preprocessor().fit(table, na_values=(m for m in ["?"])).na_values == ["?"]
    pre = Preprocessor().fit(table)
    with pytest.raises(DataError, match=r"data row 2, column 'x': inf .* not a finite number"):
        pre.transform({"x": [1, 10**400], "c": ["a", "b"]})


def test_refusals_of_a_wrong_delimiter_or_a_date_say_what_to_do() -> None:
    # "needs the columns a, b (its columns are a,b,label)" and "column 'x' is a Date
    # column, not numbers" named the problem and no fix
    import datetime

    pre = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    with pytest.raises(DataError, match=r"its column 'a,b' holds a delimiter: .*--delimiter"):
        pre.transform(pl.DataFrame({"a,b": ["1,2"]}))
    with pytest.raises(DataError, match=r"is a Date column, not numbers; give numbers"):
        pre.transform(pl.DataFrame({"a": [datetime.date(2024, 1, 1)], "b": [1.0]}))
