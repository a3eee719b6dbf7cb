//! Per-flow cost of tunnel selection: vpnha's four algorithms side by side with crates.io
//! peers, IPv4 and IPv6, n = 2, 4, 8, 16, all tunnels up and one down; the batch call; and
//! the Maglev table build.
//!
//! The peers get the same flows. Those that take a key (`maglev`, `hrw`) hash the `FlowKey`
//! with foldhash under a fixed seed and `maglev` gets a fixed table of 65537 entries (its
//! default size follows n, so a failure would reshuffle most flows); those that take a
//! 64-bit value (`jump-consistent-hash`, modulo) get vpnha's flow hash.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use foldhash::fast::FixedState;
use maglev::{ConsistentHasher, Maglev};
use vpnha::ecmp::{Algorithm, EcmpGroup, MAGLEV_TABLE_SIZE};
use vpnha_benches::Flows;

const FLOWS: usize = 1024;
const SEED: u64 = 0x5eed;

fn select(c: &mut Criterion) {
    for ipv6 in [false, true] {
        let flows = Flows::new(7).take(FLOWS, ipv6);
        for n in [2usize, 4, 8, 16] {
            for down in [false, true] {
                let name = format!(
                    "select/{}/n={n}/{}",
                    if ipv6 { "ipv6" } else { "ipv4" },
                    if down { "one-down" } else { "all-up" }
                );
                let mut g = c.benchmark_group(name);
                g.throughput(Throughput::Elements(FLOWS as u64));
                // The failed tunnel is the middle one: the hard case for hash-threshold.
                let failed = n / 2;
                for algorithm in Algorithm::ALL {
                    let mut group = Box::new(EcmpGroup::new(n, algorithm, SEED).expect("valid"));
                    if down {
                        group.set_up(failed, false).expect("in range");
                    }
                    g.bench_function(BenchmarkId::new("vpnha", algorithm), |b| {
                        b.iter(|| {
                            let mut acc = 0u32;
                            for k in black_box(&flows) {
                                acc = acc.wrapping_add(u32::from(group.select(k).unwrap_or(0)));
                            }
                            acc
                        });
                    });
                }
                let live: Vec<u16> = (0..n as u16)
                    .filter(|&t| !down || usize::from(t) != failed)
                    .collect();
                let hasher = Box::new(EcmpGroup::new(n, Algorithm::Stable, SEED).expect("valid"));

                let state = FixedState::with_seed(SEED);
                let peer = Maglev::with_capacity_and_hasher(
                    live.clone(),
                    MAGLEV_TABLE_SIZE,
                    state.clone(),
                );
                g.bench_function("maglev-0.2 (M=65537, foldhash)", |b| {
                    b.iter(|| {
                        let mut acc = 0u32;
                        for k in black_box(&flows) {
                            acc = acc.wrapping_add(u32::from(*peer.get(k).unwrap_or(&0)));
                        }
                        acc
                    });
                });

                let hrw = hrw::Rendezvous::from_nodes_and_hasher(live.clone(), state);
                g.bench_function("hrw-0.1 (foldhash)", |b| {
                    b.iter(|| {
                        let mut acc = 0u32;
                        for k in black_box(&flows) {
                            acc = acc.wrapping_add(u32::from(*hrw.pick_top(k).unwrap_or(&0)));
                        }
                        acc
                    });
                });

                g.bench_function("jump-consistent-hash-0.1 (vpnha hash)", |b| {
                    b.iter(|| {
                        let mut acc = 0u32;
                        for k in black_box(&flows) {
                            let i = jump_consistent_hash::hash(hasher.hash(k), live.len());
                            acc = acc.wrapping_add(u32::from(live[i as usize]));
                        }
                        acc
                    });
                });

                g.bench_function("modulo (vpnha hash)", |b| {
                    b.iter(|| {
                        let mut acc = 0u32;
                        for k in black_box(&flows) {
                            let i = hasher.hash(k) % live.len() as u64;
                            acc = acc.wrapping_add(u32::from(live[i as usize]));
                        }
                        acc
                    });
                });
                g.finish();
            }
        }
    }
}

fn hash_only(c: &mut Criterion) {
    let mut g = c.benchmark_group("hash");
    g.throughput(Throughput::Elements(FLOWS as u64));
    let group = Box::new(EcmpGroup::new(4, Algorithm::Stable, SEED).expect("valid"));
    for ipv6 in [false, true] {
        let flows = Flows::new(7).take(FLOWS, ipv6);
        let family = if ipv6 { "ipv6" } else { "ipv4" };
        g.bench_function(BenchmarkId::new("vpnha", family), |b| {
            b.iter(|| {
                black_box(&flows)
                    .iter()
                    .fold(0u64, |a, k| a ^ group.hash(k))
            });
        });
    }
    g.finish();
}

fn select_many(c: &mut Criterion) {
    for ipv6 in [false, true] {
        let flows = Flows::new(7).take(FLOWS, ipv6);
        let mut out = vec![0u16; FLOWS];
        let mut g = c.benchmark_group(format!(
            "select_many/{}/n=4",
            if ipv6 { "ipv6" } else { "ipv4" }
        ));
        g.throughput(Throughput::Elements(FLOWS as u64));
        for algorithm in Algorithm::ALL {
            for down in [false, true] {
                let mut group = Box::new(EcmpGroup::new(4, algorithm, SEED).expect("valid"));
                if down {
                    group.set_up(2, false).expect("in range");
                }
                let id = format!("{algorithm}/{}", if down { "one-down" } else { "all-up" });
                g.bench_function(BenchmarkId::new("vpnha", id), |b| {
                    b.iter(|| {
                        group
                            .select_many(black_box(&flows), &mut out)
                            .expect("same lengths");
                        black_box(&out);
                    });
                });
            }
        }
        g.finish();
    }
}

fn maglev_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("maglev_build/M=65537");
    g.sample_size(20);
    let mut group = Box::new(EcmpGroup::EMPTY);
    for n in [2usize, 4, 8, 16] {
        g.bench_function(BenchmarkId::new("vpnha", n), |b| {
            b.iter(|| {
                group
                    .init(black_box(n), Algorithm::Maglev, SEED)
                    .expect("valid")
            });
        });
        g.bench_function(BenchmarkId::new("maglev-0.2", n), |b| {
            b.iter(|| {
                Maglev::with_capacity_and_hasher(
                    0..black_box(n) as u16,
                    MAGLEV_TABLE_SIZE,
                    FixedState::with_seed(SEED),
                )
            });
        });
    }
    g.finish();
}

criterion_group!(benches, select, hash_only, select_many, maglev_build);
criterion_main!(benches);
