//! The readable report of an analysis: what `vpnha analyze` prints, and what the C API's
//! `vpnha_analysis_write_text` gives, from one place so that the two never drift apart.

use std::fmt;

use unicode_width::UnicodeWidthStr;

use super::{Analysis, Availability, MINUTES_PER_MONTH, Scenario, SiteAnalysis, Verdict};

/// The readable report of an [`Analysis`], made by [`Analysis::text_report`]; written by its
/// [`Display`](fmt::Display). Per site: the verdict and its reasons, the availability with
/// nines and downtime per month, the capacity figures, the single points of failure, the
/// minimal cut sets, the notes, a table of the planned maintenance and the worst single
/// failures, and one line per size of simultaneous failures.
#[derive(Clone, Copy, Debug)]
pub struct TextReport<'a> {
    analysis: &'a Analysis,
    name: &'a str,
    worst: usize,
    validation_errors: usize,
}

impl Analysis {
    /// The readable report, headed by `name` (the file analysed), listing the
    /// [`TextReport::DEFAULT_WORST`] worst single failures per site.
    ///
    /// ```
    /// use vpnha::Topology;
    ///
    /// let analysis = Topology::load("../../examples/active-standby.yaml")?.analyze()?;
    /// let text = analysis.text_report("active-standby.yaml").to_string();
    /// assert!(text.contains("site berlin-fw (active-standby): redundancy NOT met"));
    /// assert!(text.contains("single points of failure: zone:1, berlin-fw, berlin/0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn text_report<'a>(&'a self, name: &'a str) -> TextReport<'a> {
        TextReport {
            analysis: self,
            name,
            worst: TextReport::DEFAULT_WORST,
            validation_errors: 0,
        }
    }
}

impl TextReport<'_> {
    /// The single failures listed per site unless set: 10.
    pub const DEFAULT_WORST: usize = 10;

    /// List the `n` worst single failures per site (after the planned maintenance); the
    /// others are counted in one line.
    pub fn with_worst(mut self, n: usize) -> Self {
        self.worst = n;
        self
    }

    /// The number of error findings of the topology analysed: when not 0, the report starts
    /// with a note that the topology was taken as written.
    pub fn with_validation_errors(mut self, errors: usize) -> Self {
        self.validation_errors = errors;
        self
    }
}

impl fmt::Display for TextReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, analysis) = (self.name, self.analysis);
        let errors = self.validation_errors;
        if errors > 0 {
            writeln!(
                f,
                "note: {name} has {errors} error finding{} (see `vpnha check`); the analysis takes the topology as written\n",
                if errors == 1 { "" } else { "s" }
            )?;
        }
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
            f,
            "{name}: component availabilities gateway_instance {}, device {}, isp {}, tunnel {}, zone {}{defaulted}",
            i.gateway_instance, i.device, i.isp, i.tunnel, i.zone
        )?;
        writeln!(
            f,
            "moved shares over {} sample flows, ECMP {} seed {}; a month is {:.1} min (365.2425 days / 12)",
            analysis.flow_sample, analysis.algorithm, analysis.seed, MINUTES_PER_MONTH
        )?;
        for s in &analysis.sites {
            writeln!(f)?;
            write_site(s, self.worst, f)?;
        }
        Ok(())
    }
}

