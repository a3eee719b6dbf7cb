"""EcmpGroup and Flow: the golden vectors shared with Rust and C, and the Python API."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import numpy as np
import pytest
import vpnha
from support import DUAL


def group_of(case: dict[str, Any]) -> vpnha.EcmpGroup:
    """A case's group, built as testdata/README.md says."""
    g = vpnha.EcmpGroup(
        case["tunnel_count"],
        case["algorithm"],
        int(case["seed"], 16),
        weights=case["weights"],
        fields=case["fields"],
        symmetric=case["symmetric"],
    )
    for i, up in enumerate(case["up"]):
        if not up:
            g.set_up(i, False)
    return g


def test_golden_vectors_select_and_hash(vectors: dict[str, Any]) -> None:
    flows = vectors["flows"]
    checked = 0
    for case in vectors["cases"]:
        g = group_of(case)
        assert g.algorithm == case["algorithm"]
        for flow, want_hash, want in zip(flows, case["hash"], case["tunnel"], strict=True):
            args = (flow["src"], flow["dst"], flow["protocol"], flow["src_port"], flow["dst_port"])
            label = flow["flow_label"]
            assert g.hash(*args, flow_label=label) == int(want_hash, 16), case["name"]
            assert g.select(*args, flow_label=label) == want, (case["name"], flow)
            checked += 1
    assert checked == len(vectors["cases"]) * len(flows) == 64 * 16


def test_golden_vectors_through_flow_objects_and_bytes(vectors: dict[str, Any]) -> None:
    for case in vectors["cases"]:
        g = group_of(case)
        for flow, want in zip(vectors["flows"], case["tunnel"], strict=True):
            src = bytes.fromhex(flow["src_bytes"])
            dst = bytes.fromhex(flow["dst_bytes"])
            a: ipaddress.IPv4Address | ipaddress.IPv6Address
            b: ipaddress.IPv4Address | ipaddress.IPv6Address
            if flow["family"] == 4:
                a, b = ipaddress.IPv4Address(src[:4]), ipaddress.IPv4Address(dst[:4])
            else:
                a, b = ipaddress.IPv6Address(src), ipaddress.IPv6Address(dst)
            f = vpnha.Flow(a, b, flow["protocol"], flow["src_port"], flow["dst_port"], flow["flow_label"])
            assert g.select(f) == want


def test_golden_vectors_in_batches(vectors: dict[str, Any]) -> None:
    """select_many over numpy columns gives the vectors' tunnels (NO_TUNNEL for none)."""
    flows = vectors["flows"]
    v4 = [f for f in flows if f["family"] == 4]
    v6 = [f for f in flows if f["family"] == 6]
    src4 = np.array([int(ipaddress.IPv4Address(f["src"])) for f in v4], dtype=np.uint32)
    dst4 = np.array([int(ipaddress.IPv4Address(f["dst"])) for f in v4], dtype=np.uint32)
    src6 = np.array([list(bytes.fromhex(f["src_bytes"])) for f in v6], dtype=np.uint8)
    dst6 = np.array([list(bytes.fromhex(f["dst_bytes"])) for f in v6], dtype=np.uint8)

    def cols(fs: list[dict[str, Any]]) -> tuple[Any, ...]:
        return (
            np.array([f["protocol"] for f in fs], dtype=np.uint8),
            np.array([f["src_port"] for f in fs], dtype=np.uint16),
            np.array([f["dst_port"] for f in fs], dtype=np.uint16),
        )

    labels6 = np.array([f["flow_label"] for f in v6], dtype=np.uint32)
    for case in vectors["cases"]:
        g = group_of(case)
        want = [vpnha.NO_TUNNEL if t is None else t for t in case["tunnel"]]
        want_hash = [int(h, 16) for h in case["hash"]]
        got4 = g.select_many(src4, dst4, *cols(v4))
        got6 = g.select_many(src6, dst6, *cols(v6), flow_label=labels6)
        assert got4.dtype == np.uint16
        assert [*got4.tolist(), *got6.tolist()] == [want[i] for i, f in enumerate(flows) if f["family"] == 4] + [
            want[i] for i, f in enumerate(flows) if f["family"] == 6
        ]
        h4 = g.hash_many(src4, dst4, *cols(v4))
        h6 = g.hash_many(src6, dst6, *cols(v6), flow_label=labels6)
        assert h4.dtype == np.uint64
        order = [i for i, f in enumerate(flows) if f["family"] == 4] + [i for i, f in enumerate(flows) if f["family"] == 6]
        assert [*h4.tolist(), *h6.tolist()] == [want_hash[i] for i in order]


