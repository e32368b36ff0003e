"""notebooks/the_article.ipynb executes from top to bottom and shows the article's numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "the_article.ipynb"


def test_the_article_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": "."}}
    ).execute()
    text = "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "z = inputs · weights + bias : [1.2 0.7 0.7 1.2]" in text
    assert "weights after  : [0.51147452 0.48930323 0.50823563]" in text
    assert "passed" in text
    assert "a = 0.99828 → 仕事が見つかる" in text
    assert "a = 0.48372 → 仕事が見つからない" in text
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
