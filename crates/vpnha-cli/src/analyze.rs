//! `vpnha analyze FILE`: what breaks when a component fails, for how long, and how
//! available each site is.
//!
//! JSON: `{"file", "validation_errors", "max_failures", "minutes_per_month", "inputs",
//! "defaulted", "ecmp", "sites": [{"name", "pattern", "verdict", "reasons", "explanations",
//! "availability", "unavailability", "nines", "downtime_minutes_per_month", "capacity",
//! "tunnels_up_distribution", "single_points_of_failure", "minimal_cut_sets",
//! "max_failures", "components", "notes", "scenarios": [{"failed", "planned",
//! "surviving_tunnels", "lost_tunnels", "reachable", "moved_share", "affected_share",
//! "interruption_seconds", "assumption", "causes"}]}]}` (see `docs/analysis.md`).
//!
//! Exit codes: 0 analysed; 1 with `--require-redundancy` when a site does not meet
//! redundancy; 2 unreadable input or a usage error (an unknown site, an out-of-range
//! option or availability).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use vpnha::Severity;
use vpnha::analysis::{Analysis, AnalysisOptions, DEFAULT_MAX_FAILURES, Progress, Verdict};
use vpnha::ecmp::Algorithm;

use crate::{Outcome, OutputFormat, input};

/// The options of `vpnha analyze`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// A topology file; `-` reads YAML from stdin.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Analyse only this site.
    #[arg(long, value_name = "SITE")]
    pub(crate) site: Option<String>,
    /// Enumerate failure sets of up to K components at once.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_MAX_FAILURES)]
    pub(crate) max_failures: usize,
    /// Exit 1 when a site does not meet redundancy (for CI).
    #[arg(long)]
    pub(crate) require_redundancy: bool,
    /// The ECMP algorithm the moved shares are measured with.
    #[arg(long, value_name = "ALGORITHM", default_value = "stable", value_parser = crate::selection::parse_algorithm)]
    pub(crate) algorithm: Algorithm,
    /// The ECMP seed.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// A share of the tunnels (0 < SHARE <= 1) whose availability to report; repeatable
    /// (default 0.5 and 1).
    #[arg(long = "capacity", value_name = "SHARE")]
    pub(crate) capacity: Vec<f64>,
    /// The number of single failures the text report lists per site, worst first (after
    /// the planned maintenance).
    #[arg(long, value_name = "N", default_value_t = vpnha::analysis::TextReport::DEFAULT_WORST)]
    pub(crate) worst: usize,
    #[command(flatten)]
    pub(crate) output: crate::Output,
}

impl Args {
    fn options(&self) -> AnalysisOptions {
        let mut o = AnalysisOptions::new()
            .with_max_failures(self.max_failures)
            .with_algorithm(self.algorithm)
            .with_seed(self.seed);
        if let Some(s) = &self.site {
            o = o.with_site(s);
        }
        if !self.capacity.is_empty() {
            o = o.with_capacity_shares(&self.capacity);
        }
        o
    }
}

/// Runs `analyze`.
pub(crate) fn run(args: &Args, out: &mut dyn Write) -> io::Result<Outcome> {
    let name = input::display_name(&args.file);
    let format = args.output.format;
    let topology = match input::load(&args.file) {
        Ok(t) => t,
        Err(e) => return crate::check::report_load_error(name, e, format, out),
    };
    let errors = topology
        .validate()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut bar = ProgressLine::new();
    let result = topology.analyze_with_progress(&args.options(), &mut |p| bar.show(p));
    bar.clear();
    let analysis = match result {
        Ok(a) => a,
        Err(e) => {
            match format {
                OutputFormat::Json => {
                    let v = json!({"file": name, "status": "error", "error": e.to_string()});
                    writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
                }
                OutputFormat::Text => {
                    writeln!(io::stderr(), "vpnha analyze: {name}: {e}")?;
                }
            }
            return Ok(Outcome::Unreadable);
        }
    };
    match format {
        OutputFormat::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&to_json(&name, errors, &analysis))?
            )?;
        }
        OutputFormat::Text => {
            let report = analysis
                .text_report(&name)
                .with_worst(args.worst)
                .with_validation_errors(errors);
            write!(out, "{report}")?;
        }
    }
    let short = analysis
        .sites
        .iter()
        .any(|s| s.verdict != Verdict::RedundancyMet);
    Ok(if args.require_redundancy && short {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// The JSON document: the analysis with the file name and its error count in front.
pub(crate) fn to_json(name: &str, validation_errors: usize, analysis: &Analysis) -> Value {
    let mut m = Map::new();
    m.insert("file".to_owned(), json!(name));
    m.insert("validation_errors".to_owned(), json!(validation_errors));
    // An analysis always serialises to an object.
    if let Ok(Value::Object(rest)) = serde_json::to_value(analysis) {
        m.extend(rest);
    }
    Value::Object(m)
}

/// A one-line progress display on stderr, only when stderr is a terminal and the work is
/// long enough to be worth it.
struct ProgressLine {
    on: bool,
    shown: bool,
    started: Instant,
    last: Option<Instant>,
}

impl ProgressLine {
    fn new() -> Self {
        ProgressLine {
            on: io::stderr().is_terminal(),
            shown: false,
            started: Instant::now(),
            last: None,
        }
    }

    fn show(&mut self, p: Progress<'_>) {
        if !self.on || self.started.elapsed() < Duration::from_millis(300) {
            return;
        }
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        self.shown = true;
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100);
        let _ = write!(
            io::stderr(),
            "\ranalysing site {}: {}/{} scenarios ({pct} %)\x1b[K",
            p.site,
            p.done,
            p.total
        );
    }

    fn clear(&mut self) {
        if self.shown {
            let _ = write!(io::stderr(), "\r\x1b[K");
        }
    }
}