def test_flow_objects() -> None:
    f = vpnha.Flow("10.1.0.4", "192.168.1.10", "tcp", 51000, 443)
    assert (f.src, f.dst) == (ipaddress.ip_address("10.1.0.4"), ipaddress.ip_address("192.168.1.10"))
    assert (f.proto, f.sport, f.dport, f.flow_label, f.family) == (6, 51000, 443, 0, 4)
    assert str(f) == "10.1.0.4:51000 -> 192.168.1.10:443 protocol 6"
    assert repr(f) == "Flow('10.1.0.4', '192.168.1.10', 6, 51000, 443)"
    assert eval(repr(f), {"Flow": vpnha.Flow}) == f
    assert vpnha.Flow.parse(str(f)) == f == vpnha.Flow.parse("10.1.0.4:51000 -> 192.168.1.10:443 tcp")
    assert f.reversed() == vpnha.Flow("192.168.1.10", "10.1.0.4", 6, 443, 51000)
    assert hash(f) == hash(vpnha.Flow.parse(str(f)))
    with pytest.raises(AttributeError):
        f.sport = 1  # type: ignore[misc]


def test_ipv6_flows_and_labels() -> None:
    f = vpnha.Flow.parse("[2001:db8::10]:500 -> [2001:db8:1::20]:4500 udp flow-label 0x12345")
    assert f.family == 6 and f.flow_label == 0x12345 and f.proto == 17
    assert vpnha.Flow.parse(str(f)) == f
    assert "flow_label=0x12345" in repr(f)
    assert vpnha.Flow.parse("2001:db8::1 -> 2001:db8::2 esp").sport == 0
    # A label on an IPv4 flow is never read.
    assert vpnha.Flow("192.0.2.1", "192.0.2.2", 6, flow_label=5).flow_label == 0


@pytest.mark.parametrize(
    "text",
    ["", "192.0.2.1 -> ", "192.0.2.1:99999 -> 192.0.2.2 tcp", "192.0.2.1 -> 192.0.2.2", "[2001:db8::1 -> ::1 tcp",
     "192.0.2.1 -> 2001:db8::1 tcp", "192.0.2.1 -> 192.0.2.2 tcp udp", "192.0.2.1 -> 192.0.2.2 tcp flow-label 0x100000"],
)
def test_bad_flow_text(text: str) -> None:
    with pytest.raises(vpnha.EcmpError, match="cannot read flow"):
        vpnha.Flow.parse(text)


def test_addresses_as_text_objects_or_ints() -> None:
    g = vpnha.EcmpGroup(8, seed=7)
    want = g.select("192.0.2.1", "198.51.100.2", 6, 1000, 443)
    assert want is not None
    a, b = ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("198.51.100.2")
    assert g.select(a, b, "TCP", 1000, 443) == want
    assert g.select(int(a), int(b), 6, 1000, 443) == want
    assert g.select(vpnha.Flow(a, b, 6, 1000, 443)) == want
    with pytest.raises(TypeError):
        g.select(vpnha.Flow(a, b, 6, 1000, 443), sport=5)
    assert g.select(ipaddress.ip_interface("192.0.2.1/24"), b, 6, 1000, 443) == want
    assert g.select(" 192.0.2.1 ", b, np.uint8(6), np.uint16(1000), np.int64(443)) == want


def test_symmetric_mode_sends_replies_the_same_way() -> None:
    g = vpnha.EcmpGroup(16, "stable", 0x5EED, symmetric=True)
    f = vpnha.Flow("192.0.2.10", "198.51.100.7", "tcp", 40000, 443)
    assert g.select(f) == g.select(f.reversed())
    assert g.symmetric
    g.set_symmetric(False)
    assert not g.symmetric


@pytest.mark.parametrize("algorithm", ["stable", "rendezvous"])
def test_a_failure_moves_only_the_failed_tunnels_flows(algorithm: str) -> None:
    g = vpnha.EcmpGroup(6, algorithm, 11)
    rng = np.random.default_rng(0)
    n = 20_000
    src = rng.integers(0, 2**32, n, dtype=np.uint32)
    dst = rng.integers(0, 2**32, n, dtype=np.uint32)
    sport = rng.integers(0, 2**16, n, dtype=np.uint16)
    before = g.select_many(src, dst, 6, sport, 443)
    g.set_up(2, False)
    after = g.select_many(src, dst, 6, sport, 443)
    moved = before != after
    assert moved.any()
    assert (before[moved] == 2).all() and not (after == 2).any()
    g.set_up(2)
    assert (g.select_many(src, dst, 6, sport, 443) == before).all()


