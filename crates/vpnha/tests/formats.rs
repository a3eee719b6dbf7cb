//! The three formats read the same model, positions are right in each, and a topology
//! written out reads back equal.

use vpnha::{Format, Rule, Topology};

const YAML: &str = include_str!("../../../examples/dual-redundancy.yaml");

const JSON: &str = r#"{
  "version": 1,
  "name": "contoso-hq",
  "gateway": {
    "name": "vnet-hub-gw",
    "sku": "VpnGw2AZ",
    "generation": "Generation2",
    "vpn_type": "RouteBased",
    "active_active": true,
    "asn": 65515,
    "vnet_address_space": ["10.1.0.0/16"],
    "gateway_subnet": "10.1.255.0/27",
    "instances": [
      {"public_ip": "192.0.2.4", "bgp_peering_address": "10.1.255.4", "zone": 1},
      {"public_ip": "192.0.2.5", "bgp_peering_address": "10.1.255.5", "zone": 2}
    ]
  },
  "local_gateways": [
    {"name": "hq-fw-a", "site": "hq", "gateway_ip": "203.0.113.10", "isp": "isp-1",
     "bgp": {"asn": 65050, "peering_address": "192.168.255.1", "advertised_prefixes": ["192.168.0.0/16"]}},
    {"name": "hq-fw-b", "site": "hq", "gateway_ip": "198.51.100.20", "isp": "isp-2",
     "bgp": {"asn": 65050, "peering_address": "192.168.255.2", "advertised_prefixes": ["192.168.0.0/16"]}}
  ],
  "connections": [
    {"name": "hq-a", "local_gateway": "hq-fw-a", "enable_bgp": true, "protocol": "IKEv2",
     "dpd_timeout_seconds": 45, "shared_key": {"env": "HQ_A_PSK"},
     "ipsec_policy": {"ike_encryption": "AES256", "ike_integrity": "SHA256", "dh_group": "DHGroup14",
       "ipsec_encryption": "GCMAES256", "ipsec_integrity": "GCMAES256", "pfs_group": "PFS2048",
       "sa_lifetime_seconds": 27000, "sa_data_size_kilobytes": 102400000}},
    {"name": "hq-b", "local_gateway": "hq-fw-b", "enable_bgp": true, "shared_key": {"env": "HQ_B_PSK"}}
  ],
  "availability": {"gateway_instance": 0.9995, "device": 0.999, "isp": 0.999, "tunnel": 0.9999}
}"#;

const TOML: &str = r#"
version = 1
name = "contoso-hq"

[gateway]
name = "vnet-hub-gw"
sku = "VpnGw2AZ"
generation = "Generation2"
vpn_type = "RouteBased"
active_active = true
asn = 65515
vnet_address_space = ["10.1.0.0/16"]
gateway_subnet = "10.1.255.0/27"

[[gateway.instances]]
public_ip = "192.0.2.4"
bgp_peering_address = "10.1.255.4"
zone = 1

[[gateway.instances]]
public_ip = "192.0.2.5"
bgp_peering_address = "10.1.255.5"
zone = 2

[[local_gateways]]
name = "hq-fw-a"
site = "hq"
gateway_ip = "203.0.113.10"
isp = "isp-1"
bgp = { asn = 65050, peering_address = "192.168.255.1", advertised_prefixes = ["192.168.0.0/16"] }

[[local_gateways]]
name = "hq-fw-b"
site = "hq"
gateway_ip = "198.51.100.20"
isp = "isp-2"
bgp = { asn = 65050, peering_address = "192.168.255.2", advertised_prefixes = ["192.168.0.0/16"] }

[[connections]]
name = "hq-a"
local_gateway = "hq-fw-a"
enable_bgp = true
protocol = "IKEv2"
dpd_timeout_seconds = 45
shared_key = { env = "HQ_A_PSK" }
ipsec_policy = { ike_encryption = "AES256", ike_integrity = "SHA256", dh_group = "DHGroup14", ipsec_encryption = "GCMAES256", ipsec_integrity = "GCMAES256", pfs_group = "PFS2048", sa_lifetime_seconds = 27000, sa_data_size_kilobytes = 102400000 }

[[connections]]
name = "hq-b"
local_gateway = "hq-fw-b"
enable_bgp = true
shared_key = { env = "HQ_B_PSK" }

[availability]
gateway_instance = 0.9995
device = 0.999
isp = 0.999
tunnel = 0.9999
"#;

#[test]
fn yaml_json_and_toml_read_the_same_topology() {
    let y = Topology::from_yaml_str(YAML).unwrap();
    let j = Topology::from_json_str(JSON).unwrap();
    let t = Topology::from_toml_str(TOML).unwrap();
    assert_eq!(y, j);
    assert_eq!(y, t);
    assert_eq!(y.tunnels().len(), 4);
}

#[test]
fn every_format_round_trips() {
    let original = Topology::from_yaml_str(YAML).unwrap();
    for format in [Format::Yaml, Format::Json, Format::Toml] {
        let text = original.to_string_as(format).unwrap();
        let back = Topology::parse(&text, format)
            .unwrap_or_else(|e| panic!("{format} did not read back: {e}\n{text}"));
        assert_eq!(back, original, "{format}:\n{text}");
    }
}

/// The position of the first finding of `rule`.
fn position(t: &Topology, rule: Rule) -> (Option<u32>, Option<u32>) {
    let d = t.validate().into_iter().find(|d| d.rule == rule).unwrap();
    (d.line(), d.column())
}

