"""The native module of vpnha (the `vpnha` Rust crate through pyo3).

Import from :mod:`vpnha`, not from here. Hand-written; ``python -m mypy.stubtest
vpnha._vpnha`` checks it against the built module.
"""

import ipaddress
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias, final

import numpy as np
import numpy.typing as npt

from ._analysis import Analysis
from ._fields import HashFields
from ._results import ValidationResult

__all__ = ["MAX_TUNNELS", "NO_TUNNEL", "Diagnostic", "EcmpGroup", "Flow", "Site", "Topology", "Tunnel", "__version__"]

__version__: str
#: What :meth:`EcmpGroup.select_many` writes for a flow when every tunnel is down (65535).
NO_TUNNEL: int
#: The largest number of tunnels in one ECMP group (256).
MAX_TUNNELS: int

_Severity: TypeAlias = Literal["error", "warning", "info"]
_Pattern: TypeAlias = Literal["active-standby", "multi-device", "active-active", "dual-redundancy"]
_AlgorithmName: TypeAlias = Literal["stable", "rendezvous", "maglev", "hash-threshold"]
#: An IP address: text (``"192.0.2.1"``, ``"2001:db8::1"``), an :mod:`ipaddress` object,
#: or an int (an IPv4 address, as ``int(IPv4Address(...))`` gives it).
_Address: TypeAlias = str | ipaddress.IPv4Address | ipaddress.IPv6Address | int
#: A protocol number (0-255) or name: tcp, udp, icmp, icmpv6, esp, ah, gre, sctp, igmp.
_Protocol: TypeAlias = int | str
#: Hash fields: :class:`HashFields` or its int bits, a preset name (``"five-tuple"``,
#: ``"l3"``, ``"all"``, ``"none"``), ``"+"``-joined names (``"l3+flow-label"``) or a list of
#: names (``["src-ip", "dst-ip"]``).
_Fields: TypeAlias = HashFields | int | str | Iterable[str]
#: A tunnel of a group: its index, or its id (``"hq-a/0"``).
_TunnelRef: TypeAlias = int | str
#: A column of a batch: a numpy array (read in place when its dtype is the native one,
#: converted otherwise), anything numpy can make an array of (a list, a pandas Series),
#: or one value for every row.
_Column: TypeAlias = npt.ArrayLike

