"""The package's shape: public names, lazy start-up, and imports that only go down the floors."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet

SRC = Path(glassnet.__file__).parent
# DESIGN.md's floors; a module may import only from its own floor or below
FLOORS = {
    "_types": 0,
    "activations": 1,
    "costs": 1,
    "initializers": 1,
    "metrics": 1,
    "layers": 2,
    "optimizers": 2,
    "network": 3,
    "training": 4,
    "schedules": 4,
    "serialization": 4,
    "data": 4,
    "csv_numbers": 4,
    "datasets": 4,
    "article": 4,
    "glassbox": 4,
    "sklearn": 5,
    "onnx": 5,
    "plot": 5,
    "cli": 6,
}
CORE_THIRD_PARTY = {"numpy", "safetensors"}


def test_every_public_name_resolves() -> None:
    for name in glassnet.__all__:
        assert getattr(glassnet, name) is not None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "path", sorted(p for p in SRC.rglob("*.py") if p.name != "__main__.py"), ids=str
)
def test_imports_only_go_down_the_floors(path: Path) -> None:
    top = path.relative_to(SRC).parts[0].removesuffix(".py")
    if top == "__init__":
        return
    floor = FLOORS[top]
    for name in _imports(path):
        parts = name.split(".")
        if parts == ["glassnet"]:
            continue  # the package root: its version and the lazily imported public names
        if parts[0] == "glassnet":
            assert FLOORS[parts[1]] <= floor or (parts[1] == "training" and top == "network"), (
                f"{path.name} (floor {floor}) imports {name} (floor {FLOORS[parts[1]]})"
            )
        elif floor <= 4 and parts[0] not in sys.stdlib_module_names:
            assert parts[0] in CORE_THIRD_PARTY, f"{path.name} imports {name}"


def test_help_starts_without_numpy() -> None:
    code = "import sys, glassnet.cli; glassnet.cli.build_parser(); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_core_imports_no_optional_library() -> None:
    code = (
        "import sys, glassnet; from glassnet import Network, Dense; import glassnet.training; "
        "print(sorted(m for m in ('sklearn', 'matplotlib', 'onnx', 'torch', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI installs every extra; a developer may not")
def test_ci_has_every_extra_so_no_adapter_test_skips() -> None:
    # the adapter tests skip when their library is missing; in CI that would hide a broken
    # install, so here every extra must import
    import importlib

    for name in (
        "sklearn",
        "scipy",
        "matplotlib",
        "onnx",
        "onnxruntime",
        "dask.distributed",
        "nbclient",
        "ipykernel",
        "pandas",
        "safetensors",
        "tqdm",
    ):
        importlib.import_module(name)
