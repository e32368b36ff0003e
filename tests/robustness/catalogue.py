"""The hostile cases, generated: corrupted model files, bad option values, bad paths and
hostile CSV files, for every command that takes them.

``reference()`` trains the good model every case starts from (with ``glassnet train``, in
this process), so the catalogue runs against any tree: ``python -m tests.robustness.report``
with ``PYTHONPATH=/work/before/src`` counts the failures of the code before a change.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.robustness.harness import Case

MODEL = "model.safetensors"
DATA = "data.csv"
NOT_A_MODEL = "not a glassnet model file"

ROWS = [(x1 / 4.0, (x1 * 7 % 5) / 2.0, int(x1 % 3 == 0)) for x1 in range(-12, 12)]
GOOD_CSV = ("x1,x2,y\n" + "".join(f"{a},{b},{c}\n" for a, b, c in ROWS)).encode()

COMMANDS_READING_A_MODEL: dict[str, tuple[str, ...]] = {
    "predict": ("predict", "{model}", DATA),
    "evaluate": ("evaluate", "{model}", DATA),
    "info": ("info", "{model}"),
    "explain": ("explain", "{model}", "0.5", "-1.5"),
    "trace": ("trace", "{model}", DATA),
    "gradcheck": ("gradcheck", "{model}", DATA, "--max-per-layer", "2"),
    "plot": ("plot", "{model}", "--kind", "loss", "--out", "plot.png"),
    "export": ("export", "{model}", "model.onnx"),
}
"""How each command that reads a model is called; ``{model}`` is the model path."""

BASE_COMMANDS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "demo": (("demo",), frozenset()),
    "train": (
        (
            "train",
            DATA,
            "--target",
            "y",
            "--hidden",
            "2",
            "--epochs",
            "2",
            "--out",
            "t.safetensors",
        ),
        frozenset({"t.safetensors"}),
    ),
    "predict": (("predict", MODEL, DATA, "--out", "p.csv"), frozenset({"p.csv"})),
    "evaluate": (("evaluate", MODEL, DATA), frozenset()),
    "trace": (("trace", MODEL, DATA), frozenset()),
    "gradcheck": (("gradcheck", MODEL, DATA, "--max-per-layer", "2"), frozenset()),
    "explain": (("explain", MODEL, "0.5", "-1.5"), frozenset()),
    "plot": (("plot", MODEL, "--kind", "loss", "--out", "p.png"), frozenset({"p.png"})),
    "export": (("export", MODEL, "m.onnx"), frozenset({"m.onnx"})),
    "info": (("info", MODEL), frozenset()),
}
"""A working call of every command, and the files it writes: option cases add to these."""

COMMANDS_READING_A_CSV: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    name: (tuple("{data}" if arg == DATA else arg for arg in argv), outputs)
    for name, (argv, outputs) in BASE_COMMANDS.items()
    if DATA in argv
}
"""The working calls of the commands that read a CSV, ``{data}`` in place of its path."""

SLOW_COMMANDS = frozenset({"plot"})
"""Commands whose every run costs a second or more (matplotlib); their option cases are slow."""


# ----- the good files ----------------------------------------------------------------------------
@functools.cache
def reference() -> dict[str, bytes]:
    """The good files every case starts from: the CSV and a model trained on it."""
    from glassnet.cli import main

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, DATA).write_bytes(GOOD_CSV)
        argv = ["train", str(Path(folder, DATA)), "--target", "y", "--hidden", "3",
                "--epochs", "3", "--seed", "0", "--out", str(Path(folder, MODEL))]  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            status = main(argv)
        assert status == 0, "glassnet train could not make the reference model"
        return {DATA: GOOD_CSV, MODEL: Path(folder, MODEL).read_bytes()}


def split(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """A safetensors file → (its JSON header, its data bytes)."""
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length]), raw[8 + length :]


def join(header: dict[str, Any] | str, data: bytes) -> bytes:
    """(a header, as an object or JSON text, the data bytes) → a safetensors file."""
    text = (header if isinstance(header, str) else json.dumps(header)).encode()
    return struct.pack("<Q", len(text)) + text + data


RAW = {"__1e999__": "1e999", "__huge__": "9" * 5000, "__deep500__": "[" * 500 + "]" * 500}
"""Stand-ins replaced by JSON texts Python does not write: 1e999 (read back as infinity), an
integer of 5000 digits (refused by int()), a list nested 500 deep (read, but absurd)."""


def with_document(raw: bytes, change: Callable[[dict[str, Any]], Any]) -> bytes:
    """The model file ``raw`` with ``change`` applied to its glassnet document."""
    header, data = split(raw)
    document = json.loads(header["__metadata__"]["glassnet"])
    change(document)
    text = json.dumps(document)
    for token, number in RAW.items():
        text = text.replace(json.dumps(token), number)
    header["__metadata__"]["glassnet"] = text
    return join(header, data)


def with_header(raw: bytes, change: Callable[[dict[str, Any]], Any]) -> bytes:
    """The model file ``raw`` with ``change`` applied to its safetensors header."""
    header, data = split(raw)
    change(header)
    text = json.dumps(header)
    for token, number in RAW.items():
        text = text.replace(json.dumps(token), number)
    return join(text, data)


def paths(value: Any, at: tuple[Any, ...] = (), longest: int = 2) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (its first ``longest`` list items only)."""
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*at, key), longest)
    elif isinstance(value, list):
        for i, item in enumerate(value[:longest]):
            yield from paths(item, (*at, i), longest)


