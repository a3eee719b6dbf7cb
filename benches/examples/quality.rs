//! Selection quality: balance, movement on a failure and restoration on return, for each
//! algorithm and tunnel count. Prints a Markdown table (the one in `benches/README.md`).
//!
//! `cargo run --release -p vpnha-benches --example quality [flows]`

use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey};
use vpnha_benches::Flows;

fn main() {
    let flows_n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let flows = Flows::new(1).take(flows_n, false);
    println!(
        "| algorithm | n | max/mean | min/mean | failed: moved | extra moved (worst of first/middle/last) | restored | max/mean of the failed tunnel's flows over the survivors |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for algorithm in Algorithm::ALL {
        for n in [2usize, 3, 4, 8, 16] {
            let row = measure(algorithm, n, &flows);
            println!(
                "| {} | {n} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                algorithm,
                row.max_mean,
                row.min_mean,
                row.moved,
                row.extra,
                row.restored,
                row.spill
            );
        }
    }
}

struct Row {
    max_mean: f64,
    min_mean: f64,
    moved: f64,
    extra: f64,
    restored: f64,
    spill: f64,
}

fn assign(g: &EcmpGroup, flows: &[FlowKey]) -> Vec<u16> {
    let mut out = vec![0u16; flows.len()];
    g.select_many(flows, &mut out).expect("same lengths");
    out
}

fn measure(algorithm: Algorithm, n: usize, flows: &[FlowKey]) -> Row {
    let mut g = Box::new(EcmpGroup::new(n, algorithm, 0x5eed).expect("valid"));
    let before = assign(&g, flows);
    let mut counts = vec![0usize; n];
    for &t in &before {
        counts[usize::from(t)] += 1;
    }
    let mean = flows.len() as f64 / n as f64;
    let max_mean = *counts.iter().max().unwrap() as f64 / mean;
    let min_mean = *counts.iter().min().unwrap() as f64 / mean;
    let (mut moved_mid, mut extra, mut restored, mut spill) = (0.0, 0.0f64, 1.0f64, 0.0);
    for failed in [0, n / 2, n - 1] {
        g.set_up(failed, false).expect("in range");
        let after = assign(&g, flows);
        g.set_up(failed, true).expect("in range");
        let back = assign(&g, flows);
        let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        let moved_other = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b && usize::from(**a) != failed)
            .count();
        let same = before.iter().zip(&back).filter(|(a, b)| a == b).count();
        let mut spread = vec![0usize; n];
        for (a, b) in before.iter().zip(&after) {
            if usize::from(*a) == failed {
                spread[usize::from(*b)] += 1;
            }
        }
        let spilled: usize = spread.iter().sum();
        let survivors_mean = spilled as f64 / (n - 1).max(1) as f64;
        if failed == n / 2 {
            moved_mid = moved as f64 / flows.len() as f64;
            spill = *spread.iter().max().unwrap() as f64 / survivors_mean;
        }
        extra = extra.max(moved_other as f64 / flows.len() as f64);
        restored = restored.min(same as f64 / flows.len() as f64);
    }
    Row {
        max_mean,
        min_mean,
        moved: moved_mid,
        extra,
        restored,
        spill,
    }
}
