"""The exception model: what each failure raises, what it carries, and that it pickles."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest
import vpnha
from support import DUAL, EXAMPLES


def test_hierarchy() -> None:
    assert issubclass(vpnha.TopologyError, vpnha.VpnhaError)
    assert issubclass(vpnha.TopologyError, ValueError)
    assert issubclass(vpnha.ValidationError, ValueError)
    assert issubclass(vpnha.SiteError, LookupError)
    assert issubclass(vpnha.EcmpError, ValueError)
    assert issubclass(vpnha.TopologyFileNotFoundError, FileNotFoundError)
    assert issubclass(vpnha.TopologyIsADirectoryError, IsADirectoryError)
    assert issubclass(vpnha.TopologyPermissionError, PermissionError)
    for cls in (vpnha.TopologyFileNotFoundError, vpnha.ValidationError, vpnha.SiteError, vpnha.EcmpError):
        assert issubclass(cls, vpnha.VpnhaError)
    assert vpnha.TopologyError.__module__ == "vpnha"


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_yaml("version: 1\ngateway: {sku: VpnGw1AZ\n", name="hub.yaml")
    e = info.value
    assert str(e).startswith("hub.yaml:")
    assert (e.rule, e.source, e.path) == ("syntax-error", "hub.yaml", "")
    assert e.line is not None and e.column is not None
    assert f"hub.yaml:{e.line}:{e.column}: invalid YAML" in str(e)
    (problem,) = e.problems
    assert isinstance(problem, vpnha.Diagnostic)
    assert (problem.line, problem.column) == (e.line, e.column)


def test_every_problem_is_listed() -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.load(EXAMPLES / "broken-unknown-field.yaml")
    e = info.value
    rules = {p.rule for p in e.problems}
    assert rules == {"unknown-field", "missing-field"}
    assert len(e.problems) > 2
    assert f"(and {len(e.problems) - 1} more problems)" in str(e)
    assert all(p.line is not None for p in e.problems)
    assert e.path == e.problems[0].path and e.line == e.problems[0].line
    assert "did you mean" in str(e)


def test_a_missing_file_is_also_file_not_found() -> None:
    with pytest.raises(FileNotFoundError) as info:
        vpnha.Topology.load("no/such/topology.yaml")
    assert isinstance(info.value, vpnha.TopologyError)
    assert info.value.rule == "io-error"
    assert "no such file" in str(info.value)


def test_a_directory_is_refused() -> None:
    with pytest.raises(vpnha.TopologyIsADirectoryError, match="not a file"):
        vpnha.Topology.load(EXAMPLES)


#: The user a root test run drops to, so that file modes apply (root reads any file).
NOBODY = 65534


def _load_as_nobody(path: Path) -> str:
    """Loads `path` in a forked child that has given up root: the exception it saw, as
    `name|is PermissionError|is TopologyError`, or `loaded`."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: vpnha is already imported, only `path` is opened
        os.close(read)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                vpnha.Topology.load(path)
                seen = "loaded"
            except Exception as e:  # reported to the parent, which asserts on it
                seen = f"{type(e).__name__}|{isinstance(e, PermissionError)}|{isinstance(e, vpnha.TopologyError)}"
            os.write(write, seen.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        seen = f.read().decode()
    os.waitpid(pid, 0)
    return seen


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_unreadable_file_is_a_permission_error() -> None:
    # A folder anyone may enter, holding a file no one may read: only the file's mode refuses.
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o755)
        p = folder / "t.yaml"
        p.write_text(DUAL)
        p.chmod(0)
        if os.geteuid() == 0:
            assert _load_as_nobody(p) == "TopologyPermissionError|True|True"
        else:
            with pytest.raises(PermissionError) as info:
                vpnha.Topology.load(p)
            assert isinstance(info.value, vpnha.TopologyError)
    finally:
        shutil.rmtree(folder)


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "t.cfg"
    p.write_text(DUAL)
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.load(p)
    assert info.value.rule == "unknown-format"
    with pytest.raises(vpnha.TopologyError):
        vpnha.Topology.load(p, format="xml")  # type: ignore[arg-type]


def test_too_large_input_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.yaml"
    with p.open("wb") as f:
        f.truncate(16 * 1024 * 1024 + 1)
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.load(p)
    assert info.value.rule == "input-too-large"


def test_not_utf8_bytes_point_at_the_byte() -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_yaml(b"version: 1\n\xff")
    assert info.value.rule == "not-utf8"
    assert info.value.line == 2


def test_lone_surrogates_are_a_topology_error() -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_json('{"name": "\ud800"}')
    assert info.value.rule == "not-utf8"


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        vpnha.Topology.from_yaml(42)  # type: ignore[arg-type]


def test_dict_problems_have_paths_but_no_positions() -> None:
    d = vpnha.Topology.from_yaml(DUAL).to_dict()
    d["gateway"]["sku"] = "VpnGw9"
    d["local_gateways"][1]["bgp"]["asn"] = "sixty-five"
    d["bogus"] = 1
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_dict(d)
    e = info.value
    assert e.source == "<dict>"
    paths = {p.path for p in e.problems}
    assert {"gateway.sku", "local_gateways[1].bgp.asn", "bogus"} <= paths
    assert all(p.line is None and p.column is None for p in e.problems)
    assert e.line is None
    assert str(e).startswith("<dict>: ")


@pytest.mark.parametrize(
    "data",
    [[1, 2], "version: 1", None, {"a": float("nan")}, {("tuple", "key"): 1}, {"a": {1, 2}}],
    ids=["list", "str", "none", "nan", "tuple-key", "set"],
)
def test_dicts_that_are_not_documents(data: object) -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.from_dict(data)  # type: ignore[arg-type]
    assert info.value.rule in {"invalid-value", "missing-field", "unknown-field"}