fn write_site(s: &SiteAnalysis, worst: usize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let pattern = s.site.pattern.map_or("no tunnels", |p| p.name());
    let verdict = match s.verdict {
        Verdict::RedundancyMet => "redundancy met",
        _ => "redundancy NOT met",
    };
    writeln!(f, "site {} ({pattern}): {verdict}", s.site.name)?;
    for r in &s.reasons {
        writeln!(f, "  {}: {}", r.reason, r.message)?;
    }
    writeln!(f, "  {:<22}{}", "reachable", figure(&s.availability))?;
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
        writeln!(f, "  {what:<22}{}", figure(&c.availability))?;
    }
    writeln!(
        f,
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
        f,
        "  minimal cut sets (up to {} failures): {}",
        s.max_failures,
        if cuts.is_empty() {
            "none".to_owned()
        } else {
            cuts.join(" ")
        }
    )?;
    for n in &s.notes {
        writeln!(f, "  note: {n}")?;
    }

    // Planned maintenance (routine, at most three rows), then the single failures worst
    // first: what a reader checks first.
    let planned: Vec<&Scenario> = s.scenarios.iter().filter(|x| x.planned).collect();
    let mut singles: Vec<&Scenario> = s
        .scenarios
        .iter()
        .filter(|x| !x.planned && x.failed.len() == 1)
        .collect();
    singles.sort_by(|a, b| super::worst_first(a, b));
    let hidden = singles.len().saturating_sub(worst);
    singles.truncate(worst);
    let rows: Vec<&Scenario> = planned.into_iter().chain(singles).collect();
    if !rows.is_empty() {
        writeln!(
            f,
            "\n  planned maintenance, then single failures worst first:"
        )?;
        write_scenarios(s, &rows, f)?;
        if hidden > 0 {
            writeln!(
                f,
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
            f,
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

fn write_scenarios(
    s: &SiteAnalysis,
    list: &[&Scenario],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let share =
        |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |m| format!("{:.1} %", m * 100.0));
    let mut rows = Vec::with_capacity(list.len() + 1);
    rows.push(
        [
            "  FAILED",
            "SURVIVING",
            "MOVED",
            "AFFECTED",
            "INTERRUPTION",
            "ASSUMPTION",
        ]
        .map(str::to_owned),
    );
    for x in list {
        let failed = if x.planned {
            format!("  {} (maintenance)", x.failed.join(", "))
        } else {
            format!("  {}", x.failed.join(", "))
        };
        let surviving = s.surviving_tunnels(x);
        rows.push([
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
    write_table(f, &rows)
}

/// Writes rows (the first is the header) as left-aligned columns, each as wide as its widest
/// cell (in terminal columns) plus two spaces, without trailing spaces. A cell with a newline
/// takes several lines.
fn write_table<const N: usize>(f: &mut fmt::Formatter<'_>, rows: &[[String; N]]) -> fmt::Result {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = cell.split('\n').map(str::width).fold(*w, usize::max);
        }
    }
    let mut line = String::new();
    for row in rows {
        let cells: Vec<Vec<&str>> = row.iter().map(|c| c.split('\n').collect()).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..height {
            line.clear();
            for (cell, &w) in cells.iter().zip(&widths) {
                let part = cell.get(i).copied().unwrap_or("");
                line.push_str(part);
                let pad = w - part.width() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
            writeln!(f, "{}", line.trim_end())?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Table<'a>(&'a [[String; 2]]);

    impl fmt::Display for Table<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_table(f, self.0)
        }
    }

    fn row(a: &str, b: &str) -> [String; 2] {
        [a.to_owned(), b.to_owned()]
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_in_terminal_columns() {
        // "–" is one column wide but three bytes; "東京" is four columns wide.
        let rows = [row("A", "B"), row("10–15 s", "x"), row("東京", "y")];
        assert_eq!(
            Table(&rows).to_string(),
            "A        B\n10–15 s  x\n東京     y\n"
        );
    }

    #[test]
    fn a_cell_with_a_newline_takes_two_lines_and_no_line_ends_in_a_space() {
        let rows = [row("a\nbb", "c"), row("d", "")];
        assert_eq!(Table(&rows).to_string(), "a   c\nbb\nd\n");
    }

    #[test]
    fn figures_keep_as_many_digits_as_the_nines_need() {
        let a = Availability::from_unavailability(4.36e-6);
        assert_eq!(figure(&a), "99.999564 % (5.36 nines), 0.19 min/month down");
        let certain = Availability::from_unavailability(0.0);
        assert!(figure(&certain).starts_with("100 % (no failure can cut it off)"));
        let poor = Availability::from_unavailability(0.0012);
        assert_eq!(figure(&poor), "99.880 % (2.92 nines), 53 min/month down");
    }
}
