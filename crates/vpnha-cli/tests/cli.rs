//! The `vpnha` binary as a user runs it: verdicts, exit codes, JSON, hostile input.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{code, examples, stderr, stdout, tmp, vpnha, vpnha_stdin};
use serde_json::Value;

/// The rules a file's `# expect:` comment names.
fn expected_rules(text: &str) -> BTreeSet<String> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect:"))
        .expect("every example names the rules it must trigger");
    line.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty() && *r != "none")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_example_gives_exactly_its_documented_rules_and_exit_code() {
    let mut seen = 0;
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        seen += 1;
        let want = expected_rules(&std::fs::read_to_string(&path).unwrap());
        let out = vpnha(&["check", "--format", "json", path.to_str().unwrap()]);
        let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let diags = json["diagnostics"].as_array().unwrap();
        let got: BTreeSet<String> = diags
            .iter()
            .filter(|d| d["severity"] != "info")
            .map(|d| d["rule"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, want, "{}", path.display());

        let name = path.file_name().unwrap().to_str().unwrap();
        let load_problem = json["status"] == "unreadable";
        let errors = json["errors"].as_u64().unwrap();
        let expected_code = if load_problem {
            2
        } else if errors > 0 {
            1
        } else {
            0
        };
        assert_eq!(code(&out), expected_code, "{name}");
        if name.starts_with("broken-") {
            assert_ne!(code(&out), 0, "{name} must fail");
        } else {
            assert_eq!(
                code(&out),
                0,
                "{name} is a seed pattern and must be free of errors"
            );
            let pattern = name.trim_end_matches(".yaml");
            assert_eq!(json["sites"][0]["pattern"], pattern, "{name}");
        }
    }
    assert!(
        seen >= 9,
        "four seed patterns and at least four broken files, found {seen}"
    );
}

#[test]
fn check_json_has_the_documented_shape() {
    let out = vpnha(&[
        "check",
        "--format",
        "json",
        examples().join("active-standby.yaml").to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "file",
            "status",
            "errors",
            "warnings",
            "sites",
            "diagnostics"
        ]
    );
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 2);
    assert_eq!(json["status"], "warnings");
    let site = &json["sites"][0];
    assert_eq!(site["name"], "berlin-fw");
    assert_eq!(site["pattern"], "active-standby");
    assert_eq!(site["devices"], serde_json::json!(["berlin-fw"]));
    assert_eq!(site["tunnels"], serde_json::json!(["berlin/0"]));
    for d in json["diagnostics"].as_array().unwrap() {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["rule", "severity", "message", "path", "line", "column"]
        );
        assert!(d["line"].is_u64() && d["column"].is_u64(), "{d}");
    }
}

