//! The one place where core errors become Python exceptions.
//!
//! The exception classes are plain Python (`python/vpnha/_errors.py`), so they carry typed
//! attributes and pickle like any exception; this file instantiates them. Every failure a
//! user can cause is an exception from here, never a panic: a panic would surface as
//! `pyo3_runtime.PanicException`, which `except Exception` does not catch.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use vpnha::analysis::AnalysisError;
use vpnha::ecmp::EcmpError;
use vpnha::{LoadError, Rule, SiteError};

use crate::topology::PyDiagnostic;

/// One exception class of `vpnha._errors`, imported once.
struct Class {
    cell: PyOnceLock<Py<PyType>>,
    name: &'static str,
}

impl Class {
    const fn new(name: &'static str) -> Self {
        Class {
            cell: PyOnceLock::new(),
            name,
        }
    }

    /// An instance with `message` as its only argument and `attrs` set on it.
    fn err<'py>(
        &self,
        py: Python<'py>,
        message: &str,
        attrs: &[(&str, Bound<'py, PyAny>)],
    ) -> PyErr {
        let build = || -> PyResult<PyErr> {
            let class = self.cell.import(py, "vpnha._errors", self.name)?;
            let instance = class.call1((message,))?;
            for (name, value) in attrs {
                instance.setattr(*name, value)?;
            }
            Ok(PyErr::from_value(instance))
        };
        build().unwrap_or_else(|e| e)
    }
}

static TOPOLOGY_ERROR: Class = Class::new("TopologyError");
static FILE_NOT_FOUND: Class = Class::new("TopologyFileNotFoundError");
static IS_A_DIRECTORY: Class = Class::new("TopologyIsADirectoryError");
static PERMISSION: Class = Class::new("TopologyPermissionError");
static SITE_ERROR: Class = Class::new("SiteError");
static ECMP_ERROR: Class = Class::new("EcmpError");
static VPNHA_ERROR: Class = Class::new("VpnhaError");
static ANALYSIS_ERROR: Class = Class::new("AnalysisError");

/// Whether a topology's problems may carry line and column: not for a dict, whose text is
/// an internal serialisation the user never saw.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Positions {
    Keep,
    Drop,
}

/// `vpnha.TopologyError` (or its file-system subclasses) for a topology that could not be
/// read. The message is one line: `source:line:column: path: reason (and N more problems)`.
pub(crate) fn load_error(py: Python<'_>, error: &LoadError, positions: Positions) -> PyErr {
    let diagnostics = error.diagnostics();
    let source = match error {
        LoadError::Invalid(inv) => Some(inv.file().name().to_owned()),
        LoadError::Io { path, .. }
        | LoadError::NotAFile { path }
        | LoadError::UnknownFormat { path } => Some(path.display().to_string()),
        LoadError::TooLarge { name, .. } => Some(name.clone()),
        _ => None,
    };
    let class = match error {
        LoadError::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => &FILE_NOT_FOUND,
            std::io::ErrorKind::PermissionDenied => &PERMISSION,
            _ => &TOPOLOGY_ERROR,
        },
        LoadError::NotAFile { .. } => &IS_A_DIRECTORY,
        _ => &TOPOLOGY_ERROR,
    };
    let message = if positions == Positions::Keep {
        error.to_string()
    } else {
        one_line(source.as_deref(), &diagnostics)
    };
    let problems: Vec<PyDiagnostic> = diagnostics
        .iter()
        .map(|d| {
            let mut d = PyDiagnostic::from(d);
            if positions == Positions::Drop {
                d.line = None;
                d.column = None;
            }
            d
        })
        .collect();
    topology_error_with(py, class, &message, source.as_deref(), problems)
}

/// The message of a load error without positions.
fn one_line(source: Option<&str>, diagnostics: &[vpnha::Diagnostic]) -> String {
    let mut m = String::new();
    if let Some(s) = source {
        m.push_str(s);
        m.push_str(": ");
    }
    let Some(first) = diagnostics.first() else {
        m.push_str("invalid topology");
        return m;
    };
    if !first.path.is_root() && first.rule != Rule::SyntaxError {
        m.push_str(&format!("{}: ", first.path));
    }
    m.push_str(&first.message);
    match diagnostics.len() {
        1 => {}
        2 => m.push_str(" (and 1 more problem)"),
        n => m.push_str(&format!(" (and {} more problems)", n - 1)),
    }
    m
}

/// A `TopologyError` raised before the core saw the input (a dict that is not JSON-like).
pub(crate) fn topology_error(py: Python<'_>, source: &str, rule: Rule, message: &str) -> PyErr {
    let d = PyDiagnostic {
        rule: rule.name().to_owned(),
        severity: rule.severity().name().to_owned(),
        message: message.to_owned(),
        path: String::new(),
        line: None,
        column: None,
        file: None,
        pointer: None,
    };
    let build = || -> PyResult<PyErr> {
        let attrs = [
            ("problems", PyTuple::new(py, [d])?.into_any()),
            ("source", source.into_pyobject(py)?.into_any()),
            ("rule", rule.name().into_pyobject(py)?.into_any()),
            ("path", "".into_pyobject(py)?.into_any()),
        ];
        Ok(TOPOLOGY_ERROR.err(py, &format!("{source}: {message}"), &attrs))
    };
    build().unwrap_or_else(|e| e)
}

