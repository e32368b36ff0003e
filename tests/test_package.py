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
# the floors of ARCHITECTURE.md; a module may import only from its own floor or below
FLOORS = {
    "_types": 0,
    "activations": 1,
    "costs": 1,
    "initializers": 1,
    "metrics": 1,
    "validation": 1,
    "history": 1,
    "layers": 2,
    "optimizers": 2,
    "callbacks": 2,
    "training": 2,
    "network": 3,
    "build": 3,
    "schedules": 4,
    "serialization": 4,
    "table": 4,
    "preprocessing": 4,
    "model": 4,
    "datasets": 4,
    "article": 4,
    "glassbox": 4,
    "sklearn": 5,
    "onnx": 5,
    "plot": 5,
    "cli": 6,
    "playground": 5,
}
CORE_THIRD_PARTY = {"numpy", "safetensors"}


def test_every_public_name_resolves() -> None:
    for name in glassnet.__all__:
        assert getattr(glassnet, name) is not None


def _names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return {node.module}
    return set()


def _type_checking_only(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )


def _imports(path: Path, lazy: bool = True) -> set[str]:
    """Every module ``path`` imports; with ``lazy=False`` only those run at import time
    (outside functions and ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    if lazy:
        for node in ast.walk(tree):
            found |= _names(node)
        return found
    functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        found |= _names(node)
        pending.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, functions) and not _type_checking_only(child)
        )
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
            assert FLOORS[parts[1]] <= floor, (
                f"{path.name} (floor {floor}) imports {name} (floor {FLOORS[parts[1]]})"
            )
    if floor <= 4:
        # an optional extra may serve one feature, imported inside the function that needs it
        for name in _imports(path, lazy=False):
            top_name = name.split(".")[0]
            if top_name != "glassnet" and top_name not in sys.stdlib_module_names:
                assert top_name in CORE_THIRD_PARTY, f"{path.name} imports {name} at the top"


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
