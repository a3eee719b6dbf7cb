"""The quickstart runs, and its notebook holds the same steps with real outputs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from support import ROOT

SCRIPT = ROOT / "python" / "examples" / "quickstart.py"
NOTEBOOK = ROOT / "python" / "examples" / "quickstart.ipynb"


def script_cells() -> list[tuple[str, str]]:
    cells: list[tuple[str, list[str]]] = []
    for line in SCRIPT.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return data


def test_the_quickstart_script_runs() -> None:
    out = subprocess.run([sys.executable, SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "dual-redundancy" in out.stdout
    assert "ValidationError" in out.stdout
    assert "of flows moved; all of them were on hq-a/0: True" in out.stdout


def test_the_notebook_has_the_scripts_code() -> None:
    code = [src for kind, src in script_cells() if kind == "code"]
    cells = [c for c in notebook()["cells"] if c["cell_type"] == "code"]
    assert ["".join(c["source"]) for c in cells] == code, "run `make notebook` after changing quickstart.py"


def test_the_notebook_was_executed() -> None:
    cells = [c for c in notebook()["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    assert all(c["outputs"] for c in cells[1:])
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors
    html = [o for c in cells for o in c["outputs"] if "text/html" in o.get("data", {})]
    assert len(html) >= 3


def test_the_notebook_names_no_machine_paths() -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert not re.search(r"(/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\)", text)
