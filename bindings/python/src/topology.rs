//! `Topology`, `Diagnostic`, `Tunnel` and `Site`: immutable wrappers of the core model.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple};
use vpnha::import::{Finding, Import, SourceRef, azure};
use vpnha::{Format, LoadError, MAX_INPUT_BYTES, Rule, SharedKey, Topology};

use crate::analysis;
use crate::ecmp::{GroupOptions, PyEcmpGroup};
use crate::errors::{self, Positions};

/// A pure-Python helper of the package, imported once.
pub(crate) fn helper<'py>(
    cell: &'static PyOnceLock<Py<PyAny>>,
    py: Python<'py>,
    module: &str,
    name: &str,
) -> PyResult<&'static Py<PyAny>> {
    cell.get_or_try_init(py, || Ok(py.import(module)?.getattr(name)?.unbind()))
}

/// `repr()` of a Python string: quoted as Python quotes it.
pub(crate) fn quote(py: Python<'_>, s: &str) -> String {
    PyString::new(py, s)
        .repr()
        .map_or_else(|_| format!("{s:?}"), |r| r.to_string_lossy().into_owned())
}

/// `repr()` of a list of strings.
fn quote_all(py: Python<'_>, items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quote(py, s)).collect();
    format!("[{}]", inner.join(", "))
}

/// One finding of validation, or one problem of an unreadable input or an Azure import.
#[pyclass(frozen, eq, hash, module = "vpnha", name = "Diagnostic")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyDiagnostic {
    #[pyo3(get)]
    pub(crate) rule: String,
    #[pyo3(get)]
    pub(crate) severity: String,
    #[pyo3(get)]
    pub(crate) message: String,
    #[pyo3(get)]
    pub(crate) path: String,
    #[pyo3(get)]
    pub(crate) line: Option<u32>,
    #[pyo3(get)]
    pub(crate) column: Option<u32>,
    /// The document `line` and `column` are in, for a topology imported from Azure.
    #[pyo3(get)]
    pub(crate) file: Option<String>,
    /// The JSON pointer of the field in that document.
    #[pyo3(get)]
    pub(crate) pointer: Option<String>,
}

impl From<&vpnha::Diagnostic> for PyDiagnostic {
    fn from(d: &vpnha::Diagnostic) -> Self {
        PyDiagnostic {
            rule: d.rule.name().to_owned(),
            severity: d.severity.name().to_owned(),
            message: d.message.clone(),
            path: d.path.to_string(),
            line: d.line(),
            column: d.column(),
            file: None,
            pointer: None,
        }
    }
}

impl PyDiagnostic {
    /// `file:line:column: severity[rule] path: message`, as the CLI prints it.
    pub(crate) fn text(&self) -> String {
        let mut s = String::new();
        if let Some(f) = &self.file {
            s.push_str(f);
            s.push(':');
            if self.line.is_none() {
                s.push(' ');
            }
        }
        if let (Some(l), Some(c)) = (self.line, self.column) {
            s.push_str(&format!("{l}:{c}: "));
        }
        s.push_str(&format!("{}[{}]", self.severity, self.rule));
        if !self.path.is_empty() {
            s.push(' ');
            s.push_str(&self.path);
        } else if let Some(p) = self.pointer.as_deref().filter(|p| !p.is_empty()) {
            s.push(' ');
            s.push_str(p);
        }
        s.push_str(": ");
        s.push_str(&self.message);
        s
    }
}

impl From<&Finding> for PyDiagnostic {
    fn from(f: &Finding) -> Self {
        PyDiagnostic {
            rule: f.code.name().to_owned(),
            severity: f.severity.name().to_owned(),
            message: f.message.clone(),
            path: f.path.to_string(),
            line: f.source.as_ref().and_then(SourceRef::line),
            column: f.source.as_ref().and_then(SourceRef::column),
            file: f.file().map(str::to_owned),
            pointer: Some(f.pointer().to_owned()),
        }
    }
}

