"""No input makes vpnha panic: random bytes, text, dicts, flows and columns give a vpnha
exception (or a topology), never `pyo3_runtime.PanicException` (which `except Exception`
would not even catch)."""

from __future__ import annotations

import copy
import json
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import vpnha
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import DUAL, SCALE

FORMATS = [vpnha.Topology.from_yaml, vpnha.Topology.from_json, vpnha.Topology.from_toml]
FIELDS = [
    "version", "name", "gateway", "sku", "generation", "vpn_type", "active_active", "asn",
    "vnet_address_space", "gateway_subnet", "instances", "public_ip", "bgp_peering_address",
    "custom_bgp_addresses", "zone", "local_gateways", "site", "gateway_ip", "fqdn",
    "address_prefixes", "isp", "bgp", "peering_address", "advertised_prefixes", "connections",
    "local_gateway", "enable_bgp", "protocol", "dpd_timeout_seconds", "connection_mode",
    "shared_key", "env", "ipsec_policy", "availability", "device", "tunnel",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["VpnGw2AZ", "Basic", "Generation2", "192.0.2.1", "10.0.0.0/8", "2001:db8::/32", "IKEv1", "hq"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)


def exercise(t: vpnha.Topology) -> None:
    """Everything a notebook would do with a topology that loaded."""
    result = t.validate()
    assert all(isinstance(d, vpnha.Diagnostic) for d in result)
    str(result), result._repr_html_(), repr(t), t._repr_html_()
    for site in t.sites:
        try:
            g = t.ecmp_group(site.name)
        except vpnha.SiteError:
            continue
        g.select("192.0.2.1", "198.51.100.2", "tcp", 1, 2)
        g.select_many(np.arange(10, dtype=np.uint32), 7, 6, 1, 2)
    for write in (t.to_dict, t.to_yaml, t.to_json, t.to_toml):
        try:
            write()
        except vpnha.VpnhaError:
            pass
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copy_ = pickle.loads(pickle.dumps(t))
    if caught:
        # An inline shared key does not travel (it is never written out), and says so.
        assert "inline shared key" in str(caught[0].message)
        assert copy_.to_dict() == t.to_dict()
    else:
        assert copy_ == t


def attempt(call: Any, *allowed: type[BaseException]) -> Any:
    """Runs `call`; any exception must be one of `allowed` (a PanicException never is)."""
    try:
        return call()
    except BaseException as e:  # noqa: BLE001 - the point is to see every kind
        assert isinstance(e, allowed), f"{type(e).__module__}.{type(e).__name__}: {e}"
        return None


@settings(max_examples=300 * SCALE, deadline=None)
@given(data=st.binary(max_size=400), parse=st.sampled_from(FORMATS))
def test_random_bytes(data: bytes, parse: Any) -> None:
    t = attempt(lambda: parse(data), vpnha.TopologyError)
    if t is not None:
        exercise(t)


@settings(max_examples=300 * SCALE, deadline=None)
@given(text=st.text(max_size=400), parse=st.sampled_from(FORMATS))
def test_random_text(text: str, parse: Any) -> None:
    t = attempt(lambda: parse(text), vpnha.TopologyError)
    if t is not None:
        exercise(t)


@settings(max_examples=200 * SCALE, deadline=None)
@given(data=VALUES)
def test_random_dicts(data: Any) -> None:
    t = attempt(lambda: vpnha.Topology.from_dict(data), vpnha.TopologyError)
    if t is not None:
        exercise(t)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


BASE = vpnha.Topology.from_yaml(DUAL).to_dict()
PATHS = [p for p in _paths(BASE) if p]


@settings(max_examples=400 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=VALUES, mode=st.sampled_from(["set", "delete", "duplicate"]))
def test_mutated_valid_topologies(path: tuple[Any, ...], value: Any, mode: str) -> None:
    """One field of a valid topology changed, removed or repeated: deep into the model."""
    doc = copy.deepcopy(BASE)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if mode == "set":
        parent[last] = value
    elif mode == "delete":
        del parent[last]
    else:
        if not isinstance(parent, list):
            assume(False)
        parent.append(copy.deepcopy(parent[last]))
    t = attempt(lambda: vpnha.Topology.from_dict(doc), vpnha.TopologyError)
    if t is not None:
        exercise(t)
        text = attempt(t.to_yaml, vpnha.VpnhaError)
        if text is not None:
            # The same model back (inline shared keys are never written out).
            assert vpnha.Topology.from_yaml(text).to_dict() == t.to_dict()


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), VALUES.map(lambda v: json.dumps(v).encode())))
def test_random_azure_documents(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(data)
    t = attempt(lambda: vpnha.Topology.from_azure(path), vpnha.TopologyError)
    if t is not None:
        t.import_findings, t.validate(), t.tunnels, t.sites


@settings(max_examples=300 * SCALE, deadline=None)
@given(text=st.text(max_size=80))
def test_random_flow_text(text: str) -> None:
    f = attempt(lambda: vpnha.Flow.parse(text), vpnha.EcmpError)
    if f is not None:
        assert vpnha.Flow.parse(str(f)) == f


@settings(max_examples=300 * SCALE, deadline=None)
@given(
    src=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    dst=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    proto=st.integers(0, 255),
    sport=st.integers(0, 65535),
    dport=st.integers(0, 65535),
    label=st.integers(0, 0xFFFFF),
)
def test_flow_text_round_trips(src: Any, dst: Any, proto: int, sport: int, dport: int, label: int) -> None:
    assume(src.version == dst.version)
    f = vpnha.Flow(src, dst, proto, sport, dport, label)
    assert vpnha.Flow.parse(str(f)) == f
    assert vpnha.Flow(str(src), str(dst), proto, sport, dport, label) == f


@settings(max_examples=300 * SCALE, deadline=None)
@given(args=st.lists(VALUES, min_size=1, max_size=6))
def test_random_select_arguments(args: list[Any]) -> None:
    g = vpnha.EcmpGroup(3)
    attempt(lambda: g.select(*args), vpnha.EcmpError, TypeError)
    attempt(lambda: g.hash(*args), vpnha.EcmpError, TypeError)


@settings(max_examples=300 * SCALE, deadline=None)
@given(args=st.lists(st.one_of(VALUES, st.just(np.zeros(3, np.uint32)), st.just(np.zeros((3, 16), np.uint8))), min_size=3, max_size=5))
def test_random_batch_arguments(args: list[Any]) -> None:
    g = vpnha.EcmpGroup(3)
    out = attempt(lambda: g.select_many(*args), vpnha.EcmpError)
    if out is not None:
        assert out.dtype == np.uint16


@settings(max_examples=200 * SCALE, deadline=None)
@given(
    tunnels=VALUES,
    algorithm=VALUES,
    seed=VALUES,
    weights=VALUES,
    fields=VALUES,
)
def test_random_group_arguments(tunnels: Any, algorithm: Any, seed: Any, weights: Any, fields: Any) -> None:
    g = attempt(
        lambda: vpnha.EcmpGroup(tunnels, algorithm, seed, weights=weights, fields=fields),
        vpnha.EcmpError,
        TypeError,
    )
    if g is not None:
        attempt(lambda: g.set_up(seed, False), vpnha.EcmpError)
        attempt(lambda: g.set_weights(weights), vpnha.EcmpError)
        attempt(lambda: g.set_fields(fields), vpnha.EcmpError)


@pytest.mark.parametrize("depth", [100, 10_000])
def test_deep_nesting(depth: int) -> None:
    attempt(lambda: vpnha.Topology.from_json("[" * depth + "]" * depth), vpnha.TopologyError)
    attempt(lambda: vpnha.Topology.from_yaml("[" * depth + "]" * depth), vpnha.TopologyError)
    nested: Any = []
    for _ in range(depth):
        nested = [nested]
    attempt(lambda: vpnha.Topology.from_dict({"version": 1, "gateway": nested}), vpnha.TopologyError)
