//! Importing Azure documents: the fixtures in `testdata/azure` give their expected topology
//! and findings, the real REST examples give what they describe, every import writes out
//! and reads back the same, and shared keys never show.
//!
//! `VPNHA_BLESS=1 cargo test -p vpnha --test import_azure` rewrites the fixtures'
//! `expected-findings.json` (review the diff: it is the contract).

#[path = "support/fixtures.rs"]
mod fixtures;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use fixtures::{inputs, json_files};
use vpnha::import::azure::{self, Options};
use vpnha::import::{Code, Import};
use vpnha::{Format, Rule, Severity, Topology};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    repo().join("testdata/azure")
}

fn import_dir(name: &str) -> Import {
    azure::from_paths(&inputs(&fixtures().join(name)), &Options::default())
}

/// One document, imported on its own.
fn import_file(path: &Path) -> Import {
    azure::from_paths(&[path], &Options::default())
}

fn base(file: &str) -> &str {
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file)
}

/// Every finding as (code, file name, pointer).
fn triples(import: &Import) -> Vec<[String; 3]> {
    import
        .findings
        .iter()
        .map(|f| {
            [
                f.code.name().to_owned(),
                f.file().map(base).unwrap_or_default().to_owned(),
                f.pointer().to_owned(),
            ]
        })
        .collect()
}

/// The topology without inline shared keys (which are never written out).
fn without_keys(mut t: Topology) -> Topology {
    for c in &mut t.connections {
        if matches!(c.shared_key, Some(vpnha::SharedKey::Inline(_))) {
            c.shared_key = None;
        }
    }
    t
}

#[test]
fn every_fixture_gives_its_expected_topology_and_findings() {
    let mut seen = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        seen += 1;
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let import = import_dir(&name);

        let findings_file = dir.join("expected-findings.json");
        let got = triples(&import);
        if std::env::var_os("VPNHA_BLESS").is_some() {
            let mut text = serde_json::to_string_pretty(&got).unwrap();
            text.push('\n');
            std::fs::write(&findings_file, text).unwrap();
        }
        let want: Vec<[String; 3]> =
            serde_json::from_str(&std::fs::read_to_string(&findings_file).unwrap()).unwrap();
        assert_eq!(got, want, "{name}: findings (code, file, pointer)");

        let expected = dir.join("expected.yaml");
        if expected.exists() {
            let want = Topology::load(&expected).unwrap();
            let got = import
                .topology
                .clone()
                .unwrap_or_else(|| panic!("{name}: no topology"));
            assert_eq!(without_keys(got), want, "{name}: topology");
        }
        // Whatever else: a topology, or an error that says why there is none.
        assert!(
            import.topology.is_some() || import.has_errors(),
            "{name}: neither a topology nor an error"
        );
        for f in &import.findings {
            assert_eq!(f.severity, f.code.severity(), "{name}: {f}");
            assert!(!f.message.is_empty());
        }
    }
    assert!(seen >= 10, "found {seen} fixtures");
}

#[test]
fn clean_fixtures_import_without_errors_or_warnings() {
    for name in [
        "active-standby",
        "active-active-apipa",
        "comma-bgp-arm-export",
        "policy-based-basic",
    ] {
        let import = import_dir(name);
        let loud: Vec<String> = import
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(ToString::to_string)
            .collect();
        assert!(loud.is_empty(), "{name}: {loud:#?}");
    }
}

#[test]
fn broken_input_is_reported_at_its_line_and_column() {
    // "gatewayIpAddress": "203.0.113.300" on line 6 of local-gateways.json
    let import = import_dir("bad-values");
    let f = import
        .findings
        .iter()
        .find(|f| f.pointer() == "/0/gatewayIpAddress")
        .unwrap();
    assert_eq!(f.code, Code::InvalidValue);
    let src = f.source.as_ref().unwrap();
    assert_eq!((src.line(), src.column()), (Some(6), Some(25)));
    assert!(f.message.contains("203.0.113.300"), "{}", f.message);

    // Not JSON: no topology, the syntax error's position.
    let import = import_dir("not-json");
    assert!(import.topology.is_none());
    let f = &import.findings[0];
    assert_eq!(f.code, Code::InvalidJson);
    assert_eq!(f.source.as_ref().unwrap().line(), Some(5));
}

