"""Pickling: topologies and groups travel to multiprocessing, Dask or Spark workers whole."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest
import vpnha
from support import DUAL, EXAMPLES


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_topology_round_trip_keeps_positions(protocol: int) -> None:
    t = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
    u = pickle.loads(pickle.dumps(t, protocol))
    assert u == t and u.source == t.source
    assert u.validate() == t.validate()
    assert all(d.line is not None for d in u.validate() if d.path)


def test_a_dict_topology_round_trips() -> None:
    t = vpnha.Topology.from_dict(vpnha.Topology.from_yaml(DUAL).to_dict())
    u = pickle.loads(pickle.dumps(t))
    assert u == t and u.source == "<dict>" and u.validate() == t.validate()


def test_inline_shared_keys_do_not_travel() -> None:
    text = DUAL.replace("{env: HQ_A_PSK}", "hunter2Secret")
    t = vpnha.Topology.from_yaml(text)
    with pytest.warns(UserWarning, match="inline shared key"):
        data = pickle.dumps(t)
    assert b"hunter2Secret" not in data
    u = pickle.loads(data)
    assert u.tunnels == t.tunnels and u.sites == t.sites
    assert u.to_dict() == t.to_dict()
    # The live topology still says where its findings are; the unpickled one cannot.
    assert any(d.line is not None for d in t.validate())
    assert all(d.line is None for d in u.validate())


def test_environment_key_references_travel() -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    u = pickle.loads(pickle.dumps(t))
    assert u.to_dict()["connections"][0]["shared_key"] == {"env": "HQ_A_PSK"}


def test_group_state_survives() -> None:
    g = vpnha.Topology.from_yaml(DUAL).ecmp_group(
        "hq", "maglev", 2**63 + 5, weights=[1, 2, 0, 4], symmetric=True, fields="l3+protocol"
    )
    g.set_up("hq-b/1", False)
    u = pickle.loads(pickle.dumps(g))
    assert u == g
    assert (u.tunnels, u.site, u.algorithm, u.seed, u.weights, u.symmetric, u.fields, u.up) == (
        g.tunnels,
        g.site,
        g.algorithm,
        g.seed,
        g.weights,
        g.symmetric,
        g.fields,
        g.up,
    )
    rng = np.random.default_rng(1)
    src = rng.integers(0, 2**32, 10_000, dtype=np.uint32)
    dst = rng.integers(0, 2**32, 10_000, dtype=np.uint32)
    assert (u.select_many(src, dst, 6, 1, 2) == g.select_many(src, dst, 6, 1, 2)).all()


def test_values_round_trip() -> None:
    t = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
    result = t.validate()
    for value in (
        result,
        result[0],
        t.tunnels,
        t.sites,
        vpnha.Flow.parse("[2001:db8::1]:1 -> [2001:db8::2]:2 udp flow-label 7"),
        vpnha.HashFields.L3 | vpnha.HashFields.FLOW_LABEL,
    ):
        assert pickle.loads(pickle.dumps(value)) == value
    assert pickle.loads(pickle.dumps(result)).source == result.source


def _route(args: tuple[vpnha.EcmpGroup, vpnha.Topology, Any]) -> tuple[list[int], int, str]:
    group, topology, src = args
    picks = group.select_many(src, "198.51.100.10", "tcp", 40000, 443)
    return picks.tolist(), len(topology.validate().errors), type(group).__module__


def _fail(path: str) -> vpnha.Topology:
    return vpnha.Topology.load(path)


def test_objects_travel_to_worker_processes() -> None:
    t = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
    g = t.ecmp_group("a", seed=9)
    g.set_up(0, False)
    src = np.arange(1000, dtype=np.uint32)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        picks, errors, module = pool.submit(_route, (g, t, src)).result()
        assert picks == g.select_many(src, "198.51.100.10", "tcp", 40000, 443).tolist()
        assert errors == len(t.validate().errors)
        assert module == "vpnha"
        # An error raised in the worker arrives whole.
        with pytest.raises(vpnha.TopologyFileNotFoundError) as info:
            pool.submit(_fail, "missing.yaml").result()
        assert info.value.rule == "io-error"
