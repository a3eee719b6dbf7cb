"""Topology.analyze(): the same analysis as `vpnha analyze`, as frozen objects."""

from __future__ import annotations

import json
import math
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest
import vpnha
from hypothesis import given, settings
from hypothesis import strategies as st
from support import DUAL, EXAMPLES, SCALE, vpnha_exe

SEEDS = ["active-standby", "multi-device", "active-active", "dual-redundancy"]


def _cli(*args: str | Path) -> dict[str, Any] | None:
    exe = vpnha_exe()
    if exe is None:
        return None
    out = subprocess.run([exe, "analyze", "--format", "json", *args], capture_output=True, text=True, check=False)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


@pytest.mark.parametrize("name", SEEDS)
def test_the_same_document_as_the_cli(name: str) -> None:
    """to_dict() is `vpnha analyze --format json`, every float to the last digit."""
    path = EXAMPLES / f"{name}.yaml"
    cli = _cli(path, "--max-failures", "2")
    if cli is None:
        pytest.skip("the vpnha binary is not built")
    ours = vpnha.Topology.load(path).analyze(max_failures=2).to_dict()
    assert ours == {**cli, "file": str(path)}


@pytest.mark.parametrize("name", ["active-standby", "dual-redundancy", "broken-bgp"])
def test_print_gives_the_cli_report(name: str) -> None:
    """str(analysis) is what `vpnha analyze` prints, note on validation errors included."""
    path = EXAMPLES / f"{name}.yaml"
    exe = vpnha_exe()
    if exe is None:
        pytest.skip("the vpnha binary is not built")
    cli = subprocess.run([exe, "analyze", path], capture_output=True, text=True, check=False).stdout
    a = vpnha.Topology.load(path).analyze(check=False)
    assert a.report() == cli and str(a) == cli.rstrip("\n")
    assert "redundancy" in str(a)


def test_options_reach_the_core_as_on_the_command_line() -> None:
    path = EXAMPLES / "multi-device.yaml"
    cli = _cli(path, "--max-failures", "3", "--algorithm", "maglev", "--seed", "7", "--capacity", "0.25", "--capacity", "0.75")
    if cli is None:
        pytest.skip("the vpnha binary is not built")
    a = vpnha.Topology.load(path).analyze(max_failures=3, algorithm="maglev", seed=7, capacity_shares=[0.25, 0.75])
    assert a.to_dict() == {**cli, "file": str(path)}
    assert a.algorithm == "maglev" and a.seed == 7 and a.max_failures == 3
    assert [c.share for c in a.sites[0].capacity] == [0.25, 0.75]


def test_dual_redundancy_survives_every_single_failure() -> None:
    a = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml").analyze()
    hq = a.site("hq")
    assert a.site() is hq and hq.name == "hq" and hq.pattern == "dual-redundancy"
    assert hq.verdict == "redundancy-met" and hq.redundant and a.redundant
    assert hq.reasons == () and hq.single_points_of_failure == ()
    singles = [s for s in hq.scenarios if len(s.failed) == 1]
    assert singles and all(s.reachable for s in singles)
    # Both gateway instances together cut the site off: a minimal cut set of size 2.
    assert ("instance-0", "instance-1") in hq.minimal_cut_sets
    assert all(len(c) == 2 for c in hq.minimal_cut_sets)
    assert hq.site == vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml").site("hq")
    assert hq.availability.nines > 5


