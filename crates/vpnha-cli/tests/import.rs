//! `vpnha import azure` and `vpnha check --from azure` as a user runs them: where the
//! topology and the findings go, exit codes, formats, and that the output is a topology
//! `vpnha check` accepts.

mod common;

use std::path::Path;

use common::{code, stderr, stdout, tmp, vpnha, vpnha_stdin};
use serde_json::Value;
use vpnha::Topology;

fn fixture(name: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/azure")
        .join(name);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("expected")
        })
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

fn expected(name: &str) -> Topology {
    Topology::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/azure")
            .join(name)
            .join("expected.yaml"),
    )
    .unwrap()
}

fn args<'a>(head: &[&'a str], files: &'a [String]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(files.iter().map(String::as_str))
        .collect()
}

fn without_keys(mut t: Topology) -> Topology {
    for c in &mut t.connections {
        c.shared_key = None;
    }
    t
}

#[test]
fn the_topology_goes_to_stdout_and_the_findings_to_stderr() {
    let files = fixture("active-active-apipa");
    let out = vpnha(&args(&["import", "azure"], &files));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = Topology::from_yaml_str(&stdout(&out)).unwrap();
    assert_eq!(t, expected("active-active-apipa"));
    let err = stderr(&out);
    assert!(err.contains("note[site-hint]"), "{err}");
    assert!(
        err.trim_end().ends_with(
            "imported gateway `vgw-hub` (VpnGw2AZ, active-active, 2 instances), 2 local gateways, 2 connections, 2 sites to stdout: 0 errors, 0 warnings"
        ),
        "{err}"
    );
}

#[test]
fn output_files_take_their_format_from_the_name_or_format() {
    let files = fixture("active-standby");
    for (name, format) in [
        ("as.yaml", None),
        ("as.json", None),
        ("as.toml", None),
        ("as.topology", Some("json")),
    ] {
        let path = tmp(name);
        let p = path.to_str().unwrap();
        let mut a = vec!["import", "azure", "-o", p];
        if let Some(f) = format {
            a.extend(["--format", f]);
        }
        let out = vpnha(&args(&a, &files));
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert!(
            out.stdout.is_empty(),
            "{name}: stdout is for the topology only"
        );
        let t = match format {
            Some(_) => Topology::load_as(&path, vpnha::Format::Json).unwrap(),
            None => Topology::load(&path).unwrap(),
        };
        assert_eq!(t, expected("active-standby"), "{name}");
        // What import writes, check accepts (this one has warnings only).
        if format.is_none() {
            assert_eq!(code(&vpnha(&["check", p])), 0, "{name}");
        }
    }
    let out = vpnha(&args(&["import", "azure", "--format", "toml"], &files));
    assert_eq!(code(&out), 0);
    assert_eq!(
        without_keys(Topology::from_toml_str(&stdout(&out)).unwrap()),
        expected("active-standby")
    );
    // A name that says no format, and no --format.
    let out = vpnha(&args(
        &["import", "azure", "-o", tmp("x.txt").to_str().unwrap()],
        &files,
    ));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));
}

#[test]
fn import_errors_exit_1_with_the_topology_written() {
    let files = fixture("bad-values");
    let path = tmp("bad.yaml");
    let out = vpnha(&args(
        &["import", "azure", "-o", path.to_str().unwrap()],
        &files,
    ));
    assert_eq!(code(&out), 1);
    assert_eq!(Topology::load(&path).unwrap(), expected("bad-values"));
    let err = stderr(&out);
    assert!(err.contains("placeholder-value"), "{err}");
    assert!(err.contains("local-gateways.json:15:28"), "{err}");
    assert!(err.contains("7 errors, 1 warning"), "{err}");
}

#[test]
fn nothing_usable_exits_2_with_nothing_on_stdout() {
    for files in [
        fixture("not-json"),
        vec![tmp("does-not-exist.json").display().to_string()],
    ] {
        let out = vpnha(&args(&["import", "azure"], &files));
        assert_eq!(code(&out), 2, "{files:?}");
        assert!(out.stdout.is_empty());
        assert!(
            stderr(&out).contains("nothing imported"),
            "{}",
            stderr(&out)
        );
    }
    let out = vpnha(&args(&["import", "azure"], &fixture("not-json")));
    assert!(
        stderr(&out).contains("truncated.json:5:"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&vpnha(&["import", "azure"])), 2, "a file is required");
}

