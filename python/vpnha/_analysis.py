"""The failure and availability analysis as frozen objects: :class:`Analysis` and its
:class:`SiteAnalysis`, :class:`Scenario`, :class:`Availability`, :class:`Capacity`,
:class:`Component` and :class:`Shortfall`.

:meth:`Topology.analyze` runs the core's analysis and builds these from the JSON shape
``vpnha analyze --format json`` prints, which :meth:`Analysis.to_dict` gives back. They
are plain frozen dataclasses: they compare by value, pickle, and render as HTML in a
notebook.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import SiteError

if TYPE_CHECKING:
    import pandas

    from ._vpnha import Site

__all__ = ["Analysis", "Availability", "Capacity", "Component", "Scenario", "Shortfall", "SiteAnalysis"]


def _nines(value: float | None) -> float:
    # JSON has no infinity: a certain event (unavailability 0) has null nines.
    return math.inf if value is None else float(value)


@dataclass(frozen=True)
class Availability:
    """The probability that something holds (a site reachable, enough tunnels up)."""

    #: P(up), in [0, 1].
    probability: float
    #: 1 - probability, computed directly so that small values keep their digits.
    unavailability: float
    #: -log10(unavailability): 3.0 is "three nines" (99.9 %); ``inf`` when certain.
    nines: float
    #: The expected time down in a month of 43,829.1 minutes.
    downtime_minutes_per_month: float

    @classmethod
    def _from(cls, d: dict[str, Any]) -> Availability:
        return cls(
            probability=float(d["availability"]),
            unavailability=float(d["unavailability"]),
            nines=_nines(d["nines"]),
            downtime_minutes_per_month=float(d["downtime_minutes_per_month"]),
        )

    def __float__(self) -> float:
        return self.probability

    def __str__(self) -> str:
        nines = "∞" if math.isinf(self.nines) else f"{self.nines:.2f}"
        return f"{self.probability * 100:.6g} % ({nines} nines, {_minutes(self.downtime_minutes_per_month)} down per month)"


@dataclass(frozen=True)
class Capacity:
    """The availability of keeping at least a share of a site's tunnels up."""

    #: The share asked for (0.5: half the tunnels).
    share: float
    #: The tunnels that share needs: ceil(share x tunnels).
    min_tunnels: int
    #: The site's tunnels.
    tunnels: int
    #: P(at least ``min_tunnels`` tunnels up).
    availability: Availability


@dataclass(frozen=True)
class Component:
    """A part that can fail: ``instance-0``, ``standby``, ``zone:1``, ``isp:NAME``, a
    device or a tunnel."""

    name: str
    #: ``instance``, ``standby``, ``zone``, ``device``, ``isp`` or ``tunnel``.
    kind: str
    #: The probability it is up, as used.
    availability: float


@dataclass(frozen=True)
class Shortfall:
    """Why a site falls short of full redundancy: a reason code and what to do."""

    #: ``single-device``, ``single-instance``, ``single-isp``, ... (``docs/analysis.md``).
    reason: str
    message: str