#[pymethods]
impl PyDiagnostic {
    #[new]
    #[pyo3(signature = (rule, severity, message, path = String::new(), line = None, column = None, file = None, pointer = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        rule: String,
        severity: String,
        message: String,
        path: String,
        line: Option<u32>,
        column: Option<u32>,
        file: Option<String>,
        pointer: Option<String>,
    ) -> PyResult<Self> {
        if !matches!(severity.as_str(), "error" | "warning" | "info") {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "severity must be 'error', 'warning' or 'info', not {severity:?}"
            )));
        }
        Ok(PyDiagnostic {
            rule,
            severity,
            message,
            path,
            line,
            column,
            file,
            pointer,
        })
    }

    /// `{"rule", "severity", "message", "path", "line", "column"}`, as `vpnha check
    /// --format json`; with `"file"` and `"pointer"` for an Azure import, as `vpnha check
    /// --from azure` writes them.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("rule", &self.rule)?;
        d.set_item("severity", &self.severity)?;
        d.set_item("message", &self.message)?;
        d.set_item("path", &self.path)?;
        if self.file.is_some() || self.pointer.is_some() {
            d.set_item("file", &self.file)?;
            d.set_item("pointer", self.pointer.as_deref().unwrap_or(""))?;
        }
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        Ok(d)
    }

    fn __str__(&self) -> String {
        self.text()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let opt = |v: Option<u32>| v.map_or_else(|| "None".to_owned(), |v| v.to_string());
        let mut s = format!(
            "Diagnostic(rule={}, severity={}, message={}, path={}, line={}, column={}",
            quote(py, &self.rule),
            quote(py, &self.severity),
            quote(py, &self.message),
            quote(py, &self.path),
            opt(self.line),
            opt(self.column)
        );
        if let Some(f) = &self.file {
            s.push_str(&format!(", file={}", quote(py, f)));
        }
        if let Some(p) = &self.pointer {
            s.push_str(&format!(", pointer={}", quote(py, p)));
        }
        s.push(')');
        s
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let d = slf.get();
        let args = (
            d.rule.clone(),
            d.severity.clone(),
            d.message.clone(),
            d.path.clone(),
            d.line,
            d.column,
            d.file.clone(),
            d.pointer.clone(),
        );
        (slf.get_type(), args).into_pyobject(slf.py())
    }
}

/// One IPsec tunnel: one per connection and gateway instance, in the stable order.
#[pyclass(frozen, eq, hash, module = "vpnha", name = "Tunnel")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyTunnel {
    #[pyo3(get)]
    id: String,
    #[pyo3(get)]
    connection: String,
    #[pyo3(get)]
    local_gateway: String,
    #[pyo3(get)]
    site: String,
    #[pyo3(get)]
    instance: usize,
}

impl From<&vpnha::Tunnel> for PyTunnel {
    fn from(t: &vpnha::Tunnel) -> Self {
        PyTunnel {
            id: t.id.clone(),
            connection: t.connection.clone(),
            local_gateway: t.local_gateway.clone(),
            site: t.site.clone(),
            instance: t.instance,
        }
    }
}

#[pymethods]
impl PyTunnel {
    #[new]
    fn new(
        id: String,
        connection: String,
        local_gateway: String,
        site: String,
        instance: usize,
    ) -> Self {
        PyTunnel {
            id,
            connection,
            local_gateway,
            site,
            instance,
        }
    }

    /// `{"id", "connection", "local_gateway", "site", "instance"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &self.id)?;
        d.set_item("connection", &self.connection)?;
        d.set_item("local_gateway", &self.local_gateway)?;
        d.set_item("site", &self.site)?;
        d.set_item("instance", self.instance)?;
        Ok(d)
    }

    fn __str__(&self) -> String {
        self.id.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Tunnel({}, connection={}, local_gateway={}, site={}, instance={})",
            quote(py, &self.id),
            quote(py, &self.connection),
            quote(py, &self.local_gateway),
            quote(py, &self.site),
            self.instance
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let t = slf.get();
        let args = (
            t.id.clone(),
            t.connection.clone(),
            t.local_gateway.clone(),
            t.site.clone(),
            t.instance,
        );
        (slf.get_type(), args).into_pyobject(slf.py())
    }
}

/// An on-premises network: its devices, its tunnels and its HA pattern.
#[pyclass(frozen, eq, hash, module = "vpnha", name = "Site")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PySite {
    #[pyo3(get)]
    name: String,
    #[pyo3(get)]
    pattern: Option<String>,
    devices: Vec<String>,
    tunnels: Vec<PyTunnel>,
}

