# %% [markdown]
# # vpnha quickstart
#
# Load an HA site-to-site VPN topology, see what Azure would reject and what is weaker
# than it looks, find what each failure does and how available the site is, then choose
# the tunnel of each flow, one at a time and a million at once.
#
# This file and `quickstart.ipynb` hold the same steps (`python python/examples/quickstart.py`
# from the repository root runs them; `make notebook` re-executes the notebook).

# %%
import importlib.util
import time
from pathlib import Path

import numpy as np

import vpnha

# The repository's example topologies, from the repository root or from this directory.
EXAMPLES = next(p for p in (Path("examples"), Path("../../examples")) if (p / "dual-redundancy.yaml").exists())


def show(obj: object) -> None:
    """A rich table in a notebook, text elsewhere."""
    try:
        display(obj)  # type: ignore[name-defined]  # Jupyter provides it
    except NameError:
        print(obj)


# %% [markdown]
# ## Load a topology
#
# YAML, JSON or TOML (`Topology.load`, `from_yaml`, `from_json`, `from_toml`) or a plain
# dict (`from_dict`). Tunnels are derived, one per connection and gateway instance, and
# each site gets its HA pattern.

# %%
topology = vpnha.Topology.load(EXAMPLES / "dual-redundancy.yaml")
show(topology)

# %%
for site in topology.sites:
    print(site.name, site.pattern, site.devices, [t.id for t in site.tunnels])

# %% [markdown]
# ## Validate
#
# Every rule, every finding: errors (Azure rejects it), warnings (weaker than it looks)
# and information, each with the field path, line and column.

# %%
result = topology.validate()
print(result.summary(), "-> ok" if result.ok else "-> has errors")

# %%
broken = vpnha.Topology.load(EXAMPLES / "broken-bgp.yaml")
findings = broken.validate()
show(findings)

# %%
try:
    broken.check()  # raises when a finding is an error, as `vpnha check` exits 1
except vpnha.ValidationError as e:
    print(type(e).__name__, "-", e)
    print([d.rule for d in e.errors])

# %% [markdown]
# Input that is not a topology at all raises `vpnha.TopologyError` (a `ValueError`) with
# every problem, each with its line and column.

# %%
try:
    vpnha.Topology.load(EXAMPLES / "broken-unknown-field.yaml")
except vpnha.TopologyError as e:
    print(e)
    for problem in e.problems[:3]:
        print("  ", problem)

# %% [markdown]
# ## What survives which failure, and how available is the site
#
# `analyze()` visits every failure of up to `max_failures` components (gateway instances,
# zones, devices, ISP uplinks, tunnels) and each planned maintenance: which tunnels
# survive, how many flows move, how long traffic stops. It finds single points of failure
# and minimal cut sets, and computes each site's availability exactly from per-component
# availabilities (the file's, the call's, or documented defaults).

# %%
analysis = topology.analyze(max_failures=2)
show(analysis)

# %%
hq = analysis.site("hq")
print(hq.verdict, "-", hq.availability)
print("single points of failure:", hq.single_points_of_failure or "none")
for scenario in hq.worst_scenarios(3):
    print("  ", scenario)

# %% [markdown]
# The active-standby example has one device and one tunnel: the analysis says what is
# short, and what a more available device would buy.

# %%
single = vpnha.Topology.load(EXAMPLES / "active-standby.yaml")
berlin = single.analyze().site()
print(berlin.verdict, [r.reason for r in berlin.reasons])
print("single points of failure:", ", ".join(berlin.single_points_of_failure))
better = single.analyze(availability={"device": 0.9999}).site()
print(
    f"downtime per month: {berlin.availability.downtime_minutes_per_month:.1f} min"
    f" -> {better.availability.downtime_minutes_per_month:.1f} min with a 99.99 % device"
)

# %% [markdown]
# ## Choose the tunnel of a flow
#
# A site's tunnels form an ECMP group. The answer for a flow is specified and frozen: the
# same in Python, Rust, C and the `vpnha` command, on every platform and release.

# %%
group = topology.ecmp_group("hq", algorithm="stable", seed=0x5EED)
show(group)

# %%
flow = vpnha.Flow.parse("10.1.0.4:51000 -> 192.168.1.10:443 tcp")
index = group.select(flow)
print(flow, "->", None if index is None else group.tunnels[index])

# Replies hash differently, unless the group is symmetric (both ends must use the same
# tunnel order and seed).
symmetric = topology.ecmp_group("hq", seed=0x5EED, symmetric=True)
for g in (group, symmetric):
    there, back = g.select(flow), g.select(flow.reversed())
    print(f"symmetric={g.symmetric}: flow on tunnel {there}, reply on tunnel {back}")

# %% [markdown]
# ## A million flows at once
#
# `select_many` reads numpy columns in place (IPv4 as `uint32`, IPv6 as `(n, 16)` `uint8`)
# and returns a `uint16` array of tunnel indices (`vpnha.NO_TUNNEL` when every tunnel is
# down), with the GIL released.

# %%
rng = np.random.default_rng(7)
n = 1_000_000
src = rng.integers(0, 2**32, n, dtype=np.uint32)  # int(ipaddress.IPv4Address(...)) values
dst = np.full(n, int.from_bytes(bytes([192, 168, 1, 10]), "big"), dtype=np.uint32)
sport = rng.integers(1024, 65536, n, dtype=np.uint16)

start = time.perf_counter()
picks = group.select_many(src, dst, "tcp", sport, 443)
elapsed = time.perf_counter() - start
shares = np.bincount(picks, minlength=group.tunnel_count) / n
print(f"{n:,} flows in {elapsed * 1e3:.1f} ms")
for tunnel, share in zip(group.tunnels, shares):
    print(f"  {tunnel}: {share:.1%}")

# %% [markdown]
# ## What a tunnel failure moves
#
# Mark a tunnel down: with `stable` (and `rendezvous`) only the failed tunnel's flows
# move, and exactly those move back when it returns.

# %%
failed = group.copy()
failed.set_up("hq-a/0", False)
after = failed.select_many(src, dst, "tcp", sport, 443)
moved = picks != after
print(f"{moved.mean():.1%} of flows moved; all of them were on hq-a/0:", bool((picks[moved] == 0).all()))

# %% [markdown]
# ## Tables for pandas
#
# Findings and scenarios as DataFrames, when pandas is installed (`pip install vpnha[pandas]`).

# %%
if importlib.util.find_spec("pandas") is not None:
    show(findings.to_pandas()[["severity", "rule", "line"]].head())
    scenarios = analysis.to_pandas()
    show(scenarios[~scenarios.reachable][["site", "failed", "causes"]])
else:
    print("pandas is not installed")