@dataclass(frozen=True)
class Scenario:
    """One failure set and what it does to a site."""

    #: The components that fail together.
    failed: tuple[str, ...]
    #: True for planned maintenance (Azure updates one instance at a time).
    planned: bool
    #: The tunnel ids still up.
    surviving_tunnels: tuple[str, ...]
    #: The tunnel ids lost.
    lost_tunnels: tuple[str, ...]
    #: Whether any tunnel still reaches the site.
    reachable: bool
    #: The share of the site's flows whose tunnel changes (measured on sample flows).
    moved_share: float
    #: The share of flows that see an interruption (moved, or on a failed-over tunnel).
    affected_share: float
    #: The expected interruption as ``(low, high)`` seconds; None for an outage (no path
    #: until the parts return).
    interruption: tuple[int, int] | None
    #: What the interruption assumes, in words.
    assumption: str
    #: The cause codes behind the interruption (``planned-maintenance``, ``dpd``, ...).
    causes: tuple[str, ...]

    @classmethod
    def _from(cls, d: dict[str, Any]) -> Scenario:
        seconds = d["interruption_seconds"]
        return cls(
            failed=tuple(d["failed"]),
            planned=bool(d["planned"]),
            surviving_tunnels=tuple(d["surviving_tunnels"]),
            lost_tunnels=tuple(d["lost_tunnels"]),
            reachable=bool(d["reachable"]),
            moved_share=float(d["moved_share"]),
            affected_share=float(d["affected_share"]),
            interruption=None if seconds is None else (int(seconds[0]), int(seconds[1])),
            assumption=str(d["assumption"]),
            causes=tuple(d["causes"]),
        )

    @property
    def is_outage(self) -> bool:
        """True when no tunnel reaches the site."""
        return not self.reachable

    @property
    def description(self) -> str:
        """``instance-0 (planned): 10–15 s, planned maintenance: ...``; for an outage the
        assumption alone (``outage: no tunnel survives; ...``)."""
        what = " + ".join(self.failed) + (" (planned)" if self.planned else "")
        if self.interruption is None:
            return f"{what}: {self.assumption}"
        lo, hi = self.interruption
        span = f"{lo} s" if lo == hi else f"{lo}–{hi} s"
        return f"{what}: {span}, {self.assumption}"

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class SiteAnalysis:
    """The analysis of one site."""

    name: str
    #: ``active-standby``, ``multi-device``, ``active-active``, ``dual-redundancy``, or None.
    pattern: str | None
    #: ``redundancy-met``, ``redundancy-not-met`` or ``unreachable`` (``docs/analysis.md``).
    verdict: str
    #: Why the verdict is short of ``redundancy-met``; empty when it is met.
    reasons: tuple[Shortfall, ...]
    #: Components whose failure alone cuts the site off.
    single_points_of_failure: tuple[str, ...]
    #: The smallest sets of components whose failure cuts the site off (up to ``max_failures``).
    minimal_cut_sets: tuple[tuple[str, ...], ...]
    #: P(the site is reachable).
    availability: Availability
    #: P(exactly j tunnels up) for j = 0 .. tunnels.
    tunnels_up: tuple[float, ...]
    #: One per capacity share asked for.
    capacity: tuple[Capacity, ...]
    components: tuple[Component, ...]
    #: Every failure set of up to ``max_failures`` components, and the planned maintenances.
    scenarios: tuple[Scenario, ...] = field(repr=False)
    #: Assumptions the analysis made about this site.
    notes: tuple[str, ...]
    max_failures: int
    #: The indices of ``scenarios``, worst first, as the core ranks them.
    _worst: tuple[int, ...] = field(default=(), repr=False, compare=False)
    #: Returns the site (devices, tunnels) from the topology analysed.
    _site_of: Callable[[str], Site] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _from(cls, d: dict[str, Any], worst: list[int], site_of: Callable[[str], Site] | None) -> SiteAnalysis:
        return cls(
            name=str(d["name"]),
            pattern=d["pattern"],
            verdict=str(d["verdict"]),
            reasons=tuple(Shortfall(str(r["reason"]), str(r["message"])) for r in d["explanations"]),
            single_points_of_failure=tuple(d["single_points_of_failure"]),
            minimal_cut_sets=tuple(tuple(c) for c in d["minimal_cut_sets"]),
            availability=Availability._from(d),
            tunnels_up=tuple(float(p) for p in d["tunnels_up_distribution"]),
            capacity=tuple(
                Capacity(
                    share=float(c["share"]),
                    min_tunnels=int(c["min_tunnels"]),
                    tunnels=int(c["tunnels"]),
                    availability=Availability._from(c),
                )
                for c in d["capacity"]
            ),
            components=tuple(
                Component(str(c["name"]), str(c["kind"]), float(c["availability"])) for c in d["components"]
            ),
            scenarios=tuple(Scenario._from(s) for s in d["scenarios"]),
            notes=tuple(d["notes"]),
            max_failures=int(d["max_failures"]),
            _worst=tuple(worst),
            _site_of=site_of,
        )

    @property
    def site(self) -> Site:
        """The :class:`Site` analysed (its devices and tunnels)."""
        if self._site_of is None:
            raise SiteError(f"site {self.name!r} is not attached to a topology")
        return self._site_of(self.name)

    @property
    def redundant(self) -> bool:
        """True when the verdict is ``redundancy-met``."""
        return self.verdict == "redundancy-met"

    def worst_scenarios(self, n: int = 5) -> list[Scenario]:
        """The ``n`` worst scenarios, as the core and ``vpnha analyze`` rank them: outages
        first (planned maintenance, then fewer failures first), then the longest
        interruptions, then the most flows affected."""
        return [self.scenarios[i] for i in self._worst[: max(n, 0)]]

    def surviving_tunnels(self, scenario: Scenario) -> tuple[str, ...]:
        """The tunnel ids still up in ``scenario``."""
        return scenario.surviving_tunnels

    def outages(self) -> list[Scenario]:
        """The scenarios that leave no path to the site."""
        return [s for s in self.scenarios if not s.reachable]

    def __getstate__(self) -> dict[str, Any]:
        # The site lookup is bound to a live topology; the copy keeps the data only.
        state = dict(self.__dict__)
        state["_site_of"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _repr_html_(self) -> str:
        from ._html import analysis_html

        return analysis_html(self)


@dataclass(frozen=True)
class Analysis:
    """What fails, for how long, and how available each site is: the result of
    :meth:`Topology.analyze`, the same as ``vpnha analyze --format json``."""

    #: The name of the input the topology came from.
    source: str | None
    #: Error findings of the topology's validation (0 unless ``check=False``).
    validation_errors: int
    #: k: failure sets of up to this many components were visited.
    max_failures: int
    #: The five per-kind availabilities used (``gateway_instance``, ``device``, ``isp``,
    #: ``tunnel``, ``zone``).
    inputs: dict[str, float]
    #: The inputs that took the documented defaults (neither the file nor the call gave them).
    defaulted: tuple[str, ...]
    #: The ECMP algorithm the moved shares were measured with.
    algorithm: str
    seed: int
    #: The sample flows per site.
    flow_sample: int
    sites: tuple[SiteAnalysis, ...]
    _document: dict[str, Any] = field(repr=False, compare=False)
    _report: str = field(default="", repr=False, compare=False)

    @classmethod
    def _from_json(
        cls,
        text: str,
        *,
        source: str | None = None,
        validation_errors: int = 0,
        site_of: Callable[[str], Site] | None = None,
        report: str = "",
        worst: dict[str, list[int]] | None = None,
    ) -> Analysis:
        d: dict[str, Any] = json.loads(text)
        document = {"file": source, "validation_errors": validation_errors, **d}
        return cls(
            source=source,
            validation_errors=validation_errors,
            max_failures=int(d["max_failures"]),
            inputs={str(k): float(v) for k, v in d["inputs"].items()},
            defaulted=tuple(d["defaulted"]),
            algorithm=str(d["ecmp"]["algorithm"]),
            seed=int(d["ecmp"]["seed"]),
            flow_sample=int(d["ecmp"]["flow_sample"]),
            sites=tuple(SiteAnalysis._from(s, (worst or {}).get(s["name"], []), site_of) for s in d["sites"]),
            _document=document,
            _report=report,
        )

    def site(self, name: str | None = None) -> SiteAnalysis:
        """The analysis of the site with this name, or of the only site when ``name`` is None."""
        if name is None:
            if len(self.sites) == 1:
                return self.sites[0]
            raise SiteError(
                f"the analysis has {len(self.sites)} sites: name one of {', '.join(s.name for s in self.sites)}"
            )
        for s in self.sites:
            if s.name == name:
                return s
        error = SiteError(f"no site named {name!r} was analysed; the sites are {', '.join(s.name for s in self.sites)}")
        error.site = name
        error.sites = tuple(s.name for s in self.sites)
        raise error

    def __iter__(self) -> Iterator[SiteAnalysis]:
        return iter(self.sites)

    def __len__(self) -> int:
        return len(self.sites)

    @property
    def redundant(self) -> bool:
        """True when every site analysed meets redundancy (``vpnha analyze
        --require-redundancy`` exits 0)."""
        return all(s.redundant for s in self.sites)

    def to_dict(self) -> dict[str, Any]:
        """The ``vpnha analyze --format json`` document (a fresh copy)."""
        return copy.deepcopy(self._document)

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self._document, indent=indent, ensure_ascii=False)

    def to_pandas(self) -> pandas.DataFrame:
        """One row per scenario of every site: site, failed (``" + "``-joined), planned,
        reachable, surviving (tunnel count), lost_tunnels, moved_share, affected_share,
        interruption_min_s, interruption_max_s (empty for an outage), causes, assumption.
        Needs pandas."""
        from ._html import require_pandas

        pd = require_pandas("Analysis.to_pandas()")
        rows = [
            {
                "site": s.name,
                "failed": " + ".join(x.failed),
                "planned": x.planned,
                "reachable": x.reachable,
                "surviving": len(x.surviving_tunnels),
                "lost_tunnels": ", ".join(x.lost_tunnels),
                "moved_share": x.moved_share,
                "affected_share": x.affected_share,
                "interruption_min_s": None if x.interruption is None else x.interruption[0],
                "interruption_max_s": None if x.interruption is None else x.interruption[1],
                "causes": ", ".join(x.causes),
                "assumption": x.assumption,
            }
            for s in self.sites
            for x in s.scenarios
        ]
        columns = [
            "site",
            "failed",
            "planned",
            "reachable",
            "surviving",
            "lost_tunnels",
            "moved_share",
            "affected_share",
            "interruption_min_s",
            "interruption_max_s",
            "causes",
            "assumption",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        for c in ("interruption_min_s", "interruption_max_s"):
            frame[c] = frame[c].astype("Int64")
        return frame

    def sites_to_pandas(self) -> pandas.DataFrame:
        """One row per site: site, pattern, verdict, reasons, availability, nines,
        downtime_minutes_per_month, single_points_of_failure, scenarios, outages. Needs pandas."""
        from ._html import require_pandas

        pd = require_pandas("Analysis.sites_to_pandas()")
        rows = [
            {
                "site": s.name,
                "pattern": s.pattern,
                "verdict": s.verdict,
                "reasons": ", ".join(r.reason for r in s.reasons),
                "availability": s.availability.probability,
                "nines": s.availability.nines,
                "downtime_minutes_per_month": s.availability.downtime_minutes_per_month,
                "single_points_of_failure": ", ".join(s.single_points_of_failure),
                "scenarios": len(s.scenarios),
                "outages": len(s.outages()),
            }
            for s in self.sites
        ]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else None)

    def __repr__(self) -> str:
        source = f" of {self.source}" if self.source else ""
        verdicts = ", ".join(f"{s.name}: {s.verdict} ({s.availability.nines:.2f} nines)" for s in self.sites)
        return f"<Analysis{source}, k={self.max_failures}: {verdicts}>"

    def report(self) -> str:
        """The readable report ``vpnha analyze`` prints: per site the verdict and its
        reasons, availability, capacity, single points of failure, minimal cut sets, notes,
        the planned maintenance and the ten worst single failures, and a line per number of
        simultaneous failures. ``str(analysis)`` and ``print(analysis)`` give it too."""
        return self._report

    def __str__(self) -> str:
        return self._report.rstrip("\n")

    def _repr_html_(self) -> str:
        from ._html import analysis_html

        return analysis_html(self)


def _minutes(m: float) -> str:
    if m >= 60:
        return f"{m / 60:.3g} h"
    if m >= 1:
        return f"{m:.3g} min"
    return f"{m * 60:.3g} s"


for _cls in (Analysis, SiteAnalysis, Scenario, Availability, Capacity, Component, Shortfall):
    _cls.__module__ = "vpnha"
del _cls
