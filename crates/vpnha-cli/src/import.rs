//! `vpnha import azure FILE...` and `vpnha check --from azure FILE...`.
//!
//! `import azure` writes the topology (format v1) to `-o FILE` or stdout and the findings
//! to stderr, as text or, with `--findings json`, as `{"status", "errors", "warnings",
//! "output", "findings": [{"rule", "severity", "message", "path", "file", "pointer",
//! "line", "column"}]}`. Exit 0: a topology was written (warnings allowed); 1: written, but
//! with import errors; 2: nothing usable could be read, or it could not be written.
//!
//! `check --from azure` imports every file into one topology and validates it; its output
//! is `check`'s, with the import findings before the validation findings and every
//! diagnostic carrying `file` and `pointer` (where in the Azure documents it comes from).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::{Value, json};
use vpnha::import::azure::{Input, Options};
use vpnha::import::{Finding, FindingReport, Import};
use vpnha::{Diagnostic, Format, Report, Rule, Severity, Topology};

use crate::check::{sites_json, write_sites};
use crate::render::{self, counts, plural};
use crate::{Outcome, OutputFormat, input};

/// The file format of the written topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FileFormat {
    /// YAML (the default).
    Yaml,
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Yaml => Format::Yaml,
            FileFormat::Json => Format::Json,
            FileFormat::Toml => Format::Toml,
        }
    }
}

/// Where topologies can be imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Source {
    /// Azure resource JSON (az CLI output, REST responses, ARM exports).
    Azure,
}

/// The arguments of `import azure`.
#[derive(Debug, clap::Args)]
pub(crate) struct AzureArgs {
    /// Azure JSON documents; `-` reads one from stdin. All of them form one topology.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Write the topology to this file (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Format of the topology: from `--output`'s extension when not given, else YAML.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    /// How findings are printed on stderr.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    findings: OutputFormat,
    /// The gateway to import (name or resource id) when the documents hold several.
    #[arg(long, value_name = "NAME")]
    gateway: Option<String>,
}

/// Imports the files (`-` is stdin).
fn import(files: &[PathBuf], gateway: Option<&str>) -> Import {
    let mut input = Input::new();
    for f in files {
        if f.as_os_str() == "-" {
            input.add_reader("<stdin>", io::stdin().lock());
        } else {
            input.add_path(f);
        }
    }
    let mut options = Options::default();
    if let Some(g) = gateway {
        options = options.gateway(g);
    }
    input.import(&options)
}

/// Writes an import finding: errors and warnings with their snippet, information as one
/// `note` line.
fn write_finding(
    out: &mut dyn Write,
    f: &Finding,
    import: &Import,
    colour: bool,
    terminal: bool,
) -> io::Result<()> {
    if f.severity == Severity::Info {
        let at = f
            .source
            .as_ref()
            .map_or(String::new(), |s| format!("{s}: "));
        return writeln!(out, "note[{}]: {at}{}", f.code, f.message);
    }
    let file = f.file().and_then(|n| import.source(n));
    render::report(
        out,
        &FindingReport::new(f, file),
        &f.to_string(),
        colour,
        terminal,
    )
}

/// A one-line account of what was imported.
fn summary(t: &Topology) -> String {
    let g = &t.gateway;
    format!(
        "gateway `{}` ({}, {}, {}), {}, {}, {}",
        g.name.as_deref().unwrap_or("?"),
        g.sku,
        if g.active_active {
            "active-active"
        } else {
            "active-standby"
        },
        plural(g.instances.len(), "instance"),
        plural(t.local_gateways.len(), "local gateway"),
        plural(t.connections.len(), "connection"),
        plural(t.sites().len(), "site"),
    )
}

fn tally_findings(findings: &[Finding]) -> (usize, usize) {
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    (n(Severity::Error), n(Severity::Warning))
}

