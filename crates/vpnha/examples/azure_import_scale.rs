//! Times importing and checking a generated Azure export of an active-active gateway with
//! 100 local gateways and 100 connections (or `N` from the first argument).
//!
//! `cargo run --release -p vpnha --example azure_import_scale [N] [RUNS] [WRITE-TO.json]`
//! (the last argument also writes the generated export, to time `vpnha check --from azure`).

use std::time::{Duration, Instant};

use vpnha::import::azure::{self, Options};

#[path = "../tests/support/azure_export.rs"]
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(21);
    let text = support::export(n);
    if let Some(path) = args.next() {
        std::fs::write(&path, &text).expect("the export can be written");
    }
    let mut import_times = Vec::new();
    let mut total_times = Vec::new();
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let import = azure::from_texts(&[("export.json", text.as_str())], &Options::default());
        let imported = start.elapsed();
        let diagnostics = import.validate();
        let total = start.elapsed();
        import_times.push(imported);
        total_times.push(total);
        let t = import.topology.as_ref().expect("a topology");
        summary = format!(
            "{} local gateways, {} connections, {} tunnels; {} import findings, {} validation findings",
            t.local_gateways.len(),
            t.connections.len(),
            t.tunnels().len(),
            import.findings.len(),
            diagnostics.len()
        );
    }
    println!(
        "export: {} KiB, {} devices; {summary}",
        text.len() / 1024,
        n
    );
    println!(
        "import: median {:?}; import + check: median {:?} (min {:?}, max {:?}, {runs} runs)",
        median(&mut import_times),
        median(&mut total_times.clone()),
        total_times.iter().min().copied().unwrap_or_default(),
        total_times.iter().max().copied().unwrap_or_default(),
    );
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}