/// `vpnha.SiteError` (a `LookupError`) for a site that could not be chosen.
pub(crate) fn site_error(py: Python<'_>, error: &SiteError, asked: Option<&str>) -> PyErr {
    if let SiteError::Ecmp(e) = error {
        return ecmp_error(py, e);
    }
    let (sites, suggestion): (&[String], Option<&str>) = match error {
        SiteError::SiteRequired { sites } => (sites, None),
        SiteError::UnknownSite {
            sites, suggestion, ..
        } => (sites, suggestion.as_deref()),
        _ => (&[], None),
    };
    let build = || -> PyResult<PyErr> {
        let attrs = [
            ("site", asked.into_pyobject(py)?.into_any()),
            ("suggestion", suggestion.into_pyobject(py)?.into_any()),
            ("sites", PyTuple::new(py, sites)?.into_any()),
        ];
        Ok(SITE_ERROR.err(py, &error.to_string(), &attrs))
    };
    build().unwrap_or_else(|e| e)
}

/// `vpnha.EcmpError` (a `ValueError`) for a flow-selection input that cannot work.
pub(crate) fn ecmp_error(py: Python<'_>, error: &EcmpError) -> PyErr {
    ECMP_ERROR.err(py, &error.to_string(), &[])
}

/// `vpnha.EcmpError` with a message of the binding's own (an address, a dtype, a length).
pub(crate) fn ecmp_message(py: Python<'_>, message: &str) -> PyErr {
    ECMP_ERROR.err(py, message, &[])
}

/// `vpnha.VpnhaError` for a failure that is no one input's fault (a topology that cannot be
/// written in a format).
pub(crate) fn vpnha_error(py: Python<'_>, message: &str) -> PyErr {
    VPNHA_ERROR.err(py, message, &[])
}

/// `vpnha.TopologyError` for an Azure import that gave no topology; `problems` are its
/// findings, each with the file, JSON pointer, line and column it is about.
pub(crate) fn import_error(py: Python<'_>, source: &str, problems: Vec<PyDiagnostic>) -> PyErr {
    let mut message = format!("{source}: no topology could be imported");
    if let Some(f) = problems.first() {
        message = f.text();
        if problems.len() > 1 {
            message.push_str(&format!(" (and {} more findings)", problems.len() - 1));
        }
    }
    topology_error_with(py, &TOPOLOGY_ERROR, &message, Some(source), problems)
}

/// A `TopologyError` (of `class`) carrying every problem, and the rule, path, line and
/// column of the first as attributes.
fn topology_error_with(
    py: Python<'_>,
    class: &Class,
    message: &str,
    source: Option<&str>,
    problems: Vec<PyDiagnostic>,
) -> PyErr {
    let first = problems.first().cloned();
    let build = || -> PyResult<PyErr> {
        let attrs = [
            ("problems", PyTuple::new(py, problems)?.into_any()),
            ("source", source.into_pyobject(py)?.into_any()),
            (
                "rule",
                first
                    .as_ref()
                    .map(|d| d.rule.clone())
                    .into_pyobject(py)?
                    .into_any(),
            ),
            (
                "path",
                first
                    .as_ref()
                    .map(|d| d.path.clone())
                    .into_pyobject(py)?
                    .into_any(),
            ),
            (
                "line",
                first.as_ref().and_then(|d| d.line).into_pyobject(py)?,
            ),
            (
                "column",
                first.as_ref().and_then(|d| d.column).into_pyobject(py)?,
            ),
        ];
        Ok(class.err(py, message, &attrs))
    };
    build().unwrap_or_else(|e| e)
}

/// `vpnha.AnalysisError` (a `ValueError`) for analysis options or a topology the analysis
/// cannot take; an unknown site is a `vpnha.SiteError`, as everywhere else.
pub(crate) fn analysis_error(py: Python<'_>, error: &AnalysisError) -> PyErr {
    if let AnalysisError::UnknownSite {
        name,
        suggestion,
        known,
    } = error
    {
        let build = || -> PyResult<PyErr> {
            let attrs = [
                ("site", name.into_pyobject(py)?.into_any()),
                ("suggestion", suggestion.into_pyobject(py)?.into_any()),
                ("sites", PyTuple::new(py, known)?.into_any()),
            ];
            Ok(SITE_ERROR.err(py, &error.to_string(), &attrs))
        };
        return build().unwrap_or_else(|e| e);
    }
    ANALYSIS_ERROR.err(py, &error.to_string(), &[])
}

/// `vpnha.AnalysisError` with a message of the binding's own (an option of the wrong type).
pub(crate) fn analysis_message(py: Python<'_>, message: &str) -> PyErr {
    ANALYSIS_ERROR.err(py, message, &[])
}
