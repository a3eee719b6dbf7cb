"""What the tests share: paths of the repository's fixtures and a small topology.

The tests import `vpnha` as installed (the wheel, or `maturin develop`), never from the
source tree: pytest runs with `--import-mode=importlib` and only `python/tests` on the path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VECTORS = ROOT / "testdata" / "ecmp_vectors.json"

#: Multiplies the number of examples of the property tests (VPNHA_FUZZ_SCALE=20 for a
#: long run before a release).
SCALE = int(os.environ.get("VPNHA_FUZZ_SCALE", "1"))

#: A small dual-redundancy topology in documentation address space (RFC 5737).
DUAL = """\
version: 1
name: contoso-hq
gateway:
  sku: VpnGw2AZ
  generation: Generation2
  active_active: true
  vnet_address_space: [10.1.0.0/16]
  instances:
    - {public_ip: 192.0.2.4, bgp_peering_address: 10.1.255.4, zone: 1}
    - {public_ip: 192.0.2.5, bgp_peering_address: 10.1.255.5, zone: 2}
local_gateways:
  - name: hq-fw-a
    site: hq
    gateway_ip: 203.0.113.10
    isp: isp-1
    bgp: {asn: 65050, peering_address: 192.168.255.1, advertised_prefixes: [192.168.0.0/16]}
  - name: hq-fw-b
    site: hq
    gateway_ip: 198.51.100.20
    isp: isp-2
    bgp: {asn: 65050, peering_address: 192.168.255.2, advertised_prefixes: [192.168.0.0/16]}
connections:
  - {name: hq-a, local_gateway: hq-fw-a, enable_bgp: true, shared_key: {env: HQ_A_PSK}}
  - {name: hq-b, local_gateway: hq-fw-b, enable_bgp: true, shared_key: {env: HQ_B_PSK}}
"""


def vpnha_exe() -> Path | None:
    """The `vpnha` binary of this checkout (the newer of the release and debug builds), or
    None when neither is built: the tests comparing with the command line skip then."""
    built = [p for p in (ROOT / "target" / profile / "vpnha" for profile in ("release", "debug")) if p.exists()]
    return max(built, key=lambda p: p.stat().st_mtime, default=None)


def expected_rules(path: Path) -> set[str]:
    """The rules an example names in its `# expect:` comment."""
    m = re.search(r"^# expect: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert m, f"{path} has no '# expect:' line"
    return {r.strip() for r in m.group(1).split(",")} - {"none"}
