//! Properties of the analysis on random small topologies (up to 16 components per site), against brute-force enumeration of
//! every up/down state of the components: the exact availability, the distribution of
//! tunnels up and the minimal cut sets agree; every scenario's surviving tunnels agree.

mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use oracle::{Oracle, normalised};
use proptest::prelude::*;
use vpnha::analysis::{AnalysisOptions, Availabilities, Verdict};
use vpnha::model::AvailabilityInputs;
use vpnha::{Connection, Gateway, Instance, LocalBgp, LocalGateway, Sku, Topology};

/// One device: its site (0 or 1), its ISP (none, 1 or 2), and its connection if any: the
/// instances it lists (None = all), BGP, DPD timeout.
type Device = (u8, Option<u8>, Option<(Option<Vec<usize>>, bool, u64)>);

/// A random topology of one or two sites and its availabilities.
#[derive(Debug, Clone)]
struct Case {
    active_active: bool,
    /// Per instance: its zone.
    zones: Vec<Option<u8>>,
    devices: Vec<Device>,
    availability: [f64; 5],
    /// One component's own availability, by position in the first site's list.
    override_at: Option<(usize, f64)>,
    k: usize,
}

fn ip(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(203, 0, a, b))
}

impl Case {
    fn topology(&self) -> Topology {
        let instances = self
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let mut x = Instance::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, i as u8 + 1)));
                x.zone = *z;
                x
            })
            .collect();
        let mut g = Gateway::new(Sku::VpnGw2AZ, instances);
        g.active_active = self.active_active;
        let mut t = Topology::new(g);
        for (d, (site, isp, conn)) in self.devices.iter().enumerate() {
            let name = format!("fw-{d}");
            let mut l = LocalGateway::new(&name, ip(113, d as u8 + 1));
            l.site = Some(format!("site-{site}"));
            l.isp = isp.map(|i| format!("isp-{i}"));
            l.bgp = Some(LocalBgp::new(
                65000,
                IpAddr::V4(Ipv4Addr::new(172, 16, 0, d as u8 + 1)),
            ));
            t.local_gateways.push(l);
            if let Some((instances, bgp, dpd)) = conn {
                let mut c = Connection::new(&format!("c-{d}"), &name);
                c.instances = instances.clone();
                c.enable_bgp = *bgp;
                c.dpd_timeout_seconds = *dpd;
                t.connections.push(c);
            }
        }
        let [gi, dev, isp, tun, zone] = self.availability;
        let mut a = AvailabilityInputs::default();
        a.gateway_instance = Some(gi);
        a.device = Some(dev);
        a.isp = Some(isp);
        a.tunnel = Some(tun);
        a.zone = Some(zone);
        t.availability = Some(a);
        t
    }

    fn availabilities(&self) -> Availabilities {
        let [gi, dev, isp, tun, zone] = self.availability;
        let mut a = Availabilities::DEFAULT;
        a.gateway_instance = gi;
        a.device = dev;
        a.isp = isp;
        a.tunnel = tun;
        a.zone = zone;
        a
    }
}

