"""Topology: reading every format, derived tunnels and sites, writing back, equality."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import vpnha
from support import DUAL, EXAMPLES

READABLE = sorted(p for p in EXAMPLES.glob("*.yaml") if "unknown-field" not in p.name)


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_every_readable_example_loads(path: Path) -> None:
    t = vpnha.Topology.load(path)
    assert t.source == str(path)
    assert all(isinstance(x, vpnha.Tunnel) for x in t.tunnels)
    assert [s.name for s in t.sites] == sorted(s.name for s in t.sites)


def test_load_takes_str_and_pathlike() -> None:
    path = EXAMPLES / "dual-redundancy.yaml"
    assert vpnha.Topology.load(path) == vpnha.Topology.load(str(path))


def test_tunnels_and_sites_follow_the_stable_order(dual_text: str) -> None:
    t = vpnha.Topology.from_yaml(dual_text)
    assert [x.id for x in t.tunnels] == ["hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"]
    first = t.tunnels[0]
    assert (first.connection, first.local_gateway, first.site, first.instance) == ("hq-a", "hq-fw-a", "hq", 0)
    (hq,) = t.sites
    assert hq.name == "hq"
    assert hq.pattern == "dual-redundancy"
    assert hq.devices == ("hq-fw-a", "hq-fw-b")
    assert hq.tunnels == t.tunnels
    assert hq.instance_count == 2
    assert t.site() == hq == t.site("hq")
    assert t.name == "contoso-hq"


@pytest.mark.parametrize(
    ("file", "pattern"),
    [
        ("active-standby.yaml", "active-standby"),
        ("active-active.yaml", "active-active"),
        ("multi-device.yaml", "multi-device"),
        ("dual-redundancy.yaml", "dual-redundancy"),
    ],
)
def test_the_four_seed_patterns(file: str, pattern: str) -> None:
    t = vpnha.Topology.load(EXAMPLES / file)
    assert {s.pattern for s in t.sites} == {pattern}


def test_the_same_topology_from_every_format(dual_text: str) -> None:
    t = vpnha.Topology.from_yaml(dual_text)
    assert vpnha.Topology.from_json(t.to_json()) == t
    assert vpnha.Topology.from_toml(t.to_toml()) == t
    assert vpnha.Topology.from_yaml(t.to_yaml()) == t
    assert vpnha.Topology.from_dict(t.to_dict()) == t
    assert vpnha.Topology.from_yaml(dual_text.encode()) == t


def test_to_dict_is_plain_json_data(dual_text: str) -> None:
    d = vpnha.Topology.from_yaml(dual_text).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["version"] == 1
    assert d["gateway"]["instances"][0]["public_ip"] == "192.0.2.4"
    assert d["connections"][0]["shared_key"] == {"env": "HQ_A_PSK"}


def test_from_dict_takes_ipaddress_objects(dual_text: str) -> None:
    d = vpnha.Topology.from_yaml(dual_text).to_dict()
    d["gateway"]["instances"][0]["public_ip"] = ipaddress.ip_address("192.0.2.4")
    d["gateway"]["vnet_address_space"] = [ipaddress.ip_network("10.1.0.0/16")]
    assert vpnha.Topology.from_dict(d) == vpnha.Topology.from_yaml(dual_text)


def test_inline_shared_keys_are_never_written_out() -> None:
    text = DUAL.replace("{env: HQ_A_PSK}", "hunter2Secret")
    t = vpnha.Topology.from_yaml(text)
    for written in (t.to_yaml(), t.to_json(), t.to_toml(), json.dumps(t.to_dict()), repr(t), t._repr_html_()):
        assert "hunter2Secret" not in written


def test_load_with_an_explicit_format(tmp_path: Path, dual_text: str) -> None:
    p = tmp_path / "topology.txt"
    p.write_text(dual_text, encoding="utf-8")
    assert vpnha.Topology.load(p, format="yaml") == vpnha.Topology.from_yaml(dual_text)
    with pytest.raises(vpnha.TopologyError, match="format"):
        vpnha.Topology.load(p)


def test_equality_and_hash(dual_text: str) -> None:
    a = vpnha.Topology.from_yaml(dual_text)
    b = vpnha.Topology.from_json(a.to_json())
    c = vpnha.Topology.from_yaml(dual_text.replace("65050", "65051"))
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert a != "a topology"
    assert len({a, b, c}) == 2


def test_value_types_are_immutable_hashable_and_comparable(dual_text: str) -> None:
    t = vpnha.Topology.from_yaml(dual_text)
    tunnel = t.tunnels[0]
    with pytest.raises(AttributeError):
        tunnel.id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        t.name = "x"  # type: ignore[misc]
    assert tunnel == vpnha.Tunnel("hq-a/0", "hq-a", "hq-fw-a", "hq", 0)
    assert len(set(t.tunnels)) == 4
    assert str(tunnel) == "hq-a/0"
    assert eval(repr(tunnel), {"Tunnel": vpnha.Tunnel}) == tunnel
    site = t.sites[0]
    assert repr(site) == (
        "Site('hq', pattern='dual-redundancy', devices=['hq-fw-a', 'hq-fw-b'], "
        "tunnels=['hq-a/0', 'hq-a/1', 'hq-b/0', 'hq-b/1'])"
    )
    assert vpnha.Site(site.name, site.pattern, site.devices, site.tunnels) == site
    assert tunnel.to_dict() == {"id": "hq-a/0", "connection": "hq-a", "local_gateway": "hq-fw-a", "site": "hq", "instance": 0}
    assert site.to_dict()["tunnels"] == ["hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"]


def test_repr_summarises(dual_text: str) -> None:
    r = repr(vpnha.Topology.from_yaml(dual_text))
    assert r == (
        "<Topology 'contoso-hq' from <input>: VpnGw2AZ active-active, 1 site, 2 devices, "
        "2 connections, 4 tunnels>"
    )


def test_html_lists_sites_and_tunnels(dual_text: str) -> None:
    html = vpnha.Topology.from_yaml(dual_text)._repr_html_()
    assert "dual-redundancy" in html and "hq-b/1" in html and "VpnGw2AZ" in html
    assert "<table>" in html


def test_html_escapes_names() -> None:
    text = DUAL.replace("name: contoso-hq", "name: '<script>alert(1)</script>'")
    html = vpnha.Topology.from_yaml(text)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_big_tables_are_cut_in_html() -> None:
    devices = "\n".join(
        f"  - {{name: d{i}, gateway_ip: 198.51.100.{i % 250 + 1}}}" for i in range(100)
    )
    conns = "\n".join(f"  - {{name: c{i}, local_gateway: d{i}}}" for i in range(100))
    text = (
        "version: 1\ngateway: {sku: VpnGw5AZ, instances: [{public_ip: 192.0.2.1}]}\n"
        f"local_gateways:\n{devices}\nconnections:\n{conns}\n"
    )
    html = vpnha.Topology.from_yaml(text)._repr_html_()
    assert "more rows" in html
