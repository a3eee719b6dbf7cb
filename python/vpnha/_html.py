"""Notebook rendering (``_repr_html_``) and the optional pandas bridge.

Every report renders through :func:`table` and :func:`frame`, so reports added later
(the failure and availability analysis) look like the ones here. Text is always escaped;
long tables show their first :data:`MAX_ROWS` rows and say how many were left out.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

    from ._analysis import Analysis, SiteAnalysis
    from ._results import ValidationResult
    from ._vpnha import EcmpGroup, Topology

__all__ = [
    "analysis_html",
    "frame",
    "group_html",
    "require_pandas",
    "table",
    "topology_html",
    "validation_html",
]

#: Rows shown per table before the rest are summarised.
MAX_ROWS = 60

_STYLE = (
    "<style>"
    ".vpnha table{border-collapse:collapse;margin:4px 0 8px 0;font-size:90%}"
    ".vpnha th,.vpnha td{padding:2px 8px;text-align:left;vertical-align:top}"
    ".vpnha th{border-bottom:1px solid currentColor}"
    ".vpnha .sev{font-weight:bold;border-radius:3px;padding:0 4px}"
    ".vpnha .error{color:#fff;background:#c62828}"
    ".vpnha .warning{color:#000;background:#f9a825}"
    ".vpnha .info{color:#fff;background:#546e7a}"
    ".vpnha .down{opacity:.55}"
    ".vpnha .met{color:#fff;background:#2e7d32}"
    ".vpnha .short{color:#000;background:#f9a825}"
    ".vpnha .cut{color:#fff;background:#c62828}"
    ".vpnha .muted{opacity:.7}"
    "</style>"
)


def esc(value: object) -> str:
    """HTML-escaped ``str(value)``; ``None`` shows as an empty cell."""
    return "" if value is None else html.escape(str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, row_class: Sequence[str] | None = None) -> str:
    """A table of already escaped cells, cut at :data:`MAX_ROWS` rows."""
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    shown = 0
    left = 0
    for i, row in enumerate(rows):
        if shown >= MAX_ROWS:
            left += 1
            continue
        cls = f' class="{row_class[i]}"' if row_class is not None and row_class[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
        shown += 1
    out.append("</tbody></table>")
    if left:
        out.append(f'<div class="muted">… and {left} more rows (use to_pandas() for all)</div>')
    return "".join(out)


def frame(title: str, subtitle: str, *sections: str) -> str:
    """One report: a bold title, a muted subtitle, then the sections."""
    sub = f' <span class="muted">{esc(subtitle)}</span>' if subtitle else ""
    return f'{_STYLE}<div class="vpnha"><div><strong>{esc(title)}</strong>{sub}</div>{"".join(sections)}</div>'


def severity(s: str) -> str:
    return f'<span class="sev {esc(s)}">{esc(s)}</span>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def topology_html(t: Topology) -> str:
    """The gateway, each site with its pattern, devices and tunnels, and every tunnel."""
    doc: dict[str, Any] = t.to_dict()
    gw: dict[str, Any] = doc.get("gateway", {})
    instances = gw.get("instances", [])
    zones = sorted({str(i["zone"]) for i in instances if "zone" in i})
    mode = "active-active" if gw.get("active_active") else "active-standby"
    facts = [
        str(gw.get("sku", "?")),
        *([str(gw["generation"])] if "generation" in gw else []),
        mode,
        f"ASN {gw.get('asn', 65515)}",
        _plural(len(instances), "instance"),
        *([f"zones {', '.join(zones)}"] if zones else []),
    ]
    gateway = f"<div>Gateway {esc(gw.get('name', ''))}: {esc(', '.join(facts))}</div>"
    sites = t.sites
    site_rows = [
        [
            esc(s.name),
            esc(s.pattern or "no tunnels"),
            esc(", ".join(s.devices)),
            esc(", ".join(x.id for x in s.tunnels)),
        ]
        for s in sites
    ]
    tunnels = t.tunnels
    tunnel_rows = [
        [esc(x.id), esc(x.connection), esc(x.local_gateway), esc(x.site), esc(x.instance)] for x in tunnels
    ]
    title = f"Topology {t.name}" if t.name else "Topology"
    return frame(
        title,
        t.source,
        gateway,
        f"<div>{_plural(len(sites), 'site')}</div>",
        table(["site", "pattern", "devices", "tunnels"], site_rows),
        f"<details><summary>{_plural(len(tunnels), 'tunnel')}</summary>",
        table(["tunnel", "connection", "device", "site", "instance"], tunnel_rows),
        "</details>",
    )


def validation_html(result: ValidationResult) -> str:
    """A summary line and one row per finding."""
    c = result.counts()
    summary = " ".join(
        [
            severity("error") + f" {c['error']}",
            severity("warning") + f" {c['warning']}",
            severity("info") + f" {c['info']}",
        ]
    )
    rows = [
        [
            severity(d.severity),
            f"<code>{esc(d.rule)}</code>",
            f"<code>{esc(d.path)}</code>",
            esc(f"{d.line}:{d.column}" if d.line is not None else ""),
            esc(d.message),
        ]
        for d in result
    ]
    body = table(["severity", "rule", "path", "line", "message"], rows) if rows else "<div>no findings</div>"
    return frame("Validation", result.source or "", f"<div>{summary}</div>", body)


def group_html(g: EcmpGroup) -> str:
    """The group's settings and one row per tunnel with its state and weight."""
    fields = g.fields
    settings = (
        f"{g.algorithm}, seed {g.seed:#x}, fields {fields.name or hex(fields.value)}"
        f"{', symmetric' if g.symmetric else ''}; {g.live_count} of {g.tunnel_count} tunnels up"
    )
    rows = [
        [esc(i), esc(t), "up" if up else "<strong>down</strong>", esc(w)]
        for i, (t, up, w) in enumerate(zip(g.tunnels, g.up, g.weights))
    ]
    classes = ["" if up else "down" for up in g.up]
    title = f"ECMP group of site {g.site}" if g.site else "ECMP group"
    return frame(title, "", f"<div>{esc(settings)}</div>", table(["index", "tunnel", "state", "weight"], rows, row_class=classes))