def replace_at(document: Any, at: tuple[Any, ...], value: Any) -> None:
    for key in at[:-1]:
        document = document[key]
    document[at[-1]] = value


def wrong_values(value: Any) -> list[Any]:
    """Values of other JSON types than ``value`` (and numbers JSON can write, Python not)."""
    if isinstance(value, bool):
        return ["yes", 2]
    if isinstance(value, (int, float)):
        return ["1", [1], None, "__1e999__", "__huge__"]
    if isinstance(value, str):
        return [1, [value], {"name": value}, None]
    if isinstance(value, list):
        return ["x", 1, {"0": 1}]
    if isinstance(value, dict):
        return ["x", [], 1]
    return ["x", [None]]


# ----- model files -------------------------------------------------------------------------------
def _writes(name: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """A setup writing ``name`` from the folder's good model."""

    def setup(folder: Path) -> None:
        (folder / name).write_bytes(make((folder / MODEL).read_bytes()))

    return setup


def _fifo(name: str) -> Callable[[Path], None]:
    return lambda folder: os.mkfifo(folder / name)


def _folder(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).mkdir()


def _sparse(name: str, size: int, start: bytes) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        with open(folder / name, "wb") as handle:
            handle.write(start)
            handle.truncate(size)  # a hole: no disk used, but every byte reads as 0

    return setup


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def corrupted_models() -> dict[str, Callable[[Path], None]]:
    """Setups writing ``bad.safetensors`` (or another hostile MODEL), by name."""
    bad = "bad.safetensors"

    def offsets(value: Any) -> Callable[[dict[str, Any]], None]:
        def change(header: dict[str, Any]) -> None:
            header["layer0.weights"]["data_offsets"] = value

        return change

    def history(value: Any) -> Callable[[dict[str, Any]], None]:
        def change(document: dict[str, Any]) -> None:
            document["history"]["values"]["cost"][0] = value

        return change

    return {
        "empty": _writes(bad, lambda raw: b""),
        "seven-bytes": _writes(bad, lambda raw: raw[:7]),
        "header-cut": _writes(bad, lambda raw: raw[:60]),
        "data-cut": _writes(bad, lambda raw: raw[:-8]),
        "length-huge": _writes(bad, lambda raw: b"\xff" * 8 + raw[8:]),
        "csv-text": _writes(bad, lambda raw: GOOD_CSV * 40),
        "binary": _writes(bad, lambda raw: bytes(range(256)) * 8),
        "header-not-json": _writes(bad, lambda raw: join("{not json", split(raw)[1])),
        "header-a-list": _writes(bad, lambda raw: join("[]", split(raw)[1])),
        "header-deep": _writes(bad, lambda raw: join('{"a":' + _deep(100_000) + "}", b"")),
        "header-utf8": _writes(bad, lambda raw: struct.pack("<Q", 4) + b"{\xff\xfe}"),
        "document-deep-500": _writes(
            bad, lambda raw: with_document(raw, lambda d: d.update(history="__deep500__"))
        ),
        "document-deep-100000": _writes(bad, _deep_document),
        "document-not-json": _writes(bad, lambda raw: _document_text(raw, "{oops")),
        "document-a-number": _writes(bad, lambda raw: _document_text(raw, "12")),
        "document-huge-int": _writes(bad, lambda raw: _document_text(raw, "9" * 5000)),
        "no-glassnet-entry": _writes(
            bad, lambda raw: with_header(raw, lambda h: h.__setitem__("__metadata__", {}))
        ),
        "metadata-a-list": _writes(
            bad, lambda raw: with_header(raw, lambda h: h.__setitem__("__metadata__", [1]))
        ),
        "offsets-floats": _writes(bad, lambda raw: with_header(raw, offsets([0.5, 8.25]))),
        "offsets-text": _writes(bad, lambda raw: with_header(raw, offsets(["0", "8"]))),
        "offsets-three": _writes(bad, lambda raw: with_header(raw, offsets([0, 8, 16]))),
        "offsets-negative": _writes(bad, lambda raw: with_header(raw, offsets([-8, 0]))),
        "offsets-huge": _writes(bad, lambda raw: with_header(raw, offsets([0, "__huge__"]))),
        "offsets-backwards": _writes(bad, lambda raw: with_header(raw, offsets([16, 8]))),
        "dtype-int": _writes(
            bad,
            lambda raw: with_header(raw, lambda h: h["layer0.bias"].__setitem__("dtype", "I64")),
        ),
        "shape-text": _writes(
            bad,
            lambda raw: with_header(raw, lambda h: h["layer0.bias"].__setitem__("shape", ["3"])),
        ),
        "shape-huge": _writes(
            bad,
            lambda raw: with_header(
                raw, lambda h: h["layer0.weights"].__setitem__("shape", [2**62, 2**62])
            ),
        ),
        "history-1e999": _writes(bad, lambda raw: with_document(raw, history("__1e999__"))),
        "history-huge-int": _writes(bad, lambda raw: with_document(raw, history("__huge__"))),
        "history-text": _writes(bad, lambda raw: with_document(raw, history("low"))),
        "format-version-text": _writes(
            bad, lambda raw: with_document(raw, lambda d: d.update(format_version="2"))
        ),
        "format-version-99": _writes(
            bad, lambda raw: with_document(raw, lambda d: d.update(format_version=99))
        ),
        "fifo": _fifo(bad),
        "folder": _folder(bad),
        "csv-300MB": _sparse(bad, 300_000_000, GOOD_CSV),
    }


def _document_text(raw: bytes, text: str) -> bytes:
    header, data = split(raw)
    header["__metadata__"]["glassnet"] = text
    return join(header, data)


def _deep_document(raw: bytes) -> bytes:
    return _document_text(raw, _deep(100_000))


def model_cases() -> list[Case]:
    """Every corrupted model through every command that reads a model, plus the paths that
    are not files at all."""
    cases = []
    for kind, setup in corrupted_models().items():
        for command, argv in COMMANDS_READING_A_MODEL.items():
            memory = 50_000_000 if kind == "csv-300MB" else None
            wording = None if kind == "folder" else NOT_A_MODEL
            cases.append(
                Case(
                    id=f"model:{kind}:{command}",
                    argv=tuple(a.format(model="bad.safetensors") for a in argv),
                    setup=setup,
                    memory_limit=memory,
                    wording=wording,
                    codes=frozenset({2}),
                )
            )
        # as the model: standard input (an empty pipe), a device, a missing file
    for command, argv in COMMANDS_READING_A_MODEL.items():
        for name, path in (
            ("stdin", "/dev/stdin"),
            ("dev-null", "/dev/null"),
            ("missing", "no.safetensors"),
        ):
            cases.append(
                Case(
                    id=f"model:{name}:{command}",
                    argv=tuple(a.format(model=path) for a in argv),
                    codes=frozenset({2}),
                    stdin=b"",
                )
            )
    return cases


def wrong_type_cases() -> list[Case]:
    """Each place of the reference model's glassnet document set to a value of the wrong JSON
    type, loaded by ``glassnet info`` (``info`` reads every field)."""
    header, _ = split(reference()[MODEL])
    document = json.loads(header["__metadata__"]["glassnet"])
    cases = []
    for at in paths(document):
        if not at:
            continue
        current: Any = document
        for key in at:
            current = current[key]
        for i, value in enumerate(wrong_values(current)):

            def change(d: dict[str, Any], at: tuple[Any, ...] = at, value: Any = value) -> None:
                replace_at(d, at, value)

            name = ".".join(map(str, at))
            cases.append(
                Case(
                    id=f"type:{name}:{i}",
                    argv=("info", "bad.safetensors"),
                    setup=_writes(
                        "bad.safetensors", functools.partial(with_document, change=change)
                    ),
                    wording=NOT_A_MODEL,
                )
            )
    return cases


# ----- options -----------------------------------------------------------------------------------
BAD_NUMBERS = ("-1", "0", "-0", "nan", "inf", "-inf", "1e999", "abc", "", "0x10", "1e-320", "2.5")
"""Values tried for every option that takes a value."""


def option_actions() -> dict[str, list[argparse.Action]]:
    """Every command's options that take a value, read from the parser itself."""
    from glassnet.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, command in sub.choices.items():
        found[name] = [
            action
            for action in command._actions
            if action.option_strings and action.nargs != 0 and action.dest != "help"
        ]
    return found


def option_cases() -> list[Case]:
    """Every option of every command given each bad value, on a call that otherwise works."""
    cases = []
    for command, actions in option_actions().items():
        if command not in BASE_COMMANDS:
            continue
        argv, outputs = BASE_COMMANDS[command]
        for action in actions:
            option = action.option_strings[-1]
            values: tuple[str, ...] = BAD_NUMBERS
            if action.choices is not None:
                values = ("", "nope", *[str(c).upper() for c in action.choices][:1])
            if option in ("--out", "--data"):
                continue  # paths: see path_cases
            for value in values:
                cases.append(
                    Case(
                        id=f"option:{command}:{option}={value}",
                        argv=(*_without(argv, option), option, value),
                        outputs=outputs,
                        codes=frozenset({0, 1, 2}) if command == "gradcheck" else frozenset({0, 2}),
                        slow=command in SLOW_COMMANDS,
                    )
                )
            # the option given twice, and with nothing after it
            cases.append(
                Case(id=f"option:{command}:{option}:missing", argv=(*argv, option), outputs=outputs)
            )
    # no command at all: the usage, on stderr
    cases.append(Case(id="option:none", argv=(), codes=frozenset({2}), one_line=False))
    cases.append(Case(id="option:unknown-command", argv=("fly",), codes=frozenset({2})))
    cases.append(Case(id="option:explain-negative", argv=("explain", "-1.5", "2", "-3e-1")))
    return cases


def _without(argv: tuple[str, ...], option: str) -> tuple[str, ...]:
    """``argv`` without ``option`` and its value (so the case's value is the only one)."""
    out: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
        elif item == option:
            skip = True
        else:
            out.append(item)
    return tuple(out)


# ----- output paths ------------------------------------------------------------------------------
def _writing_to(argv: tuple[str, ...], written: str) -> Callable[[str], tuple[str, ...]]:
    """``argv`` as a function of its output path (the argument ``written``)."""
    return lambda out: tuple(out if arg == written else arg for arg in argv)


OUTPUT_COMMANDS: dict[str, tuple[Callable[[str], tuple[str, ...]], tuple[str, ...], str]] = {
    name: (
        _writing_to(argv, written),
        tuple(arg for arg in argv if arg in (MODEL, DATA)),
        Path(written).suffix,
    )
    for name, (argv, outputs) in BASE_COMMANDS.items()
    for written in outputs
}
"""Each command that writes a file, derived from its working call: its call for an output
path, the files it reads, and the suffix its output takes (plot picks the format by it)."""


def _link(name: str, target: str) -> Callable[[Path], None]:
    return lambda folder: os.symlink(target, folder / name)


def path_cases() -> list[Case]:
    """Outputs that are an input (by name, through ``..``, through a link), a folder, in a
    missing folder, a FIFO nobody reads, a link to /dev/null; inputs that are folders,
    FIFOs, missing, standard input."""
    cases = []
    for command, (make, reads, suffix) in OUTPUT_COMMANDS.items():
        slow = command in SLOW_COMMANDS
        refused: list[tuple[str, str, Callable[[Path], None] | None]] = [
            ("folder", "outdir" + suffix, _folder("outdir" + suffix)),
            ("missing-folder", "nowhere/out" + suffix, None),
            ("fifo-no-reader", "pipe" + suffix, _fifo("pipe" + suffix)),
        ]
        if command != "plot":  # plot needs a suffix to pick its format
            refused.append(("empty", "", None))
        for read in reads:
            refused += [
                (f"same-as-{read}", read, None),
                (f"dotted-{read}", f"./sub/../{read}", _folder("sub")),
                (f"link-to-{read}", "link" + suffix, _link("link" + suffix, read)),
            ]
        for name, out, setup in refused:
            cases.append(
                Case(
                    id=f"out:{name}:{command}",
                    argv=make(out),
                    setup=setup,
                    codes=frozenset({2}),
                    # a FIFO's reader can only be known when writing, after the progress lines
                    one_line=not (command == "train" and name == "fifo-no-reader"),
                    slow=slow,
                )
            )
        # a link to /dev/null, never /dev/null itself: code that renames over its output
        # replaces the link, not the device (as root, round 1 replaced /dev/null)
        cases.append(
            Case(
                id=f"out:dev-null:{command}",
                argv=make("null" + suffix),
                setup=_link("null" + suffix, os.devnull),
                slow=slow,
            )
        )
    for command, (argv, outputs) in COMMANDS_READING_A_CSV.items():
        for name, path, setup in (
            ("folder", "data", _folder("data")),
            ("fifo", "data.fifo", _fifo("data.fifo")),
            ("missing", "nothing.csv", None),
        ):
            cases.append(
                Case(
                    id=f"in:{name}:{command}",
                    argv=tuple(a.format(data=path) for a in argv),
                    setup=setup,
                    outputs=outputs,
                    codes=frozenset({2}),
                )
            )
        cases.append(
            Case(
                id=f"in:stdin:{command}",
                argv=tuple(a.format(data="/dev/stdin") for a in argv),
                outputs=outputs,
                stdin=GOOD_CSV,
            )
        )
    return cases


# ----- hostile CSV files -------------------------------------------------------------------------
def hostile_csvs() -> dict[str, bytes]:
    """CSV contents that broke round 1 or could: by name."""
    good = GOOD_CSV.decode()
    lines = good.splitlines()
    long_field = "7" * 200_000
    return {
        "cr-only": good.replace("\n", "\r").encode(),
        "crlf": good.replace("\n", "\r\n").encode(),
        "bom": b"\xef\xbb\xbf" + GOOD_CSV,
        "utf16": good.encode("utf-16"),
        "huge-field": (good + f"{long_field},1,0\n").encode(),
        "huge-extra-column": (
            lines[0] + ",note\n" + "".join(f"{line},{long_field}\n" for line in lines[1:4])
        ).encode(),
        "labels-nan": good.replace(",0\n", ",Nan\n").encode(),
        "labels-infinity": good.replace(",1\n", ",Infinity\n").encode(),
        "labels-li": good.replace(",1\n", ",Li\n").encode(),
        "value-inf": good.replace("0.5,", "inf,", 1).encode(),
        "value-1e308": good.replace("0.5,", "1e308,", 1).encode(),
        "value-text": good.replace("0.5,", "abc,", 1).encode(),
        "binary": bytes(range(256)) * 20,
        "nul-bytes": GOOD_CSV.replace(b",", b"\x00,", 3),
        "empty": b"",
        "header-only": b"x1,x2,y\n",
        "blank-lines": b"\n\n\n",
        "one-column": b"y\n1\n0\n",
        "duplicate-columns": good.replace("x2", "x1", 1).encode(),
        "ragged": (good + "1,2\n3,4,5,6\n").encode(),
        "open-quote": (good + '"1,2,3\n').encode(),
        "latin1": good.replace("x1", "x\xe91").encode("latin-1"),
        "one-class": b"x1,x2,y\n1,2,0\n3,4,0\n5,6,0\n",
        "unique-ids": ("x1,x2,y\n" + "".join(f"{i},{i},id{i}\n" for i in range(300))).encode(),
    }


def csv_cases() -> list[Case]:
    """Every hostile CSV through every command that reads a CSV."""
    cases = []
    for kind, content in hostile_csvs().items():
        for command, (argv, outputs) in COMMANDS_READING_A_CSV.items():

            def setup(folder: Path, content: bytes = content) -> None:
                (folder / "hostile.csv").write_bytes(content)

            cases.append(
                Case(
                    id=f"csv:{kind}:{command}",
                    argv=tuple(a.format(data="hostile.csv") for a in argv),
                    setup=setup,
                    outputs=outputs,
                    codes=frozenset({0, 1, 2}) if command == "gradcheck" else frozenset({0, 2}),
                )
            )
    return cases


def gradcheck_cases() -> list[Case]:
    """``--eps`` so small that the differences vanish, or the whole cost is NaN."""
    return [
        Case(id=f"gradcheck:eps={eps}", argv=("gradcheck", "--eps", eps), codes=frozenset({1, 2}))
        for eps in ("1e-320", "5e-324")
    ]


CATEGORIES: dict[str, Callable[[], list[Case]]] = {
    "model": model_cases,
    "type": wrong_type_cases,
    "option": option_cases,
    "path": path_cases,
    "csv": csv_cases,
    "gradcheck": gradcheck_cases,
}
"""Every category of the catalogue, by name."""


def catalogue() -> list[Case]:
    """Every case, every category."""
    return [case for make in CATEGORIES.values() for case in make()]