#[test]
fn findings_serialize_like_check_diagnostics_plus_file_and_pointer() {
    let import = import_dir("bad-values");
    let v = serde_json::to_value(&import.findings[0]).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "rule", "severity", "message", "path", "file", "pointer", "line", "column"
        ]
    );
    assert_eq!(v["rule"], "generation-unknown");
    assert_eq!(v["severity"], "error");
    assert_eq!(v["path"], "gateway.generation");
    assert_eq!(v["pointer"], "/vpnGatewayGeneration");
}

#[test]
fn the_gateway_is_chosen_by_name_or_id() {
    let dir = fixtures().join("several-gateways");
    let import = azure::from_paths(&inputs(&dir), &Options::default().gateway("VGW-EAST"));
    let t = import.topology.as_ref().unwrap();
    assert_eq!(t.gateway.name.as_deref(), Some("vgw-east"));
    assert_eq!(t.connections.len(), 1);
    assert!(!import.has_errors(), "{:#?}", import.findings);
    let codes: Vec<Code> = import.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&Code::GatewayNotSelected));

    let import = azure::from_paths(&inputs(&dir), &Options::default().gateway("nope"));
    assert!(import.topology.is_none());
    assert_eq!(import.findings[0].code, Code::GatewayNotFound);
    assert!(
        import.findings[0]
            .message
            .contains("`vgw-east`, `vgw-west`")
    );
}

#[test]
fn validation_findings_point_into_the_azure_documents() {
    let import = import_dir("mixed-export");
    let diags = import.validate();
    let d = diags
        .iter()
        .find(|d| d.rule == Rule::BgpRequiredMultiDevice)
        .unwrap();
    let origin = import.origin(&d.path).unwrap();
    assert_eq!(base(&origin.file), "resource-graph.json");
    assert_eq!(origin.pointer, "/data/11/properties/enableBgp");
    assert_eq!(d.location, origin.location);
    assert!(d.line().is_some());
    // The snippet's source is the masked Azure document.
    assert!(import.source(&origin.file).is_some());
}

#[test]
fn shared_keys_never_show() {
    let key = "Berl1nOffice2024";
    let import = import_dir("active-standby");
    let t = import.topology.as_ref().unwrap();
    // Carried as an inline key, so that validation checks it...
    assert!(matches!(
        t.connections[0].shared_key,
        Some(vpnha::SharedKey::Inline(_))
    ));
    // ...but never shown or written.
    assert!(!format!("{import:?}").contains(key));
    for f in &import.findings {
        assert!(!f.to_string().contains(key));
        assert!(!serde_json::to_string(f).unwrap().contains(key));
    }
    for format in [Format::Yaml, Format::Json, Format::Toml] {
        assert!(!t.to_string_as(format).unwrap().contains(key));
    }
    let file = import.findings[0].file().unwrap();
    let text = import.source(file).unwrap().text();
    assert!(!text.contains(key), "the snippet source shows the key");
    let codes: Vec<Code> = import.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::SharedKeyNotExported]);
    // The key is checked like any other.
    let json = std::fs::read_to_string(fixtures().join("active-standby/vpn-connection.json"))
        .unwrap()
        .replace(key, "bad key-with~chars");
    let mut texts: Vec<(String, String)> = inputs(&fixtures().join("active-standby"))
        .iter()
        .filter(|p| !p.ends_with("vpn-connection.json"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    texts.push(("vpn-connection.json".to_owned(), json));
    let import = azure::from_texts(&texts, &Options::default());
    let rules: Vec<Rule> = import.validate().iter().map(|d| d.rule).collect();
    assert!(rules.contains(&Rule::SharedKeyInvalid), "{rules:?}");
    assert!(!format!("{:?}", import.validate()).contains("key-with"));
}

#[test]
fn imports_write_out_and_read_back_the_same_in_every_format() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut checked = 0;
    for dir in dirs {
        let import = azure::from_paths(&inputs(&dir), &Options::default());
        let Some(t) = import.topology else { continue };
        let t = without_keys(t);
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let text = t.to_string_as(format).unwrap();
            let back = Topology::parse(&text, format)
                .unwrap_or_else(|e| panic!("{} as {format}: {e}\n{text}", dir.display()));
            assert_eq!(back, t, "{} as {format}", dir.display());
            checked += 1;
        }
    }
    assert!(checked >= 27, "{checked}");
}

// ---------------------------------------------------------------------------------------
// The real documents from the Azure REST API specs.