@final
class Diagnostic:
    """One validation finding, one problem of an unreadable input, or one finding of an
    Azure import (``rule`` is then the import code).

    ``str(d)`` is ``[file:]line:column: severity[rule] path: message``, as ``vpnha check``
    prints it. Immutable, hashable, picklable.
    """

    def __new__(
        cls,
        rule: str,
        severity: _Severity,
        message: str,
        path: str = ...,
        line: int | None = None,
        column: int | None = None,
        file: str | None = None,
        pointer: str | None = None,
    ) -> Diagnostic: ...
    @property
    def rule(self) -> str:
        """The stable rule name (``reserved-asn``); the catalogue is docs/rules.md."""
    @property
    def severity(self) -> _Severity:
        """``error`` (Azure rejects it, or it cannot work), ``warning`` or ``info``."""
    @property
    def message(self) -> str:
        """What is wrong and what to do."""
    @property
    def path(self) -> str:
        """The offending field, ``local_gateways[1].bgp.asn``; ``""`` for the document."""
    @property
    def line(self) -> int | None:
        """The 1-based line in the source text; None for a dict or when unknown."""
    @property
    def column(self) -> int | None:
        """The 1-based column (in characters); None when unknown."""
    @property
    def file(self) -> str | None:
        """For a topology imported from Azure: the document ``line`` and ``column`` are in."""
    @property
    def pointer(self) -> str | None:
        """For a topology imported from Azure: the JSON pointer (RFC 6901) of the field in
        ``file`` (``/properties/bgpSettings/asn``)."""
    def to_dict(self) -> dict[str, Any]:
        """``{"rule", "severity", "message", "path", "line", "column"}``, as the CLI's JSON,
        plus ``"file"`` and ``"pointer"`` when imported from Azure (as ``vpnha check --from
        azure``)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Tunnel:
    """One IPsec tunnel: one per connection and gateway instance, id
    ``"<connection>/<instance>"``. Tunnels are always listed in one stable order
    (connection name, then instance). Immutable, hashable, picklable."""

    def __new__(cls, id: str, connection: str, local_gateway: str, site: str, instance: int) -> Tunnel: ...
    @property
    def id(self) -> str:
        """``"<connection>/<instance>"``."""
    @property
    def connection(self) -> str:
        """The connection's name."""
    @property
    def local_gateway(self) -> str:
        """The on-premises device (local gateway) at the far end."""
    @property
    def site(self) -> str:
        """The device's site."""
    @property
    def instance(self) -> int:
        """The gateway instance index (0 or 1)."""
    def to_dict(self) -> dict[str, Any]:
        """``{"id", "connection", "local_gateway", "site", "instance"}``;
        ``pandas.DataFrame([t.to_dict() for t in topology.tunnels])`` is a table of them."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Site:
    """An on-premises network: its devices, its tunnels and its HA pattern."""

    def __new__(
        cls, name: str, pattern: _Pattern | None, devices: Sequence[str], tunnels: Sequence[Tunnel]
    ) -> Site: ...
    @property
    def name(self) -> str:
        """The site name (a device's ``site``, else the device's own name)."""
    @property
    def pattern(self) -> _Pattern | None:
        """``active-standby``, ``multi-device``, ``active-active`` or ``dual-redundancy``;
        None when no tunnel reaches the site."""
    @property
    def devices(self) -> tuple[str, ...]:
        """Its devices (local gateways), in file order."""
    @property
    def tunnels(self) -> tuple[Tunnel, ...]:
        """Its tunnels in the stable order: tunnel ``i`` of the site's ECMP group."""
    @property
    def instance_count(self) -> int:
        """The number of distinct gateway instances its tunnels reach."""
    def to_dict(self) -> dict[str, Any]:
        """``{"name", "pattern", "devices", "tunnels"}`` (tunnel ids), as ``vpnha check
        --format json`` lists sites."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Topology:
    """A whole topology: one Azure VPN gateway, the on-premises devices (local gateways)
    grouped into sites, and the connections. Immutable; picklable (to ``multiprocessing``,
    Dask or Spark workers); ``==`` compares the model.

    Read it with :meth:`load`, :meth:`from_yaml`, :meth:`from_json`, :meth:`from_toml` or
    :meth:`from_dict`; all raise :class:`~vpnha.TopologyError` for input that is not a
    topology, listing every problem with its line and column. In a notebook it renders as
    a table of sites and tunnels.
    """

    @staticmethod
    def load(path: str | os.PathLike[str], format: Literal["yaml", "yml", "json", "toml"] | None = None) -> Topology:
        """Reads a topology file; the format comes from the extension (.yaml, .yml, .json,
        .toml) unless given. The GIL is released while it parses.

        Raises :class:`~vpnha.TopologyError` (a :class:`~vpnha.TopologyFileNotFoundError`
        for a missing file) for a file that is not a readable topology.
        """
    @staticmethod
    def from_yaml(text: str | bytes, name: str = "<input>") -> Topology:
        """Parses YAML text; ``name`` names it in messages (``name:line:column``)."""
    @staticmethod
    def from_json(text: str | bytes, name: str = "<input>") -> Topology:
        """Parses JSON text."""
    @staticmethod
    def from_toml(text: str | bytes, name: str = "<input>") -> Topology:
        """Parses TOML text."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Topology:
        """From a dict in the format-v1 shape (what :meth:`to_dict` returns, or
        ``json.load`` of a topology file). Values of other types are taken as their
        ``str()``, so :mod:`ipaddress` objects work. Problems carry field paths but no
        line or column."""
    @staticmethod
    def from_azure(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *, gateway: str | None = None) -> Topology:
        """Imports Azure resource JSON into one topology: ``az network vnet-gateway /
        local-gateway / vpn-connection / public-ip / vnet show`` or ``list`` output, REST
        responses, ``az resource list`` / ``az graph query`` output, ARM template exports.
        ``gateway`` (name or resource id) picks one when the documents hold several.

        What could not be carried over exactly is in :attr:`import_findings` (each with its
        file, JSON pointer, line and column), and :meth:`validate` places its findings in
        the documents the fields came from. Raises :class:`~vpnha.TopologyError` (with the
        findings as ``problems``) when nothing usable could be read.
        """
    @property
    def import_findings(self) -> ValidationResult:
        """The findings of :meth:`from_azure` (an import error means a value had to be
        replaced by a placeholder: fix the input); empty for any other topology."""
    def to_dict(self) -> dict[str, Any]:
        """The topology as plain data in the format-v1 shape (addresses as text). Inline
        shared keys are never written out; ``{env: NAME}`` references are."""
    def to_yaml(self) -> str:
        """The topology as a YAML document (inline shared keys left out)."""
    def to_json(self) -> str:
        """The topology as a JSON document (inline shared keys left out)."""
    def to_toml(self) -> str:
        """The topology as a TOML document (inline shared keys left out)."""
    def validate(self) -> ValidationResult:
        """Checks every rule and returns every finding: a list of :class:`Diagnostic`,
        errors first, then warnings, then information. Never raises for findings."""
    def check(self) -> ValidationResult:
        """:meth:`validate`, raising :class:`~vpnha.ValidationError` when a finding is an
        error (warnings pass), as ``vpnha check`` exits 1. For a topology from
        :meth:`from_azure`, the import findings come first and count too, as in ``vpnha
        check --from azure``."""
    @property
    def name(self) -> str | None:
        """The topology's ``name`` field."""
    @property
    def source(self) -> str:
        """Where it was read from: the path as given, ``<input>``, ``<dict>``, or the Azure
        files, comma-separated."""
    @property
    def tunnels(self) -> tuple[Tunnel, ...]:
        """Every tunnel, in the stable order (connection name, then instance)."""
    @property
    def sites(self) -> tuple[Site, ...]:
        """Every site, sorted by name, with its devices, tunnels and pattern."""
    def site(self, name: str | None = None) -> Site:
        """The site with this name, or the only one when ``name`` is None. Raises
        :class:`~vpnha.SiteError` (a ``LookupError``) with a did-you-mean."""
    def ecmp_group(
        self,
        site: str | None = None,
        algorithm: _AlgorithmName | str | None = None,
        seed: int | None = None,
        *,
        weights: Sequence[int] | None = None,
        symmetric: bool = False,
        fields: _Fields | None = None,
        down: _TunnelRef | Iterable[_TunnelRef] | None = None,
    ) -> EcmpGroup:
        """An ECMP group over a site's tunnels, in their stable order: tunnel ``i`` of the
        group is ``site.tunnels[i]`` and ``group.tunnels[i]`` is its id.

        ``site`` may be None when the topology has one site. ``algorithm`` defaults to
        ``"stable"``, ``seed`` to 0 (HA peers sharing a seed agree on every flow),
        ``weights`` to 1 each (0 = standby), ``fields`` to the five-tuple. ``down`` marks
        tunnels (indices or ids) down from the start.

        Raises :class:`~vpnha.SiteError` for an unknown site (with a did-you-mean), when
        several sites exist and none is named, or when the site has no tunnels;
        :class:`~vpnha.EcmpError` for bad options.
        """
    def analyze(
        self,
        site: str | None = None,
        *,
        max_failures: int | None = None,
        availability: Mapping[str, float] | None = None,
        component_availability: Mapping[str, float] | None = None,
        algorithm: _AlgorithmName | str | None = None,
        seed: int | None = None,
        weights: Mapping[str, Sequence[int]] | None = None,
        flow_sample: int | None = None,
        capacity_shares: Iterable[float] | None = None,
        max_scenarios: int | None = None,
        check: bool = True,
        progress: Callable[[str, int, int], object] | None = None,
    ) -> Analysis:
        """What fails, for how long, and how available each site is (``vpnha analyze``).

        Every failure set of up to ``max_failures`` components (default 2: gateway
        instances, the implicit standby, zones, devices, ISP uplinks, tunnels) and each
        planned maintenance, with the tunnels that survive, the share of flows that move
        (measured with the ``algorithm``/``seed``/``weights`` ECMP group on
        ``flow_sample`` flows, default 4096) and the interruption in seconds; single points
        of failure, minimal cut sets, the exact availability of each site and of keeping
        each of ``capacity_shares`` (default 0.5 and 1.0) of its tunnels; a verdict.

        ``availability`` overrides the file's per-kind availabilities
        (``gateway_instance``, ``device``, ``isp``, ``tunnel``, ``zone``; documented
        defaults otherwise), ``component_availability`` one component's (``"hq-fw-a"``,
        ``"isp:isp-1"``, ``"instance-0"``, ``"hq-a/0"``). ``site`` limits the analysis to
        one site. ``progress(site, done, total)`` is called now and then with the GIL
        taken; if it raises, it is not called again and its exception is raised when the
        analysis ends.

        With ``check`` (the default) a topology with error findings raises
        :class:`~vpnha.ValidationError` first; ``check=False`` analyses it as written (as
        ``vpnha analyze`` does, with ``validation_errors`` counting them). Raises
        :class:`~vpnha.SiteError` for an unknown site and :class:`~vpnha.AnalysisError` for
        options out of range, more scenarios than ``max_scenarios`` (default 1,000,000) or
        a topology without sites. The GIL is released while the core runs.
        """
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class Flow:
    """One flow: addresses, protocol, ports and IPv6 flow label. Immutable, hashable.

    >>> Flow("10.1.0.4", "192.168.1.10", "tcp", 51000, 443)
    Flow('10.1.0.4', '192.168.1.10', 6, 51000, 443)
    >>> Flow.parse("10.1.0.4:51000 -> 192.168.1.10:443 tcp") == _
    True

    Raises :class:`~vpnha.EcmpError` for an invalid address, protocol or port, or when
    the addresses are of different families.
    """

    def __new__(
        cls,
        src: _Address,
        dst: _Address,
        proto: _Protocol,
        sport: int | None = None,
        dport: int | None = None,
        flow_label: int | None = None,
    ) -> Flow: ...
    @staticmethod
    def parse(text: str) -> Flow:
        """Reads ``SRC[:PORT] -> DST[:PORT] PROTOCOL [flow-label N]``, IPv6 with a port as
        ``[2001:db8::1]:443``; ``str(flow)`` writes this form."""
    @property
    def src(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """The source address."""
    @property
    def dst(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """The destination address."""
    @property
    def proto(self) -> int:
        """The IP protocol number."""
    @property
    def sport(self) -> int:
        """The source port (0 for protocols without ports)."""
    @property
    def dport(self) -> int:
        """The destination port."""
    @property
    def flow_label(self) -> int:
        """The IPv6 flow label (20 bits; 0 = none, and always 0 for IPv4)."""
    @property
    def family(self) -> Literal[4, 6]:
        """4 or 6."""
    def reversed(self) -> Flow:
        """The other direction of the flow: addresses and ports swapped."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class EcmpGroup:
    """A set of tunnels and the rule that picks one per flow (ECMP).

    Tunnels are numbered ``0 .. tunnel_count - 1`` and named by :attr:`tunnels`. Each is
    up or down and has a weight. The answer for a flow depends only on the configuration
    (algorithm, seed, weights, hash fields, symmetric mode), the set of tunnels up and the
    flow: it is the same on every platform and in every binding (Rust, C, the CLI), and
    never changes between releases.

    Build it with :meth:`Topology.ecmp_group`, or directly from a tunnel count or a list
    of tunnel ids. Mutable (:meth:`set_up`, ...); ``==`` compares configuration and state;
    not hashable; picklable with its state; :meth:`copy` for an independent copy.
    """

    def __new__(
        cls,
        tunnels: int | Sequence[str],
        algorithm: _AlgorithmName | str | None = None,
        seed: int | None = None,
        *,
        weights: Sequence[int] | None = None,
        symmetric: bool = False,
        fields: _Fields | None = None,
        site: str | None = None,
    ) -> EcmpGroup:
        """``tunnels``: a count (ids ``"0"``, ``"1"``, ...) or the tunnel ids.

        ``algorithm``: ``"stable"`` (default: minimal movement on failure, exact return),
        ``"rendezvous"``, ``"maglev"`` or ``"hash-threshold"`` (RFC 2992, as Linux).
        ``seed``: 0 to 2**64 - 1. ``weights``: one per tunnel, 0 = standby. ``symmetric``:
        both directions of a flow take the same tunnel. ``fields``: see :class:`HashFields`.
        Raises :class:`~vpnha.EcmpError` for anything out of range.
        """
    @property
    def tunnels(self) -> tuple[str, ...]:
        """The tunnel ids; ``tunnels[i]`` is what index ``i`` means."""
    @property
    def site(self) -> str | None:
        """The site, for a group made by :meth:`Topology.ecmp_group`."""
    @property
    def tunnel_count(self) -> int:
        """The number of tunnels."""
    @property
    def live_count(self) -> int:
        """The number of tunnels up."""
    @property
    def algorithm(self) -> _AlgorithmName:
        """The algorithm's name."""
    @property
    def seed(self) -> int:
        """The seed."""
    @property
    def weights(self) -> tuple[int, ...]:
        """The weights, one per tunnel."""
    @property
    def symmetric(self) -> bool:
        """Whether symmetric mode is on."""
    @property
    def fields(self) -> HashFields:
        """The fields that enter the hash."""
    @property
    def up(self) -> tuple[bool, ...]:
        """Up (True) or down, per tunnel."""
    def is_up(self, tunnel: _TunnelRef) -> bool:
        """Whether a tunnel (index or id) is up."""
    def set_up(self, tunnel: _TunnelRef, up: bool = True) -> None:
        """Marks a tunnel (index or id) up or down. Only the flows of a failed tunnel move
        (``stable``, ``rendezvous``), and exactly those return when it comes back."""
    def set_all_up(self, up: bool = True) -> None:
        """Marks every tunnel up (or down)."""
    def set_weights(self, weights: Sequence[int]) -> None:
        """One weight per tunnel (0 = standby, not all 0)."""
    def set_symmetric(self, symmetric: bool) -> None:
        """Symmetric mode on or off (not with the flow label among the fields)."""
    def set_fields(self, fields: _Fields) -> None:
        """The fields that enter the hash."""
    def select(
        self,
        src: Flow | _Address,
        dst: _Address | None = None,
        proto: _Protocol | None = None,
        sport: int | None = None,
        dport: int | None = None,
        *,
        flow_label: int | None = None,
    ) -> int | None:
        """The tunnel index of one flow (a :class:`Flow`, or its parts), or None when
        every tunnel is down. ``group.tunnels[i]`` names it.

        ``group.select(flow)`` or ``group.select(src, dst, proto, sport, dport)``; a call
        without ``dst`` and ``proto`` needs a :class:`Flow` (TypeError otherwise)."""
    def hash(
        self,
        src: Flow | _Address,
        dst: _Address | None = None,
        proto: _Protocol | None = None,
        sport: int | None = None,
        dport: int | None = None,
        *,
        flow_label: int | None = None,
    ) -> int:
        """The group's 64-bit hash of one flow (a :class:`Flow`, or its parts); it
        depends on the seed, fields and symmetric mode, never on which tunnels are up."""
    def select_many(
        self,
        src: _Column,
        dst: _Column,
        proto: _Column,
        sport: _Column | None = None,
        dport: _Column | None = None,
        *,
        flow_label: _Column | None = None,
        out: npt.NDArray[np.uint16] | None = None,
        threads: int | None = None,
    ) -> npt.NDArray[np.uint16]:
        """The tunnel of every row, as a ``uint16`` array; :data:`NO_TUNNEL` (65535) for a
        row when every tunnel is down. The same answers as :meth:`select` row by row.

        Layouts read in place, without a copy (contiguous, native byte order):

        - IPv4 addresses: ``uint32`` holding the address value in host order, as
          ``int(ipaddress.IPv4Address(a))`` (``192.0.2.1`` is ``0xC0000201``);
        - IPv6 addresses: an ``(n, 16)`` ``uint8`` array, one address per row in network
          byte order (``ipaddress.IPv6Address(a).packed``);
        - ``proto``: ``uint8``; ``sport``, ``dport``: ``uint16``; ``flow_label``: ``uint32``
          (IPv6 only, low 20 bits).

        Other integer dtypes, strided arrays, lists, pandas Series and text (addresses as
        strings, protocols as names) are converted first, after a range check. A scalar
        applies to every row. ``out`` receives the result in place.

        The GIL is released while the rows are selected, and a large batch is split over
        ``threads`` threads (default: one per available core, each with at least 65,536
        rows; ``threads=1`` in processes that already use every core).

        Raises :class:`~vpnha.EcmpError` for columns of different lengths, values out of
        range, mixed address families in a row, or an ``out`` that is not a writeable
        ``uint16`` array of the right length (or shares memory with an input).
        """
    def hash_many(
        self,
        src: _Column,
        dst: _Column,
        proto: _Column,
        sport: _Column | None = None,
        dport: _Column | None = None,
        *,
        flow_label: _Column | None = None,
        out: npt.NDArray[np.uint64] | None = None,
        threads: int | None = None,
    ) -> npt.NDArray[np.uint64]:
        """The group's hash of every row, as a ``uint64`` array (layouts as
        :meth:`select_many`)."""
    def copy(self) -> EcmpGroup:
        """An independent copy, state included."""
    def __copy__(self) -> EcmpGroup: ...
    def __deepcopy__(self, memo: dict[int, Any], /) -> EcmpGroup: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __len__(self) -> int:
        """The number of tunnels."""
    def _repr_html_(self) -> str: ...
