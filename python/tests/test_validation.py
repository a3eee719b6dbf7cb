"""validate(): every rule the examples name, the result type, its table and DataFrame."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import vpnha
from support import DUAL, EXAMPLES, ROOT, expected_rules, vpnha_exe

BROKEN = sorted(p for p in EXAMPLES.glob("*.yaml") if "unknown-field" not in p.name)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_examples_trigger_the_rules_they_name(path: Path) -> None:
    result = vpnha.Topology.load(path).validate()
    found = {d.rule for d in result if d.severity != "info"}
    assert found == expected_rules(path)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_findings_match_the_cli(path: Path) -> None:
    """The same findings, positions included, as `vpnha check --format json`."""
    cli = _cli_json(path)
    if cli is None:
        pytest.skip("the vpnha binary is not built")
    result = vpnha.Topology.load(path).validate()
    assert [d.to_dict() for d in result] == cli["diagnostics"]
    assert result.status == cli["status"]
    assert result.counts()["error"] == cli["errors"]
    assert [s.to_dict() for s in vpnha.Topology.load(path).sites] == cli["sites"]


def _cli_json(path: Path) -> dict[str, Any] | None:
    exe = vpnha_exe()
    if exe is None:
        return None
    out = subprocess.run([exe, "check", "--format", "json", path], capture_output=True, text=True, check=False)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_result_is_a_list_of_diagnostics() -> None:
    result = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()
    assert isinstance(result, list) and isinstance(result, vpnha.ValidationResult)
    assert all(isinstance(d, vpnha.Diagnostic) for d in result)
    severities = [d.severity for d in result]
    order = {"error": 0, "warning": 1, "info": 2}
    assert severities == sorted(severities, key=order.__getitem__)
    assert result.errors == [d for d in result if d.severity == "error"]
    assert not result.ok and result.status == "errors"
    assert result.counts() == {
        "error": len(result.errors),
        "warning": len(result.warnings),
        "info": len(result.infos),
    }
    assert result.by_rule("reserved-asn") and all(d.rule == "reserved-asn" for d in result.by_rule("reserved-asn"))
    assert result.source == str(EXAMPLES / "broken-bgp.yaml")
    assert result[1:3] == list(result)[1:3]


def test_diagnostic_fields_and_text() -> None:
    result = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()
    (same_asn,) = result.by_rule("same-asn")
    assert same_asn.path == "local_gateways[0].bgp.asn"
    assert same_asn.line == 23 and same_asn.column is not None
    assert str(same_asn).startswith(f"23:{same_asn.column}: error[same-asn] local_gateways[0].bgp.asn: ")
    assert same_asn.to_dict() == {
        "rule": "same-asn",
        "severity": "error",
        "message": same_asn.message,
        "path": "local_gateways[0].bgp.asn",
        "line": 23,
        "column": same_asn.column,
    }
    assert eval(repr(same_asn), {"Diagnostic": vpnha.Diagnostic}) == same_asn
    assert hash(same_asn) == hash(vpnha.Diagnostic(**same_asn.to_dict()))
    with pytest.raises(ValueError):
        vpnha.Diagnostic("r", "fatal", "m")  # type: ignore[arg-type]


def test_a_clean_topology() -> None:
    result = vpnha.Topology.from_yaml(DUAL).validate()
    assert result.ok and result.status == "ok"
    assert not result.warnings
    assert "site-pattern" in {d.rule for d in result.infos}
    assert vpnha.Topology.from_yaml(DUAL).check() == result
    assert result.raise_for_errors() is result


def test_text_and_repr() -> None:
    result = vpnha.Topology.load(EXAMPLES / "broken-multi-device.yaml").validate()
    text = str(result)
    assert text.splitlines()[-1] == f"{result.source}: {result.summary()}"
    assert len(text.splitlines()) == len(result) + 1
    assert repr(result).startswith("<ValidationResult ") and result.summary() in repr(result)


def test_to_dict_matches_the_cli_shape() -> None:
    result = vpnha.Topology.load(EXAMPLES / "broken-gateway.yaml").validate()
    d = result.to_dict()
    assert set(d) == {"file", "status", "errors", "warnings", "diagnostics"}
    assert d["errors"] == len(result.errors)
    json.dumps(d)


def test_html_table() -> None:
    result = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()
    html = result._repr_html_()
    assert html.count("<tr") == len(result) + 1
    assert "reserved-asn" in html and "local_gateways[0].bgp.asn" in html
    assert "no findings" in vpnha.ValidationResult([], source="x")._repr_html_()


def test_positions_of_a_dict_topology_are_absent() -> None:
    d = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").to_dict()
    result = vpnha.Topology.from_dict(d).validate()
    assert result and all(x.line is None for x in result)
    assert {x.rule for x in result} == {x.rule for x in vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()}


def test_to_pandas_with_pandas() -> None:
    pd = pytest.importorskip("pandas")
    result = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["rule", "severity", "message", "path", "line", "column"]
    assert len(frame) == len(result)
    assert frame["line"].dtype == "Int64"


def test_to_pandas_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    result = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").validate()
    with pytest.raises(ImportError, match=r"vpnha\[pandas\]"):
        result.to_pandas()
    # Everything else works without pandas.
    assert result._repr_html_()


def test_vpnha_imports_without_pandas() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import vpnha\n"
        "r = vpnha.Topology.from_yaml(open(sys.argv[1]).read()).validate()\n"
        "assert r._repr_html_()\n"
        "try:\n    r.to_pandas()\nexcept ImportError:\n    print('ok')\n"
    )
    script = Path(EXAMPLES / "dual-redundancy.yaml")
    out = subprocess.run([sys.executable, "-c", code, script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