#[test]
fn findings_as_json_on_stderr() {
    let files = fixture("dangling");
    let out = vpnha(&args(&["import", "azure", "--findings", "json"], &files));
    assert_eq!(code(&out), 1);
    Topology::from_yaml_str(&stdout(&out)).unwrap();
    let v: Value = serde_json::from_str(&stderr(&out)).unwrap();
    assert_eq!(v["status"], "errors");
    assert_eq!(v["errors"], 4);
    assert_eq!(v["output"], "-");
    let f = &v["findings"][1];
    assert_eq!(f["rule"], "dangling-reference");
    assert_eq!(f["pointer"], "/1/properties/localNetworkGateway2/id");
    assert!(f["file"].as_str().unwrap().ends_with("resources.json"));
    assert!(f["line"].is_u64() && f["column"].is_u64());

    let out = vpnha(&args(
        &["import", "azure", "--findings", "json"],
        &fixture("not-json"),
    ));
    let v: Value = serde_json::from_str(&stderr(&out)).unwrap();
    assert_eq!(v["status"], "unusable");
    assert!(v["output"].is_null());
}

#[test]
fn stdin_is_one_of_the_documents() {
    let files = fixture("active-standby");
    let (gateway, rest): (Vec<&String>, Vec<&String>) =
        files.iter().partition(|f| f.ends_with("vnet-gateway.json"));
    let mut a = vec!["import", "azure", "-"];
    a.extend(rest.iter().map(|s| s.as_str()));
    let out = vpnha_stdin(&a, &std::fs::read(gateway[0]).unwrap());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        Topology::from_yaml_str(&stdout(&out)).unwrap(),
        expected("active-standby")
    );
}

#[test]
fn the_gateway_can_be_chosen() {
    let files = fixture("several-gateways");
    let out = vpnha(&args(&["import", "azure"], &files));
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--gateway NAME"), "{}", stderr(&out));
    let out = vpnha(&args(&["import", "azure", "--gateway", "vgw-east"], &files));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t = Topology::from_yaml_str(&stdout(&out)).unwrap();
    assert_eq!(t.gateway.name.as_deref(), Some("vgw-east"));
}

#[test]
fn check_from_azure_reports_import_and_validation_findings_together() {
    let files = fixture("mixed-export");
    let out = vpnha(&args(&["check", "--from", "azure"], &files));
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    // An import finding, then a validation finding placed in the Azure document.
    let import_at = text.find("unsupported-connection-type").unwrap();
    let rule_at = text.find("bgp-required-multi-device").unwrap();
    assert!(import_at < rule_at, "{text}");
    assert!(text.contains("resource-graph.json:383:22"), "{text}");
    assert!(text.contains("lng-plant-fw  multi-device"), "{text}");
    assert!(text.trim_end().ends_with("2 errors, 4 warnings"), "{text}");

    let out = vpnha(&args(
        &["check", "--from", "azure", "--format", "json"],
        &files,
    ));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
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
    assert_eq!(v["status"], "errors");
    assert_eq!(v["sites"][0]["pattern"], "multi-device");
    for d in v["diagnostics"].as_array().unwrap() {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "rule", "severity", "message", "path", "file", "pointer", "line", "column"
            ],
            "{d}"
        );
    }
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "bgp-required-multi-device")
        .unwrap();
    assert_eq!(d["pointer"], "/data/11/properties/enableBgp");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(383), Some(22))
    );
}

#[test]
fn check_from_azure_exit_codes() {
    // Warnings only (an active-standby gateway, one device).
    let out = vpnha(&args(
        &["check", "--from", "azure"],
        &fixture("active-standby"),
    ));
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // Nothing usable.
    let out = vpnha(&args(&["check", "--from", "azure"], &fixture("not-json")));
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).contains("no topology"), "{}", stdout(&out));
    let out = vpnha(&args(
        &["check", "--from", "azure", "--format", "json"],
        &fixture("not-json"),
    ));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["status"], "unreadable");
    // --gateway belongs with --from.
    assert_eq!(code(&vpnha(&["check", "--gateway", "x", "a.yaml"])), 2);
}

#[test]
fn a_shared_key_never_reaches_any_output() {
    let files = fixture("active-standby");
    let key = "Berl1nOffice2024";
    for a in [
        vec!["import", "azure"],
        vec!["import", "azure", "--findings", "json"],
        vec!["import", "azure", "--format", "json"],
        vec!["check", "--from", "azure"],
        vec!["check", "--from", "azure", "--format", "json"],
    ] {
        let out = vpnha(&args(&a, &files));
        assert!(!stdout(&out).contains(key), "{a:?}");
        assert!(!stderr(&out).contains(key), "{a:?}");
    }
}
