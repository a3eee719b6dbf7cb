//! Shared output: diagnostics with source snippets, tables, colour decisions.

use std::io::{self, IsTerminal, Write};

use comfy_table::{Table, presets};
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde_json::json;
use vpnha::{Diagnostic, Report, Rule, Severity, SourceFile};

use crate::OutputFormat;

/// Whether to colour text written to `stream` (stdout or stderr).
pub(crate) fn colour(stream: &impl IsTerminal) -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
}

/// Writes one diagnostic with its snippet (when it has a position).
pub(crate) fn diagnostic(
    out: &mut dyn Write,
    d: &Diagnostic,
    file: Option<&SourceFile>,
) -> io::Result<()> {
    let terminal = io::stdout().is_terminal();
    report(
        out,
        &Report::new(d, file),
        &d.to_string(),
        colour(&io::stdout()),
        terminal,
    )
}

/// Writes one miette report: with colour or not, wrapped to the terminal or not at all;
/// `fallback` is the one-line form.
pub(crate) fn report(
    out: &mut dyn Write,
    report: &dyn miette::Diagnostic,
    fallback: &str,
    colour: bool,
    terminal: bool,
) -> io::Result<()> {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Names like `hq-fw-a` must never be split at their hyphens; off a terminal, lines are
    // not wrapped at all so that logs and greps see whole messages.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_wrap_lines(terminal)
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_context_lines(1);
    let mut text = String::new();
    // The handler only fails on a broken formatter; fall back to the one-line form then.
    if handler.render_report(&mut text, report).is_err() {
        text = format!("{fallback}\n");
    }
    write!(out, "{text}")
}

/// A borderless table with padded columns: readable in a terminal and in logs.
pub(crate) fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_header(header.iter().copied());
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
    }
    t
}

/// Writes a table without trailing spaces.
pub(crate) fn write_table(out: &mut dyn Write, t: &Table) -> io::Result<()> {
    for line in t.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `vpnha rules`: the catalogue.
pub(crate) fn rules(format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Json => {
            let list: Vec<_> = Rule::ALL
                .iter()
                .map(|r| {
                    json!({
                        "rule": r.name(),
                        "severity": r.severity(),
                        "stage": match r.stage() { vpnha::Stage::Load => "load", _ => "validate" },
                        "fires_when": r.fires_when(),
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&list)?)
        }
        OutputFormat::Text => {
            let mut t = table(&["RULE", "SEVERITY", "FIRES WHEN"]);
            for r in Rule::ALL {
                let sev = match (r.stage(), r.severity()) {
                    (vpnha::Stage::Load, _) => "load error".to_owned(),
                    (_, s) => s.to_string(),
                };
                t.add_row([r.name(), &sev, r.fires_when()]);
            }
            write_table(out, &t)
        }
    }
}

/// "1 error", "2 warnings".
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "2 errors, 1 warning".
pub(crate) fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Counts of errors and warnings in findings.
pub(crate) fn tally(findings: &[Diagnostic]) -> (usize, usize) {
    let n = |s: Severity| findings.iter().filter(|d| d.severity == s).count();
    (n(Severity::Error), n(Severity::Warning))
}
