"""The result of validation: a list of findings that renders as a table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from ._errors import ValidationError

if TYPE_CHECKING:
    import pandas

    from ._vpnha import Diagnostic

__all__ = ["ValidationResult"]

Status = Literal["ok", "warnings", "errors"]


class ValidationResult(list["Diagnostic"]):
    """Every finding of :meth:`Topology.validate`: a ``list`` of :class:`Diagnostic`,
    errors first, then warnings, then information, each group in document order.

    In a notebook it renders as a table; ``print()`` gives one line per finding, as
    ``vpnha check`` does. ``bool(result)`` is true when there is any finding at all;
    :attr:`ok` says whether there is no error.
    """

    #: The name of the input the topology came from (a path, ``<input>``, ``<dict>``).
    source: str | None

    def __init__(self, diagnostics: Iterable[Diagnostic] = (), *, source: str | None = None) -> None:
        super().__init__(diagnostics)
        self.source = source

    @property
    def errors(self) -> list[Diagnostic]:
        """The findings of severity ``error``: Azure rejects it, or it cannot work."""
        return [d for d in self if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The findings of severity ``warning``: it works, but is weaker than it looks."""
        return [d for d in self if d.severity == "warning"]

    @property
    def infos(self) -> list[Diagnostic]:
        """The findings of severity ``info``: site patterns, checks that could not run."""
        return [d for d in self if d.severity == "info"]

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings allowed), as ``vpnha check`` exit 0."""
        return not any(d.severity == "error" for d in self)

    @property
    def status(self) -> Status:
        """``"errors"``, ``"warnings"`` or ``"ok"``, as ``vpnha check --format json``."""
        severities = {d.severity for d in self}
        if "error" in severities:
            return "errors"
        return "warnings" if "warning" in severities else "ok"

    def counts(self) -> dict[str, int]:
        """The number of findings per severity: ``{"error": 2, "warning": 1, "info": 3}``."""
        c = Counter(d.severity for d in self)
        return {s: c[s] for s in ("error", "warning", "info")}

    def by_rule(self, rule: str) -> list[Diagnostic]:
        """The findings of one rule (``"reserved-asn"``)."""
        return [d for d in self if d.rule == rule]

    def raise_for_errors(self) -> ValidationResult:
        """Raise :class:`ValidationError` when a finding is an error; else return ``self``."""
        errors = self.errors
        if not errors:
            return self
        first = errors[0]
        where = f" ({self.source}:{first.line}:{first.column})" if first.line is not None else ""
        more = len(errors) - 1
        tail = f" (and {more} more error{'s' if more != 1 else ''})" if more else ""
        path = f"{first.path}: " if first.path else ""
        error = ValidationError(f"{first.rule}{where}: {path}{first.message}{tail}")
        error.result = self
        raise error

    def to_dict(self) -> dict[str, Any]:
        """``{"file", "status", "errors", "warnings", "diagnostics"}`` as in
        ``vpnha check --format json`` (without ``sites``)."""
        counts = self.counts()
        return {
            "file": self.source,
            "status": self.status,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "diagnostics": [d.to_dict() for d in self],
        }

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with columns rule, severity, message, path, line, column (and file,
        pointer for an Azure import); needs pandas."""
        from ._html import require_pandas

        pd = require_pandas("ValidationResult.to_pandas()")
        columns = ["rule", "severity", "message", "path", "line", "column"]
        if any(d.file is not None for d in self):
            columns += ["file", "pointer"]
        frame = pd.DataFrame([d.to_dict() for d in self], columns=columns)
        for c in ("line", "column"):
            frame[c] = frame[c].astype("Int64")
        return frame

    def summary(self) -> str:
        """``3 errors, 1 warning, 2 info``."""
        c = self.counts()
        parts = [
            f"{c['error']} error{'s' if c['error'] != 1 else ''}",
            f"{c['warning']} warning{'s' if c['warning'] != 1 else ''}",
            f"{c['info']} info",
        ]
        return ", ".join(parts)

    def __repr__(self) -> str:
        source = f" {self.source}" if self.source else ""
        return f"<ValidationResult{source}: {self.summary()}>"

    def __str__(self) -> str:
        lines = [str(d) for d in self]
        head = f"{self.source}: " if self.source else ""
        lines.append(f"{head}{self.summary()}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ._html import validation_html

        return validation_html(self)


ValidationResult.__module__ = "vpnha"
