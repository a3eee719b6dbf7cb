//! `Topology.analyze()`: the options read from Python values, the core's analysis run with
//! the GIL released, and its JSON shape handed to `vpnha._analysis`, whose frozen
//! dataclasses (`Analysis`, `SiteAnalysis`, `Scenario`, ...) are what the user gets.
//!
//! The result crosses as the JSON text of `vpnha analyze --format json`: the core owns
//! that shape (`vpnha::analysis` serialises it), so the Python objects, `to_dict()` and the
//! command line cannot drift apart. Floats survive exactly (shortest round-trip digits).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyInt, PyMapping, PyString};
use vpnha::analysis::{AnalysisError, AnalysisOptions, Progress};
use vpnha::model::AvailabilityInputs;
use vpnha::{Severity, Topology};

use crate::convert::{int_in, type_name};
use crate::ecmp::{algorithm, weights};
use crate::errors;
use crate::topology::helper;

/// The keyword arguments of `Topology.analyze`, before they become `AnalysisOptions`.
pub(crate) struct Args<'a, 'py> {
    pub site: Option<&'a str>,
    pub max_failures: Option<&'a Bound<'py, PyAny>>,
    pub availability: Option<&'a Bound<'py, PyAny>>,
    pub component_availability: Option<&'a Bound<'py, PyAny>>,
    pub algorithm: Option<&'a Bound<'py, PyAny>>,
    pub seed: Option<&'a Bound<'py, PyAny>>,
    pub weights: Option<&'a Bound<'py, PyAny>>,
    pub flow_sample: Option<&'a Bound<'py, PyAny>>,
    pub capacity_shares: Option<&'a Bound<'py, PyAny>>,
    pub max_scenarios: Option<&'a Bound<'py, PyAny>>,
}

fn not_none<'a, 'py>(o: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    o.filter(|o| !o.is_none())
}

/// A probability or share given as a Python number (not a bool, not text).
fn number(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    let numeric = obj.cast::<PyFloat>().is_ok()
        || (obj.cast::<PyInt>().is_ok() && obj.extract::<bool>().is_err())
        || obj.hasattr("__float__").unwrap_or(false) && obj.cast::<PyString>().is_err();
    if !numeric {
        return Err(errors::analysis_message(
            py,
            &format!("{what} must be a number, not {}", type_name(obj)),
        ));
    }
    obj.extract::<f64>()
        .map_err(|_| errors::analysis_message(py, &format!("{what} must be a number")))
}

/// A count in `0..=usize::MAX` for `max_failures`, `flow_sample`, `max_scenarios`, or
/// `default` when not given.
fn count(
    py: Python<'_>,
    obj: Option<&Bound<'_, PyAny>>,
    what: &str,
    default: usize,
) -> PyResult<usize> {
    let Some(obj) = not_none(obj) else {
        return Ok(default);
    };
    if obj.extract::<bool>().is_ok() {
        return Err(errors::analysis_message(
            py,
            &format!("{what} must be an integer, not bool"),
        ));
    }
    int_in(py, obj, usize::MAX as u64, what)
        .map(|n| n as usize)
        .map_err(|e| errors::analysis_message(py, &e.value(py).to_string()))
}

/// A mapping's items, or an `AnalysisError` saying what `what` should be.
fn items<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mapping = obj.cast::<PyMapping>().map_err(|_| {
        errors::analysis_message(
            py,
            &format!("{what} must be a dict, not {}", type_name(obj)),
        )
    })?;
    let mut out = Vec::new();
    for item in mapping.items()?.iter() {
        let (k, v): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
        let key = k.cast::<PyString>().map_err(|_| {
            errors::analysis_message(
                py,
                &format!("the keys of {what} are names, not {}", type_name(&k)),
            )
        })?;
        out.push((key.to_string_lossy().into_owned(), v));
    }
    Ok(out)
}

const KINDS: [&str; 5] = ["gateway_instance", "device", "isp", "tunnel", "zone"];