def test_active_standby_names_its_single_points_of_failure() -> None:
    berlin = vpnha.Topology.load(EXAMPLES / "active-standby.yaml").analyze().site()
    assert berlin.verdict == "redundancy-not-met" and not berlin.redundant
    assert "single-device" in [r.reason for r in berlin.reasons]
    assert all(r.message for r in berlin.reasons)
    assert "berlin-fw" in berlin.single_points_of_failure
    assert all((p,) in berlin.minimal_cut_sets for p in berlin.single_points_of_failure)
    # An unplanned failure of the active instance fails over in 60-180 s.
    failover = next(s for s in berlin.scenarios if s.failed == ("instance-0",) and not s.planned)
    assert failover.reachable and failover.interruption == (60, 180)
    planned = next(s for s in berlin.scenarios if s.failed == ("instance-0",) and s.planned)
    assert planned.interruption == (10, 15) and "planned-maintenance" in planned.causes
    device = next(s for s in berlin.scenarios if s.failed == ("berlin-fw",))
    assert device.is_outage and device.interruption is None and device.surviving_tunnels == ()


def test_availability_is_exact_for_a_series_chain() -> None:
    """One device, one ISP, one tunnel, active-standby in one zone: the site is up when every
    part is; with every input 0.99 that is a product of known factors."""
    t = vpnha.Topology.load(EXAMPLES / "active-standby.yaml")
    a = t.analyze(availability={"gateway_instance": 0.99, "device": 0.99, "isp": 0.99, "tunnel": 0.99, "zone": 0.99})
    berlin = a.site()
    kinds = {c.kind for c in berlin.components}
    assert a.inputs == {"gateway_instance": 0.99, "device": 0.99, "isp": 0.99, "tunnel": 0.99, "zone": 0.99}
    assert a.defaulted == ()
    # The gateway side (instance or its standby) is up with 1 - 0.01 * 0.01 when the standby
    # has its own availability; read what the core used from the components instead of
    # assuming: the product over the series parts times the gateway-side probability.
    series = math.prod(c.availability for c in berlin.components if c.kind in {"device", "isp", "tunnel", "zone"})
    gateway = [c.availability for c in berlin.components if c.kind in {"instance", "standby"}]
    either = 1 - math.prod(1 - p for p in gateway)
    assert "zone" in kinds and "device" in kinds
    assert berlin.availability.probability == pytest.approx(series * either, rel=1e-12)
    assert berlin.availability.unavailability == pytest.approx(1 - series * either, rel=1e-9)
    assert berlin.availability.downtime_minutes_per_month == pytest.approx(
        berlin.availability.unavailability * 43829.1, rel=1e-12
    )
    assert float(berlin.availability) == berlin.availability.probability


def test_a_better_device_means_less_downtime() -> None:
    t = vpnha.Topology.load(EXAMPLES / "active-standby.yaml")
    base = t.analyze().site().availability
    better = t.analyze(availability={"device": 0.99999}).site().availability
    one = t.analyze(component_availability={"berlin/0": 0.999999}).site().availability
    # The example names no ISP, so an ISP availability changes nothing.
    assert t.analyze(availability={"isp": 0.5}).site().availability == base
    assert better.downtime_minutes_per_month < base.downtime_minutes_per_month
    assert one.downtime_minutes_per_month < base.downtime_minutes_per_month
    assert better.nines > base.nines


def test_tunnels_up_distribution_sums_to_one() -> None:
    hq = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml").analyze().site()
    assert len(hq.tunnels_up) == len(hq.site.tunnels) + 1
    assert math.fsum(hq.tunnels_up) == pytest.approx(1.0, abs=1e-12)
    assert hq.tunnels_up[0] == pytest.approx(hq.availability.unavailability, rel=1e-9)
    full = next(c for c in hq.capacity if c.share == 1.0)
    assert full.min_tunnels == full.tunnels == 4
    assert full.availability.probability == pytest.approx(hq.tunnels_up[-1], rel=1e-12)


