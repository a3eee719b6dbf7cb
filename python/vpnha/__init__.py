"""vpnha: highly-available Azure site-to-site VPN topologies, checked and load-balanced.

>>> import vpnha
>>> t = vpnha.Topology.load("examples/dual-redundancy.yaml")   # doctest: +SKIP
>>> t.validate().ok                                               # doctest: +SKIP
True
>>> g = t.ecmp_group("hq")                                        # doctest: +SKIP
>>> g.tunnels[g.select("10.1.0.4", "192.168.1.10", "tcp", 51000, 443)]  # doctest: +SKIP
'hq-b/0'

- :class:`Topology`: read from YAML, JSON, TOML or a dict; its :attr:`~Topology.tunnels`,
  :attr:`~Topology.sites` (with their HA pattern), :meth:`~Topology.validate` (every rule,
  every finding with its line and column), :meth:`~Topology.analyze` and
  :meth:`~Topology.ecmp_group`.
- :class:`Analysis`: what each failure of up to k components does, single points of
  failure, minimal cut sets, exact availability and a redundancy verdict per site.
- :class:`EcmpGroup`: which tunnel carries a flow: :meth:`~EcmpGroup.select` for one,
  :meth:`~EcmpGroup.select_many` over numpy columns (millions per second, GIL released).
  The answers are specified and frozen: the same as the Rust crate, the C library and the
  ``vpnha`` command give.
- Exceptions: :class:`TopologyError` (unreadable input), :class:`ValidationError`,
  :class:`SiteError`, :class:`EcmpError`, :class:`AnalysisError`, all :class:`VpnhaError`.
"""

from ._analysis import Analysis, Availability, Capacity, Component, Scenario, Shortfall, SiteAnalysis
from ._errors import (
    AnalysisError,
    EcmpError,
    SiteError,
    TopologyError,
    TopologyFileNotFoundError,
    TopologyIsADirectoryError,
    TopologyPermissionError,
    ValidationError,
    VpnhaError,
)
from ._fields import HashFields
from ._results import ValidationResult
from ._vpnha import (
    MAX_TUNNELS,
    NO_TUNNEL,
    Diagnostic,
    EcmpGroup,
    Flow,
    Site,
    Topology,
    Tunnel,
    __version__,
)

__all__ = [
    "MAX_TUNNELS",
    "NO_TUNNEL",
    "Analysis",
    "AnalysisError",
    "Availability",
    "Capacity",
    "Component",
    "Diagnostic",
    "EcmpError",
    "EcmpGroup",
    "Flow",
    "HashFields",
    "Scenario",
    "Shortfall",
    "Site",
    "SiteAnalysis",
    "SiteError",
    "Topology",
    "TopologyError",
    "TopologyFileNotFoundError",
    "TopologyIsADirectoryError",
    "TopologyPermissionError",
    "Tunnel",
    "ValidationError",
    "ValidationResult",
    "VpnhaError",
    "__version__",
]
