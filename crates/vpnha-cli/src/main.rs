//! The `vpnha` command: check, list, analyse and load-balance HA site-to-site VPN topologies.
//!
//! Exit codes: 0 clean (or warnings only), 1 a finding of severity error (for `analyze`
//! with `--require-redundancy`: a site that does not meet redundancy), 2 unreadable or
//! unparsable input (and usage errors).

mod analyze;
mod check;
mod demo;
mod input;
mod render;
mod tunnels;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Check, list and analyse highly-available Azure site-to-site VPN topologies.
#[derive(Debug, Parser)]
#[command(name = "vpnha", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The `--format` option of the commands that print results.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Output {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) format: OutputFormat,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Readable text and tables (colour on a terminal unless NO_COLOR is set).
    Text,
    /// JSON with stable field names.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate topology files against Azure's rules (exit 1 on errors, 2 on unreadable input).
    Check {
        /// Topology files (.yaml, .yml, .json, .toml); `-` reads YAML from stdin.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// List the tunnels a topology derives, in their stable order.
    Tunnels {
        /// A topology file; `-` reads YAML from stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        output: Output,
    },
    /// What breaks when a component fails, for how long, and how available each site is.
    Analyze(analyze::Args),
    /// List every rule vpnha checks, with its severity and what triggers it.
    Rules {
        #[command(flatten)]
        output: Output,
    },
    /// Run the main commands on a built-in dual-redundancy example.
    Demo {
        #[command(flatten)]
        output: Output,
    },
}

/// The process outcome, ordered by gravity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// Clean, or warnings only.
    Ok = 0,
    /// At least one error finding (`analyze --require-redundancy`: a site short of
    /// redundancy).
    Findings = 1,
    /// Unreadable or unparsable input.
    Unreadable = 2,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check { files, output } => check::run(&files, output.format, &mut out),
        Command::Tunnels { file, output } => tunnels::run(&file, output.format, &mut out),
        Command::Analyze(args) => analyze::run(&args, &mut out),
        Command::Rules { output } => render::rules(output.format, &mut out).map(|()| Outcome::Ok),
        Command::Demo { output } => demo::run(output.format, &mut out),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "vpnha: cannot write the output: {e}");
            ExitCode::from(Outcome::Unreadable as u8)
        }
    }
}