def test_worst_scenarios_rank_as_the_cli_does() -> None:
    path = EXAMPLES / "active-standby.yaml"
    berlin = vpnha.Topology.load(path).analyze().site()
    worst = berlin.worst_scenarios(len(berlin.scenarios))
    assert sorted(map(id, worst)) == sorted(map(id, berlin.scenarios))
    outages = berlin.outages()
    # Outages first: planned maintenance, then fewer failures first.
    assert outages and all(not s.reachable for s in worst[: len(outages)])
    head = [(not s.planned, len(s.failed)) for s in worst[: len(outages)]]
    assert head == sorted(head)
    # Then planned maintenance, then the longest interruptions first.
    rest = [(not s.planned, -s.interruption[1]) for s in worst[len(outages) :] if s.interruption is not None]
    assert len(rest) == len(berlin.scenarios) - len(outages) and rest == sorted(rest)
    assert berlin.worst_scenarios(0) == [] and len(berlin.worst_scenarios(3)) == 3
    assert berlin.surviving_tunnels(worst[-1]) == worst[-1].surviving_tunnels
    assert "outage" in str(outages[0])
    # The single failures the report lists come in the same order.
    exe = vpnha_exe()
    if exe is not None:
        report = subprocess.run([exe, "analyze", "--worst", "100", path], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in report.splitlines() if line.startswith("  ") and "(maintenance)" not in line]
        singles = [s.failed[0] for s in worst if len(s.failed) == 1 and not s.planned]
        assert [r[0] for r in rows if r and r[0] in singles] == singles


def test_one_site_of_several() -> None:
    t = vpnha.Topology.load(EXAMPLES / "multi-device.yaml")
    names = [s.name for s in t.sites]
    a = t.analyze(names[0])
    assert [s.name for s in a.sites] == [names[0]]
    with pytest.raises(vpnha.SiteError) as e:
        t.analyze(names[0] + "x")
    assert e.value.site == names[0] + "x" and names[0] in e.value.sites
    assert "did you mean" in str(e.value)
    with pytest.raises(vpnha.SiteError):
        a.site("nowhere")


def test_check_refuses_an_invalid_topology_unless_told_not_to() -> None:
    t = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
    with pytest.raises(vpnha.ValidationError) as e:
        t.analyze()
    assert e.value.errors
    a = t.analyze(check=False)
    assert a.validation_errors == len(t.validate().errors) > 0
    cli = _cli(EXAMPLES / "broken-bgp.yaml")
    if cli is not None:
        assert a.to_dict() == {**cli, "file": str(EXAMPLES / "broken-bgp.yaml")}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_failures": 0}, "simultaneous failures"),
        ({"max_failures": 99}, "simultaneous failures"),
        ({"max_failures": -1}, "max_failures"),
        ({"max_failures": True}, "not bool"),
        ({"max_failures": "2"}, "max_failures"),
        ({"availability": {"device": 1.5}}, r"not a probability in \(0, 1\]"),
        ({"availability": {"device": 0}}, "not a probability"),
        ({"availability": {"devise": 0.99}}, "did you mean `device`"),
        ({"availability": {"device": "high"}}, "must be a number"),
        ({"availability": [0.99]}, "must be a dict"),
        ({"component_availability": {"nosuch": 0.9}}, "no component is named"),
        ({"component_availability": {"hq-fw-aa": 0.9}}, "did you mean `hq-fw-a`"),
        ({"capacity_shares": [0]}, "capacity share"),
        ({"capacity_shares": 0.5}, "sequence"),
        ({"flow_sample": 0}, "flow sample"),
        ({"max_scenarios": 1}, "over the limit"),
        ({"weights": {"hq": [0, 0, 0, 0]}}, "hq"),
        ({"algorithm": "fastest"}, "algorithm"),
    ],
)
def test_bad_options_raise_analysis_error(kwargs: dict[str, Any], match: str) -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    with pytest.raises(ValueError, match=match) as e:
        t.analyze(**kwargs)
    assert isinstance(e.value, vpnha.VpnhaError)
    if "algorithm" not in kwargs:
        assert isinstance(e.value, vpnha.AnalysisError)