#: How many scenarios each site shows, worst first.
WORST_SCENARIOS = 10

_VERDICT_CLASS = {"redundancy-met": "met", "redundancy-not-met": "short"}


def _verdict(v: str) -> str:
    return f'<span class="sev {_VERDICT_CLASS.get(v, "cut")}">{esc(v)}</span>'


def _site_section(s: SiteAnalysis) -> str:
    a = s.availability
    nines = "∞" if a.nines == float("inf") else f"{a.nines:.2f}"
    head = (
        f"<div><strong>{esc(s.name)}</strong> {esc(s.pattern or 'no tunnels')}: {_verdict(s.verdict)}"
        f" availability {esc(f'{a.probability:.9f}')} ({esc(nines)} nines,"
        f" {esc(f'{a.downtime_minutes_per_month:.3g}')} min down per month)</div>"
    )
    reasons = "".join(f"<li><code>{esc(r.reason)}</code> {esc(r.message)}</li>" for r in s.reasons)
    parts = [head]
    if reasons:
        parts.append(f"<ul>{reasons}</ul>")
    spof = ", ".join(s.single_points_of_failure) or "none"
    parts.append(f"<div>single points of failure: {esc(spof)}</div>")
    if s.capacity:
        cap = "; ".join(
            f"≥ {c.min_tunnels} of {c.tunnels} tunnels: {c.availability.probability:.9f}" for c in s.capacity
        )
        parts.append(f"<div>capacity: {esc(cap)}</div>")
    worst = s.worst_scenarios(WORST_SCENARIOS)
    rows = [
        [
            esc(" + ".join(x.failed) + (" (planned)" if x.planned else "")),
            "<strong>outage</strong>" if x.interruption is None else esc(f"{x.interruption[0]}–{x.interruption[1]} s"),
            esc(f"{len(x.surviving_tunnels)}"),
            esc(f"{x.moved_share:.1%}"),
            esc(x.assumption),
        ]
        for x in worst
    ]
    if rows:
        parts.append(
            f"<div class=\"muted\">worst {len(rows)} of {_plural(len(s.scenarios), 'scenario')}</div>"
            + table(["failed", "interruption", "tunnels left", "flows moved", "assumption"], rows)
        )
    return "".join(parts)


def analysis_html(a: Analysis | SiteAnalysis) -> str:
    """Per site: the verdict and its reasons, availability in nines and minutes per month,
    single points of failure, capacity, and the worst scenarios."""
    from ._analysis import SiteAnalysis

    if isinstance(a, SiteAnalysis):
        return frame(f"Analysis of site {a.name}", f"k = {a.max_failures}", _site_section(a))
    subtitle = f"{a.source or ''} k = {a.max_failures}, {a.algorithm} ECMP".strip()
    return frame("Failure and availability analysis", subtitle, *(_site_section(s) for s in a.sites))


def require_pandas(what: str) -> ModuleType:
    """The pandas module, or an ImportError that says how to get it."""
    try:
        return importlib.import_module("pandas")
    except ImportError as e:
        raise ImportError(f"{what} needs pandas: pip install 'vpnha[pandas]' (or pip install pandas)") from e