impl From<&vpnha::Site> for PySite {
    fn from(s: &vpnha::Site) -> Self {
        PySite {
            name: s.name.clone(),
            pattern: s.pattern.map(|p| p.name().to_owned()),
            devices: s.devices.clone(),
            tunnels: s.tunnels.iter().map(PyTunnel::from).collect(),
        }
    }
}

#[pymethods]
impl PySite {
    #[new]
    #[pyo3(signature = (name, pattern, devices, tunnels))]
    fn new(
        name: String,
        pattern: Option<String>,
        devices: Vec<String>,
        tunnels: Vec<Bound<'_, PyTunnel>>,
    ) -> Self {
        PySite {
            name,
            pattern,
            devices,
            tunnels: tunnels.iter().map(|t| t.get().clone()).collect(),
        }
    }

    /// Its devices (local gateways), in file order.
    #[getter]
    fn devices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.devices)
    }

    /// Its tunnels in the stable order; ECMP tunnel `i` of the site is `tunnels[i]`.
    #[getter]
    fn tunnels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.tunnels.iter().cloned())
    }

    /// `{"name", "pattern", "devices", "tunnels"}` with tunnel ids, as `vpnha check --format json`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("name", &self.name)?;
        d.set_item("pattern", &self.pattern)?;
        d.set_item("devices", PyList::new(py, &self.devices)?)?;
        d.set_item(
            "tunnels",
            PyList::new(py, self.tunnels.iter().map(|t| t.id.as_str()))?,
        )?;
        Ok(d)
    }

    /// The number of distinct gateway instances its tunnels reach.
    #[getter]
    fn instance_count(&self) -> usize {
        let mut seen: Vec<usize> = self.tunnels.iter().map(|t| t.instance).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let ids: Vec<String> = self.tunnels.iter().map(|t| t.id.clone()).collect();
        format!(
            "Site({}, pattern={}, devices={}, tunnels={})",
            quote(py, &self.name),
            self.pattern
                .as_deref()
                .map_or_else(|| "None".to_owned(), |p| quote(py, p)),
            quote_all(py, &self.devices),
            quote_all(py, &ids)
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let s = slf.get();
        let py = slf.py();
        let args = (
            s.name.clone(),
            s.pattern.clone(),
            s.devices.clone(),
            PyList::new(py, s.tunnels.iter().cloned())?,
        );
        (slf.get_type(), args).into_pyobject(py)
    }
}

/// What a topology is pickled as.
enum Origin {
    /// The text the user gave, when it holds no inline shared key: an unpickled topology
    /// is parsed from it again and reports the same lines and columns.
    Text {
        text: String,
        format: Format,
        name: String,
    },
    /// The canonical JSON document: for a dict, and for text with an inline shared key
    /// (never written out, so it does not travel). Unpickled findings carry no positions.
    Document { name: String },
}

/// A whole topology: one Azure VPN gateway, the on-premises devices and the connections.
#[pyclass(frozen, module = "vpnha", name = "Topology")]
pub(crate) struct PyTopology {
    inner: Topology,
    origin: Origin,
    /// Whether findings keep their line and column: for text, not for a dict (whose JSON
    /// serialisation the user never saw).
    positions: Positions,
    /// The import a topology came from (`from_azure`): its findings, and where in the Azure
    /// documents each field came from, for the positions of validation findings.
    azure: Option<Arc<Import>>,
    tunnels: PyOnceLock<Py<PyTuple>>,
    sites: PyOnceLock<Py<PyTuple>>,
}

impl PyTopology {
    fn new(inner: Topology, origin: Origin, positions: Positions) -> Self {
        let origin = match origin {
            Origin::Text { name, .. } if has_inline_key(&inner) => Origin::Document { name },
            other => other,
        };
        PyTopology {
            inner,
            origin,
            positions,
            azure: None,
            tunnels: PyOnceLock::new(),
            sites: PyOnceLock::new(),
        }
    }

    fn positions(&self) -> Positions {
        self.positions
    }

    fn name_of_source(&self) -> &str {
        match &self.origin {
            Origin::Text { name, .. } | Origin::Document { name } => name,
        }
    }

