"""Topology.from_azure: the importer's fixtures give their expected topologies and
findings, and validation findings point into the Azure documents."""

from __future__ import annotations

import json
import pickle
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
import vpnha
from support import ROOT, vpnha_exe

FIXTURES = ROOT / "testdata" / "azure"
FOLDERS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("expected"))


def triples(findings: Any) -> list[list[str]]:
    return [[f.rule, Path(f.file).name if f.file else "", f.pointer] for f in findings]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_fixtures_give_their_topology_and_findings(folder: Path) -> None:
    expected_findings = json.loads((folder / "expected-findings.json").read_text(encoding="utf-8"))
    expected = folder / "expected.yaml"
    try:
        t = vpnha.Topology.from_azure(inputs(folder))
    except vpnha.TopologyError as e:
        # Nothing usable: the findings say why, and there is no expected topology.
        assert not expected.exists()
        assert triples(e.problems) == expected_findings
        assert e.rule == expected_findings[0][0]
        return
    assert triples(t.import_findings) == expected_findings
    assert isinstance(t.import_findings, vpnha.ValidationResult)
    if expected.exists():
        assert t.to_dict() == vpnha.Topology.load(expected).to_dict()
    else:
        assert not t.import_findings.ok


def test_choosing_among_several_gateways() -> None:
    folder = FIXTURES / "several-gateways"
    first = vpnha.Topology.from_azure(inputs(folder))
    assert "several-gateways" in {f.rule for f in first.import_findings}
    doc = json.loads(inputs(folder)[0].read_text(encoding="utf-8"))
    names = [r["name"] for r in doc if r.get("type", "").endswith("virtualNetworkGateways")]
    assert len(names) >= 2
    for name in names:
        t = vpnha.Topology.from_azure(inputs(folder), gateway=name)
        assert t.to_dict()["gateway"]["name"] == name
        assert "several-gateways" not in {f.rule for f in t.import_findings}


def test_findings_match_check_from_azure() -> None:
    folder = FIXTURES / "active-active-apipa"
    exe = vpnha_exe()
    if exe is None:
        pytest.skip("the vpnha binary is not built")
    files = [str(p) for p in inputs(folder)]
    out = subprocess.run([exe, "check", "--from", "azure", "--format", "json", *files], capture_output=True, text=True, check=False)
    cli = json.loads(out.stdout)
    t = vpnha.Topology.from_azure(files)
    ours = [d.to_dict() for d in [*t.import_findings, *t.validate()]]
    assert ours == cli["diagnostics"]
    assert all(d["file"] for d in ours if d["line"] is not None)


def test_one_path_and_a_missing_file() -> None:
    folder = FIXTURES / "active-standby"
    paths = inputs(folder)
    t = vpnha.Topology.from_azure([str(p) for p in paths])
    assert t.tunnels
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_azure(folder / "missing.json")
    assert info.value.rule == "unreadable-input"
    with pytest.raises(TypeError):
        vpnha.Topology.from_azure(42)  # type: ignore[arg-type]


def test_other_topologies_have_no_import_findings() -> None:
    t = vpnha.Topology.load(ROOT / "examples" / "dual-redundancy.yaml")
    assert t.import_findings == [] and all(d.file is None for d in t.validate())


def test_an_imported_topology_pickles_as_its_document() -> None:
    t = vpnha.Topology.from_azure(inputs(FIXTURES / "active-active-apipa"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = pickle.loads(pickle.dumps(t))
    assert u.to_dict() == t.to_dict() and u.tunnels == t.tunnels
    assert u.import_findings == []


def test_import_findings_to_pandas_have_files() -> None:
    pytest.importorskip("pandas")
    t = vpnha.Topology.from_azure(inputs(FIXTURES / "bad-values"))
    frame = t.import_findings.to_pandas()
    assert list(frame.columns)[-2:] == ["file", "pointer"] and len(frame) == len(t.import_findings)


def test_check_counts_import_errors() -> None:
    t = vpnha.Topology.from_azure(inputs(FIXTURES / "bad-values"))
    assert not t.import_findings.ok
    with pytest.raises(vpnha.ValidationError) as info:
        t.check()
    assert info.value.result is not None
    assert info.value.result[: len(t.import_findings)] == t.import_findings
    clean = vpnha.Topology.from_azure(inputs(FIXTURES / "active-active-apipa"))
    result = clean.check()
    assert result == [*clean.import_findings, *clean.validate()]
