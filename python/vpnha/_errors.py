"""The exceptions vpnha raises.

Every error is a :class:`VpnhaError`, and also the built-in exception a Python user would
expect (``ValueError`` for bad input, ``LookupError`` for an unknown site,
``FileNotFoundError`` for a missing file), so both ``except vpnha.TopologyError`` and
``except ValueError`` work. Bad input never raises ``pyo3_runtime.PanicException``.

The exceptions pickle with their attributes, so an error raised in a ``multiprocessing``
or Dask worker arrives whole in the parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._results import ValidationResult
    from ._vpnha import Diagnostic

__all__ = [
    "AnalysisError",
    "EcmpError",
    "SiteError",
    "TopologyError",
    "TopologyFileNotFoundError",
    "TopologyIsADirectoryError",
    "TopologyPermissionError",
    "ValidationError",
    "VpnhaError",
]


class VpnhaError(Exception):
    """The base class of every exception vpnha raises."""


class TopologyError(VpnhaError, ValueError):
    """The input is not a readable topology.

    Raised by ``Topology.load``, ``from_yaml``, ``from_json``, ``from_toml`` and
    ``from_dict`` for a missing or unreadable file, a file over 16 MiB, an unknown
    extension, text that is not UTF-8, a syntax error, unknown fields, missing fields or
    values of the wrong type. Every problem is listed, not only the first.

    ``str(error)`` is one line: ``file:line:column: path: reason (and N more problems)``.
    """

    #: Every problem found, in document order; each with rule, message, path, line, column.
    problems: tuple[Diagnostic, ...] = ()
    #: The name of the input: the path as given, ``<input>`` for text, ``<dict>``.
    source: str | None = None
    #: The rule of the first problem (``syntax-error``, ``unknown-field``, ...).
    rule: str | None = None
    #: The field path of the first problem (``local_gateways[1].bgp.asn``; ``""`` for the
    #: document).
    path: str | None = None
    #: The 1-based line of the first problem, when known.
    line: int | None = None
    #: The 1-based column of the first problem, when known.
    column: int | None = None


class TopologyFileNotFoundError(TopologyError, FileNotFoundError):
    """The topology file does not exist (a :class:`TopologyError` and a ``FileNotFoundError``)."""


class TopologyIsADirectoryError(TopologyError, IsADirectoryError):
    """The path is a directory (a :class:`TopologyError` and an ``IsADirectoryError``)."""


class TopologyPermissionError(TopologyError, PermissionError):
    """The file cannot be read (a :class:`TopologyError` and a ``PermissionError``)."""


class ValidationError(VpnhaError, ValueError):
    """A topology with error findings where a valid one is needed.

    Raised by ``Topology.check()`` and ``ValidationResult.raise_for_errors()``.
    """

    #: Every finding of the validation (errors, warnings and information).
    result: ValidationResult | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        """The findings of severity ``error``."""
        return [] if self.result is None else self.result.errors


class SiteError(VpnhaError, LookupError):
    """No site could be chosen: an unknown name, several sites and none named, no sites at
    all, or a site without tunnels."""

    #: The site name asked for, if any.
    site: str | None = None
    #: The closest site name when the one asked for looks like a typo.
    suggestion: str | None = None
    #: Every site of the topology.
    sites: tuple[str, ...] = ()


class EcmpError(VpnhaError, ValueError):
    """An ECMP group or flow input that cannot work: an unknown algorithm, a tunnel index
    out of range, weights of the wrong count or all zero, unknown hash fields, symmetric
    mode with the flow label, an invalid address or port, mixed address families, or
    numpy arrays of different lengths or unusable dtypes."""


class AnalysisError(VpnhaError, ValueError):
    """Analysis options or a topology the analysis cannot take: an availability outside
    (0, 1] or naming no component, ``max_failures`` of 0 or above the component count, a
    capacity share outside (0, 1], a flow sample of 0 or too many, more scenarios than
    ``max_scenarios``, a topology with no sites, or weights the site's ECMP group rejects.
    An unknown site is a :class:`SiteError`."""


# Shown (and pickled) under the package's name: `vpnha.TopologyError`.
for _cls in (
    VpnhaError,
    TopologyError,
    TopologyFileNotFoundError,
    TopologyIsADirectoryError,
    TopologyPermissionError,
    ValidationError,
    SiteError,
    EcmpError,
    AnalysisError,
):
    _cls.__module__ = "vpnha"
del _cls
