//! `vpnha check FILE...`: validate topologies.
//!
//! JSON, per file: `{"file", "status", "errors", "warnings", "sites": [{"name", "pattern",
//! "devices", "tunnels"}], "diagnostics": [{"rule", "severity", "message", "path", "line",
//! "column"}]}`; one object for one file, an array of them for several.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vpnha::{Diagnostic, LoadError, Rule, Severity, Topology};

use crate::render::{self, counts, tally};
use crate::{Outcome, OutputFormat, input};

/// The result of checking one file.
pub(crate) struct Checked {
    pub(crate) name: String,
    pub(crate) topology: Result<Topology, LoadError>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) outcome: Outcome,
}

/// Loads and validates one file.
pub(crate) fn check_file(path: &Path) -> Checked {
    let name = input::display_name(path);
    match input::load(path) {
        Ok(t) => check_topology(name, t),
        Err(e) => Checked::unreadable(name, e),
    }
}

/// Validates a topology that was loaded.
pub(crate) fn check_topology(name: String, t: Topology) -> Checked {
    let diagnostics = t.validate();
    let outcome = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Outcome::Findings
    } else {
        Outcome::Ok
    };
    Checked {
        name,
        topology: Ok(t),
        diagnostics,
        outcome,
    }
}

impl Checked {
    /// A file that could not be loaded.
    fn unreadable(name: String, e: LoadError) -> Checked {
        Checked {
            name,
            diagnostics: e.diagnostics(),
            topology: Err(e),
            outcome: Outcome::Unreadable,
        }
    }

    /// The JSON object of this file.
    pub(crate) fn to_json(&self) -> Value {
        let (errors, warnings) = tally(&self.diagnostics);
        let status = self.outcome.status(warnings);
        let sites: Vec<Value> = self.topology.iter().flat_map(sites_json).collect();
        json!({
            "file": self.name,
            "status": status,
            "errors": errors,
            "warnings": warnings,
            "sites": sites,
            "diagnostics": self.diagnostics,
        })
    }

    /// The readable report of this file.
    pub(crate) fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let file = match &self.topology {
            Ok(t) => t.source_file(),
            Err(e) => e.file(),
        };
        // A file that could not be read at all has nothing to show but its one-line reason.
        let unread = matches!(&self.topology, Err(e) if e.file().is_none());
        for d in self
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info && !unread)
        {
            render::diagnostic(out, d, file)?;
        }
        if let Err(e) = &self.topology {
            // One line that names the first problem and its position, for logs and CI.
            let reason = e.to_string();
            return if reason.starts_with(&self.name) {
                writeln!(out, "{reason}")
            } else {
                writeln!(out, "{}: {reason}", self.name)
            };
        }
        if let Ok(t) = &self.topology {
            write_sites(out, t)?;
        }
        for d in self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Info && d.rule != Rule::SitePattern)
        {
            writeln!(out, "note[{}]: {}", d.rule, d.message)?;
        }
        let (errors, warnings) = tally(&self.diagnostics);
        writeln!(out, "{}: {}", self.name, counts(errors, warnings))
    }
}

/// The sites of a topology as JSON: `[{"name", "pattern", "devices", "tunnels"}]`.
pub(crate) fn sites_json(t: &Topology) -> Vec<Value> {
    t.sites()
        .into_iter()
        .map(|s| {
            json!({
                "name": s.name,
                "pattern": s.pattern.map(|p| p.name()),
                "devices": s.devices,
                "tunnels": s.tunnels.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The table of a topology's sites.
pub(crate) fn write_sites(out: &mut dyn Write, t: &Topology) -> io::Result<()> {
    let mut table = render::table(&["SITE", "PATTERN", "DEVICES", "TUNNELS"]);
    for s in t.sites() {
        table.add_row([
            s.name.clone(),
            s.pattern.map_or("(no tunnels)", |p| p.name()).to_owned(),
            s.devices.join(", "),
            s.tunnels
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    render::write_table(out, &table)
}

/// Reports a topology that could not be loaded, as `check` would (exit code 2).
pub(crate) fn report_load_error(
    name: String,
    e: LoadError,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let checked = Checked::unreadable(name, e);
    match format {
        OutputFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&checked.to_json())?)?;
        }
        OutputFormat::Text => checked.write_text(out)?,
    }
    Ok(Outcome::Unreadable)
}

/// Runs `check` over files.
pub(crate) fn run(
    files: &[PathBuf],
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let results: Vec<Checked> = files.iter().map(|f| check_file(f)).collect();
    let outcome = results
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(Outcome::Ok);
    match format {
        OutputFormat::Json => {
            let value = match results.as_slice() {
                [one] => one.to_json(),
                many => Value::Array(many.iter().map(Checked::to_json).collect()),
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        OutputFormat::Text => {
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                r.write_text(out)?;
            }
        }
    }
    Ok(outcome)
}