    /// Parses text with the GIL released, keeping the text for pickling.
    fn parse_text(
        py: Python<'_>,
        text: String,
        format: Format,
        name: &str,
        positions: Positions,
    ) -> PyResult<Self> {
        match py.detach(|| Topology::parse_named(&text, format, name)) {
            Ok(t) => {
                let origin = match positions {
                    Positions::Keep => Origin::Text {
                        text,
                        format,
                        name: name.to_owned(),
                    },
                    Positions::Drop => Origin::Document {
                        name: name.to_owned(),
                    },
                };
                Ok(Self::new(t, origin, positions))
            }
            Err(e) => Err(errors::load_error(py, &e, positions)),
        }
    }

    /// Parses `str` or `bytes` input in `format`.
    fn parse_input(
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        format: Format,
        name: &str,
    ) -> PyResult<Self> {
        if let Ok(s) = text.cast::<PyString>() {
            return match s.to_str() {
                Ok(s) => Self::parse_text(py, s.to_owned(), format, name, Positions::Keep),
                Err(_) => Err(errors::topology_error(
                    py,
                    name,
                    Rule::NotUtf8,
                    "the text holds characters that are not valid Unicode (lone surrogates); decode the input as UTF-8",
                )),
            };
        }
        if let Ok(b) = text.cast::<PyBytes>() {
            let bytes = b.as_bytes();
            return match std::str::from_utf8(bytes) {
                Ok(s) => Self::parse_text(py, s.to_owned(), format, name, Positions::Keep),
                // The core says where the first invalid byte is.
                Err(_) => match py.detach(|| Topology::from_slice(bytes, format, name)) {
                    Err(e) => Err(errors::load_error(py, &e, Positions::Keep)),
                    Ok(t) => Ok(Self::new(
                        t,
                        Origin::Document {
                            name: name.to_owned(),
                        },
                        Positions::Keep,
                    )),
                },
            };
        }
        Err(PyTypeError::new_err(format!(
            "a topology document is str or bytes, not {}",
            text.get_type().name()?
        )))
    }

    fn load_path(py: Python<'_>, path: &std::path::Path, format: Option<Format>) -> PyResult<Self> {
        let name = path.display().to_string();
        let format_of = format.or_else(|| Format::from_path(path));
        // Read the bytes here (to keep the text for pickling) when the core's checks
        // would pass; otherwise let the core say what is wrong.
        let read = py.detach(|| -> Option<Result<(Topology, String), LoadError>> {
            let format = format_of?;
            let meta = std::fs::metadata(path).ok()?;
            if !meta.is_file() || meta.len() > MAX_INPUT_BYTES {
                return None;
            }
            let bytes = std::fs::read(path).ok()?;
            Some(
                Topology::from_slice(&bytes, format, &name)
                    .map(|t| (t, String::from_utf8(bytes).unwrap_or_default())),
            )
        });
        match read {
            Some(Ok((t, text))) => Ok(Self::new(
                t,
                Origin::Text {
                    text,
                    format: format_of.unwrap_or(Format::Yaml),
                    name,
                },
                Positions::Keep,
            )),
            Some(Err(e)) => Err(errors::load_error(py, &e, Positions::Keep)),
            None => {
                let loaded = py.detach(|| match format {
                    Some(f) => Topology::load_as(path, f),
                    None => Topology::load(path),
                });
                match loaded {
                    Ok(t) => Ok(Self::new(t, Origin::Document { name }, Positions::Keep)),
                    Err(e) => Err(errors::load_error(py, &e, Positions::Keep)),
                }
            }
        }
    }

    fn document(&self, py: Python<'_>, format: Format) -> PyResult<String> {
        self.inner
            .to_string_as(format)
            .map_err(|e| errors::vpnha_error(py, &e.to_string()))
    }

    fn diagnostics(&self, diagnostics: &[vpnha::Diagnostic]) -> Vec<PyDiagnostic> {
        let keep = self.positions() == Positions::Keep;
        diagnostics
            .iter()
            .map(|d| {
                let mut d = PyDiagnostic::from(d);
                if !keep {
                    d.line = None;
                    d.column = None;
                }
                d
            })
            .collect()
    }
}

fn has_inline_key(t: &Topology) -> bool {
    t.connections
        .iter()
        .any(|c| matches!(c.shared_key, Some(SharedKey::Inline(_))))
}