def test_weights_standbys_and_all_down() -> None:
    g = vpnha.EcmpGroup(["primary", "standby"], "rendezvous", weights=[1, 0])
    f = vpnha.Flow("192.0.2.1", "192.0.2.2", "udp", 500, 500)
    assert g.select(f) == 0
    g.set_up("primary", False)
    assert g.select(f) == 1 and g.live_count == 1
    g.set_up("standby", False)
    assert g.select(f) is None
    assert g.select_many([int(f.src)], [int(f.dst)], 17, 500, 500).tolist() == [vpnha.NO_TUNNEL]
    g.set_all_up()
    assert g.up == (True, True)
    g.set_weights([3, 1])
    assert g.weights == (3, 1)


def test_hash_fields() -> None:
    g = vpnha.EcmpGroup(4, "maglev", fields="l3")
    assert g.fields == vpnha.HashFields.L3 and isinstance(g.fields, vpnha.HashFields)
    a = vpnha.Flow("192.0.2.1", "192.0.2.2", 6, 1, 2)
    b = vpnha.Flow("192.0.2.1", "192.0.2.2", 17, 3, 4)
    assert g.hash(a) == g.hash(b)
    for spec in (0x37, vpnha.HashFields.FIVE_TUPLE, "five-tuple", ["src-ip", "dst-ip", "protocol", "src-port", "dst-port"], "l3+protocol+sport+dport"):
        g.set_fields(spec)
        assert g.fields.value == 0x37
    g.set_fields(vpnha.HashFields.L3 | vpnha.HashFields.FLOW_LABEL)
    assert g.fields.value == 0x0B
    g.set_fields("none")
    assert g.hash(a) == g.hash(vpnha.Flow("203.0.113.9", "198.51.100.1", 1))


def test_tunnels_by_index_or_id() -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    g = t.ecmp_group("hq", down=["hq-a/1"])
    assert g.tunnels == tuple(x.id for x in t.site("hq").tunnels)
    assert g.site == "hq" and len(g) == g.tunnel_count == 4
    assert g.up == (True, False, True, True)
    assert not g.is_up("hq-a/1") and not g.is_up(1)
    g.set_up(1)
    assert g.is_up("hq-a/1")
    assert t.ecmp_group(down="hq-b/0").live_count == 3
    assert t.ecmp_group(down=3).up == (True, True, True, False)
    with pytest.raises(vpnha.EcmpError, match="hq-a/0, hq-a/1"):
        g.set_up("hq-c/0", False)


def test_group_options_from_topology() -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    g = t.ecmp_group(algorithm="maglev", seed=2**64 - 1, weights=[1, 2, 3, 4], symmetric=True, fields="l3")
    assert (g.algorithm, g.seed, g.weights, g.symmetric, g.fields) == ("maglev", 2**64 - 1, (1, 2, 3, 4), True, vpnha.HashFields.L3)
    assert vpnha.EcmpGroup(2, "HASH_THRESHOLD").algorithm == "hash-threshold"
    assert vpnha.EcmpGroup(2, 2).algorithm == "maglev"  # type: ignore[arg-type]


def test_copy_equality_and_repr() -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    g = t.ecmp_group(seed=5)
    c = g.copy()
    assert c == g and copy.copy(g) == g and copy.deepcopy(g) == g
    c.set_up(0, False)
    assert c != g and g.is_up(0)
    assert g != t.ecmp_group(seed=6)
    assert g != "group"
    with pytest.raises(TypeError):
        hash(g)
    assert repr(g) == "<EcmpGroup site='hq' stable seed=0x5: 4/4 tunnels up>"
    c.set_weights([2, 1, 1, 1])
    c.set_fields("l3")
    c.set_symmetric(True)
    assert repr(c) == "<EcmpGroup site='hq' stable seed=0x5: 3/4 tunnels up, weights=(2, 1, 1, 1), fields=0x03, symmetric>"
    html = c._repr_html_()
    assert "hq-a/0" in html and "down" in html and "L3" in html


def test_a_bare_group_names_tunnels_by_index() -> None:
    g = vpnha.EcmpGroup(3)
    assert g.tunnels == ("0", "1", "2") and g.site is None
    assert vpnha.EcmpGroup(vpnha.MAX_TUNNELS).tunnel_count == 256
    with pytest.raises(vpnha.EcmpError):
        vpnha.EcmpGroup("abc")
