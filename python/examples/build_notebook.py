"""Writes quickstart.ipynb from quickstart.py (cells split at `# %%` lines) and executes it
in place, so the notebook shows real outputs. Needs nbformat, nbclient and ipykernel
(`make notebook` installs them). Run from anywhere; paths are relative to this file.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

# Untyped tools, and not installed for the lints: typed as Any here.
nbformat: Any = importlib.import_module("nbformat")
NotebookClient: Any = importlib.import_module("nbclient").NotebookClient

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "quickstart.py"
NOTEBOOK = HERE / "quickstart.ipynb"


def cells(text: str) -> list[tuple[str, str]]:
    """(kind, source) per `# %%` cell; markdown cells lose their leading `# `."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            out.append(("markdown" if "[markdown]" in line else "code", []))
        elif out:
            out[-1][1].append(line)
    result = []
    for kind, lines in out:
        if kind == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines]
        result.append((kind, "\n".join(lines).strip("\n")))
    return result


def main() -> None:
    nb: Any = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells(SOURCE.read_text(encoding="utf-8")):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(new(source))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(HERE)}}
    )
    client.execute()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK.name}: {len(nb.cells)} cells")


if __name__ == "__main__":
    main()
