"""Timings of the Python package: batch selection against a Python loop, and reading and
validating a large topology. Prints a Markdown table (the figures in README.md come from
it). Run with `make bench-python`; nothing here is asserted, the machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

import vpnha


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The fastest of `runs` calls, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def ipv4_columns(n: int, seed: int = 1) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint8], npt.NDArray[np.uint16], npt.NDArray[np.uint16]]:
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 2**32, n, dtype=np.uint32),
        rng.integers(0, 2**32, n, dtype=np.uint32),
        rng.choice(np.array([6, 17], dtype=np.uint8), n),
        rng.integers(1024, 65536, n, dtype=np.uint16),
        rng.choice(np.array([443, 80, 53, 4500], dtype=np.uint16), n),
    )


def topology_yaml(devices: int) -> str:
    """An active-active gateway and `devices` devices, two per site, each with BGP."""
    lines = [
        "version: 1",
        "name: scale",
        "gateway:",
        "  sku: VpnGw5AZ",
        "  generation: Generation2",
        "  active_active: true",
        "  vnet_address_space: [10.0.0.0/16]",
        "  gateway_subnet: 10.0.255.0/27",
        "  instances:",
        "    - {public_ip: 192.0.2.4, bgp_peering_address: 10.0.255.4, zone: 1}",
        "    - {public_ip: 192.0.2.5, bgp_peering_address: 10.0.255.5, zone: 2}",
        "local_gateways:",
    ]
    for i in range(devices):
        site = i // 2
        a, b = divmod(i, 250)
        lines += [
            f"  - name: fw-{i}",
            f"    site: site-{site}",
            f"    gateway_ip: 198.{18 + a % 2}.{a}.{b + 1}",
            f"    isp: isp-{i % 2}",
            f"    bgp: {{asn: {65001 + site % 900}, peering_address: 172.{16 + a % 16}.{b}.{i % 2 + 1}, "
            f"advertised_prefixes: [172.{16 + site // 256 % 16}.{site % 256}.0/24]}}",
        ]
    lines.append("connections:")
    for i in range(devices):
        lines.append(f"  - {{name: c-{i:04}, local_gateway: fw-{i}, enable_bgp: true, shared_key: {{env: PSK_{i}}}}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flows", type=int, default=1_000_000, help="rows of the batch (default 1,000,000)")
    parser.add_argument("--loop-flows", type=int, default=20_000, help="rows timed in the Python loop, scaled up")
    parser.add_argument("--devices", type=int, default=1_000, help="devices of the large topology")
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    n = args.flows
    group = vpnha.EcmpGroup(4, "stable", 0x5EED)
    cols = ipv4_columns(n)
    out = np.empty(n, dtype=np.uint16)
    group.select_many(*cols, out=out)
    batch = best_of(7, lambda: group.select_many(*cols, out=out))
    rows.append((f"select_many, {n:,} IPv4 flows, stable, 4 tunnels", f"{batch * 1e3:.1f} ms ({n / batch / 1e6:.0f} M flows/s)"))
    single = best_of(7, lambda: group.select_many(*cols, out=out, threads=1))
    rows.append(("the same on one thread (threads=1)", f"{single * 1e3:.1f} ms ({n / single / 1e6:.0f} M flows/s)"))

    for algorithm in ("rendezvous", "maglev", "hash-threshold"):
        g = vpnha.EcmpGroup(4, algorithm, 0x5EED)
        t = best_of(5, lambda: g.select_many(*cols, out=out))
        rows.append((f"select_many, {n:,} IPv4 flows, {algorithm}", f"{t * 1e3:.1f} ms"))

    down = group.copy()
    down.set_up(1, False)
    t = best_of(5, lambda: down.select_many(*cols, out=out))
    rows.append((f"select_many, {n:,} IPv4 flows, stable, 1 of 4 down", f"{t * 1e3:.1f} ms"))

    rng = np.random.default_rng(2)
    src6 = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    dst6 = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    t6 = best_of(5, lambda: group.select_many(src6, dst6, cols[2], cols[3], cols[4], out=out))
    rows.append((f"select_many, {n:,} IPv6 flows ((n, 16) uint8)", f"{t6 * 1e3:.1f} ms"))

    as_int64 = [c.astype(np.int64) for c in cols]
    t = best_of(3, lambda: group.select_many(*as_int64, out=out))
    rows.append((f"select_many, {n:,} IPv4 flows as int64 (converted)", f"{t * 1e3:.1f} ms"))

    m = min(args.loop_flows, n)
    py_cols = [c[:m].tolist() for c in cols]

    def loop() -> None:
        select = group.select
        for s, d, p, sp, dp in zip(*py_cols):
            select(s, d, p, sp, dp)

    per_flow = best_of(3, loop) / m
    rows.append((f"Python loop of select over Python ints, timed on {m:,}, scaled to {n:,}", f"{per_flow * n * 1e3:.0f} ms ({per_flow * 1e9:.0f} ns per flow)"))

    def numpy_loop() -> None:
        select = group.select
        s, d, p, sp, dp = cols
        for i in range(m):
            select(int(s[i]), int(d[i]), int(p[i]), int(sp[i]), int(dp[i]))

    per_numpy_row = best_of(3, numpy_loop) / m
    rows.append((f"Python loop of select over the numpy columns, scaled to {n:,}", f"{per_numpy_row * n * 1e3:.0f} ms ({per_numpy_row * 1e9:.0f} ns per flow)"))
    rows.append(("select_many over the faster loop", f"{per_flow * n / batch:.0f}x ({per_flow * n / single:.0f}x on one thread)"))

    text = topology_yaml(args.devices)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.yaml"
        path.write_text(text, encoding="utf-8")
        load = best_of(5, lambda: vpnha.Topology.load(path))
        topology = vpnha.Topology.load(path)
    validate = best_of(5, topology.validate)
    result = topology.validate()
    rows.append((f"Topology.load, {args.devices:,} devices ({len(text) / 1e3:.0f} kB YAML)", f"{load * 1e3:.1f} ms"))
    rows.append((f"validate, {args.devices:,} devices ({result.summary()})", f"{validate * 1e3:.1f} ms"))
    rows.append(("load + validate", f"{(load + validate) * 1e3:.1f} ms"))
    doc = topology.to_dict()
    rows.append(("Topology.from_dict, same topology", f"{best_of(5, lambda: vpnha.Topology.from_dict(doc)) * 1e3:.1f} ms"))

    cpu = platform.processor() or platform.machine()
    print(f"vpnha {vpnha.__version__}, Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs ({cpu})\n")
    print("| what | time |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()
