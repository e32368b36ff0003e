"""The command line's shared behaviour: one-line errors for usage mistakes and missing extras."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_a_usage_mistake_is_one_line(tmp_path: Path) -> None:
    result = _run("from glassnet.cli import main; raise SystemExit(main(['train']))", tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the following arguments are required" in lines[0]


def test_a_missing_extra_is_one_line_naming_the_install(tmp_path: Path) -> None:
    import glassnet
    from glassnet import Dense, Network

    net = Network([Dense(2, 1)], seed=0)
    glassnet.save(net, tmp_path / "m.safetensors")
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if the extra were not installed
        "from glassnet.cli import main\n"
        "raise SystemExit(main(['plot', 'm.safetensors', '--kind', 'network', "
        "'--out', 'n.png']))"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "pip install 'glassnet[plot]'" in result.stderr
    assert not (tmp_path / "n.png").exists()


def test_no_command_prints_the_usage_on_stderr(tmp_path: Path) -> None:
    result = _run("from glassnet.cli import main; raise SystemExit(main([]))", tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # round 1 printed it on stdout, as if it were the output
    assert result.stderr.startswith("usage: glassnet")


def test_a_closed_stdout_is_no_traceback(tmp_path: Path) -> None:
    import os

    # started with stdout closed (`glassnet demo --json >&-`): the JSON goes nowhere
    closed = subprocess.run(
        [sys.executable, "-m", "glassnet", "demo", "--json"],
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),  # in the child: its own stdout only
        check=False,
    )
    assert closed.returncode == 0, closed.stderr
    assert closed.stderr == ""
    # a reader that goes away (`glassnet trace --steps 1,...,300 | head -0`)
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "trace", "--steps", ",".join(map(str, range(1, 300)))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert error == ""  # neither a traceback nor "Exception ignored ... BrokenPipeError"


def test_check_out_file_refuses_the_files_a_command_reads(tmp_path: Path) -> None:
    import os

    import pytest

    from glassnet.cli.common import UserError, check_out_file

    data = tmp_path / "d.csv"
    data.write_text("x\n1\n")
    (tmp_path / "sub").mkdir()
    os.symlink(data, tmp_path / "link.csv")
    os.link(data, tmp_path / "hard.csv")
    for same in (data, tmp_path / "sub" / ".." / "d.csv", tmp_path / "link.csv",
                 tmp_path / "hard.csv"):  # fmt: skip
        with pytest.raises(UserError, match="is the file this command reads"):
            check_out_file(str(same), reads=[str(data)])
    with pytest.raises(UserError, match="it is a folder"):
        check_out_file(str(tmp_path / "sub"))
    with pytest.raises(UserError, match="does not exist; create it first"):
        check_out_file(str(tmp_path / "no" / "out.csv"), "--out")
    assert check_out_file(str(tmp_path / "new.csv"), reads=[str(data)]) == str(tmp_path / "new.csv")
    os.mkfifo(tmp_path / "fifo")  # written into when the command writes, not replaced
    assert check_out_file(str(tmp_path / "fifo")) == str(tmp_path / "fifo")


def test_ctrl_c_after_the_command_finished_is_ignored(tmp_path: Path) -> None:
    # one that came during Python's shutdown, after `predict --out` had written its file,
    # printed a KeyboardInterrupt traceback (threading._shutdown) and exited 0
    result = _run(
        "import signal\n"
        "import glassnet.cli as cli\n"
        "cli.main = lambda: 0\n"
        "try:\n"
        "    cli.console()\n"
        "except SystemExit as done:\n"
        "    print(done.code, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n",
        tmp_path,
    )
    assert result.stdout.split() == ["0", "True"], result.stderr


def test_an_error_naming_a_path_with_a_newline_stays_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "a\nb.safetensors"
    result = subprocess.run([sys.executable, "-m", "glassnet", "predict", str(missing),
                             str(tmp_path / "x.csv")], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "a\\nb.safetensors" in result.stderr


def test_train_saves_its_model_when_the_reader_of_its_report_goes_away(tmp_path: Path) -> None:
    # `glassnet train … | head -1` (and 2>&1) exited 0 before training: no model file
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i % 9},{i % 2}\n" for i in range(60)))
    model = tmp_path / "m.safetensors"
    command = [sys.executable, "-m", "glassnet", "train", str(data), "--target", "y",
               "--epochs", "30", "--hidden", "4", "--seed", "0", "--out", str(model)]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as child:
        assert child.stdout is not None
        child.stdout.readline()
        child.stdout.close()  # as `| head -1` does
        status = child.wait(timeout=120)
    assert status == 0 and model.stat().st_size > 0


def test_train_on_a_full_standard_output_saves_and_says_the_output_was_lost(
    tmp_path: Path,
) -> None:
    import os

    import pytest

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i % 9},{i % 2}\n" for i in range(60)))
    model = tmp_path / "m.safetensors"
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "glassnet", "train", str(data), "--target", "y",
             "--epochs", "3", "--out", str(model)],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert result.returncode == 0 and model.stat().st_size > 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "glassnet: the rest of the output was lost (No space left on device)"
    )


def test_sigterm_or_sighup_while_the_model_is_written_leaves_the_old_file_and_no_temporary(
    tmp_path: Path,
) -> None:
    # both ended the process at once: the old file kept, but a full-size hidden
    # .NAME.XXXX.tmp left beside it
    import os
    import signal
    import time

    data = tmp_path / "d.csv"
    data.write_text("x,y\n" + "".join(f"{i % 9},{i % 2}\n" for i in range(60)))
    model = tmp_path / "m.safetensors"
    command = [sys.executable, "-m", "glassnet", "train", str(data), "--target", "y",
               "--hidden", "1500,1500", "--epochs", "1", "--validation-split", "0",
               "--seed", "0", "--out", str(model)]  # fmt: skip
    caught = 0
    for number in (signal.SIGTERM, signal.SIGHUP) * 3:
        model.write_bytes(b"\x00OLD")
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while child.poll() is None and not any(n.endswith(".tmp") for n in os.listdir(tmp_path)):
            time.sleep(0.0005)
        if child.poll() is None:
            child.send_signal(number)
            caught += 1
        _, error = child.communicate(timeout=120)
        assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []
        if child.returncode != 0:  # stopped while writing: the old file as it was
            assert child.returncode == 128 + number and model.read_bytes() == b"\x00OLD"
            name = signal.Signals(number).name
            assert error.decode().splitlines()[-1] == f"glassnet train: {name}, stopped"
    assert caught >= 2  # the signal came while the file was being written, most times


def test_the_column_table_lines_up_names_of_wide_characters(capsys) -> None:  # type: ignore[no-untyped-def]
    # 数学 takes four terminal columns, not two: the roles after Japanese names stood two
    # columns left of the others
    from glassnet.cli.common import display_width, print_column_table

    rows = [{"name": n, "role": "numeric", "encoding": "standardized"} for n in ("数学", "math")]
    print_column_table(rows)
    lines = capsys.readouterr().out.splitlines()
    starts = {display_width(line[: line.index(word)]) for line, word in
              zip(lines, ("role", "numeric", "numeric"), strict=True)}  # fmt: skip
    assert len(starts) == 1


def test_a_terminal_that_cannot_show_a_character_fails_no_command(tmp_path: Path) -> None:
    # PYTHONIOENCODING=ascii and labels café, ﬁne: train saved the model, then failed on
    # printing its report (exit 2 after the existing file was replaced); info failed on →
    import os

    data = tmp_path / "d.csv"
    data.write_text("x,label\n1,café\n5,ﬁne\n3,café\n2,ﬁne\n7,café\n", encoding="utf-8")
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    model = tmp_path / "m.safetensors"
    for argv in (["train", str(data), "--target", "label", "--epochs", "2", "--out", str(model)],
                 ["info", str(model)]):  # fmt: skip
        result = subprocess.run([sys.executable, "-m", "glassnet", *argv], env=env,
                                capture_output=True, check=False)  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert b"caf\\xe9" in result.stdout or b"\\u2192" in result.stdout


def test_a_size_no_check_foresaw_is_one_line_about_memory(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # train --hidden 100000000 on two columns passed the parameter check and then asked for
    # 35.8 GiB of activations: numpy's _ArrayMemoryError traceback, exit 1
    import numpy as np

    from glassnet.cli import main
    from glassnet.cli import train as train_module

    def huge(args: object) -> int:
        np.empty((1 << 40,))  # 8 TiB: refused at once, no page touched
        return 0

    monkeypatch.setattr(train_module, "run", huge)
    assert main(["train", str(tmp_path / "d.csv"), "--target", "y"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not enough memory" in err[0] and "hidden layers" in err[0]


def test_the_kinds_of_file_name_parquet_files_as_the_table_reader_does() -> None:
    # cli.common writes the suffixes again (it loads before NumPy); they must stay one list
    from glassnet.cli.common import KINDS
    from glassnet.table import PARQUET_SUFFIXES

    assert KINDS["parquet"][0] == PARQUET_SUFFIXES