fn examples() -> Option<PathBuf> {
    let dir = repo().join("../shared/data/azure-examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: {} does not exist (the Azure REST examples are not on this machine)",
            dir.display()
        );
        None
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn has(import: &Import, code: Code, pointer: &str) -> bool {
    import
        .findings
        .iter()
        .any(|f| f.code == code && f.pointer() == pointer)
}

#[test]
fn every_real_example_gives_a_topology_or_clear_findings() {
    let Some(dir) = examples() else { return };
    let files = json_files(&dir);
    assert!(files.len() >= 6, "{files:?}");
    for f in &files {
        let import = import_file(f);
        match &import.topology {
            Some(t) => {
                // What was written reads back.
                let text = without_keys(t.clone()).to_string_as(Format::Yaml).unwrap();
                Topology::from_yaml_str(&text).unwrap();
            }
            None => assert!(
                import
                    .findings
                    .iter()
                    .any(|x| x.severity == Severity::Error && x.source.is_some()),
                "{}: no topology and no error pointing into it",
                f.display()
            ),
        }
        for x in &import.findings {
            if let Some(src) = &x.source {
                assert!(src.pointer.is_empty() || src.pointer.starts_with('/'));
                assert!(src.location.is_some(), "{x}");
            }
        }
    }
}

#[test]
fn real_gateway_documents_give_their_instance_asn_and_bgp_addresses() {
    let Some(dir) = examples() else { return };
    for (file, asn) in [
        ("VirtualNetworkGatewayGet.json", 65514),
        ("VirtualNetworkGatewayUpdate.json", 65515),
    ] {
        let import = import_file(&dir.join(file));
        let t = import.topology.as_ref().expect(file);
        let g = &t.gateway;
        assert_eq!(g.name.as_deref(), Some("vpngw"), "{file}");
        assert_eq!(g.sku, vpnha::Sku::VpnGw1, "{file}");
        assert_eq!(g.generation(), Some(vpnha::model::Generation::Generation1));
        assert!(!g.active_active);
        assert_eq!(g.asn, asn, "{file}");
        assert_eq!(g.instances.len(), 1, "{file}");
        let i = &g.instances[0];
        // From bgpPeeringAddresses[] for ipconfiguration gwipconfig1: the default address,
        // the custom APIPA one, and the tunnel IP as its public IP (no public IP resource).
        assert_eq!(i.bgp_peering_address, Some(ip("10.3.1.254")), "{file}");
        assert_eq!(i.custom_bgp_addresses, [ip("169.254.21.10")], "{file}");
        assert_eq!(i.public_ip, ip("52.161.10.135"), "{file}");
        assert!(!import.has_errors(), "{file}: {:#?}", import.findings);
        // The flat bgpPeeringAddress (10.0.1.30) disagrees with the structured one.
        assert!(has(
            &import,
            Code::InconsistentInput,
            "/responses/200/body/properties/bgpSettings/bgpPeeringAddress"
        ));
        assert!(has(
            &import,
            Code::NotModelled,
            "/responses/200/body/properties/natRules"
        ));
        assert!(has(
            &import,
            Code::DefaultApplied,
            "/responses/200/body/properties/vpnGatewayGeneration"
        ));
    }
}

#[test]
fn the_real_connection_example_is_imported_with_its_inconsistencies() {
    let Some(dir) = examples() else { return };
    let import = import_file(&dir.join("VirtualNetworkGatewayConnectionCreate.json"));
    let t = import.topology.as_ref().unwrap();
    // The gateway and device come from the request's embedded copies.
    assert_eq!(t.gateway.asn, 65514);
    assert_eq!(t.gateway.instances.len(), 1);
    assert_eq!(
        t.gateway.instances[0].bgp_peering_address,
        Some(ip("10.0.1.30"))
    );
    assert_eq!(t.gateway.instances[0].public_ip, azure::UNKNOWN_ADDRESS);
    assert_eq!(t.local_gateways[0].name, "localgw");
    assert_eq!(t.local_gateways[0].gateway_ip, Some(azure::UNKNOWN_ADDRESS));
    let c = &t.connections[0];
    assert_eq!((c.name.as_str(), c.dpd_timeout_seconds), ("connS2S", 30));
    assert!(!c.enable_bgp);
    assert!(import.has_errors());
    // Custom BGP addresses on `default` and `ActiveActive`, which an active-standby
    // gateway with one IP configuration (`gwipconfig1`) does not have.
    let p = "/responses/200/body/properties/gatewayCustomBgpIpAddresses";
    assert!(has(
        &import,
        Code::InconsistentInput,
        &format!("{p}/0/ipConfigurationId")
    ));
    assert!(has(
        &import,
        Code::InconsistentInput,
        &format!("{p}/1/ipConfigurationId")
    ));
    let aa = import
        .findings
        .iter()
        .find(|f| f.pointer() == format!("{p}/1/ipConfigurationId"))
        .unwrap();
    assert!(aa.message.contains("activeActive: false"), "{}", aa.message);
    assert!(has(
        &import,
        Code::PlaceholderValue,
        "/parameters/parameters/properties/localNetworkGateway2/properties/gatewayIpAddress"
    ));
    assert!(has(
        &import,
        Code::MissingPublicIp,
        "/parameters/parameters/properties/virtualNetworkGateway1/properties/ipConfigurations/0/properties/publicIPAddress/id"
    ));
    assert!(has(
        &import,
        Code::NotModelled,
        "/responses/200/body/properties/authenticationType"
    ));
}

#[test]
fn real_documents_without_a_gateway_say_so_where_it_is_referenced() {
    let Some(dir) = examples() else { return };
    let import = import_file(&dir.join("LocalNetworkGatewayGet.json"));
    assert!(import.topology.is_none());
    let placeholder = import
        .findings
        .iter()
        .find(|f| f.code == Code::PlaceholderValue)
        .unwrap();
    assert_eq!(
        placeholder.pointer(),
        "/responses/200/body/properties/gatewayIpAddress"
    );
    let src = placeholder.source.as_ref().unwrap();
    assert_eq!((src.line(), src.column()), (Some(17), Some(31)));
    assert!(has(&import, Code::MissingGateway, "/responses/200/body"));

    let import = import_file(&dir.join("VirtualNetworkGatewayConnectionGet.json"));
    assert!(import.topology.is_none());
    assert!(has(
        &import,
        Code::MissingGateway,
        "/responses/200/body/properties/virtualNetworkGateway1/id"
    ));
}

#[test]
fn all_real_examples_together_form_one_topology() {
    let Some(dir) = examples() else { return };
    let import = azure::from_paths(&json_files(&dir), &Options::default());
    let t = import.topology.as_ref().unwrap();
    // The gateway's own documents beat the copy embedded in the connection request.
    assert_eq!(t.gateway.asn, 65514);
    assert_eq!(t.gateway.instances[0].public_ip, ip("52.161.10.135"));
    // localgw from the Create response (the first of two documents for it).
    assert_eq!(t.local_gateways.len(), 1);
    assert_eq!(t.local_gateways[0].gateway_ip, Some(ip("11.12.13.14")));
    assert_eq!(t.connections.len(), 1);
    let dups = import
        .findings
        .iter()
        .filter(|f| f.code == Code::DuplicateResource)
        .count();
    assert_eq!(dups, 3, "{:#?}", import.findings);
}

// ---------------------------------------------------------------------------------------
// Odd shapes and edge cases.

#[test]
fn not_a_resource_is_an_unknown_document_not_a_crash() {
    for text in ["42", "null", "[]", "{}", "\"x\"", "[1, [2, [3]]]"] {
        let import = azure::from_str(text);
        assert!(import.topology.is_none(), "{text}");
        assert!(import.has_errors(), "{text}");
    }
    let import = azure::from_str("");
    assert_eq!(import.findings[0].code, Code::UnreadableInput);
}

#[test]
fn terraform_state_and_bicep_are_named_as_unsupported() {
    let import =
        azure::from_str(r#"{"version": 4, "terraform_version": "1.9.0", "resources": []}"#);
    let f = import
        .findings
        .iter()
        .find(|f| f.code == Code::UnknownDocument)
        .unwrap();
    assert!(f.message.contains("Terraform"), "{}", f.message);
    let import = azure::from_texts(
        &[("main.bicep", "param location string\n")],
        &Options::default(),
    );
    assert_eq!(import.findings[0].code, Code::InvalidJson);
    assert!(import.findings[0].message.contains("Bicep"));
}

#[test]
fn an_unreadable_file_is_a_finding() {
    let import = azure::from_paths(&["/nonexistent/vpnha/x.json"], &Options::default());
    assert!(import.topology.is_none());
    assert_eq!(import.findings[0].code, Code::UnreadableInput);
    assert!(import.findings[0].message.contains("no such file"));
}

#[test]
fn a_gateway_sku_in_both_generations_needs_its_generation() {
    let doc = r#"{"name": "g", "type": "Microsoft.Network/virtualNetworkGateways",
      "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw2AZ"}, "vpnGatewayGeneration": "None",
        "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "10.0.255.30"},
        "ipConfigurations": [{"name": "default", "properties": {}}]}}"#;
    let import = azure::from_str(doc);
    let f = import
        .findings
        .iter()
        .find(|f| f.code == Code::GenerationUnknown)
        .unwrap();
    assert_eq!(f.pointer(), "/properties/vpnGatewayGeneration");
    // The topology still comes out; validation then asks for the generation too.
    let rules: Vec<Rule> = import.validate().iter().map(|d| d.rule).collect();
    assert!(rules.contains(&Rule::GenerationRequired));
}

