//! The `vpnha` command: check, list, analyse and load-balance HA site-to-site VPN topologies.
//!
//! Exit codes: 0 clean (or warnings only), 1 a finding of severity error (for `analyze`
//! with `--require-redundancy`: a site that does not meet redundancy), 2 unreadable or
//! unparsable input (and usage errors).

mod analyze;
mod check;
mod demo;
mod import;
mod input;
mod render;
mod route;
mod selection;
mod simulate;
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
        /// Topology files (.yaml, .yml, .json, .toml); `-` reads YAML from stdin. With
        /// `--from azure`: Azure JSON documents, together forming one topology.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Import the files first (all of them into one topology) and check the result.
        #[arg(long, value_enum, value_name = "SOURCE")]
        from: Option<import::Source>,
        /// With `--from azure`: the gateway to import when the documents hold several.
        #[arg(long, value_name = "NAME", requires = "from")]
        gateway: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// Build a topology file from another tool's documents (findings on stderr).
    #[command(subcommand)]
    Import(ImportSource),
    /// List the tunnels a topology derives, in their stable order.
    Tunnels {
        /// A topology file; `-` reads YAML from stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        output: Output,
    },
    /// Which tunnel carries a flow (ECMP), with parts of the topology down or not.
    ///
    /// Exit 0 with a tunnel, 1 when every tunnel of the site is down, 2 on bad input.
    Route {
        #[command(flatten)]
        args: route::RouteArgs,
        #[command(flatten)]
        output: Output,
    },
    /// What happens to a site's flows when parts fail and when they come back.
    Simulate {
        #[command(flatten)]
        args: simulate::SimulateArgs,
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

/// What `vpnha import` reads.
#[derive(Debug, Subcommand)]
enum ImportSource {
    /// Import Azure resource JSON (exit 1 on import errors, 2 when nothing is usable).
    ///
    /// Reads az CLI output (`network vnet-gateway`, `local-gateway`, `vpn-connection`,
    /// `public-ip` and `vnet` show or list, `resource list`, `graph query`), REST responses
    /// and ARM template exports. Exit 0: the topology was written (warnings allowed); 1:
    /// written, but with import errors; 2: nothing usable could be read. Every finding code:
    /// docs/import.md.
    Azure(import::AzureArgs),
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

impl Outcome {
    /// The `status` field of a JSON report: `ok`, `warnings`, `errors` or `unreadable`.
    pub(crate) fn status(self, warnings: usize) -> &'static str {
        match self {
            Outcome::Unreadable => "unreadable",
            Outcome::Findings => "errors",
            Outcome::Ok if warnings > 0 => "warnings",
            Outcome::Ok => "ok",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check {
            files,
            from: Some(import::Source::Azure),
            gateway,
            output,
        } => import::run_check(&files, gateway.as_deref(), output.format, &mut out),
        Command::Check { files, output, .. } => check::run(&files, output.format, &mut out),
        Command::Import(ImportSource::Azure(args)) => import::run_azure(&args, &mut out),
        Command::Tunnels { file, output } => tunnels::run(&file, output.format, &mut out),
        Command::Route { args, output } => route::run(&args, output.format, &mut out),
        Command::Simulate { args, output } => simulate::run(&args, output.format, &mut out),
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