def test_recursive_dicts_are_refused() -> None:
    d: dict[str, object] = {"version": 1}
    d["gateway"] = d
    with pytest.raises(vpnha.TopologyError):
        vpnha.Topology.from_dict(d)


def test_check_raises_validation_error_with_the_result() -> None:
    t = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
    with pytest.raises(vpnha.ValidationError) as info:
        t.check()
    e = info.value
    assert e.result is not None and e.result == t.validate()
    assert e.errors == e.result.errors and len(e.errors) >= 5
    first = e.errors[0]
    assert str(e).startswith(f"{first.rule} (examples/broken-bgp.yaml:{first.line}:{first.column})".replace("examples/", str(EXAMPLES) + "/"))
    assert "more errors" in str(e)


def test_check_passes_warnings() -> None:
    t = vpnha.Topology.load(EXAMPLES / "active-standby.yaml")
    result = t.check()
    assert result.ok and result.warnings


def test_site_errors_are_lookup_errors_with_choices() -> None:
    t = vpnha.Topology.from_yaml(
        "version: 1\ngateway: {sku: VpnGw2AZ, generation: Generation2, active_active: true, "
        "instances: [{public_ip: 192.0.2.1}, {public_ip: 192.0.2.2}]}\n"
        "local_gateways:\n  - {name: a, site: hq, gateway_ip: 203.0.113.1}\n"
        "  - {name: b, site: branch, gateway_ip: 203.0.113.2}\n"
        "  - {name: c, site: lonely, gateway_ip: 203.0.113.3}\n"
        "connections: [{name: ca, local_gateway: a}, {name: cb, local_gateway: b}]\n"
    )
    with pytest.raises(vpnha.SiteError) as info:
        t.ecmp_group("hqq")
    assert info.value.suggestion == "hq"
    assert info.value.site == "hqq"
    assert info.value.sites == ("branch", "hq", "lonely")
    assert "did you mean `hq`" in str(info.value)
    with pytest.raises(LookupError, match="3 sites"):
        t.ecmp_group()
    with pytest.raises(vpnha.SiteError, match="no tunnels"):
        t.ecmp_group("lonely")
    with pytest.raises(vpnha.SiteError):
        t.site("nowhere")


def test_a_topology_without_sites() -> None:
    t = vpnha.Topology.from_yaml("version: 1\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.1}]}\n")
    with pytest.raises(vpnha.SiteError, match="no local gateways"):
        t.ecmp_group()


@pytest.mark.parametrize(
    "call",
    [
        lambda: vpnha.EcmpGroup(0),
        lambda: vpnha.EcmpGroup(257),
        lambda: vpnha.EcmpGroup(-1),
        lambda: vpnha.EcmpGroup(2, "round-robin"),
        lambda: vpnha.EcmpGroup(2, seed=-1),
        lambda: vpnha.EcmpGroup(2, seed=2**64),
        lambda: vpnha.EcmpGroup(2, weights=[1]),
        lambda: vpnha.EcmpGroup(2, weights=[0, 0]),
        lambda: vpnha.EcmpGroup(2, weights=[1, -1]),
        lambda: vpnha.EcmpGroup(2, weights=[1, 2**32]),
        lambda: vpnha.EcmpGroup(2, fields=0x40),
        lambda: vpnha.EcmpGroup(2, fields="everything"),
        lambda: vpnha.EcmpGroup(2, fields="flow-label", symmetric=True),
        lambda: vpnha.EcmpGroup(2).set_up(2, False),
        lambda: vpnha.EcmpGroup(["a", "b"]).set_up("c", False),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.1", "2001:db8::1", "tcp"),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.300", "192.0.2.1", "tcp"),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.1", "192.0.2.2", "carrier-pigeon"),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.1", "192.0.2.2", 256),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.1", "192.0.2.2", 6, 65536),
        lambda: vpnha.EcmpGroup(2).select("192.0.2.1", "192.0.2.2", 6, 1.5),  # type: ignore[arg-type]
        lambda: vpnha.Flow.parse("192.0.2.1 => 192.0.2.2 tcp"),
    ],
)
def test_ecmp_misuse_is_an_ecmp_error(call: object) -> None:
    with pytest.raises(vpnha.EcmpError):
        call()  # type: ignore[operator]


def test_select_needs_a_flow_or_its_parts() -> None:
    with pytest.raises(TypeError):
        vpnha.EcmpGroup(2).select("192.0.2.1")


def test_exceptions_pickle_with_their_attributes() -> None:
    with pytest.raises(vpnha.TopologyError) as info:
        vpnha.Topology.load(EXAMPLES / "broken-unknown-field.yaml")
    e = pickle.loads(pickle.dumps(info.value))
    assert type(e) is vpnha.TopologyError
    assert e.problems == info.value.problems and str(e) == str(info.value)
    with pytest.raises(vpnha.TopologyFileNotFoundError) as missing:
        vpnha.Topology.load("missing.yaml")
    m = pickle.loads(pickle.dumps(missing.value))
    assert isinstance(m, FileNotFoundError) and isinstance(m, vpnha.TopologyError) and m.rule == "io-error"
    with pytest.raises(vpnha.ValidationError) as invalid:
        vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml").check()
    v = pickle.loads(pickle.dumps(invalid.value))
    assert v.result == invalid.value.result and v.errors


def test_errno_is_untouched() -> None:
    # The message is vpnha's; errno stays unset rather than inventing one.
    with pytest.raises(vpnha.TopologyFileNotFoundError) as info:
        vpnha.Topology.load("missing.yaml")
    assert info.value.errno in (None, errno.ENOENT)
