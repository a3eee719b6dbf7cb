//! `vpnha route` and `vpnha simulate` agree with the library and report what they claim.

mod common;

use std::path::PathBuf;

use common::{examples, json, vpnha};
use vpnha::Topology;
use vpnha::ecmp::{Algorithm, FlowKey};

fn example(name: &str) -> PathBuf {
    examples().join(name)
}

const FLOW: &str = "10.1.0.4:51000 -> 192.168.1.10:443 tcp";

#[test]
fn route_gives_the_library_s_answer_for_every_algorithm_and_seed() {
    let path = example("dual-redundancy.yaml");
    let t = Topology::load(&path).unwrap();
    let site = t.resolve_site(None).unwrap();
    let key: FlowKey = FLOW.parse().unwrap();
    for algorithm in Algorithm::ALL {
        for seed in [0u64, 42, u64::MAX] {
            let g = t.ecmp_group(None, algorithm, seed).unwrap();
            let want = &site.tunnels[usize::from(g.select(&key).unwrap())].id;
            let out = vpnha(&[
                "route",
                path.to_str().unwrap(),
                "--flow",
                FLOW,
                "--algorithm",
                algorithm.name(),
                "--seed",
                &seed.to_string(),
                "--format",
                "json",
            ]);
            assert_eq!(out.status.code(), Some(0));
            let v = json(&out);
            assert_eq!(v["tunnel"], want.as_str(), "{algorithm} seed {seed}");
            assert_eq!(v["hash"], format!("{:#018x}", g.hash(&key)));
        }
    }
}

#[test]
fn route_moves_a_flow_only_when_its_tunnel_is_down() {
    let path = example("dual-redundancy.yaml");
    let p = path.to_str().unwrap();
    let first = json(&vpnha(&["route", p, "--flow", FLOW, "--format", "json"]));
    let tunnel = first["tunnel"].as_str().unwrap().to_owned();
    let other = ["hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"]
        .into_iter()
        .find(|t| *t != tunnel)
        .unwrap();
    let unaffected = json(&vpnha(&[
        "route", p, "--flow", FLOW, "--down", other, "--format", "json",
    ]));
    assert_eq!(unaffected["tunnel"], tunnel.as_str());
    let moved = json(&vpnha(&[
        "route", p, "--flow", FLOW, "--down", &tunnel, "--format", "json",
    ]));
    assert_ne!(moved["tunnel"], tunnel.as_str());
    assert_eq!(moved["down"], serde_json::json!([tunnel]));
}

#[test]
fn route_with_every_tunnel_down_exits_1_with_no_tunnel() {
    let p = example("dual-redundancy.yaml");
    let out = vpnha(&[
        "route",
        p.to_str().unwrap(),
        "--flow",
        FLOW,
        "--down",
        "instance-0",
        "--down",
        "instance-1",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out)["tunnel"].is_null());
}

#[test]
fn symmetric_route_sends_both_directions_down_one_tunnel() {
    let p = example("dual-redundancy.yaml");
    let p = p.to_str().unwrap();
    for i in 0..20u16 {
        let fwd = format!(
            "10.1.0.{}:{} -> 192.168.7.{}:443 tcp",
            i + 1,
            40000 + i,
            200 - i
        );
        let rev = format!(
            "192.168.7.{}:443 -> 10.1.0.{}:{} tcp",
            200 - i,
            i + 1,
            40000 + i
        );
        let a = json(&vpnha(&[
            "route",
            p,
            "--flow",
            &fwd,
            "--symmetric",
            "--format",
            "json",
        ]));
        let b = json(&vpnha(&[
            "route",
            p,
            "--flow",
            &rev,
            "--symmetric",
            "--format",
            "json",
        ]));
        assert_eq!(a["tunnel"], b["tunnel"], "{fwd}");
    }
}

#[test]
fn route_refuses_bad_input_with_exit_2() {
    let p = example("dual-redundancy.yaml");
    let p = p.to_str().unwrap();
    for args in [
        vec!["route", p, "--flow", "10.1.0.4:1 192.168.1.1:2 tcp"],
        vec!["route", p, "--flow", FLOW, "--down", "hq-fw-z"],
        vec!["route", p, "--flow", FLOW, "--site", "hk"],
        vec!["route", p, "--flow", FLOW, "--algorithm", "random"],
        vec!["route", p, "--flow", FLOW, "--fields", "0x40"],
    ] {
        let out = vpnha(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: no reason given");
    }
    let out = vpnha(&["route", p, "--flow", FLOW, "--site", "hk"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `hq`?"));
}

#[test]
fn simulate_reports_stable_movement_and_restoration() {
    let p = example("dual-redundancy.yaml");
    let out = vpnha(&[
        "simulate",
        p.to_str().unwrap(),
        "--flows",
        "40000",
        "--fail",
        "hq-fw-a",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["flows"], 40000);
    assert_eq!(v["algorithm"], "stable");
    assert_eq!(v["failed_tunnels"], serde_json::json!(["hq-a/0", "hq-a/1"]));
    assert_eq!(v["moved_other"], 0);
    assert_eq!(v["moved"], v["moved_from_failed"]);
    assert_eq!(v["unroutable"], 0);
    assert_eq!(v["restored"], 1.0);
    let share = v["moved_share"].as_f64().unwrap();
    assert!((share - 0.5).abs() < 0.02, "{share}");
    let tunnels = v["tunnels"].as_array().unwrap();
    let after: f64 = tunnels.iter().map(|t| t["after"].as_f64().unwrap()).sum();
    assert!((after - 1.0).abs() < 1e-9);
    for t in tunnels.iter().filter(|t| t["failed"] == true) {
        assert_eq!(t["after"], 0.0);
    }
}

#[test]
fn simulate_compare_shows_hash_threshold_moving_extra_flows() {
    let p = example("dual-redundancy.yaml");
    let v = json(&vpnha(&[
        "simulate",
        p.to_str().unwrap(),
        "--flows",
        "20000",
        "--fail",
        "hq-a/1",
        "--compare",
        "--format",
        "json",
    ]));
    let algos = v["algorithms"].as_array().unwrap();
    assert_eq!(algos.len(), 4);
    let by = |name: &str| algos.iter().find(|a| a["algorithm"] == name).unwrap();
    assert_eq!(by("stable")["moved_other"], 0);
    assert_eq!(by("rendezvous")["moved_other"], 0);
    assert!(by("hash-threshold")["moved_other"].as_u64().unwrap() > 0);
    for a in algos {
        assert_eq!(a["restored"], 1.0, "{}", a["algorithm"]);
    }
}

#[test]
fn simulate_is_deterministic_and_text_is_readable() {
    let p = example("multi-device.yaml");
    let p = p.to_str().unwrap();
    let args = [
        "simulate",
        p,
        "--flows",
        "5000",
        "--fail",
        "lyon-fw-1",
        "--format",
        "json",
    ];
    assert_eq!(vpnha(&args).stdout, vpnha(&args).stdout);
    let text =
        String::from_utf8(vpnha(&["simulate", p, "--flows", "5000", "--fail", "lyon-fw-1"]).stdout)
            .unwrap();
    assert!(
        text.contains("restored") && text.contains("lyon-1/0"),
        "{text}"
    );
    let out = vpnha(&["simulate", p, "--flows", "0", "--fail", "lyon-fw-1"]);
    assert_eq!(out.status.code(), Some(2));
}