fn availability_inputs(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<AvailabilityInputs> {
    let mut inputs = AvailabilityInputs::default();
    for (name, value) in items(py, obj, "availability")? {
        let key = name.replace('-', "_");
        let slot = match key.as_str() {
            "gateway_instance" => &mut inputs.gateway_instance,
            "device" => &mut inputs.device,
            "isp" => &mut inputs.isp,
            "tunnel" => &mut inputs.tunnel,
            "zone" => &mut inputs.zone,
            _ => {
                let hint = KINDS
                    .iter()
                    .map(|k| (strsim::jaro_winkler(k, &key), *k))
                    .filter(|(score, _)| *score > 0.8)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map_or_else(String::new, |(_, k)| format!("did you mean `{k}`? "));
                return Err(errors::analysis_message(
                    py,
                    &format!(
                        "unknown availability input `{name}`: {hint}the inputs are {}",
                        KINDS.map(|k| format!("`{k}`")).join(", ")
                    ),
                ));
            }
        };
        *slot = Some(number(py, &value, &format!("availability[{name:?}]"))?);
    }
    Ok(inputs)
}

impl Args<'_, '_> {
    /// The core's options; every Python value checked here, every range by the core.
    pub(crate) fn options(&self, py: Python<'_>) -> PyResult<AnalysisOptions> {
        use vpnha::analysis::{DEFAULT_FLOW_SAMPLE, DEFAULT_MAX_FAILURES, DEFAULT_MAX_SCENARIOS};
        let mut o = AnalysisOptions::new()
            .with_max_failures(count(
                py,
                self.max_failures,
                "max_failures",
                DEFAULT_MAX_FAILURES,
            )?)
            .with_flow_sample(count(
                py,
                self.flow_sample,
                "flow_sample",
                DEFAULT_FLOW_SAMPLE,
            )?)
            .with_max_scenarios(count(
                py,
                self.max_scenarios,
                "max_scenarios",
                DEFAULT_MAX_SCENARIOS,
            )?);
        if let Some(site) = self.site {
            o = o.with_site(site);
        }
        if let Some(a) = not_none(self.availability) {
            o = o.with_availability(availability_inputs(py, a)?);
        }
        if let Some(c) = not_none(self.component_availability) {
            for (name, value) in items(py, c, "component_availability")? {
                let p = number(py, &value, &format!("component_availability[{name:?}]"))?;
                o = o.with_component_availability(&name, p);
            }
        }
        if let Some(a) = not_none(self.algorithm) {
            o = o.with_algorithm(algorithm(py, a)?);
        }
        if let Some(s) = not_none(self.seed) {
            let seed = int_in(py, s, u64::MAX, "seed")
                .map_err(|e| errors::analysis_message(py, &e.value(py).to_string()))?;
            o = o.with_seed(seed);
        }
        if let Some(w) = not_none(self.weights) {
            for (site, list) in items(py, w, "weights")? {
                o = o.with_weights(&site, &weights(py, &list)?);
            }
        }
        if let Some(shares) = not_none(self.capacity_shares) {
            let Ok(iter) = shares.try_iter() else {
                return Err(errors::analysis_message(
                    py,
                    "capacity_shares must be a sequence of shares in (0, 1], e.g. (0.5, 1.0)",
                ));
            };
            let mut list = Vec::new();
            for s in iter {
                list.push(number(py, &s?, "a capacity share")?);
            }
            o = o.with_capacity_shares(&list);
        }
        Ok(o)
    }
}

/// Runs the analysis without the GIL and builds `vpnha.Analysis` from its JSON shape, the
/// readable report `vpnha analyze` prints and each site's scenarios in the core's worst-first
/// order. `validation_errors` is the topology's error count when the caller knows it (a
/// `check()` that passed), else it is counted here.
/// `progress(site, done, total)` is called with the GIL taken; the first exception it
/// raises stops further calls and is raised once the core returns.
pub(crate) fn run<'py>(
    py: Python<'py>,
    topology: &Topology,
    source: &str,
    options: &AnalysisOptions,
    validation_errors: Option<usize>,
    progress: Option<&Bound<'py, PyAny>>,
    site_of: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    static BUILD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let progress = not_none(progress).map(|p| p.clone().unbind());
    let mut failure: Option<PyErr> = None;
    let result = py.detach(|| {
        let validation_errors = validation_errors.unwrap_or_else(|| {
            topology
                .validate()
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count()
        });
        let analysis = match &progress {
            None => topology.analyze_with(options)?,
            Some(callback) => topology.analyze_with_progress(options, &mut |p: Progress<'_>| {
                if failure.is_some() {
                    return;
                }
                Python::attach(|py| {
                    if let Err(e) = callback.bind(py).call1((p.site, p.done, p.total)) {
                        failure = Some(e);
                    }
                });
            })?,
        };
        // An analysis serialises to JSON without fail (finite floats or null); an error
        // here would be a bug, reported as a `VpnhaError` rather than a panic.
        let text = serde_json::to_string(&analysis).map_err(|e| e.to_string());
        let report = analysis
            .text_report(source)
            .with_validation_errors(validation_errors)
            .to_string();
        let worst: Vec<(String, Vec<usize>)> = analysis
            .sites
            .iter()
            .map(|site| (site.site.name.clone(), site.worst_order()))
            .collect();
        Ok::<_, AnalysisError>((validation_errors, text, report, worst))
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let (validation_errors, text, report, worst) =
        result.map_err(|e| errors::analysis_error(py, &e))?;
    let text = text.map_err(|e| errors::vpnha_error(py, &e))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("source", source)?;
    kwargs.set_item("validation_errors", validation_errors)?;
    kwargs.set_item("site_of", site_of)?;
    kwargs.set_item("report", report)?;
    kwargs.set_item(
        "worst",
        worst
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>(),
    )?;
    helper(&BUILD, py, "vpnha._analysis", "Analysis")?
        .bind(py)
        .call_method("_from_json", (text,), Some(&kwargs))
}
