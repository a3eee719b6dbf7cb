//! Cost of the failure and availability analysis on dual-redundancy sites of growing size:
//! the exact availability (and tunnel-count distribution) of one site with 2, 10 and 100
//! devices, and the whole analysis with every failure set of up to k = 2 components for 20
//! (and 100) devices.
//!
//! The sites are built in code: an active-active gateway with its instances in zones 1 and
//! 2, and N devices alternating between two ISPs, each with BGP and a tunnel to each
//! instance (2N tunnels).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vpnha::analysis::AnalysisOptions;
use vpnha::{Connection, Gateway, Instance, LocalBgp, LocalGateway, Sku, Topology};

/// A dual-redundancy site `hq` with `devices` devices.
fn dual_redundancy(devices: usize) -> Topology {
    let instances = (0..2u8)
        .map(|i| {
            let mut x = Instance::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 4 + i)));
            x.zone = Some(i + 1);
            x
        })
        .collect();
    let mut t = Topology::new(Gateway::new(Sku::VpnGw5AZ, instances));
    for d in 0..devices {
        let name = format!("hq-fw-{d}");
        let [hi, lo] = (d as u16).to_be_bytes();
        let mut l = LocalGateway::new(&name, IpAddr::V4(Ipv4Addr::new(198, 51, hi, lo)));
        l.site = Some("hq".to_owned());
        l.isp = Some(format!("isp-{}", d % 2 + 1));
        l.bgp = Some(LocalBgp::new(
            65050,
            IpAddr::V4(Ipv4Addr::new(192, 168, hi, lo)),
        ));
        t.local_gateways.push(l);
        let mut c = Connection::new(&format!("hq-{d}"), &name);
        c.enable_bgp = true;
        t.connections.push(c);
    }
    t
}

fn availability(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis/availability/dual-redundancy");
    let options = AnalysisOptions::new();
    for devices in [2usize, 10, 100] {
        let t = dual_redundancy(devices);
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("devices", devices), &t, |b, t| {
            b.iter(|| {
                black_box(t)
                    .site_availability("hq", &options)
                    .expect("analysable")
            });
        });
    }
    g.finish();
}

fn scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis/analyze-k2/dual-redundancy");
    g.sample_size(10);
    let options = AnalysisOptions::new().with_max_failures(2);
    for devices in [20usize, 100] {
        let t = dual_redundancy(devices);
        let count = t.analyze_with(&options).expect("analysable").sites[0]
            .scenarios
            .len();
        g.throughput(Throughput::Elements(count as u64));
        g.bench_with_input(BenchmarkId::new("devices", devices), &t, |b, t| {
            b.iter(|| black_box(t).analyze_with(&options).expect("analysable"));
        });
    }
    g.finish();
}

criterion_group!(benches, availability, scenarios);
criterion_main!(benches);