#[test]
fn extra_ip_configurations_and_bgp_addresses_are_reported() {
    // Active-standby with two IP configurations and three comma-separated addresses.
    let doc = r#"{"name": "g", "type": "Microsoft.Network/virtualNetworkGateways",
      "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1AZ"}, "activeActive": false,
        "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "10.0.255.4, 10.0.255.5,10.0.255.6"},
        "ipConfigurations": [{"name": "a", "properties": {}}, {"name": "b", "properties": {}}]}}"#;
    let import = azure::from_str(doc);
    let t = import.topology.as_ref().unwrap();
    assert_eq!(t.gateway.instances.len(), 1);
    assert_eq!(
        t.gateway.instances[0].bgp_peering_address,
        Some(ip("10.0.255.4"))
    );
    assert!(has(
        &import,
        Code::IpConfigurationIgnored,
        "/properties/ipConfigurations/1"
    ));
    assert!(has(
        &import,
        Code::InconsistentInput,
        "/properties/bgpSettings/bgpPeeringAddress"
    ));
}

#[test]
fn property_names_and_ids_match_whatever_their_letter_case() {
    // Lower-case property names and type, upper-case ids.
    let docs = [
        (
            "gw.json",
            r#"{"name": "gw", "type": "microsoft.network/virtualnetworkgateways", "id": "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKGATEWAYS/GW",
            "properties": {"gatewaytype": "Vpn", "SKU": {"NAME": "vpngw1az"}, "activeactive": false,
              "ipconfigurations": [{"name": "x", "properties": {"publicipaddress": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/PIP"}}}]}}"#,
        ),
        (
            "pip.json",
            r#"{"name": "pip", "type": "Microsoft.Network/publicIPAddresses", "id": "/subscriptions/s/resourcegroups/RG/providers/Microsoft.Network/publicIPAddresses/pip",
            "properties": {"IPADDRESS": "192.0.2.1"}}"#,
        ),
    ];
    let import = azure::from_texts(&docs, &Options::default());
    let t = import.topology.as_ref().unwrap();
    assert_eq!(t.gateway.sku, vpnha::Sku::VpnGw1AZ);
    assert_eq!(t.gateway.instances[0].public_ip, ip("192.0.2.1"));
    assert!(!import.has_errors(), "{:#?}", import.findings);
}

#[test]
fn an_arm_expression_that_needs_a_deployment_is_named() {
    let doc = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0", "parameters": {}, "resources": [
      {"type": "Microsoft.Network/virtualNetworkGateways", "name": "gw",
       "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1AZ"},
         "ipConfigurations": [{"name": "default", "properties": {}}]}},
      {"type": "Microsoft.Network/localNetworkGateways", "name": "lng",
       "properties": {"gatewayIpAddress": "[reference('pip').ipAddress]"}}]}"#;
    let import = azure::from_str(doc);
    let f = import
        .findings
        .iter()
        .find(|f| f.code == Code::UnsupportedExpression)
        .unwrap();
    assert_eq!(f.pointer(), "/resources/1/properties/gatewayIpAddress");
    assert!(f.message.contains("during a deployment"), "{}", f.message);
}