/// Runs `import azure`.
pub(crate) fn run_azure(args: &AzureArgs, out: &mut dyn Write) -> io::Result<Outcome> {
    let mut err = io::stderr().lock();
    let format = match (args.format, &args.output) {
        (Some(f), _) => Format::from(f),
        (None, Some(path)) => match Format::from_path(path) {
            Some(f) => f,
            None => {
                writeln!(
                    err,
                    "vpnha: cannot tell the format of {} from its name: name it .yaml, .yml, .json or .toml, or pass --format",
                    path.display()
                )?;
                return Ok(Outcome::Unreadable);
            }
        },
        (None, None) => Format::Yaml,
    };
    let import = import(&args.files, args.gateway.as_deref());
    let (errors, warnings) = tally_findings(&import.findings);

    // The topology first, so that a failure to write it is reported with the findings.
    let mut write_error = None;
    let written = match &import.topology {
        None => None,
        Some(t) => match t.to_string_as(format) {
            Err(e) => {
                write_error = Some(e.to_string());
                None
            }
            Ok(text) => match &args.output {
                Some(path) => match std::fs::write(path, &text) {
                    Ok(()) => Some(path.display().to_string()),
                    Err(e) => {
                        write_error = Some(format!("cannot write {}: {e}", path.display()));
                        None
                    }
                },
                None => {
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                    Some("-".to_owned())
                }
            },
        },
    };
    let outcome = match (&written, errors) {
        (None, _) => Outcome::Unreadable,
        (Some(_), 0) => Outcome::Ok,
        (Some(_), _) => Outcome::Findings,
    };
    match args.findings {
        OutputFormat::Json => {
            // Nothing written (no topology, or it could not be written): `unusable`, since
            // the documents themselves were read.
            let status = match outcome {
                Outcome::Unreadable => "unusable",
                _ => outcome.status(warnings),
            };
            let mut v = json!({
                "status": status,
                "errors": errors,
                "warnings": warnings,
                "output": written,
                "findings": import.findings,
            });
            if let Some(e) = &write_error {
                v["write_error"] = json!(e);
            }
            writeln!(err, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        OutputFormat::Text => {
            let colour = render::colour(&io::stderr());
            let terminal = io::stderr().is_terminal();
            for f in &import.findings {
                write_finding(&mut err, f, &import, colour, terminal)?;
            }
            if let Some(e) = &write_error {
                writeln!(err, "vpnha: {e}")?;
            }
            let tail = counts(errors, warnings);
            match (&import.topology, &written) {
                (Some(t), Some(to)) => {
                    let to = if to == "-" { "stdout" } else { to.as_str() };
                    writeln!(err, "imported {} to {to}: {tail}", summary(t))?;
                }
                _ => writeln!(err, "nothing imported: {tail}")?,
            }
        }
    }
    Ok(outcome)
}

/// A validation diagnostic as JSON, with the Azure document it points into.
fn diagnostic_json(d: &Diagnostic, import: &Import) -> Value {
    let origin = import.origin(&d.path);
    json!({
        "rule": d.rule,
        "severity": d.severity,
        "message": d.message,
        "path": d.path,
        "file": origin.map(|o| o.file.as_str()),
        "pointer": origin.map_or("", |o| o.pointer.as_str()),
        "line": d.line(),
        "column": d.column(),
    })
}

/// Runs `check --from azure`: one topology from all files, import and validation findings
/// together.
pub(crate) fn run_check(
    files: &[PathBuf],
    gateway: Option<&str>,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let import = import(files, gateway);
    let diagnostics = import.validate();
    let name = files
        .iter()
        .map(|f| input::display_name(f))
        .collect::<Vec<_>>()
        .join(", ");
    let (ie, iw) = tally_findings(&import.findings);
    let (ve, vw) = render::tally(&diagnostics);
    let (errors, warnings) = (ie + ve, iw + vw);
    let outcome = match (&import.topology, errors) {
        (None, _) => Outcome::Unreadable,
        (Some(_), 0) => Outcome::Ok,
        (Some(_), _) => Outcome::Findings,
    };
    match format {
        OutputFormat::Json => {
            let status = outcome.status(warnings);
            let mut all: Vec<Value> = import
                .findings
                .iter()
                .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
                .collect();
            all.extend(diagnostics.iter().map(|d| diagnostic_json(d, &import)));
            let v = json!({
                "file": name,
                "status": status,
                "errors": errors,
                "warnings": warnings,
                "sites": import.topology.iter().flat_map(sites_json).collect::<Vec<_>>(),
                "diagnostics": all,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        OutputFormat::Text => {
            let colour = render::colour(&io::stdout());
            let terminal = io::stdout().is_terminal();
            for f in import
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
            {
                write_finding(out, f, &import, colour, terminal)?;
            }
            for d in diagnostics.iter().filter(|d| d.severity != Severity::Info) {
                let file = import.origin(&d.path).and_then(|o| import.source(&o.file));
                render::report(out, &Report::new(d, file), &d.to_string(), colour, terminal)?;
            }
            match &import.topology {
                Some(t) => write_sites(out, t)?,
                None => {
                    let first = import
                        .findings
                        .iter()
                        .find(|f| f.severity == Severity::Error)
                        .map_or_else(|| "nothing usable".to_owned(), |f| f.message.clone());
                    writeln!(out, "{name}: no topology: {first}")?;
                }
            }
            for f in import
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Info)
            {
                write_finding(out, f, &import, colour, terminal)?;
            }
            for d in diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Info && d.rule != Rule::SitePattern)
            {
                writeln!(out, "note[{}]: {}", d.rule, d.message)?;
            }
            writeln!(out, "{name}: {}", counts(errors, warnings))?;
        }
    }
    Ok(outcome)
}