#[test]
fn findings_point_at_the_field_in_every_format() {
    // ASN 65515 on a device: reserved. The value's position in each text.
    let y = Topology::from_yaml_str(&YAML.replacen("asn: 65050", "asn: 65515", 1)).unwrap();
    assert_eq!(position(&y, Rule::ReservedAsn), (Some(29), Some(12)));
    let j = Topology::from_json_str(&JSON.replacen("\"asn\": 65050", "\"asn\": 65515", 1)).unwrap();
    assert_eq!(position(&j, Rule::ReservedAsn), (Some(20), Some(21)));
    let t = Topology::from_toml_str(&TOML.replacen("asn = 65050", "asn = 65515", 1)).unwrap();
    assert_eq!(position(&t, Rule::ReservedAsn), (Some(30), Some(15)));
}

#[test]
fn load_errors_point_at_the_value_in_every_format() {
    let cases = [
        (
            YAML.replacen("192.0.2.5", "192.0.2.500", 1),
            Format::Yaml,
            (20, 18),
        ),
        (
            JSON.replacen("192.0.2.5", "192.0.2.500", 1),
            Format::Json,
            (15, 21),
        ),
        (
            TOML.replacen("192.0.2.5", "192.0.2.500", 1),
            Format::Toml,
            (21, 13),
        ),
    ];
    for (text, format, (line, col)) in cases {
        let err = Topology::parse(&text, format).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.rule, Rule::InvalidValue, "{format}");
        assert_eq!(d.path.to_string(), "gateway.instances[1].public_ip");
        assert_eq!(
            (d.line(), d.column()),
            (Some(line), Some(col)),
            "{format}: {err}"
        );
        assert!(d.message.contains("192.0.2.500"), "{}", d.message);
    }
}

#[test]
fn syntax_errors_have_positions_in_every_format() {
    let cases = [
        ("version: 1\ngateway: {sku: VpnGw1AZ\n", Format::Yaml),
        ("{\n  \"version\": 1\n  \"gateway\": {}\n}", Format::Json),
        ("version = 1\n[gateway\n", Format::Toml),
    ];
    for (text, format) in cases {
        let err = Topology::parse(text, format).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.rule, Rule::SyntaxError, "{format}");
        assert!(d.line().is_some(), "{format}: {err}");
        assert!(d.message.starts_with("invalid "), "{}", d.message);
    }
}

#[test]
fn json_with_tabs_and_escapes_keeps_positions() {
    let text = "{\n\t\"version\": 1,\n\t\"name\": \"a\\/b\",\n\t\"gateway\": {\"sku\": \"VpnGw1AZ\", \"instances\": [{\"public_ip\": \"192.0.2.1\"}], \"asn\": 8074}\n}";
    let t = Topology::from_json_str(text).unwrap();
    assert_eq!(t.name.as_deref(), Some("a/b"));
    assert_eq!(position(&t, Rule::ReservedAsn), (Some(4), Some(83)));
}

#[test]
fn yaml_1_2_booleans_and_leading_zeros_stay_strings() {
    let t = Topology::from_yaml_str(
        "version: 1\nname: NO\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.1}]}\nlocal_gateways: [{name: 0123, site: yes, gateway_ip: 203.0.113.1}]\n",
    )
    .unwrap();
    assert_eq!(t.name.as_deref(), Some("NO"));
    assert_eq!(t.local_gateways[0].name, "0123");
    assert_eq!(t.local_gateways[0].site.as_deref(), Some("yes"));
}

#[test]
fn a_utf8_bom_is_accepted() {
    let text = format!("\u{feff}{YAML}");
    assert!(Topology::from_yaml_str(&text).is_ok());
}

#[test]
fn json_duplicate_keys_are_refused_where_the_second_one_is() {
    let text = "{\n  \"version\": 1,\n  \"name\": \"a\",\n  \"name\": \"b\"\n}";
    let err = Topology::from_json_str(text).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.rule, Rule::SyntaxError);
    assert!(d.message.contains("duplicate key `name`"), "{}", d.message);
    assert_eq!((d.line(), d.column()), (Some(4), Some(3)));
}

#[test]
fn json_nesting_deeper_than_yaml_allows_is_refused_with_a_position() {
    // Within serde_json's own limit (128), beyond the 24 levels every format accepts.
    let text = format!(
        "{{\"version\": 1,\n\"name\": {}{}}}",
        "[".repeat(40),
        "]".repeat(40)
    );
    let err = Topology::from_json_str(&text).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.rule, Rule::SyntaxError);
    assert!(
        d.message.contains("nested more than 24 levels"),
        "{}",
        d.message
    );
    assert_eq!(d.line(), Some(2));
}

#[test]
fn json_keys_and_values_carry_their_own_positions() {
    // A finding on a key path points at the value; the unknown-field error at the key.
    let text = "{\"version\": 1,\n \"gateway\": {\"sku\": \"VpnGw1AZ\", \"skus\": 1, \"instances\": [{\"public_ip\": \"192.0.2.1\"}]}}";
    let err = Topology::from_json_str(text).unwrap_err();
    let d = err
        .diagnostics()
        .into_iter()
        .find(|d| d.rule == Rule::UnknownField)
        .unwrap();
    assert_eq!((d.line(), d.column()), (Some(2), Some(33)));
}