fn probability() -> impl Strategy<Value = f64> {
    // Mostly ordinary values; now and then certain (1) or near certain.
    prop_oneof![
        6 => 0.5f64..1.0,
        1 => Just(1.0),
        1 => Just(0.999_99),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let zones = prop_oneof![Just(None), (1u8..=2).prop_map(Some)];
    (
        any::<bool>(),
        prop::collection::vec(zones, 1..=2),
        prop::collection::vec(
            (
                // Mostly one site, so that sites are large; sometimes a second one.
                prop_oneof![4 => Just(0u8), 1 => Just(1u8)],
                prop_oneof![Just(None), (1u8..=2).prop_map(Some)],
                prop::option::weighted(
                    0.85,
                    (
                        prop_oneof![
                            Just(None),
                            Just(Some(vec![0])),
                            Just(Some(vec![1])),
                            Just(Some(vec![0, 1])),
                        ],
                        any::<bool>(),
                        prop::sample::select(vec![9u64, 45, 150, 200]),
                    ),
                ),
            ),
            1..=5,
        ),
        [
            probability(),
            probability(),
            probability(),
            probability(),
            probability(),
        ],
        prop::option::of((0usize..16, 0.3f64..1.0)),
        1usize..=3,
    )
        .prop_map(
            |(active_active, zones, devices, availability, override_at, k)| Case {
                active_active,
                zones,
                devices,
                availability,
                override_at,
                k,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn exact_figures_and_cut_sets_equal_brute_force(case in case()) {
        let t = case.topology();
        let sites = t.sites();
        let a = case.availabilities();
        let first = Oracle::new(&t, &sites[0].name, &a, &BTreeMap::new());
        let mut overrides = BTreeMap::new();
        let mut options = AnalysisOptions::new();
        if let Some((i, p)) = case.override_at
            && i < first.len()
        {
            overrides.insert(first.names[i].clone(), p);
            options = options.with_component_availability(&first.names[i], p);
        }
        let oracles: Vec<Oracle> = sites
            .iter()
            .map(|s| Oracle::new(&t, &s.name, &a, &overrides))
            .collect();
        prop_assume!(oracles.iter().all(|o| o.len() <= 16));
        let largest = oracles.iter().map(Oracle::len).max().unwrap();
        prop_assume!(case.k <= largest);
        let analysis = t.analyze_with(&options.with_max_failures(case.k)).unwrap();
        prop_assert_eq!(analysis.sites.len(), sites.len());

        for (s, o) in analysis.sites.iter().zip(&oracles) {
            let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
            prop_assert_eq!(&names, &o.names);

            // Availability and the tunnel-count distribution, to 1e-12.
            let d = o.distribution();
            prop_assert!((s.availability.unavailability - d[0]).abs() < 1e-12,
                "{} vs {}", s.availability.unavailability, d[0]);
            prop_assert!((s.availability.probability - (1.0 - d[0])).abs() < 1e-12);
            prop_assert_eq!(s.tunnels_up.probabilities().len(), d.len());
            for (mine, theirs) in s.tunnels_up.probabilities().iter().zip(&d) {
                prop_assert!((mine - theirs).abs() < 1e-12, "{} vs {}", mine, theirs);
            }
            for c in &s.capacity {
                let below: f64 = d.iter().take(c.min_tunnels).sum();
                prop_assert!((c.availability.unavailability - below).abs() < 1e-12);
            }

            // Minimal cut sets up to k, and single points of failure.
            let k = case.k.min(o.len());
            prop_assert_eq!(s.max_failures, k);
            prop_assert_eq!(normalised(&s.minimal_cut_sets), o.minimal_cut_sets(k));
            let spofs: BTreeSet<Vec<String>> = s
                .single_points_of_failure
                .iter()
                .map(|n| vec![n.clone()])
                .collect();
            let singles: BTreeSet<Vec<String>> =
                o.minimal_cut_sets(1).into_iter().filter(|c| c.len() == 1).collect();
            prop_assert_eq!(spofs, singles);
            if s.verdict == Verdict::RedundancyMet {
                prop_assert!(s.single_points_of_failure.is_empty());
                prop_assert!(s.reasons.is_empty());
            }

            // Every failure set of up to k, once, and its surviving tunnels.
            let unplanned: Vec<_> = s.scenarios.iter().filter(|x| !x.planned).collect();
            let expected: usize = (1..=k).map(|j| binomial(o.len(), j)).sum();
            prop_assert_eq!(unplanned.len(), expected);
            let distinct: BTreeSet<&Vec<String>> = unplanned.iter().map(|x| &x.failed).collect();
            prop_assert_eq!(distinct.len(), expected);
            for x in &s.scenarios {
                let failed: Vec<&str> = x.failed.iter().map(String::as_str).collect();
                let state = o.state_without(&failed);
                let up: Vec<&str> = s.site.tunnels.iter().enumerate()
                    .filter(|(j, _)| o.tunnel_up(*j, state))
                    .map(|(_, t)| t.id.as_str())
                    .collect();
                if x.planned {
                    // Maintenance takes down one instance: the same as its failure.
                    prop_assert_eq!(x.failed.len(), 1);
                }
                prop_assert_eq!(&s.surviving_tunnels(x), &up);
                prop_assert_eq!(x.reachable, !up.is_empty());
                prop_assert_eq!(x.interruption.seconds.is_none(), up.is_empty());
                if let (Some(m), Some(a)) = (x.moved_share, x.affected_share) {
                    prop_assert!((0.0..=1.0).contains(&m) && m <= a && a <= 1.0);
                }
            }
        }
    }
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}
