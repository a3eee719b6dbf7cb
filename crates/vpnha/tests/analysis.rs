//! The failure and availability analysis on hand-worked cases, against a brute-force
//! enumeration of component states, and on bad input.

mod oracle;

use std::collections::BTreeMap;

use oracle::{Oracle, normalised};
use vpnha::Topology;
use vpnha::analysis::{
    AnalysisError, AnalysisOptions, Availabilities, Cause, Reason, SiteAnalysis, Verdict,
};
use vpnha::ecmp::Algorithm;
use vpnha::model::AvailabilityInputs;

fn yaml(text: &str) -> Topology {
    Topology::from_yaml_str(text).expect("the test topology loads")
}

fn example(name: &str) -> Topology {
    Topology::load(format!("../../examples/{name}.yaml")).expect("the example loads")
}

/// `examples/dual-redundancy.yaml` as text, to be edited into a variant.
fn dual_redundancy_text() -> String {
    std::fs::read_to_string("../../examples/dual-redundancy.yaml").expect("the example reads")
}

fn site<'a>(a: &'a vpnha::analysis::Analysis, name: &str) -> &'a SiteAnalysis {
    a.sites
        .iter()
        .find(|s| s.site.name == name)
        .expect("the site is analysed")
}

fn inputs(
    gateway_instance: f64,
    device: f64,
    isp: f64,
    tunnel: f64,
    zone: f64,
) -> AvailabilityInputs {
    let mut a = AvailabilityInputs::default();
    a.gateway_instance = Some(gateway_instance);
    a.device = Some(device);
    a.isp = Some(isp);
    a.tunnel = Some(tunnel);
    a.zone = Some(zone);
    a
}

fn resolved(a: &AvailabilityInputs) -> Availabilities {
    let mut r = Availabilities::DEFAULT;
    r.gateway_instance = a.gateway_instance.unwrap_or(r.gateway_instance);
    r.device = a.device.unwrap_or(r.device);
    r.isp = a.isp.unwrap_or(r.isp);
    r.tunnel = a.tunnel.unwrap_or(r.tunnel);
    r.zone = a.zone.unwrap_or(r.zone);
    r
}

fn scenario<'a>(
    s: &'a SiteAnalysis,
    failed: &[&str],
    planned: bool,
) -> &'a vpnha::analysis::Scenario {
    s.scenarios
        .iter()
        .find(|x| x.planned == planned && x.failed == failed)
        .unwrap_or_else(|| panic!("no scenario {failed:?} (planned: {planned})"))
}

/// One device, one tunnel to instance 0 of an active-active gateway (the device builds no
/// tunnel to instance 1): every component is in series.
const SERIES: &str = r#"
version: 1
gateway:
  sku: VpnGw2AZ
  generation: Generation2
  active_active: true
  instances:
    - {public_ip: 192.0.2.4, zone: 1}
    - {public_ip: 192.0.2.5, zone: 2}
local_gateways:
  - {name: fw, site: branch, gateway_ip: 203.0.113.10, isp: isp-1}
connections:
  - {name: branch, local_gateway: fw, instances: [0]}
"#;

#[test]
fn a_chain_of_one_instance_one_device_is_the_series_product() {
    let t = yaml(SERIES);
    let given = inputs(0.99, 0.98, 0.97, 0.96, 0.95);
    let a = t
        .analyze_with(&AnalysisOptions::new().with_availability(given))
        .unwrap();
    let s = site(&a, "branch");
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["instance-0", "zone:1", "fw", "isp:isp-1", "branch/0"]
    );
    let product = 0.99 * 0.98 * 0.97 * 0.96 * 0.95;
    assert!((s.availability.probability - product).abs() < 1e-15);
    assert!((s.availability.unavailability - (1.0 - product)).abs() < 1e-15);
    // Every component is a single point of failure.
    assert_eq!(s.single_points_of_failure, names);
    assert!(s.reasons.iter().any(|r| r.reason == Reason::SingleDevice));
    assert!(
        s.reasons
            .iter()
            .any(|r| r.reason == Reason::SingleInstanceCoverage)
    );
    // Without an ISP or a zone, the product has three factors.
    let bare = yaml(&SERIES.replace(", zone: 1", "").replace(", isp: isp-1", ""));
    let a = bare
        .site_availability(
            "branch",
            &AnalysisOptions::new().with_availability(inputs(0.99, 0.98, 0.5, 0.96, 0.5)),
        )
        .unwrap();
    assert!((a.availability.probability - 0.99 * 0.98 * 0.96).abs() < 1e-15);
}