#[test]
fn local_gateways_of_one_name_in_two_groups_are_told_apart() {
    let lng = |rg: &str, ip: &str| {
        format!(
            r#"{{"name": "lng", "type": "Microsoft.Network/localNetworkGateways",
              "id": "/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Network/localNetworkGateways/lng",
              "properties": {{"gatewayIpAddress": "{ip}"}}}}"#
        )
    };
    let gw = r#"{"name": "gw", "type": "Microsoft.Network/virtualNetworkGateways",
      "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1AZ"},
        "ipConfigurations": [{"name": "default", "properties": {}}]}}"#;
    let conn = |rg: &str| {
        format!(
            r#"{{"name": "cn", "type": "Microsoft.Network/connections",
              "id": "/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Network/connections/cn",
              "properties": {{"connectionType": "IPsec",
                "virtualNetworkGateway1": {{"id": "/providers/Microsoft.Network/virtualNetworkGateways/gw"}},
                "localNetworkGateway2": {{"id": "/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Network/localNetworkGateways/lng"}}}}}}"#
        )
    };
    let docs = [
        ("gw.json", gw.to_owned()),
        ("a.json", lng("rg-a", "203.0.113.1")),
        ("b.json", lng("rg-b", "203.0.113.2")),
        ("ca.json", conn("rg-a")),
        ("cb.json", conn("rg-b")),
    ];
    let import = azure::from_texts(&docs, &Options::default());
    let t = import.topology.as_ref().unwrap();
    let names: Vec<&str> = t.local_gateways.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["lng", "lng-rg-b"]);
    // Each connection keeps its own device, and the second its own name.
    let wiring: Vec<(&str, &str)> = t
        .connections
        .iter()
        .map(|c| (c.name.as_str(), c.local_gateway.as_str()))
        .collect();
    assert_eq!(wiring, [("cn", "lng"), ("cn-rg-b", "lng-rg-b")]);
    let renamed = import
        .findings
        .iter()
        .filter(|f| f.code == Code::Renamed)
        .count();
    assert_eq!(renamed, 2, "{:#?}", import.findings);
    let rules: Vec<Rule> = import.validate().iter().map(|d| d.rule).collect();
    assert!(!rules.contains(&Rule::DuplicateName), "{rules:?}");
}