#[test]
fn line_and_column_are_null_when_unknown() {
    let out = vpnha(&[
        "check",
        "--format",
        "json",
        tmp("absent.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["status"], "unreadable");
    assert_eq!(json["diagnostics"][0]["rule"], "io-error");
    assert!(json["diagnostics"][0]["line"].is_null());
    assert!(json["diagnostics"][0]["column"].is_null());
}

#[test]
fn several_files_give_an_array_and_the_worst_exit_code() {
    let ok = examples().join("dual-redundancy.yaml");
    let bad = examples().join("broken-bgp.yaml");
    let out = vpnha(&[
        "check",
        "--format",
        "json",
        ok.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    let out = vpnha(&[
        "check",
        ok.to_str().unwrap(),
        tmp("nope.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
}

#[test]
fn text_output_shows_snippets_positions_and_a_summary() {
    let path = examples().join("broken-multi-device.yaml");
    let out = vpnha(&["check", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("bgp-required-multi-device"), "{text}");
    assert!(text.contains("broken-multi-device.yaml:27:60"), "{text}");
    assert!(text.contains("did you mean `store-fw-a`?"), "{text}");
    assert!(text.trim_end().ends_with("3 errors, 1 warning"), "{text}");
}

/// Each hostile input: exit 2 and a last line naming the problem (with a position when
/// there is one); never a crash.
#[test]
fn bad_input_exits_2_with_a_one_line_reason() {
    let big = tmp("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(16 * 1024 * 1024 + 1).unwrap();
    let dir = tmp("a-directory.yaml");
    std::fs::create_dir_all(&dir).unwrap();
    let mut bomb = String::from("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    for (p, n) in ('a'..='i').zip('b'..='j') {
        bomb.push_str(&format!(
            "{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.yaml", Vec::new(), "the input is empty"),
        ("garbage.yaml", (0..2048u32).map(|i| (i * 7919 % 251) as u8 + 4).collect(), "not UTF-8"),
        ("type.yaml", b"version: 1\ngateway: {sku: VpnGw1AZ, asn: abc, instances: [{public_ip: 192.0.2.1}]}\n".to_vec(), ":2:"),
        ("ip.yaml", b"version: 1\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.256}]}\n".to_vec(), "invalid IP address syntax"),
        ("prefix.yaml", b"version: 1\ngateway: {sku: VpnGw1AZ, vnet_address_space: [10.0.0.0/99], instances: [{public_ip: 192.0.2.1}]}\n".to_vec(), ":2:"),
        ("bomb.yaml", bomb.into_bytes(), "safety limit"),
        ("deep.yaml", format!("name: {}{}\n", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(), "invalid YAML"),
        ("latin1.yaml", b"version: 1\nname: Z\xfcrich\n".to_vec(), ":2:8: the input is not UTF-8"),
    ];
    for (name, bytes, needle) in cases {
        let path = tmp(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = vpnha(&["check", path.to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(code(&out), 2, "{name}: {text}");
        let last = text.lines().last().unwrap_or_default();
        assert!(
            last.contains(needle),
            "{name}: last line `{last}` lacks `{needle}`"
        );
    }
    for (path, needle) in [
        (big, "over the 16777216-byte limit"),
        (tmp("missing.yaml"), "no such file"),
        (dir, "is not a file"),
    ] {
        let out = vpnha(&["check", path.to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{}", path.display());
        assert!(stdout(&out).contains(needle), "{}", stdout(&out));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn stdin_is_read_as_yaml() {
    let text = std::fs::read(examples().join("multi-device.yaml")).unwrap();
    let out = vpnha_stdin(&["check", "-"], &text);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("<stdin>: 0 errors, 1 warning"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn tunnels_lists_the_stable_order() {
    let path = examples().join("dual-redundancy.yaml");
    let out = vpnha(&["tunnels", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = json["tunnels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["hq-a/0", "hq-a/1", "hq-b/0", "hq-b/1"]);
    assert_eq!(json["tunnels"][3]["azure_endpoint"], "192.0.2.5");
    assert_eq!(json["tunnels"][3]["bgp"]["device"], "192.168.255.2");
    let text = stdout(&vpnha(&["tunnels", path.to_str().unwrap()]));
    assert!(text.lines().nth(4).unwrap().starts_with("hq-b/1"), "{text}");
}

#[test]
fn demo_runs_check_and_tunnels_on_the_built_in_example() {
    let out = vpnha(&["demo"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("dual-redundancy"), "{text}");
    assert!(text.contains("hq-b/1"), "{text}");
    let json: Value = serde_json::from_str(&stdout(&vpnha(&["demo", "--format", "json"]))).unwrap();
    assert_eq!(json["check"]["sites"][0]["pattern"], "dual-redundancy");
    assert_eq!(json["tunnels"].as_array().unwrap().len(), 4);
}

#[test]
fn rules_lists_the_whole_catalogue() {
    let json: Value =
        serde_json::from_str(&stdout(&vpnha(&["rules", "--format", "json"]))).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    let catalogue =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"))
            .unwrap();
    for n in &names {
        assert!(catalogue.contains(&format!("`{n}`")), "{n}");
    }
    assert!(names.contains(&"reserved-asn") && names.contains(&"unknown-field"));
}

#[test]
fn a_shared_key_never_reaches_the_output() {
    let path = examples().join("broken-connections.yaml");
    for format in ["text", "json"] {
        let text = stdout(&vpnha(&[
            "check",
            "--format",
            format,
            path.to_str().unwrap(),
        ]));
        assert!(text.contains("shared-key-invalid"), "{text}");
        assert!(
            !text.contains("a-valid~key") && !text.contains("not a-valid"),
            "{format}: {text}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&vpnha(&["check"])), 2);
    assert_eq!(code(&vpnha(&["frobnicate"])), 2);
    assert_eq!(code(&vpnha(&["check", "--format", "xml", "x.yaml"])), 2);
    assert_eq!(code(&vpnha(&["--help"])), 0);
}

fn analyze_json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    let out = vpnha(&all);
    let json = serde_json::from_str(&stdout(&out)).expect("analyze prints JSON");
    (json, code(&out))
}

#[test]
fn analyze_dual_redundancy_meets_redundancy_with_no_single_point_of_failure() {
    let path = examples().join("dual-redundancy.yaml");
    let (json, exit) = analyze_json(&[path.to_str().unwrap()]);
    assert_eq!(exit, 0);
    assert_eq!(json["validation_errors"], 0);
    let site = &json["sites"][0];
    assert_eq!(site["name"], "hq");
    assert_eq!(site["pattern"], "dual-redundancy");
    assert_eq!(site["verdict"], "redundancy-met");
    assert_eq!(site["reasons"], serde_json::json!([]));
    assert_eq!(site["single_points_of_failure"], serde_json::json!([]));
    let a = site["availability"].as_f64().unwrap();
    assert!(a > 0.99999 && a < 1.0, "{a}");
    assert!(site["downtime_minutes_per_month"].as_f64().unwrap() < 1.0);
    assert!(site["nines"].as_f64().unwrap() > 5.0);
    assert_eq!(site["minimal_cut_sets"].as_array().unwrap().len(), 8);
    let scenarios = site["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 80);
    for s in scenarios {
        for key in [
            "failed",
            "surviving_tunnels",
            "reachable",
            "moved_share",
            "interruption_seconds",
            "assumption",
        ] {
            assert!(s.get(key).is_some(), "{key}: {s}");
        }
    }
    let device = scenarios
        .iter()
        .find(|s| s["failed"] == serde_json::json!(["hq-fw-a"]))
        .unwrap();
    assert_eq!(
        device["surviving_tunnels"],
        serde_json::json!(["hq-b/0", "hq-b/1"])
    );
    assert_eq!(device["reachable"], true);
    assert_eq!(device["interruption_seconds"], serde_json::json!([45, 45]));
    // --require-redundancy passes.
    let out = vpnha(&["analyze", "--require-redundancy", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
}

#[test]
fn analyze_active_standby_names_the_device_as_a_single_point_of_failure() {
    let path = examples().join("active-standby.yaml");
    let (json, exit) = analyze_json(&[path.to_str().unwrap()]);
    assert_eq!(exit, 0, "falling short of redundancy alone does not fail");
    let site = &json["sites"][0];
    assert_eq!(site["verdict"], "redundancy-not-met");
    let spofs: Vec<&str> = site["single_points_of_failure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(spofs.contains(&"berlin-fw"), "{spofs:?}");
    let reasons = site["reasons"].as_array().unwrap();
    assert!(reasons.contains(&Value::from("single-device")));
    assert!(reasons.contains(&Value::from("active-standby-gateway")));
    let failover = site["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["failed"] == serde_json::json!(["instance-0"]) && s["planned"] == false)
        .unwrap();
    assert_eq!(
        failover["interruption_seconds"],
        serde_json::json!([60, 180])
    );
    let outage = site["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["failed"] == serde_json::json!(["berlin-fw"]))
        .unwrap();
    assert!(outage["interruption_seconds"].is_null());
    assert!(outage["assumption"].as_str().unwrap().contains("outage"));
    // A CI gate.
    let out = vpnha(&["analyze", "--require-redundancy", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
}

#[test]
fn analyze_text_reports_verdict_figures_and_scenarios() {
    let path = examples().join("dual-redundancy.yaml");
    let out = vpnha(&["analyze", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for want in [
        "site hq (dual-redundancy): redundancy met",
        "nines",
        "min/month down",
        "single points of failure: none",
        "minimal cut sets (up to 2 failures): {instance-0, instance-1}",
        "all 4 tunnels up",
        "planned maintenance, then single failures worst first",
        "instance-0 (maintenance)",
        "66 sets of 2 simultaneous failures: 8 cut the site off",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // No progress display off a terminal.
    assert_eq!(stderr(&out), "");

    let path = examples().join("active-standby.yaml");
    let text = stdout(&vpnha(&["analyze", path.to_str().unwrap()]));
    assert!(text.contains("redundancy NOT met"), "{text}");
    assert!(text.contains("single-device: every tunnel"), "{text}");
    assert!(
        text.contains("single points of failure: zone:1, berlin-fw, berlin/0"),
        "{text}"
    );
    assert!(text.contains("60–180 s"), "{text}");
}

#[test]
fn analyze_options_select_a_site_and_k() {
    let path = examples().join("broken-bgp.yaml");
    let (json, exit) =
        analyze_json(&["--site", "b", "--max-failures", "1", path.to_str().unwrap()]);
    assert_eq!(exit, 0);
    assert_eq!(json["sites"].as_array().unwrap().len(), 1);
    assert_eq!(json["sites"][0]["name"], "b");
    assert!(json["validation_errors"].as_u64().unwrap() > 0);
    assert!(
        json["sites"][0]["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["failed"].as_array().unwrap().len() == 1)
    );
    let text = stdout(&vpnha(&["analyze", path.to_str().unwrap()]));
    assert!(text.starts_with("note: "), "{text}");
    let (json, _) = analyze_json(&[
        "--algorithm",
        "hash-threshold",
        "--capacity",
        "0.75",
        examples().join("dual-redundancy.yaml").to_str().unwrap(),
    ]);
    assert_eq!(json["ecmp"]["algorithm"], "hash-threshold");
    assert_eq!(json["sites"][0]["capacity"][0]["min_tunnels"], 3);
}

#[test]
fn analyze_bad_input_exits_2_with_a_clear_message() {
    let dual = examples().join("dual-redundancy.yaml");
    let dual = dual.to_str().unwrap();
    let out = vpnha(&["analyze", "--site", "hqq", dual]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no site is named `hqq`; did you mean `hq`?"),
        "{}",
        stderr(&out)
    );
    let (json, exit) = analyze_json(&["--site", "hqq", dual]);
    assert_eq!(exit, 2);
    assert_eq!(json["status"], "error");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("did you mean `hq`")
    );

    let out = vpnha(&["analyze", "--max-failures", "99", dual]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("give 1 to 12"), "{}", stderr(&out));
    assert_eq!(code(&vpnha(&["analyze", "--max-failures", "0", dual])), 2);
    assert_eq!(code(&vpnha(&["analyze", "--capacity", "1.5", dual])), 2);
    assert_eq!(
        code(&vpnha(&["analyze", "--algorithm", "round-robin", dual])),
        2
    );

    let bad = tmp("bad-availability.yaml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(dual)
            .unwrap()
            .replace("tunnel: 0.9999", "tunnel: 1.2"),
    )
    .unwrap();
    let out = vpnha(&["analyze", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("availability `tunnel` is 1.2"),
        "{}",
        stderr(&out)
    );

    let empty = tmp("no-sites.yaml");
    std::fs::write(
        &empty,
        "version: 1\ngateway:\n  sku: VpnGw2AZ\n  generation: Generation2\n  instances: [{public_ip: 192.0.2.4}]\n",
    )
    .unwrap();
    let out = vpnha(&["analyze", empty.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no sites"), "{}", stderr(&out));

    let out = vpnha(&["analyze", "/nonexistent/topology.yaml"]);
    assert_eq!(code(&out), 2);
    let out = vpnha(&[
        "analyze",
        examples()
            .join("broken-unknown-field.yaml")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).contains("unknown field"), "{}", stdout(&out));
    assert_eq!(code(&vpnha(&["analyze"])), 2);
}

#[test]
fn analyze_reads_stdin() {
    let text = std::fs::read(examples().join("active-active.yaml")).unwrap();
    let out = vpnha_stdin(&["analyze", "--format", "json", "-"], &text);
    assert_eq!(code(&out), 0);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["file"], "<stdin>");
    assert_eq!(
        json["sites"][0]["single_points_of_failure"],
        serde_json::json!(["madrid-fw"])
    );
}

#[test]
fn demo_includes_the_analysis() {
    let text = stdout(&vpnha(&["demo"]));
    assert!(text.contains("vpnha analyze"), "{text}");
    assert!(text.contains("redundancy met"), "{text}");
    let json: Value = serde_json::from_str(&stdout(&vpnha(&["demo", "--format", "json"]))).unwrap();
    assert_eq!(json["analysis"]["sites"][0]["verdict"], "redundancy-met");
}