fn parse_format(py: Python<'_>, format: &str) -> PyResult<Format> {
    Format::from_str(format)
        .map_err(|e| errors::topology_error(py, "<format>", Rule::UnknownFormat, &e.to_string()))
}

#[pymethods]
impl PyTopology {
    /// Reads a topology file (.yaml, .yml, .json, .toml, or `format` given).
    #[staticmethod]
    #[pyo3(signature = (path, format = None))]
    fn load(py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<Self> {
        let format = format.map(|f| parse_format(py, f)).transpose()?;
        Self::load_path(py, &path, format)
    }

    #[staticmethod]
    #[pyo3(signature = (text, name = "<input>"))]
    fn from_yaml(py: Python<'_>, text: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        Self::parse_input(py, text, Format::Yaml, name)
    }

    #[staticmethod]
    #[pyo3(signature = (text, name = "<input>"))]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        Self::parse_input(py, text, Format::Json, name)
    }

    #[staticmethod]
    #[pyo3(signature = (text, name = "<input>"))]
    fn from_toml(py: Python<'_>, text: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        Self::parse_input(py, text, Format::Toml, name)
    }

    /// From a dict in the format-v1 shape (what `to_dict` gives). Values that are not JSON
    /// types are taken as their `str()` (so `ipaddress` objects work).
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        const NAME: &str = "<dict>";
        if data.cast::<PyMapping>().is_err() && data.cast::<PyDict>().is_err() {
            return Err(errors::topology_error(
                py,
                NAME,
                Rule::InvalidValue,
                &format!(
                    "a topology is a mapping (dict) with `version`, `gateway`, `local_gateways` and `connections`, not {}",
                    data.get_type().name()?
                ),
            ));
        }
        static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let dumps = helper(&DUMPS, py, "json", "dumps")?.bind(py);
        let kwargs = PyDict::new(py);
        kwargs.set_item("default", py.get_type::<PyString>())?;
        kwargs.set_item("allow_nan", false)?;
        let text: String = match dumps
            .call((data,), Some(&kwargs))
            .and_then(|s| s.extract::<String>())
        {
            Ok(t) => t,
            Err(e) => {
                let why = e.value(py).str().map_or_else(
                    |_| "it cannot be written as JSON".to_owned(),
                    |s| s.to_string_lossy().into_owned(),
                );
                return Err(errors::topology_error(
                    py,
                    NAME,
                    Rule::InvalidValue,
                    &format!("the dict is not a JSON-like document: {why}"),
                ));
            }
        };
        Self::parse_text(py, text, Format::Json, NAME, Positions::Drop)
    }

    /// A topology from Azure resource JSON: az CLI output, REST responses, resource lists,
    /// ARM template exports; all files together form one topology.
    #[staticmethod]
    #[pyo3(signature = (paths, *, gateway = None))]
    fn from_azure(
        py: Python<'_>,
        paths: &Bound<'_, PyAny>,
        gateway: Option<&str>,
    ) -> PyResult<Self> {
        let paths: Vec<PathBuf> = match paths.extract::<PathBuf>() {
            Ok(one) if paths.cast::<PyBytes>().is_err() => vec![one],
            _ => paths
                .try_iter()
                .map_err(|_| {
                    PyTypeError::new_err(
                        "paths is a path or an iterable of paths (str or os.PathLike)",
                    )
                })?
                .map(|p| p.and_then(|p| p.extract::<PathBuf>()))
                .collect::<PyResult<_>>()?,
        };
        let name = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let options = match gateway {
            Some(g) => azure::Options::default().gateway(g),
            None => azure::Options::default(),
        };
        let import = py.detach(|| azure::from_paths(&paths, &options));
        let Some(topology) = import.topology.clone() else {
            let problems: Vec<PyDiagnostic> =
                import.findings.iter().map(PyDiagnostic::from).collect();
            return Err(errors::import_error(py, &name, problems));
        };
        let mut t = Self::new(topology, Origin::Document { name }, Positions::Keep);
        t.azure = Some(Arc::new(import));
        Ok(t)
    }

    /// What an Azure import could not carry over exactly (`from_azure`); empty otherwise.
    #[getter]
    fn import_findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static RESULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let findings: Vec<PyDiagnostic> = self
            .azure
            .as_ref()
            .map(|i| i.findings.iter().map(PyDiagnostic::from).collect())
            .unwrap_or_default();
        let kwargs = PyDict::new(py);
        kwargs.set_item("source", self.name_of_source())?;
        helper(&RESULT, py, "vpnha._results", "ValidationResult")?
            .bind(py)
            .call((PyList::new(py, findings)?,), Some(&kwargs))
    }

    /// The topology as a plain dict in the format-v1 shape; inline shared keys are left out.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let text = self.document(py, Format::Json)?;
        helper(&LOADS, py, "json", "loads")?.bind(py).call1((text,))
    }

    fn to_yaml(&self, py: Python<'_>) -> PyResult<String> {
        self.document(py, Format::Yaml)
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.document(py, Format::Json)
    }

    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        self.document(py, Format::Toml)
    }

    /// Every finding of every rule, as a `ValidationResult` (a list of `Diagnostic`).
    fn validate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static RESULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let diagnostics = match &self.azure {
            // Findings placed in the Azure documents their fields came from.
            Some(import) => py.detach(|| {
                import
                    .validate()
                    .iter()
                    .map(|d| {
                        let origin = import.origin(&d.path);
                        PyDiagnostic {
                            file: origin.map(|o| o.file.clone()),
                            pointer: Some(origin.map_or_else(String::new, |o| o.pointer.clone())),
                            ..PyDiagnostic::from(d)
                        }
                    })
                    .collect()
            }),
            None => self.diagnostics(&py.detach(|| self.inner.validate())),
        };
        let list = PyList::new(py, diagnostics)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("source", self.name_of_source())?;
        helper(&RESULT, py, "vpnha._results", "ValidationResult")?
            .bind(py)
            .call((list,), Some(&kwargs))
    }

    /// `validate()`, raising `ValidationError` when a finding is an error. For an Azure
    /// import the import findings come first, as in `vpnha check --from azure`.
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let validated = self.validate(py)?;
        let result = if self.azure.is_some() {
            let all = self.import_findings(py)?;
            all.call_method1("extend", (validated,))?;
            all
        } else {
            validated
        };
        result.call_method0("raise_for_errors")
    }

    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    #[getter]
    fn source(&self) -> &str {
        self.name_of_source()
    }

    #[getter]
    fn tunnels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let t = self.tunnels.get_or_try_init(py, || {
            let tunnels = py.detach(|| self.inner.tunnels());
            PyTuple::new(py, tunnels.iter().map(PyTunnel::from)).map(Bound::unbind)
        })?;
        Ok(t.bind(py).clone())
    }

    #[getter]
    fn sites<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let s = self.sites.get_or_try_init(py, || {
            let sites = py.detach(|| self.inner.sites());
            PyTuple::new(py, sites.iter().map(PySite::from)).map(Bound::unbind)
        })?;
        Ok(s.bind(py).clone())
    }

    /// The site with this name, or the only site when `name` is None.
    #[pyo3(signature = (name = None))]
    fn site(&self, py: Python<'_>, name: Option<&str>) -> PyResult<PySite> {
        self.inner
            .resolve_site(name)
            .map(|s| PySite::from(&s))
            .map_err(|e| errors::site_error(py, &e, name))
    }

    /// An ECMP group over a site's tunnels (see `EcmpGroup`).
    #[pyo3(signature = (site = None, algorithm = None, seed = None, *, weights = None, symmetric = false, fields = None, down = None))]
    #[allow(clippy::too_many_arguments)]
    fn ecmp_group(
        &self,
        py: Python<'_>,
        site: Option<&str>,
        algorithm: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        weights: Option<&Bound<'_, PyAny>>,
        symmetric: bool,
        fields: Option<&Bound<'_, PyAny>>,
        down: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEcmpGroup> {
        let resolved = self
            .inner
            .resolve_site(site)
            .map_err(|e| errors::site_error(py, &e, site))?;
        if resolved.tunnels.is_empty() {
            let e = vpnha::SiteError::NoTunnels {
                site: resolved.name.clone(),
            };
            return Err(errors::site_error(py, &e, site));
        }
        let ids: Vec<String> = resolved.tunnels.iter().map(|t| t.id.clone()).collect();
        let options = GroupOptions::extract(py, algorithm, seed, weights, symmetric, fields)?;
        let mut group = PyEcmpGroup::build(py, ids, Some(resolved.name), options)?;
        if let Some(down) = down {
            group.mark_down(py, down)?;
        }
        Ok(group)
    }

    /// Failure scenarios up to `max_failures` components, single points of failure,
    /// minimal cut sets, exact availability and capacity, and a redundancy verdict per
    /// site, as `vpnha.Analysis`. With `check` (the default) a topology with error
    /// findings raises `ValidationError` first.
    #[pyo3(signature = (site = None, *, max_failures = None, availability = None, component_availability = None, algorithm = None, seed = None, weights = None, flow_sample = None, capacity_shares = None, max_scenarios = None, check = true, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn analyze<'py>(
        slf: &Bound<'py, Self>,
        site: Option<&str>,
        max_failures: Option<&Bound<'py, PyAny>>,
        availability: Option<&Bound<'py, PyAny>>,
        component_availability: Option<&Bound<'py, PyAny>>,
        algorithm: Option<&Bound<'py, PyAny>>,
        seed: Option<&Bound<'py, PyAny>>,
        weights: Option<&Bound<'py, PyAny>>,
        flow_sample: Option<&Bound<'py, PyAny>>,
        capacity_shares: Option<&Bound<'py, PyAny>>,
        max_scenarios: Option<&Bound<'py, PyAny>>,
        check: bool,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let args = analysis::Args {
            site,
            max_failures,
            availability,
            component_availability,
            algorithm,
            seed,
            weights,
            flow_sample,
            capacity_shares,
            max_scenarios,
        };
        let options = args.options(py)?;
        // A check that passed leaves no error finding to count again.
        let validation_errors = if check {
            this.check(py)?;
            Some(0)
        } else {
            None
        };
        let site_of = slf.getattr("site")?;
        analysis::run(
            py,
            &this.inner,
            this.name_of_source(),
            &options,
            validation_errors,
            progress,
            &site_of,
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyTopology>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        let json = self.document(py, Format::Json)?;
        PyString::new(py, &json).hash()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = &self.inner;
        let sites = self.sites(py)?.len();
        let tunnels = self.tunnels(py)?.len();
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut s = String::from("<Topology");
        if let Some(n) = &t.name {
            s.push_str(&format!(" {}", quote(py, n)));
        }
        s.push_str(&format!(
            " from {}: {} {}, {}, {}, {}, {}>",
            self.name_of_source(),
            t.gateway.sku.name(),
            if t.gateway.active_active {
                "active-active"
            } else {
                "active-standby"
            },
            plural(sites, "site"),
            plural(t.local_gateways.len(), "device"),
            plural(t.connections.len(), "connection"),
            plural(tunnels, "tunnel"),
        ));
        Ok(s)
    }

    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        static HTML: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        helper(&HTML, py, "vpnha._html", "topology_html")?
            .bind(py)
            .call1((slf,))?
            .extract()
    }

    /// Pickled as the text it was read from when that holds no inline shared key (so
    /// findings keep their lines and columns), else as the canonical JSON document:
    /// inline shared keys are never written out, so they do not travel.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        if has_inline_key(&this.inner) {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                c"the topology holds an inline shared key, which vpnha never writes out: the pickled copy has none, and its findings have no line or column; reference keys as {env: NAME} to keep them",
                1,
            )?;
        }
        let state = match &this.origin {
            Origin::Text { text, format, name } => {
                ("text", format.name(), name.clone(), text.clone())
            }
            Origin::Document { name } => (
                "document",
                Format::Json.name(),
                name.clone(),
                this.document(py, Format::Json)?,
            ),
        };
        let restore = slf.get_type().getattr("_from_state")?;
        (restore, (state,)).into_pyobject(py)
    }

    #[staticmethod]
    fn _from_state(py: Python<'_>, state: (String, String, String, String)) -> PyResult<Self> {
        let (kind, format, name, text) = state;
        let format = parse_format(py, &format)?;
        let positions = if kind == "text" {
            Positions::Keep
        } else {
            Positions::Drop
        };
        Self::parse_text(py, text, format, &name, positions)
    }
}
