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