def test_weights_and_seed_change_what_moves() -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    even = t.analyze(flow_sample=20000).site()
    skewed = t.analyze(flow_sample=20000, weights={"hq": [7, 1, 1, 1]}).site()

    def moved(s: vpnha.SiteAnalysis) -> float:
        return next(x.moved_share for x in s.scenarios if x.failed == ("hq-a/0",))

    # With stable ECMP exactly the failed tunnel's flows move: a quarter, or 7/10 with weights.
    assert moved(even) == pytest.approx(0.25, abs=0.02)
    assert moved(skewed) == pytest.approx(0.7, abs=0.02)


def test_progress_is_called_and_its_exception_surfaces() -> None:
    t = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml")
    calls: list[tuple[str, int, int]] = []
    a = t.analyze(progress=lambda site, done, total: calls.append((site, done, total)))
    assert calls and all(site == "hq" and 0 <= done <= total for site, done, total in calls)
    assert calls[-1][1] == calls[-1][2]
    assert a == t.analyze()

    def boom(site: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        t.analyze(progress=boom)


def test_frozen_equal_and_picklable() -> None:
    t = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml")
    a = t.analyze()
    with pytest.raises(AttributeError):
        a.max_failures = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        a.sites[0].verdict = "x"  # type: ignore[misc]
    assert a == t.analyze() and a != t.analyze(max_failures=1)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        b = pickle.loads(pickle.dumps(a, protocol))
        assert b == a and b.to_dict() == a.to_dict()
        assert type(b) is vpnha.Analysis and type(b.sites[0].scenarios[0]) is vpnha.Scenario
    b = pickle.loads(pickle.dumps(a))
    with pytest.raises(vpnha.SiteError, match="not attached"):
        _ = b.sites[0].site
    assert "vpnha.Analysis" in repr(type(a))


def test_to_dict_is_a_copy() -> None:
    a = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml").analyze()
    d = a.to_dict()
    d["sites"].clear()
    assert a.to_dict()["sites"] and json.loads(a.to_json()) == a.to_dict()


def test_html_report() -> None:
    t = vpnha.Topology.load(EXAMPLES / "active-standby.yaml")
    a = t.analyze()
    html = a._repr_html_()
    site = a.site()
    for text in ("redundancy-not-met", "single points of failure", "berlin-fw", "nines", "worst", "outage"):
        assert text in html
    assert site._repr_html_().count("<tr>") == min(len(site.scenarios), 10) + 1
    evil = vpnha.Topology.from_yaml(DUAL.replace("site: hq", "site: <b>hq</b>"))
    assert "<b>hq</b>" not in evil.analyze()._repr_html_()


def test_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    a = vpnha.Topology.load(EXAMPLES / "multi-device.yaml").analyze()
    frame = a.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == sum(len(s.scenarios) for s in a.sites)
    assert list(frame.columns)[:3] == ["site", "failed", "planned"]
    outages = frame[~frame.reachable]
    assert outages.interruption_max_s.isna().all()
    sites = a.sites_to_pandas()
    assert list(sites.site) == [s.name for s in a.sites]
    assert (sites.outages == [len(s.outages()) for s in a.sites]).all()


@settings(max_examples=25 * SCALE, deadline=None)
@given(
    k=st.integers(min_value=-3, max_value=12),
    device=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2, 2), st.none()),
    shares=st.lists(st.floats(allow_nan=True), max_size=3),
    sample=st.integers(min_value=-1, max_value=5000),
)
def test_no_option_panics(k: int, device: float | None, shares: list[float], sample: int) -> None:
    t = vpnha.Topology.from_yaml(DUAL)
    try:
        a = t.analyze(
            max_failures=k,
            availability=None if device is None else {"device": device},
            capacity_shares=shares or None,
            flow_sample=sample,
        )
    except vpnha.AnalysisError:
        return
    site = a.site()
    assert 0.0 <= site.availability.probability <= 1.0
    assert math.fsum(site.tunnels_up) == pytest.approx(1.0, abs=1e-9)
