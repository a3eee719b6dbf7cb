//! Turns criterion runs into the Markdown tables of `benches/README.md`: median ns per flow,
//! and each selector's time relative to vpnha `stable`.
//!
//! `cargo bench -p vpnha-benches -- --noplot --warm-up-time 1 --measurement-time 3`, then
//! `cargo run -p vpnha-benches --example report [DIR...]`. It reads `target/criterion` and
//! every copy of an earlier run given as `DIR`, and keeps each benchmark's smallest median:
//! on a shared machine, other jobs only ever add time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One benchmark: its id and median time per element (ns), or per iteration without
/// an element count.
#[derive(Debug)]
struct Estimate {
    group: String,
    function: String,
    median_ns: f64,
}

fn collect(dir: &Path, out: &mut Vec<Estimate>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            let read = |f: &str| -> Option<serde_json::Value> {
                serde_json::from_str(&std::fs::read_to_string(path.join(f)).ok()?).ok()
            };
            let (Some(b), Some(e)) = (read("benchmark.json"), read("estimates.json")) else {
                continue;
            };
            let elements = b["throughput"]["Elements"].as_f64().unwrap_or(1.0);
            let function = match (b["function_id"].as_str(), b["value_str"].as_str()) {
                (Some(f), Some(v)) => format!("{f} {v}"),
                (Some(f), None) => f.to_owned(),
                (None, v) => v.unwrap_or_default().to_owned(),
            };
            out.push(Estimate {
                group: b["group_id"].as_str().unwrap_or_default().to_owned(),
                function,
                median_ns: e["median"]["point_estimate"].as_f64().unwrap_or(f64::NAN) / elements,
            });
        } else {
            collect(&path, out);
        }
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let mut runs = Vec::new();
    collect(&root, &mut runs);
    for dir in std::env::args().skip(1) {
        collect(Path::new(&dir), &mut runs);
    }
    if runs.is_empty() {
        eprintln!(
            "no criterion results under {}: run the benchmarks first",
            root.display()
        );
        std::process::exit(1);
    }
    let mut best: BTreeMap<(String, String), f64> = BTreeMap::new();
    for e in runs {
        let slot = best.entry((e.group, e.function)).or_insert(f64::INFINITY);
        *slot = slot.min(e.median_ns);
    }
    let all: Vec<Estimate> = best
        .into_iter()
        .map(|((group, function), median_ns)| Estimate {
            group,
            function,
            median_ns,
        })
        .collect();
    // (family, state) -> function -> n -> ns
    let mut select: BTreeMap<(String, String), BTreeMap<String, BTreeMap<usize, f64>>> =
        BTreeMap::new();
    let mut other: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for e in &all {
        let parts: Vec<&str> = e.group.split('/').collect();
        if let ["select", family, n, state] = parts[..] {
            let n: usize = n.trim_start_matches("n=").parse().unwrap_or(0);
            select
                .entry(((*family).to_owned(), (*state).to_owned()))
                .or_default()
                .entry(e.function.clone())
                .or_default()
                .insert(n, e.median_ns);
        } else {
            other
                .entry(e.group.clone())
                .or_default()
                .insert(e.function.clone(), e.median_ns);
        }
    }
    for ((family, state), functions) in &select {
        println!(
            "\n**select, {family}, {state}** — median ns per flow (× = time relative to vpnha stable)\n"
        );
        println!("| selector | n = 2 | n = 4 | n = 8 | n = 16 |");
        println!("|---|---|---|---|---|");
        let base = functions.get("vpnha stable");
        let mut rows: Vec<_> = functions.iter().collect();
        rows.sort_by(|a, b| {
            let key = |r: &BTreeMap<usize, f64>| r.values().sum::<f64>();
            key(a.1).total_cmp(&key(b.1))
        });
        for (function, by_n) in rows {
            let cells: Vec<String> = [2, 4, 8, 16]
                .iter()
                .map(|n| match (by_n.get(n), base.and_then(|b| b.get(n))) {
                    (Some(ns), Some(b)) => format!("{ns:.2} ({:.2}×)", ns / b),
                    (Some(ns), None) => format!("{ns:.2}"),
                    _ => "–".to_owned(),
                })
                .collect();
            println!("| {function} | {} |", cells.join(" | "));
        }
    }
    for (group, functions) in &other {
        let unit = if group.starts_with("maglev_build") {
            "µs per build"
        } else {
            "ns per flow"
        };
        println!("\n**{group}** — median {unit}\n");
        println!("| benchmark | median |");
        println!("|---|---|");
        for (function, ns) in functions {
            let value = if group.starts_with("maglev_build") {
                ns / 1000.0
            } else {
                *ns
            };
            println!("| {function} | {value:.2} |");
        }
    }
}
