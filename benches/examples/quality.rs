//! Selection quality: balance, movement on a failure and restoration on return, for each
//! vpnha algorithm and for the crates.io peers, n = 2, 3, 4, 8, 16. Prints the Markdown
//! table of `benches/README.md`.
//!
//! `cargo run --release -p vpnha-benches --example quality [flows]` (default 200 000 IPv4
//! flows from documentation ranges, seed 0x5eed).

use foldhash::fast::FixedState;
use maglev::{ConsistentHasher, Maglev};
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, MAGLEV_TABLE_SIZE};
use vpnha_benches::Flows;

const SEED: u64 = 0x5eed;

/// Maps every flow to a tunnel given which tunnels are up.
trait Selector {
    fn name(&self) -> String;
    fn assign(&mut self, up: &[bool], flows: &[FlowKey]) -> Vec<u16>;
}

struct Ours {
    algorithm: Algorithm,
    group: Box<EcmpGroup>,
}

impl Selector for Ours {
    fn name(&self) -> String {
        format!("vpnha {}", self.algorithm)
    }

    fn assign(&mut self, up: &[bool], flows: &[FlowKey]) -> Vec<u16> {
        for (t, &u) in up.iter().enumerate() {
            self.group.set_up(t, u).expect("in range");
        }
        let mut out = vec![0u16; flows.len()];
        self.group
            .select_many(flows, &mut out)
            .expect("same lengths");
        out
    }
}

/// A peer rebuilt over the live tunnels, as its API requires.
struct Peer {
    name: &'static str,
    hasher: Box<EcmpGroup>,
    pick: fn(&EcmpGroup, &[u16], &[FlowKey]) -> Vec<u16>,
}

impl Selector for Peer {
    fn name(&self) -> String {
        self.name.to_owned()
    }

    fn assign(&mut self, up: &[bool], flows: &[FlowKey]) -> Vec<u16> {
        let live: Vec<u16> = (0..up.len() as u16)
            .filter(|&t| up[usize::from(t)])
            .collect();
        (self.pick)(&self.hasher, &live, flows)
    }
}

fn peers(n: usize) -> Vec<Peer> {
    let hasher = || Box::new(EcmpGroup::new(n, Algorithm::Stable, SEED).expect("valid"));
    vec![
        Peer {
            name: "maglev-0.2, M = 65537, foldhash",
            hasher: hasher(),
            pick: |_, live, flows| {
                let m = Maglev::with_capacity_and_hasher(
                    live.to_vec(),
                    MAGLEV_TABLE_SIZE,
                    FixedState::with_seed(SEED),
                );
                flows
                    .iter()
                    .map(|k| *m.get(k).expect("non-empty"))
                    .collect()
            },
        },
        Peer {
            name: "maglev-0.2, default M (100·n, rounded to a prime)",
            hasher: hasher(),
            pick: |_, live, flows| {
                let m = Maglev::with_hasher(live.to_vec(), FixedState::with_seed(SEED));
                flows
                    .iter()
                    .map(|k| *m.get(k).expect("non-empty"))
                    .collect()
            },
        },
        Peer {
            name: "hrw-0.1, foldhash",
            hasher: hasher(),
            pick: |_, live, flows| {
                let r = hrw::Rendezvous::from_nodes_and_hasher(
                    live.to_vec(),
                    FixedState::with_seed(SEED),
                );
                flows
                    .iter()
                    .map(|k| *r.pick_top(k).expect("non-empty"))
                    .collect()
            },
        },
        Peer {
            name: "jump-consistent-hash-0.1 over the live list",
            hasher: hasher(),
            pick: |g, live, flows| {
                flows
                    .iter()
                    .map(|k| live[jump_consistent_hash::hash(g.hash(k), live.len()) as usize])
                    .collect()
            },
        },
        Peer {
            name: "modulo over the live list",
            hasher: hasher(),
            pick: |g, live, flows| {
                flows
                    .iter()
                    .map(|k| live[(g.hash(k) % live.len() as u64) as usize])
                    .collect()
            },
        },
    ]
}

struct Row {
    max_mean: f64,
    moved: f64,
    extra: f64,
    restored: f64,
}

fn measure(s: &mut dyn Selector, n: usize, flows: &[FlowKey]) -> Row {
    let all = vec![true; n];
    let before = s.assign(&all, flows);
    let mut counts = vec![0usize; n];
    for &t in &before {
        counts[usize::from(t)] += 1;
    }
    let mean = flows.len() as f64 / n as f64;
    let max_mean = *counts.iter().max().expect("n > 0") as f64 / mean;
    let (mut moved_middle, mut extra, mut restored) = (0.0, 0.0f64, 1.0f64);
    for failed in [0, n / 2, n - 1] {
        let mut up = all.clone();
        up[failed] = false;
        let after = s.assign(&up, flows);
        let back = s.assign(&all, flows);
        let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        let moved_other = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b && usize::from(**a) != failed)
            .count();
        let same = before.iter().zip(&back).filter(|(a, b)| a == b).count();
        if failed == n / 2 {
            moved_middle = moved as f64 / flows.len() as f64;
        }
        extra = extra.max(moved_other as f64 / flows.len() as f64);
        restored = restored.min(same as f64 / flows.len() as f64);
    }
    Row {
        max_mean,
        moved: moved_middle,
        extra,
        restored,
    }
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let flows = Flows::new(1).take(count, false);
    println!(
        "{count} IPv4 flows; failure of the first, middle and last tunnel in turn, then its return."
    );
    println!();
    println!(
        "| selector | n | max/mean load | moved (middle fails) | extra moved (worst) | restored (worst) |"
    );
    println!("|---|---|---|---|---|---|");
    for n in [2usize, 3, 4, 8, 16] {
        let mut selectors: Vec<Box<dyn Selector>> = Algorithm::ALL
            .into_iter()
            .map(|algorithm| {
                Box::new(Ours {
                    algorithm,
                    group: Box::new(EcmpGroup::new(n, algorithm, SEED).expect("valid")),
                }) as Box<dyn Selector>
            })
            .collect();
        selectors.extend(
            peers(n)
                .into_iter()
                .map(|p| Box::new(p) as Box<dyn Selector>),
        );
        for s in &mut selectors {
            let row = measure(s.as_mut(), n, &flows);
            println!(
                "| {} | {n} | {:.3} | {:.3} | {:.3} | {:.3} |",
                s.name(),
                row.max_mean,
                row.moved,
                row.extra,
                row.restored
            );
        }
    }
}
