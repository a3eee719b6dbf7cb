//! Parse + validate of topologies with 10, 100, 1,000 and 10,000 local gateways.
//!
//! Each size is a dual-redundancy gateway with sites of two BGP devices each (so every
//! rule family does real work); measured from text to the findings list, and each stage
//! alone, in YAML and JSON.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vpnha::{Format, Topology};

/// A topology with `devices` local gateways (two per site) and one connection each.
pub fn topology_yaml(devices: usize) -> String {
    let mut s = String::from(
        "version: 1\nname: bench\ngateway:\n  sku: VpnGw5AZ\n  generation: Generation2\n  active_active: true\n  vnet_address_space: [10.0.0.0/16]\n  gateway_subnet: 10.0.255.0/27\n  instances:\n    - {public_ip: 192.0.2.4, bgp_peering_address: 10.0.255.4, zone: 1}\n    - {public_ip: 192.0.2.5, bgp_peering_address: 10.0.255.5, zone: 2}\nlocal_gateways:\n",
    );
    for i in 0..devices {
        let site = i / 2;
        let _ = writeln!(
            s,
            "  - name: fw-{i}\n    site: site-{site}\n    gateway_ip: {}.{}.{}.{}\n    isp: isp-{}\n    bgp: {{asn: {}, peering_address: 172.{}.{}.{}, advertised_prefixes: [{}.{}.0.0/16]}}",
            100 + i / 65536 % 100,
            i / 256 % 256,
            i % 256,
            1 + i % 2,
            i % 2,
            64512 + site % 1000,
            16 + i / 65536,
            i / 256 % 256,
            i % 256,
            11 + site / 256 % 100,
            site % 256,
        );
    }
    s.push_str("connections:\n");
    for i in 0..devices {
        let _ = writeln!(
            s,
            "  - {{name: c-{i}, local_gateway: fw-{i}, enable_bgp: true}}"
        );
    }
    s
}

fn parse_and_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse+validate");
    group.sample_size(20);
    for devices in [10, 100, 1_000, 10_000] {
        let yaml = topology_yaml(devices);
        let topology = Topology::from_yaml_str(&yaml).expect("the generated topology loads");
        let json = topology
            .to_string_as(Format::Json)
            .expect("it writes as JSON");
        group.throughput(Throughput::Elements(devices as u64));
        group.bench_with_input(BenchmarkId::new("yaml", devices), &yaml, |b, text| {
            b.iter(|| {
                let t = Topology::from_yaml_str(black_box(text)).unwrap();
                black_box(t.validate())
            });
        });
        group.bench_with_input(BenchmarkId::new("json", devices), &json, |b, text| {
            b.iter(|| {
                let t = Topology::from_json_str(black_box(text)).unwrap();
                black_box(t.validate())
            });
        });
        group.bench_with_input(
            BenchmarkId::new("validate-only", devices),
            &topology,
            |b, t| {
                b.iter(|| black_box(black_box(t).validate()));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, parse_and_validate);
criterion_main!(benches);