#[path = "support/azure_export.rs"]
mod support;

#[test]
fn a_hundred_devices_import_and_check_cleanly() {
    let text = support::export(100);
    let import = azure::from_texts(&[("export.json", text.as_str())], &Options::default());
    let t = import.topology.as_ref().unwrap();
    assert_eq!(t.local_gateways.len(), 100);
    assert_eq!(t.connections.len(), 100);
    assert_eq!(t.tunnels().len(), 200);
    // One note per connection: its shared key is not written out.
    assert!(
        import
            .findings
            .iter()
            .all(|f| f.code == Code::SharedKeyNotExported),
        "{:#?}",
        import.findings
    );
    let diags = import.validate();
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every validation finding points into the export.
    let lost: Vec<String> = diags
        .iter()
        .filter(|d| import.origin(&d.path).is_none())
        .map(ToString::to_string)
        .collect();
    assert!(lost.is_empty(), "{lost:#?}");
}

#[test]
fn template_resources_only_a_deployment_can_name_are_named_as_such() {
    let doc = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0", "parameters": {"count": {"type": "int", "defaultValue": 2}}, "resources": [
      {"type": "Microsoft.Network/virtualNetworkGateways", "name": "gw",
       "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1AZ"},
         "ipConfigurations": [{"name": "default", "properties": {}}]}},
      {"type": "Microsoft.Network/localNetworkGateways", "name": "[concat('lng-', copyIndex())]",
       "copy": {"name": "lngs", "count": "[parameters('count')]"},
       "properties": {"gatewayIpAddress": "203.0.113.1"}},
      {"type": "Microsoft.Network/localNetworkGateways", "name": "[resourceGroup().name]",
       "properties": {"gatewayIpAddress": "203.0.113.2"}}]}"#;
    let import = azure::from_str(doc);
    assert!(import.topology.as_ref().unwrap().local_gateways.is_empty());
    assert!(has(
        &import,
        Code::UnsupportedExpression,
        "/resources/1/copy"
    ));
    assert!(has(
        &import,
        Code::UnsupportedExpression,
        "/resources/2/name"
    ));
}

#[test]
fn secrets_in_parameters_files_are_masked_too() {
    let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "contentVersion": "1.0.0.0", "parameters": {"connections_shared_key": {"value": "Hunter2Hunter2"},
      "vpnClientRadiusSecret": {"value": "Radius99"}}}"#;
    let import = azure::from_texts(&[("p.json", params)], &Options::default());
    let text = import.source("p.json").unwrap().text();
    assert!(
        !text.contains("Hunter2") && !text.contains("Radius99"),
        "{text}"
    );
}