#[test]
fn the_dual_redundancy_mesh_matches_brute_force_enumeration() {
    let t = example("dual-redundancy");
    // Uneven numbers so that no symmetry hides a wrong term.
    let given = inputs(0.9, 0.8, 0.7, 0.95, 0.85);
    let mut overrides = BTreeMap::new();
    overrides.insert("hq-fw-a".to_owned(), 0.75);
    overrides.insert("hq-b/1".to_owned(), 0.6);
    let mut options = AnalysisOptions::new().with_availability(given.clone());
    for (k, v) in &overrides {
        options = options.with_component_availability(k, *v);
    }
    let a = t.analyze_with(&options).unwrap();
    let s = site(&a, "hq");
    let o = Oracle::new(&t, "hq", &resolved(&given), &overrides);
    assert_eq!(o.len(), 12);
    let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, o.names);
    assert!((s.availability.unavailability - o.unavailability()).abs() < 1e-14);
    for (mine, theirs) in s.tunnels_up.probabilities().iter().zip(o.distribution()) {
        assert!((mine - theirs).abs() < 1e-14, "{mine} vs {theirs}");
    }
    assert_eq!(normalised(&s.minimal_cut_sets), o.minimal_cut_sets(2));
}

#[test]
fn dual_redundancy_meets_redundancy_with_no_single_point_of_failure() {
    let a = example("dual-redundancy").analyze().unwrap();
    let s = site(&a, "hq");
    assert_eq!(s.verdict, Verdict::RedundancyMet);
    assert!(s.reasons.is_empty());
    assert!(s.single_points_of_failure.is_empty());
    // Four ways to lose the gateway side, four to lose the on-premises side.
    assert_eq!(s.minimal_cut_sets.len(), 8);
    // 12 components: 12 single failures, 66 pairs, 2 planned maintenances.
    assert_eq!(s.scenarios.len(), 2 + 12 + 66);
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn active_standby_with_one_device_has_the_device_as_a_single_point_of_failure() {
    let a = example("active-standby").analyze().unwrap();
    let s = site(&a, "berlin-fw");
    assert_eq!(s.verdict, Verdict::RedundancyNotMet);
    assert!(s.single_points_of_failure.contains(&"berlin-fw".to_owned()));
    let codes: Vec<Reason> = s.reasons.iter().map(|r| r.reason).collect();
    assert_eq!(
        codes,
        [
            Reason::SingleDevice,
            Reason::ActiveStandbyGateway,
            Reason::SharedZone
        ]
    );
    // The standby covers the instance: only both together cut the site off.
    assert!(
        !s.single_points_of_failure
            .contains(&"instance-0".to_owned())
    );
    assert!(
        s.minimal_cut_sets
            .contains(&vec!["instance-0".to_owned(), "standby".to_owned()])
    );
}

#[test]
fn two_devices_on_one_isp_make_the_isp_a_single_point_of_failure() {
    let t = yaml(&dual_redundancy_text().replace("isp: isp-2", "isp: isp-1"));
    let a = t.analyze().unwrap();
    let s = site(&a, "hq");
    assert_eq!(s.single_points_of_failure, ["isp:isp-1"]);
    assert_eq!(s.verdict, Verdict::RedundancyNotMet);
    let r: Vec<Reason> = s.reasons.iter().map(|r| r.reason).collect();
    assert_eq!(r, [Reason::SharedIsp]);
    assert!(s.reasons[0].message.contains("isp:isp-1"));
}

#[test]
fn both_instances_in_one_zone_make_the_zone_a_single_point_of_failure() {
    let t = yaml(&dual_redundancy_text().replace("zone: 2", "zone: 1"));
    let a = t.analyze().unwrap();
    let s = site(&a, "hq");
    assert_eq!(s.single_points_of_failure, ["zone:1"]);
    let r: Vec<Reason> = s.reasons.iter().map(|r| r.reason).collect();
    assert_eq!(r, [Reason::SharedZone]);
    let zone = scenario(s, &["zone:1"], false);
    assert!(!zone.reachable);
    assert!(zone.interruption.is_outage());
    assert_eq!(zone.interruption.causes, [Cause::Outage]);
}

#[test]
fn interruptions_follow_the_documented_timers() {
    // Active-standby: planned maintenance 10–15 s, unplanned failover 60–180 s, and the
    // flows stay on their tunnel (nothing moves) but all are interrupted.
    let a = example("multi-device").analyze().unwrap();
    let s = site(&a, "lyon");
    let planned = scenario(s, &["instance-0"], true);
    assert_eq!(planned.interruption.seconds, Some([10, 15]));
    assert_eq!(planned.interruption.causes, [Cause::PlannedMaintenance]);
    assert_eq!(planned.moved_share, Some(0.0));
    assert_eq!(planned.affected_share, Some(1.0));
    let failover = scenario(s, &["instance-0"], false);
    assert_eq!(failover.interruption.seconds, Some([60, 180]));
    assert_eq!(failover.interruption.causes, [Cause::ActiveStandbyFailover]);
    let standby = scenario(s, &["standby"], false);
    assert_eq!(standby.interruption.seconds, Some([0, 0]));
    assert_eq!(standby.interruption.causes, [Cause::Unaffected]);
    // A device lost: its flows wait for DPD (45 s, before the BGP hold timer).
    let device = scenario(s, &["lyon-fw-1"], false);
    assert_eq!(device.interruption.seconds, Some([45, 45]));
    assert_eq!(s.surviving_tunnels(device), ["lyon-2/0"]);
    // Both at once: the failover bounds it.
    let both = scenario(s, &["instance-0", "lyon-fw-1"], false);
    assert_eq!(both.interruption.seconds, Some([60, 180]));
    assert_eq!(both.interruption.causes.len(), 2);
    assert_eq!(both.affected_share, Some(1.0));

    // Detection: DPD alone without BGP; the hold timer (120–180 s) when DPD is slower.
    let base = dual_redundancy_text();
    for (dpd, bgp, want) in [
        (30, false, [30, 30]),
        (45, true, [45, 45]),
        (150, true, [120, 150]),
        (200, true, [120, 180]),
        (3600, false, [3600, 3600]),
    ] {
        let text = base
            .replace(
                "dpd_timeout_seconds: 45",
                &format!("dpd_timeout_seconds: {dpd}"),
            )
            .replace(
                "enable_bgp: true\n    protocol",
                &format!("enable_bgp: {bgp}\n    protocol"),
            );
        let a = yaml(&text).analyze().unwrap();
        let s = site(&a, "hq");
        let x = scenario(s, &["hq-a/0"], false);
        assert_eq!(x.interruption.seconds, Some(want), "dpd {dpd} bgp {bgp}");
        assert_eq!(
            s.reasons.iter().any(|r| r.reason == Reason::NoBgpFailover),
            !bgp
        );
    }
}

#[test]
fn an_outage_has_no_invented_duration() {
    let a = example("active-active").analyze().unwrap();
    let s = site(&a, "madrid");
    let x = scenario(s, &["madrid-fw"], false);
    assert!(!x.reachable);
    assert_eq!(x.interruption.seconds, None);
    assert!(x.interruption.to_string().contains("no duration assumed"));
    assert_eq!(x.affected_share, Some(1.0));
    // Maintenance of the only instance a site uses is an outage too, named as such.
    let a = yaml(SERIES).analyze().unwrap();
    let x = scenario(site(&a, "branch"), &["instance-0"], true);
    assert_eq!(x.interruption.causes, [Cause::MaintenanceOutage]);
}

#[test]
fn moved_shares_add_up_and_only_the_failed_tunnels_flows_move() {
    let a = example("dual-redundancy").analyze().unwrap();
    let s = site(&a, "hq");
    // With Stable, losing each tunnel alone moves that tunnel's flows: together, all of them.
    let total: f64 = ["hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"]
        .iter()
        .map(|t| scenario(s, &[t], false).moved_share.unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
    // A device takes its two tunnels' flows.
    let device = scenario(s, &["hq-fw-a"], false).moved_share.unwrap();
    let pair = scenario(s, &["hq-a/0"], false).moved_share.unwrap()
        + scenario(s, &["hq-a/1"], false).moved_share.unwrap();
    assert!((device - pair).abs() < 1e-12);
    // Rendezvous too; hash-threshold moves more than the lost tunnel's share.
    for algorithm in [
        Algorithm::Rendezvous,
        Algorithm::HashThreshold,
        Algorithm::Maglev,
    ] {
        let a = example("dual-redundancy")
            .analyze_with(&AnalysisOptions::new().with_algorithm(algorithm))
            .unwrap();
        let s = site(&a, "hq");
        let x = scenario(s, &["hq-a/1"], false);
        let (moved, affected) = (x.moved_share.unwrap(), x.affected_share.unwrap());
        assert!(moved > 0.0 && moved <= affected && affected <= 1.0);
        if algorithm == Algorithm::HashThreshold {
            // The middle tunnel of four: RFC 2992 shifts a neighbour's range too.
            assert!(moved > 0.3, "{moved}");
        }
    }
}

#[test]
fn weights_shape_the_moved_share_and_a_standby_tunnel_interrupts_nothing() {
    let t = example("dual-redundancy");
    let a = t
        .analyze_with(&AnalysisOptions::new().with_weights("hq", &[1, 1, 1, 0]))
        .unwrap();
    let s = site(&a, "hq");
    let standby = scenario(s, &["hq-b/1"], false);
    assert_eq!(standby.moved_share, Some(0.0));
    assert_eq!(standby.interruption.causes, [Cause::Unaffected]);
    let err = t
        .analyze_with(&AnalysisOptions::new().with_weights("hq", &[1, 1]))
        .unwrap_err();
    assert!(matches!(err, AnalysisError::Ecmp { .. }), "{err}");
    let err = t
        .analyze_with(&AnalysisOptions::new().with_weights("hx", &[1, 1, 1, 1]))
        .unwrap_err();
    assert!(matches!(err, AnalysisError::UnknownSite { .. }), "{err}");
}

#[test]
fn capacity_is_the_exact_tail_of_the_tunnel_count() {
    let t = example("dual-redundancy");
    let given = inputs(0.9, 0.8, 0.7, 0.95, 0.85);
    let a = t
        .site_availability(
            "hq",
            &AnalysisOptions::new()
                .with_availability(given.clone())
                .with_capacity_shares(&[0.25, 0.5, 0.75, 1.0]),
        )
        .unwrap();
    let o = Oracle::new(&t, "hq", &resolved(&given), &BTreeMap::new());
    let d = o.distribution();
    for c in &a.capacity {
        let below: f64 = d[..c.min_tunnels].iter().sum();
        assert!((c.availability.unavailability - below).abs() < 1e-14);
    }
    let mins: Vec<usize> = a.capacity.iter().map(|c| c.min_tunnels).collect();
    assert_eq!(mins, [1, 2, 3, 4]);
    // Reachability is "at least one tunnel".
    assert!(
        (a.availability.unavailability - a.tunnels_up.at_least(1).unavailability).abs() < 1e-15
    );
    // 0.3 of 4 tunnels rounds up to 2.
    let c = a.tunnels_up.at_least_share(0.3).unwrap();
    assert_eq!(c.min_tunnels, 2);
}

#[test]
fn high_availability_keeps_its_precision() {
    let t = example("dual-redundancy");
    let given = inputs(0.999_999, 0.999_999, 0.999_999, 0.999_999, 0.999_999);
    let a = t
        .site_availability(
            "hq",
            &AnalysisOptions::new().with_availability(given.clone()),
        )
        .unwrap();
    let o = Oracle::new(&t, "hq", &resolved(&given), &BTreeMap::new());
    let (mine, theirs) = (a.availability.unavailability, o.unavailability());
    assert!(mine > 0.0);
    assert!(
        ((mine - theirs) / theirs).abs() < 1e-6,
        "{mine} vs {theirs}"
    );
    assert!(a.availability.nines() > 11.0);
    // Everything certain: no downtime, infinite nines.
    let sure = t
        .site_availability(
            "hq",
            &AnalysisOptions::new().with_availability(inputs(1.0, 1.0, 1.0, 1.0, 1.0)),
        )
        .unwrap();
    assert_eq!(sure.availability.unavailability, 0.0);
    assert!(sure.availability.nines().is_infinite());
    assert_eq!(sure.availability.downtime_minutes_per_month(), 0.0);
}

#[test]
fn nines_and_downtime_use_the_average_month() {
    let a = vpnha::analysis::Availability::from_unavailability(0.001);
    assert!((a.nines() - 3.0).abs() < 1e-12);
    assert!((a.downtime_minutes_per_month() - 43.829_1).abs() < 1e-9);
}

#[test]
fn defaults_follow_the_sla_and_the_file_overrides_them() {
    let a = example("active-standby").analyze().unwrap();
    assert_eq!(a.inputs, Availabilities::DEFAULT);
    assert_eq!(
        a.defaulted,
        ["gateway_instance", "device", "isp", "tunnel", "zone"]
    );
    let a = example("dual-redundancy").analyze().unwrap();
    assert_eq!(a.defaulted, ["zone"]);
    assert_eq!(a.inputs.device, 0.999);
    // Options over the file.
    let mut given = AvailabilityInputs::default();
    given.device = Some(0.5);
    let a = example("dual-redundancy")
        .analyze_with(&AnalysisOptions::new().with_availability(given))
        .unwrap();
    assert_eq!(a.inputs.device, 0.5);
    assert_eq!(a.inputs.isp, 0.999);
    // Basic has a lower SLA.
    assert_eq!(
        Availabilities::for_sku(vpnha::Sku::Basic).gateway_instance,
        0.999
    );
}

#[test]
fn a_site_without_tunnels_is_cut_off_by_nothing() {
    let t = yaml(
        r#"
version: 1
gateway:
  sku: VpnGw2AZ
  generation: Generation2
  instances: [{public_ip: 192.0.2.4}]
local_gateways:
  - {name: lonely, gateway_ip: 203.0.113.9}
  - {name: fw, gateway_ip: 203.0.113.10}
connections:
  - {name: fw, local_gateway: fw}
"#,
    );
    let a = t.analyze().unwrap();
    let s = site(&a, "lonely");
    assert_eq!(s.availability.unavailability, 1.0);
    assert_eq!(s.minimal_cut_sets, [Vec::<String>::new()]);
    assert!(s.single_points_of_failure.is_empty());
    let r: Vec<Reason> = s.reasons.iter().map(|r| r.reason).collect();
    assert_eq!(r, [Reason::NoTunnels]);
    // One component, k = 2: every failure set is visited, and the report says so.
    assert_eq!(s.max_failures, 1);
    assert!(s.notes.iter().any(|n| n.contains("every failure set")));
    assert!(
        s.scenarios
            .iter()
            .all(|x| !x.reachable && x.moved_share.is_none())
    );
    // The other site is analysed as usual.
    assert!(site(&a, "fw").availability.probability > 0.99);
}

#[test]
fn one_site_can_be_picked_and_a_typo_gets_a_suggestion() {
    let t = example("broken-bgp");
    let a = t
        .analyze_with(&AnalysisOptions::new().with_site("b"))
        .unwrap();
    assert_eq!(a.sites.len(), 1);
    let all = t.analyze().unwrap();
    let names: Vec<&str> = all.sites.iter().map(|s| s.site.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);

    let t = example("dual-redundancy");
    let err = t
        .analyze_with(&AnalysisOptions::new().with_site("hqq"))
        .unwrap_err();
    assert_eq!(
        err,
        AnalysisError::UnknownSite {
            name: "hqq".to_owned(),
            suggestion: Some("hq".to_owned()),
            known: vec!["hq".to_owned()],
        }
    );
    assert_eq!(
        err.to_string(),
        "no site is named `hqq`; did you mean `hq`?"
    );
    let err = t
        .site_availability("zzz", &AnalysisOptions::new())
        .unwrap_err();
    assert!(err.to_string().contains("the sites are `hq`"), "{err}");
}

#[test]
fn availabilities_outside_zero_one_are_errors() {
    let t = example("dual-redundancy");
    for bad in [0.0, -0.5, 1.000_001, 2.0, f64::NAN, f64::INFINITY] {
        let mut given = AvailabilityInputs::default();
        given.tunnel = Some(bad);
        let err = t
            .analyze_with(&AnalysisOptions::new().with_availability(given))
            .unwrap_err();
        assert!(
            matches!(&err, AnalysisError::AvailabilityOutOfRange { input, .. } if input == "tunnel"),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains("(0, 1]"), "{err}");
        let err = t
            .analyze_with(&AnalysisOptions::new().with_component_availability("hq-fw-a", bad))
            .unwrap_err();
        assert!(matches!(err, AnalysisError::AvailabilityOutOfRange { .. }));
    }
    // From the file too (validation reports it as `availability-out-of-range`).
    let file = yaml(&dual_redundancy_text().replace("device: 0.999", "device: 1.5"));
    assert!(matches!(
        file.analyze(),
        Err(AnalysisError::AvailabilityOutOfRange { .. })
    ));
}

#[test]
fn out_of_range_options_are_errors_with_the_range() {
    let t = example("dual-redundancy");
    let err = t
        .analyze_with(&AnalysisOptions::new().with_max_failures(13))
        .unwrap_err();
    assert_eq!(
        err,
        AnalysisError::MaxFailures {
            requested: 13,
            components: 12
        }
    );
    assert!(err.to_string().contains("give 1 to 12"), "{err}");
    assert!(matches!(
        t.analyze_with(&AnalysisOptions::new().with_max_failures(0)),
        Err(AnalysisError::MaxFailures { .. })
    ));
    // All 12 at once is fine: every subset.
    let all = t
        .analyze_with(&AnalysisOptions::new().with_max_failures(12))
        .unwrap();
    assert_eq!(all.sites[0].scenarios.len(), 2 + 4095);
    assert!(matches!(
        t.analyze_with(
            &AnalysisOptions::new()
                .with_max_failures(3)
                .with_max_scenarios(100)
        ),
        Err(AnalysisError::TooManyScenarios { .. })
    ));
    assert!(matches!(
        t.analyze_with(&AnalysisOptions::new().with_capacity_shares(&[0.0])),
        Err(AnalysisError::CapacityShare { .. })
    ));
    assert!(matches!(
        t.analyze_with(&AnalysisOptions::new().with_flow_sample(0)),
        Err(AnalysisError::FlowSample { .. })
    ));
    let err = t
        .analyze_with(&AnalysisOptions::new().with_component_availability("hq-fw-c", 0.9))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no component is named `hq-fw-c`; did you mean `hq-fw-a`?"
    );
}

#[test]
fn a_topology_without_sites_is_an_error() {
    let t = yaml(
        r#"
version: 1
gateway:
  sku: VpnGw2AZ
  generation: Generation2
  instances: [{public_ip: 192.0.2.4}]
"#,
    );
    let err = t.analyze().unwrap_err();
    assert_eq!(err, AnalysisError::NoSites);
    assert!(err.to_string().contains("local_gateways"));
    assert_eq!(
        t.site_availability("x", &AnalysisOptions::new()),
        Err(AnalysisError::NoSites)
    );
}

#[test]
fn a_gateway_with_too_many_instances_is_an_error_not_a_hang() {
    // 20 instances, each in its own zone: 40 gateway-side components.
    let mut text = String::from(
        "version: 1\ngateway:\n  sku: VpnGw2AZ\n  generation: Generation2\n  active_active: true\n  instances:\n",
    );
    for i in 0..20 {
        text.push_str(&format!(
            "    - {{public_ip: 192.0.2.{}, zone: {}}}\n",
            i + 1,
            i + 1
        ));
    }
    text.push_str("local_gateways:\n  - {name: fw, gateway_ip: 203.0.113.10}\nconnections:\n  - {name: c, local_gateway: fw}\n");
    let err = yaml(&text).analyze().unwrap_err();
    assert!(
        matches!(err, AnalysisError::GatewayTooLarge { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("instance-count"));
}

#[test]
fn progress_reaches_the_total() {
    let t = example("dual-redundancy");
    let mut last = None;
    t.analyze_with_progress(&AnalysisOptions::new(), &mut |p| {
        last = Some((p.site.to_owned(), p.done, p.total));
    })
    .unwrap();
    assert_eq!(last, Some(("hq".to_owned(), 80, 80)));
}

#[test]
fn prefix_mismatch_and_missing_domains_are_named() {
    let a = example("broken-multi-device").analyze().unwrap();
    let s = site(&a, "store");
    let r: Vec<Reason> = s.reasons.iter().map(|r| r.reason).collect();
    assert!(r.contains(&Reason::EcmpPrefixMismatch), "{r:?}");
    assert!(r.contains(&Reason::NoBgpFailover), "{r:?}");
    assert!(s.notes.iter().any(|n| n.contains("zone")), "{:?}", s.notes);
    assert!(s.notes.iter().any(|n| n.contains("`isp`")), "{:?}", s.notes);
}

#[test]
fn the_json_shape_holds_the_documented_fields() {
    let a = example("dual-redundancy").analyze().unwrap();
    let v = serde_json::to_value(&a).unwrap();
    let s = &v["sites"][0];
    for key in [
        "name",
        "pattern",
        "verdict",
        "reasons",
        "availability",
        "downtime_minutes_per_month",
        "single_points_of_failure",
        "minimal_cut_sets",
        "scenarios",
        "nines",
        "capacity",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }
    assert_eq!(s["verdict"], "redundancy-met");
    let x = &s["scenarios"][0];
    for key in [
        "failed",
        "surviving_tunnels",
        "reachable",
        "moved_share",
        "interruption_seconds",
        "assumption",
        "planned",
    ] {
        assert!(x.get(key).is_some(), "{key}");
    }
    assert_eq!(x["failed"][0], "instance-0");
    assert_eq!(x["interruption_seconds"], serde_json::json!([10, 15]));
    let outage = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["reachable"] == false)
        .unwrap();
    assert!(outage["interruption_seconds"].is_null());
}

#[test]
fn every_reason_has_a_distinct_documented_name() {
    let doc = std::fs::read_to_string("../../docs/analysis.md").unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for r in Reason::ALL {
        assert!(seen.insert(r.name()), "{r}");
        assert!(
            doc.contains(&format!("`{}`", r.name())),
            "{r} is not in docs/analysis.md"
        );
    }
    assert!(doc.contains("`redundancy-met`"));
}
