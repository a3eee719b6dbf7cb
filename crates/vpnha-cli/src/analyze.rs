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
use vpnha::analysis::{
    Analysis, AnalysisOptions, Availability, DEFAULT_MAX_FAILURES, Progress, Scenario,
    SiteAnalysis, Verdict,
};
use vpnha::ecmp::Algorithm;

use crate::render;
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
    #[arg(long, value_name = "ALGORITHM", default_value = "stable", value_parser = parse_algorithm)]
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
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) worst: usize,
    #[command(flatten)]
    pub(crate) output: crate::Output,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse()
        .map_err(|_| "expected stable, rendezvous, maglev or hash-threshold".to_owned())
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
            if errors > 0 {
                writeln!(
                    out,
                    "note: {name} has {errors} error finding{} (see `vpnha check`); the analysis takes the topology as written\n",
                    if errors == 1 { "" } else { "s" }
                )?;
            }
            write_text(&name, &analysis, args.worst, out)?;
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

/// The readable report.
pub(crate) fn write_text(
    name: &str,
    analysis: &Analysis,
    worst: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let i = &analysis.inputs;
    let defaulted = if analysis.defaulted.is_empty() {
        String::new()
    } else {
        format!(
            "; documented defaults for {}",
            analysis.defaulted.join(", ")
        )
    };
    writeln!(
        out,
        "{name}: component availabilities gateway_instance {}, device {}, isp {}, tunnel {}, zone {}{defaulted}",
        i.gateway_instance, i.device, i.isp, i.tunnel, i.zone
    )?;
    writeln!(
        out,
        "moved shares over {} sample flows, ECMP {} seed {}; a month is {:.1} min (365.2425 days / 12)",
        analysis.flow_sample,
        analysis.algorithm,
        analysis.seed,
        vpnha::analysis::MINUTES_PER_MONTH
    )?;
    for s in &analysis.sites {
        writeln!(out)?;
        write_site(s, worst, out)?;
    }
    Ok(())
}

fn write_site(s: &SiteAnalysis, worst: usize, out: &mut dyn Write) -> io::Result<()> {
    let pattern = s.site.pattern.map_or("no tunnels", |p| p.name());
    let verdict = match s.verdict {
        Verdict::RedundancyMet => "redundancy met",
        _ => "redundancy NOT met",
    };
    writeln!(out, "site {} ({pattern}): {verdict}", s.site.name)?;
    for r in &s.reasons {
        writeln!(out, "  {}: {}", r.reason, r.message)?;
    }
    writeln!(out, "  {:<22}{}", "reachable", figure(&s.availability))?;
    let mut seen = Vec::new();
    for c in &s.capacity {
        if seen.contains(&c.min_tunnels) {
            continue;
        }
        seen.push(c.min_tunnels);
        let what = match (c.min_tunnels, c.tunnels) {
            (_, 1) => "its one tunnel up".to_owned(),
            (m, n) if m == n => format!("all {n} tunnels up"),
            (m, n) => format!("≥ {m} of {n} tunnels up"),
        };
        writeln!(out, "  {what:<22}{}", figure(&c.availability))?;
    }
    writeln!(
        out,
        "  single points of failure: {}",
        if s.single_points_of_failure.is_empty() {
            "none".to_owned()
        } else {
            s.single_points_of_failure.join(", ")
        }
    )?;
    let cuts: Vec<String> = s
        .minimal_cut_sets
        .iter()
        .map(|c| format!("{{{}}}", c.join(", ")))
        .collect();
    writeln!(
        out,
        "  minimal cut sets (up to {} failures): {}",
        s.max_failures,
        if cuts.is_empty() {
            "none".to_owned()
        } else {
            cuts.join(" ")
        }
    )?;
    for n in &s.notes {
        writeln!(out, "  note: {n}")?;
    }

    // Planned maintenance (routine, at most three rows), then the single failures worst
    // first: what a reader checks first.
    let planned: Vec<&Scenario> = s.scenarios.iter().filter(|x| x.planned).collect();
    let mut singles: Vec<&Scenario> = s
        .scenarios
        .iter()
        .filter(|x| !x.planned && x.failed.len() == 1)
        .collect();
    singles.sort_by(|a, b| severity(a).cmp(&severity(b)).then_with(|| by_share(a, b)));
    let hidden = singles.len().saturating_sub(worst);
    singles.truncate(worst);
    let rows: Vec<&Scenario> = planned.into_iter().chain(singles).collect();
    if !rows.is_empty() {
        writeln!(
            out,
            "\n  planned maintenance, then single failures worst first:"
        )?;
        write_scenarios(s, &rows, out)?;
        if hidden > 0 {
            writeln!(
                out,
                "  … {hidden} more single failures (--worst N, or --format json for every scenario)"
            )?;
        }
    }
    for size in 2..=s.max_failures {
        let sets: Vec<&Scenario> = s
            .scenarios
            .iter()
            .filter(|x| !x.planned && x.failed.len() == size)
            .collect();
        let cut = sets.iter().filter(|x| !x.reachable).count();
        let longest = sets
            .iter()
            .filter_map(|x| x.interruption.seconds)
            .map(|[_, hi]| hi)
            .max();
        writeln!(
            out,
            "  {} sets of {size} simultaneous failures: {cut} cut the site off{}",
            sets.len(),
            match longest {
                Some(hi) if cut < sets.len() => {
                    format!(", the others interrupt flows for at most {hi} s")
                }
                _ => String::new(),
            }
        )?;
    }
    Ok(())
}

