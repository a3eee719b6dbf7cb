//! Per-flow cost of `EcmpGroup::select` in Rust, timed the way `benches/c/select_timing.c`
//! times `vpnha_ecmp_group_select` from C: the same 1024 flows (`Flows::new(7)`), the same
//! groups, the same passes and samples, the median sample. `benches/c/compare.sh` runs both
//! and puts the figures side by side (`make bench-c`).
//!
//! Prints two lines per case: `select <case> <median ns per flow>`, with `select` inlined into
//! the loop as a Rust program gets it, and `select_call`, through a function the compiler may
//! not inline, as a C caller gets it: one call per flow, the group's settings loaded anew each
//! time rather than once for the loop.

use std::hint::black_box;
use std::time::Instant;

use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey};
use vpnha_benches::Flows;

const FLOWS: usize = 1024;
const PASSES: usize = 400;
const SAMPLES: usize = 15;
const SEED: u64 = 0x5eed;

/// `EcmpGroup::select` behind a call, as C calls it.
#[inline(never)]
fn select_call(group: &EcmpGroup, key: &FlowKey) -> Option<u16> {
    group.select(key)
}

/// The median over `SAMPLES` samples of `PASSES` passes over the flows, in ns per flow, of
/// the selection expression (a macro, not a closure, so the loop is exactly the one written).
macro_rules! median_ns {
    ($flows:expr, |$k:ident| $select:expr) => {{
        let mut samples = [0f64; SAMPLES];
        for sample in &mut samples {
            let start = Instant::now();
            let mut acc = 0u32;
            for _ in 0..PASSES {
                for $k in black_box($flows) {
                    acc = acc.wrapping_add(u32::from($select.unwrap_or(0)));
                }
            }
            black_box(acc);
            *sample = start.elapsed().as_nanos() as f64 / (PASSES * FLOWS) as f64;
        }
        samples.sort_by(f64::total_cmp);
        samples[SAMPLES / 2]
    }};
}

/// `select` inlined into the timing loop, as a Rust program gets it. Its own function, so the
/// other loop cannot change how this one is compiled.
#[inline(never)]
fn time_inlined(group: &EcmpGroup, flows: &Vec<FlowKey>) -> f64 {
    median_ns!(flows, |k| group.select(k))
}

/// `select` behind a call, as C gets it.
#[inline(never)]
fn time_call(group: &EcmpGroup, flows: &Vec<FlowKey>) -> f64 {
    median_ns!(flows, |k| select_call(group, k))
}

fn main() {
    for ipv6 in [false, true] {
        let flows = Flows::new(7).take(FLOWS, ipv6);
        for n in [2usize, 4, 8, 16] {
            for down in [false, true] {
                for algorithm in Algorithm::ALL {
                    let mut group = Box::new(EcmpGroup::new(n, algorithm, SEED).expect("valid"));
                    if down {
                        group.set_up(n / 2, false).expect("in range");
                    }
                    let case = format!(
                        "{}/n={n}/{}/{algorithm}",
                        if ipv6 { "ipv6" } else { "ipv4" },
                        if down { "one-down" } else { "all-up" }
                    );
                    println!("select {case} {:.3}", time_inlined(&group, &flows));
                    println!("select_call {case} {:.3}", time_call(&group, &flows));
                }
            }
        }
    }
}