/// Outages first, then the longest interruption.
fn severity(x: &Scenario) -> (bool, std::cmp::Reverse<u64>) {
    (
        x.reachable,
        std::cmp::Reverse(x.interruption.seconds.map_or(0, |[_, hi]| hi)),
    )
}

fn by_share(a: &Scenario, b: &Scenario) -> std::cmp::Ordering {
    b.affected_share
        .unwrap_or(0.0)
        .total_cmp(&a.affected_share.unwrap_or(0.0))
}

fn write_scenarios(s: &SiteAnalysis, list: &[&Scenario], out: &mut dyn Write) -> io::Result<()> {
    let mut t = render::table(&[
        "  FAILED",
        "SURVIVING",
        "MOVED",
        "AFFECTED",
        "INTERRUPTION",
        "ASSUMPTION",
    ]);
    let share =
        |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |m| format!("{:.1} %", m * 100.0));
    for x in list {
        let failed = if x.planned {
            format!("  {} (maintenance)", x.failed.join(", "))
        } else {
            format!("  {}", x.failed.join(", "))
        };
        let surviving = s.surviving_tunnels(x);
        t.add_row([
            failed,
            if surviving.is_empty() {
                "-".to_owned()
            } else {
                surviving.join(", ")
            },
            if x.reachable {
                share(x.moved_share)
            } else {
                "-".to_owned()
            },
            share(x.affected_share),
            match x.interruption.seconds {
                None => "outage".to_owned(),
                Some([lo, hi]) if lo == hi => format!("{lo} s"),
                Some([lo, hi]) => format!("{lo}–{hi} s"),
            },
            x.interruption.to_string(),
        ]);
    }
    render::write_table(out, &t)
}

/// `99.999564 % (5.36 nines), 0.19 min/month down`: as many digits as the nines need.
fn figure(a: &Availability) -> String {
    let nines = a.nines();
    if !nines.is_finite() {
        return "100 % (no failure can cut it off), 0 min/month down".to_owned();
    }
    let digits = (nines.ceil() as usize).clamp(2, 12);
    format!(
        "{:.digits$} % ({nines:.2} nines), {} min/month down",
        a.probability * 100.0,
        minutes(a.downtime_minutes_per_month())
    )
}

fn minutes(m: f64) -> String {
    if m >= 10.0 {
        format!("{m:.0}")
    } else if m >= 0.01 {
        format!("{m:.2}")
    } else {
        format!("{m:.1e}")
    }
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
