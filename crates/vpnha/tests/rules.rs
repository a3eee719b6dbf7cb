//! One test that triggers each rule of the catalogue and one near miss that must not.
//!
//! Validation rules mutate a clean dual-redundancy topology; load rules feed text or paths.
//! `every_rule_has_a_trigger_and_a_near_miss` fails when a rule is added without tests.

use std::net::IpAddr;

use ipnetwork::IpNetwork;
use vpnha::model::{
    AvailabilityInputs, ConnectionMode, Fqdn, Generation, IpsecPolicy, MaybeKnown, Protocol,
    VpnType,
};
use vpnha::{
    Connection, Diagnostic, Format, Instance, LoadError, LocalBgp, LocalGateway, Rule, SharedKey,
    Sku, Topology,
};

const BASE: &str = r#"
version: 1
gateway:
  sku: VpnGw2AZ
  generation: Generation2
  active_active: true
  vnet_address_space: [10.1.0.0/16]
  gateway_subnet: 10.1.255.0/27
  instances:
    - {public_ip: 192.0.2.4, bgp_peering_address: 10.1.255.4, zone: 1}
    - {public_ip: 192.0.2.5, bgp_peering_address: 10.1.255.5, zone: 2}
local_gateways:
  - name: hq-fw-a
    site: hq
    gateway_ip: 203.0.113.10
    isp: isp-1
    bgp: {asn: 65050, peering_address: 192.168.255.1, advertised_prefixes: [192.168.0.0/16]}
  - name: hq-fw-b
    site: hq
    gateway_ip: 198.51.100.20
    isp: isp-2
    bgp: {asn: 65050, peering_address: 192.168.255.2, advertised_prefixes: [192.168.0.0/16]}
connections:
  - {name: hq-a, local_gateway: hq-fw-a, enable_bgp: true}
  - {name: hq-b, local_gateway: hq-fw-b, enable_bgp: true}
"#;

fn base() -> Topology {
    Topology::from_yaml_str(BASE).expect("the base topology loads")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNetwork {
    s.parse().unwrap()
}

fn findings(t: &Topology, rule: Rule) -> Vec<Diagnostic> {
    t.validate()
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

/// Keeps only `hq-fw-a` and its connection: a single-device site.
fn single_device(t: &mut Topology) {
    t.local_gateways.truncate(1);
    t.connections.truncate(1);
}

/// An active-standby gateway with one instance.
fn active_standby(t: &mut Topology) {
    t.gateway.active_active = false;
    t.gateway.instances.truncate(1);
}

fn policy(enc: &str, integ: &str, lifetime: u64) -> IpsecPolicy {
    let y = format!(
        "ike_encryption: AES256\nike_integrity: SHA256\ndh_group: DHGroup14\nipsec_encryption: {enc}\nipsec_integrity: {integ}\npfs_group: PFS2048\nsa_lifetime_seconds: {lifetime}\nsa_data_size_kilobytes: 102400000\n"
    );
    let doc = format!(
        "version: 1\ngateway: {{sku: VpnGw1AZ, instances: [{{public_ip: 192.0.2.1}}]}}\nlocal_gateways: [{{name: d, gateway_ip: 203.0.113.1}}]\nconnections:\n  - name: c\n    local_gateway: d\n    ipsec_policy:\n{}",
        y.lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    );
    Topology::from_yaml_str(&doc).unwrap().connections[0]
        .ipsec_policy
        .clone()
        .unwrap()
}

/// `rule_test!(Rule, fires_fn, quiet_fn, |t| trigger, |t| near miss)`: mutations of BASE.
macro_rules! rule_test {
    ($rule:expr, $fires:ident, $quiet:ident, $trigger:expr, $near_miss:expr $(,)?) => {
        #[test]
        fn $fires() {
            let mut t = base();
            let f: fn(&mut Topology) = $trigger;
            f(&mut t);
            let hits = findings(&t, $rule);
            assert!(
                !hits.is_empty(),
                "{} did not fire; findings: {:#?}",
                $rule,
                t.validate()
            );
            for d in &hits {
                assert_eq!(d.severity, $rule.severity());
                assert!(!d.message.is_empty());
                assert!(d.location.is_some(), "{d} has no position");
            }
        }

        #[test]
        fn $quiet() {
            let mut t = base();
            let f: fn(&mut Topology) = $near_miss;
            f(&mut t);
            let hits = findings(&t, $rule);
            assert!(hits.is_empty(), "{} fired on a near miss: {hits:#?}", $rule);
        }
    };
}

#[test]
fn the_base_topology_is_clean() {
    let rules: Vec<Rule> = base()
        .validate()
        .into_iter()
        .filter(|d| d.severity != vpnha::Severity::Info)
        .map(|d| d.rule)
        .collect();
    assert!(rules.is_empty(), "{rules:?}");
}

// ----- errors -----------------------------------------------------------------------------

rule_test!(
    Rule::UnknownReference,
    unknown_reference_fires,
    unknown_reference_quiet,
    |t| t.connections[1].local_gateway = "hq-fw-c".into(),
    |t| t.connections[1].instances = Some(vec![0, 1])
);

#[test]
fn unknown_reference_fires_for_an_instance_index_and_suggests_names() {
    let mut t = base();
    t.connections[0].instances = Some(vec![2]);
    t.connections[1].local_gateway = "hq-fw-bb".into();
    let hits = findings(&t, Rule::UnknownReference);
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter()
            .any(|d| d.path.to_string() == "connections[0].instances[0]")
    );
    assert!(
        hits.iter()
            .any(|d| d.message.contains("did you mean `hq-fw-b`?"))
    );
}

rule_test!(
    Rule::DuplicateName,
    duplicate_name_fires,
    duplicate_name_quiet,
    |t| t.connections[1].name = "hq-a".into(),
    |t| t.connections[1].name = "hq-a2".into()
);

#[test]
fn duplicate_name_fires_for_local_gateways_too() {
    let mut t = base();
    t.local_gateways[1].name = "hq-fw-a".into();
    let hits = findings(&t, Rule::DuplicateName);
    assert_eq!(hits[0].path.to_string(), "local_gateways[1].name");
}

rule_test!(
    Rule::InstanceCount,
    instance_count_fires,
    instance_count_quiet,
    |t| t.gateway.instances.truncate(1),
    active_standby
);

#[test]
fn instance_count_fires_for_active_standby_with_two_instances() {
    let mut t = base();
    t.gateway.active_active = false;
    assert_eq!(findings(&t, Rule::InstanceCount).len(), 1);
}

rule_test!(
    Rule::ActiveActiveUnsupportedSku,
    active_active_unsupported_sku_fires,
    active_active_unsupported_sku_quiet,
    |t| {
        t.gateway.sku = Sku::Standard;
        t.gateway.declared_generation = None;
    },
    |t| {
        t.gateway.sku = Sku::HighPerformance;
        t.gateway.declared_generation = None;
    }
);

rule_test!(
    Rule::SkuGenerationMismatch,
    sku_generation_mismatch_fires,
    sku_generation_mismatch_quiet,
    |t| t.gateway.sku = Sku::VpnGw1AZ,
    |t| {
        t.gateway.sku = Sku::VpnGw1AZ;
        t.gateway.declared_generation = Some(Generation::Generation1);
    }
);

rule_test!(
    Rule::GenerationRequired,
    generation_required_fires,
    generation_required_quiet,
    |t| t.gateway.declared_generation = None,
    |t| {
        t.gateway.sku = Sku::VpnGw4AZ;
        t.gateway.declared_generation = None;
    }
);

rule_test!(
    Rule::PolicyBasedUnsupported,
    policy_based_unsupported_fires,
    policy_based_unsupported_quiet,
    |t| t.gateway.vpn_type = VpnType::PolicyBased,
    |t| {
        // The one shape Azure allows: Basic, active-standby, one connection, no BGP.
        t.gateway.vpn_type = VpnType::PolicyBased;
        t.gateway.sku = Sku::Basic;
        t.gateway.declared_generation = None;
        active_standby(t);
        single_device(t);
        t.connections[0].enable_bgp = false;
    }
);

#[test]
fn policy_based_unsupported_names_each_cause() {
    let mut t = base();
    t.gateway.vpn_type = VpnType::PolicyBased;
    let paths: Vec<String> = findings(&t, Rule::PolicyBasedUnsupported)
        .iter()
        .map(|d| d.path.to_string())
        .collect();
    // The SKU, active-active, BGP on both connections, and the second connection.
    assert_eq!(paths.len(), 5, "{paths:?}");
    assert!(paths.contains(&"gateway.vpn_type".to_owned()));
    assert!(paths.contains(&"connections[1]".to_owned()));
}

rule_test!(
    Rule::BgpUnsupportedSku,
    bgp_unsupported_sku_fires,
    bgp_unsupported_sku_quiet,
    |t| {
        t.gateway.sku = Sku::Basic;
        t.gateway.declared_generation = None;
        active_standby(t);
    },
    |t| {
        t.gateway.sku = Sku::Basic;
        t.gateway.declared_generation = None;
        active_standby(t);
        single_device(t);
        t.connections[0].enable_bgp = false;
    }
);

rule_test!(
    Rule::BgpSettingsMissing,
    bgp_settings_missing_fires,
    bgp_settings_missing_quiet,
    |t| t.local_gateways[1].bgp = None,
    |t| {
        single_device(t);
        t.local_gateways[0].bgp = None;
        t.connections[0].enable_bgp = false;
    }
);

rule_test!(
    Rule::ReservedAsn,
    reserved_asn_fires,
    reserved_asn_quiet,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().asn = 65515,
    |t| {
        // 65515 is fine as the gateway's own ASN; 65514 and 65521 border reserved ranges.
        t.gateway.asn = 65515;
        t.local_gateways[0].bgp.as_mut().unwrap().asn = 65514;
        t.local_gateways[1].bgp.as_mut().unwrap().asn = 65521;
    }
);

#[test]
fn reserved_asn_covers_azure_and_iana_reservations() {
    for asn in [
        0,
        8074,
        8075,
        12076,
        23456,
        64496,
        64511,
        65517,
        65520,
        65535,
        65551,
        4_294_967_295,
    ] {
        let mut t = base();
        t.local_gateways[0].bgp.as_mut().unwrap().asn = asn;
        assert_eq!(findings(&t, Rule::ReservedAsn).len(), 1, "ASN {asn}");
    }
    let mut t = base();
    t.gateway.asn = 64500;
    assert_eq!(
        findings(&t, Rule::ReservedAsn)[0].path.to_string(),
        "gateway.asn"
    );
}

rule_test!(
    Rule::AsnOutOfRange,
    asn_out_of_range_fires,
    asn_out_of_range_quiet,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().asn = 4_294_967_296,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().asn = 4_200_000_000
);

rule_test!(
    Rule::SameAsn,
    same_asn_fires,
    same_asn_quiet,
    |t| t.gateway.asn = 65050,
    |t| t.gateway.asn = 65010
);

rule_test!(
    Rule::ApipaOutOfRange,
    apipa_out_of_range_fires,
    apipa_out_of_range_quiet,
    |t| t.gateway.instances[0].custom_bgp_addresses = vec![ip("169.254.23.1")],
    |t| {
        t.gateway.instances[0].custom_bgp_addresses = vec![ip("169.254.21.0")];
        t.gateway.instances[1].custom_bgp_addresses = vec![ip("169.254.22.255")];
    }
);

rule_test!(
    Rule::DuplicateBgpAddress,
    duplicate_bgp_address_fires,
    duplicate_bgp_address_quiet,
    |t| t.local_gateways[1].bgp.as_mut().unwrap().peering_address = ip("192.168.255.1"),
    |t| t.local_gateways[1].bgp.as_mut().unwrap().peering_address = ip("192.168.255.3")
);

#[test]
fn duplicate_bgp_address_spans_gateway_and_devices() {
    let mut t = base();
    t.gateway.instances[1].custom_bgp_addresses = vec![ip("169.254.21.1")];
    t.local_gateways[0].bgp.as_mut().unwrap().peering_address = ip("169.254.21.1");
    let hits = findings(&t, Rule::DuplicateBgpAddress);
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].message.contains("gateway instance 1"),
        "{}",
        hits[0].message
    );
}

rule_test!(
    Rule::BgpPeerInVnet,
    bgp_peer_in_vnet_fires,
    bgp_peer_in_vnet_quiet,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().peering_address = ip("10.1.5.5"),
    |t| t.local_gateways[0].bgp.as_mut().unwrap().peering_address = ip("10.2.0.1")
);

rule_test!(
    Rule::BgpPeerIsPublicIp,
    bgp_peer_is_public_ip_fires,
    bgp_peer_is_public_ip_quiet,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().peering_address = ip("203.0.113.10"),
    |t| t.local_gateways[0].bgp.as_mut().unwrap().peering_address = ip("203.0.113.11")
);

rule_test!(
    Rule::BgpRequiredMultiDevice,
    bgp_required_multi_device_fires,
    bgp_required_multi_device_quiet,
    |t| t.connections[1].enable_bgp = false,
    |t| {
        single_device(t);
        t.connections[0].enable_bgp = false;
        t.local_gateways[0].bgp = None;
    }
);

rule_test!(
    Rule::DuplicateGatewayIp,
    duplicate_gateway_ip_fires,
    duplicate_gateway_ip_quiet,
    |t| t.local_gateways[1].gateway_ip = Some(ip("203.0.113.10")),
    |t| t.local_gateways[1].gateway_ip = Some(ip("203.0.113.11"))
);

#[test]
fn duplicate_gateway_ip_compares_fqdns_without_case() {
    let mut t = base();
    t.local_gateways[0].fqdn = Some("vpn.contoso.example".parse::<Fqdn>().unwrap());
    t.local_gateways[1].fqdn = Some("VPN.Contoso.Example.".parse::<Fqdn>().unwrap());
    assert_eq!(findings(&t, Rule::DuplicateGatewayIp).len(), 1);
}

rule_test!(
    Rule::PrefixOverlapVnet,
    prefix_overlap_vnet_fires,
    prefix_overlap_vnet_quiet,
    |t| {
        single_device(t);
        t.local_gateways[0].bgp = None;
        t.connections[0].enable_bgp = false;
        t.local_gateways[0].address_prefixes = vec![net("10.1.128.0/17")];
    },
    |t| {
        single_device(t);
        t.local_gateways[0].bgp = None;
        t.connections[0].enable_bgp = false;
        t.local_gateways[0].address_prefixes = vec![net("10.2.0.0/16")];
    }
);

rule_test!(
    Rule::InvalidPrefix,
    invalid_prefix_fires,
    invalid_prefix_quiet,
    |t| t.local_gateways[0]
        .bgp
        .as_mut()
        .unwrap()
        .advertised_prefixes = vec![net("192.168.0.1/16")],
    |t| t.gateway.vnet_address_space = vec![net("10.1.0.0/16"), net("10.3.0.0/24")]
);

rule_test!(
    Rule::TunnelLimitExceeded,
    tunnel_limit_exceeded_fires,
    tunnel_limit_exceeded_quiet,
    |t| add_connections(t, 31),
    |t| add_connections(t, 30)
);

/// Replaces the connections by `n` connections to `n` BGP devices of site `hq`.
fn add_connections(t: &mut Topology, n: usize) {
    t.local_gateways.clear();
    t.connections.clear();
    for i in 0..n {
        let name = format!("d{i}");
        let mut lg = LocalGateway::new(&name, ip(&format!("203.0.113.{}", i + 1)));
        lg.site = Some("hq".into());
        let mut bgp = LocalBgp::new(65050, ip(&format!("192.168.255.{}", i + 1)));
        bgp.advertised_prefixes = vec![net("192.168.0.0/16")];
        lg.bgp = Some(bgp);
        t.local_gateways.push(lg);
        let mut c = Connection::new(&format!("c{i}"), &name);
        c.enable_bgp = true;
        t.connections.push(c);
    }
}

rule_test!(
    Rule::PrefixLimitExceeded,
    prefix_limit_exceeded_fires,
    prefix_limit_exceeded_quiet,
    |t| static_prefixes(t, 1001),
    |t| static_prefixes(t, 1000)
);

fn static_prefixes(t: &mut Topology, n: usize) {
    single_device(t);
    t.local_gateways[0].bgp = None;
    t.connections[0].enable_bgp = false;
    t.local_gateways[0].address_prefixes = (0..n)
        .map(|i| net(&format!("172.{}.{}.0/24", 16 + i / 256, i % 256)))
        .collect();
}

#[test]
fn prefix_limit_exceeded_counts_bgp_prefixes_in_all() {
    let mut t = base();
    for (k, lg) in t.local_gateways.iter_mut().enumerate() {
        lg.bgp.as_mut().unwrap().advertised_prefixes = (0..2001)
            .map(|i| net(&format!("{}.{}.{}.0/24", 100 + k, i / 256, i % 256)))
            .collect();
    }
    let hits = findings(&t, Rule::PrefixLimitExceeded);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].message.contains("4002"));
}

rule_test!(
    Rule::IpsecPolicyInvalid,
    ipsec_policy_invalid_fires,
    ipsec_policy_invalid_quiet,
    |t| t.connections[0].ipsec_policy = Some(policy("GCMAES256", "SHA256", 27000)),
    |t| t.connections[0].ipsec_policy = Some(policy("GCMAES256", "GCMAES256", 300))
);

#[test]
fn ipsec_policy_invalid_covers_lifetimes_gcm_pairs_and_unknown_names() {
    let cases = [
        (policy("AES256", "GCMAES128", 27000), "ipsec_encryption"),
        (policy("GCMAES128", "GCMAES256", 27000), "ipsec_integrity"),
        (policy("AES256", "SHA256", 299), "sa_lifetime_seconds"),
        (policy("AES512", "SHA256", 27000), "ipsec_encryption"),
    ];
    for (p, field) in cases {
        let mut t = base();
        t.connections[0].ipsec_policy = Some(p);
        let hits = findings(&t, Rule::IpsecPolicyInvalid);
        assert_eq!(hits.len(), 1, "{field}: {hits:#?}");
        assert!(
            hits[0].path.to_string().ends_with(field),
            "{}",
            hits[0].path
        );
    }
    let mut p = policy("AES256", "SHA256", 27000);
    p.ike_integrity = MaybeKnown::Known(vpnha::model::IkeIntegrity::GcmAes256);
    p.sa_data_size_kilobytes = 1023;
    let mut t = base();
    t.connections[0].ipsec_policy = Some(p);
    assert_eq!(findings(&t, Rule::IpsecPolicyInvalid).len(), 2);
    let mut p = policy("AES256", "SHA256", 27000);
    p.ipsec_encryption = MaybeKnown::Unknown("AES265".into());
    let mut t = base();
    t.connections[0].ipsec_policy = Some(p);
    assert!(
        findings(&t, Rule::IpsecPolicyInvalid)[0]
            .message
            .contains("did you mean `AES256`?")
    );
}

rule_test!(
    Rule::DpdTimeoutOutOfRange,
    dpd_timeout_out_of_range_fires,
    dpd_timeout_out_of_range_quiet,
    |t| {
        t.connections[0].dpd_timeout_seconds = 8;
        t.connections[1].dpd_timeout_seconds = 3601;
    },
    |t| {
        t.connections[0].dpd_timeout_seconds = 9;
        t.connections[1].dpd_timeout_seconds = 3600;
    }
);

rule_test!(
    Rule::SharedKeyInvalid,
    shared_key_invalid_fires,
    shared_key_invalid_quiet,
    |t| t.connections[0].shared_key =
        Some(SharedKey::Inline(vpnha::model::Secret::new("a b".into()))),
    |t| {
        t.connections[0].shared_key = Some(SharedKey::Inline(vpnha::model::Secret::new(
            "Abc123!@#$%^&*()_+=".into(),
        )));
        t.connections[1].shared_key = Some(SharedKey::Env {
            env: "HQ-B PSK".into(),
        });
    }
);

#[test]
fn shared_key_invalid_covers_every_forbidden_form() {
    for key in ["", "a-b", "a~b", "tab\there", "é", &"k".repeat(129)] {
        let mut t = base();
        t.connections[0].shared_key =
            Some(SharedKey::Inline(vpnha::model::Secret::new(key.into())));
        assert_eq!(findings(&t, Rule::SharedKeyInvalid).len(), 1, "{key:?}");
    }
}

rule_test!(
    Rule::GatewaySubnetTooSmall,
    gateway_subnet_too_small_fires,
    gateway_subnet_too_small_quiet,
    |t| t.gateway.gateway_subnet = Some(net("10.1.255.0/30")),
    |t| t.gateway.gateway_subnet = Some(net("10.1.255.0/29"))
);

rule_test!(
    Rule::AvailabilityOutOfRange,
    availability_out_of_range_fires,
    availability_out_of_range_quiet,
    |t| {
        let mut a = AvailabilityInputs::default();
        a.device = Some(0.0);
        a.isp = Some(1.5);
        a.zone = Some(f64::NAN);
        t.availability = Some(a);
    },
    |t| {
        let mut a = AvailabilityInputs::default();
        a.device = Some(1.0);
        a.isp = Some(1e-9);
        t.availability = Some(a);
    }
);

// ----- warnings ---------------------------------------------------------------------------

rule_test!(
    Rule::EcmpPrefixMismatch,
    ecmp_prefix_mismatch_fires,
    ecmp_prefix_mismatch_quiet,
    |t| t.local_gateways[1]
        .bgp
        .as_mut()
        .unwrap()
        .advertised_prefixes
        .push(net("172.16.0.0/12")),
    |t| {
        // The same set in another order is the same set.
        t.local_gateways[0]
            .bgp
            .as_mut()
            .unwrap()
            .advertised_prefixes = vec![net("172.16.0.0/12"), net("192.168.0.0/16")];
        t.local_gateways[1]
            .bgp
            .as_mut()
            .unwrap()
            .advertised_prefixes = vec![net("192.168.0.0/16"), net("172.16.0.0/12")];
    }
);

rule_test!(
    Rule::SingleDevice,
    single_device_fires,
    single_device_quiet,
    single_device,
    |t| t.local_gateways[1].name = "hq-fw-b".into()
);

rule_test!(
    Rule::ActiveStandbyGateway,
    active_standby_gateway_fires,
    active_standby_gateway_quiet,
    active_standby,
    |t| t.gateway.asn = 65515
);

rule_test!(
    Rule::SingleInstanceCoverage,
    single_instance_coverage_fires,
    single_instance_coverage_quiet,
    |t| {
        t.connections[0].instances = Some(vec![0]);
        t.connections[1].instances = Some(vec![0]);
    },
    |t| {
        t.connections[0].instances = Some(vec![0]);
        t.connections[1].instances = Some(vec![1]);
    }
);

rule_test!(
    Rule::NonZoneRedundantSku,
    non_zone_redundant_sku_fires,
    non_zone_redundant_sku_quiet,
    |t| t.gateway.sku = Sku::VpnGw2,
    |t| t.gateway.sku = Sku::VpnGw3AZ
);

rule_test!(
    Rule::LegacySku,
    legacy_sku_fires,
    legacy_sku_quiet,
    |t| {
        t.gateway.sku = Sku::HighPerformance;
        t.gateway.declared_generation = None;
    },
    |t| {
        t.gateway.sku = Sku::VpnGw1AZ;
        t.gateway.declared_generation = None;
    }
);

rule_test!(
    Rule::BasicSku,
    basic_sku_fires,
    basic_sku_quiet,
    |t| {
        t.gateway.sku = Sku::Basic;
        t.gateway.declared_generation = None;
    },
    |t| {
        t.gateway.sku = Sku::VpnGw1AZ;
        t.gateway.declared_generation = None;
    }
);

rule_test!(
    Rule::BgpWithStaticPrefixes,
    bgp_with_static_prefixes_fires,
    bgp_with_static_prefixes_quiet,
    |t| t.local_gateways[0].address_prefixes = vec![net("192.168.255.1/32")],
    |t| {
        single_device(t);
        t.local_gateways[0].bgp = None;
        t.connections[0].enable_bgp = false;
        t.local_gateways[0].address_prefixes = vec![net("192.168.0.0/16")];
    }
);

#[test]
fn bgp_with_static_prefixes_says_the_own_host_route_is_redundant() {
    let mut t = base();
    t.local_gateways[0].address_prefixes = vec![net("192.168.255.1/32")];
    assert!(
        findings(&t, Rule::BgpWithStaticPrefixes)[0]
            .message
            .contains("no longer needed")
    );
}

rule_test!(
    Rule::GatewaySubnetSmall,
    gateway_subnet_small_fires,
    gateway_subnet_small_quiet,
    |t| t.gateway.gateway_subnet = Some(net("10.1.255.0/28")),
    |t| t.gateway.gateway_subnet = Some(net("10.1.255.0/26"))
);

rule_test!(
    Rule::LegacyReservedAsn,
    legacy_reserved_asn_fires,
    legacy_reserved_asn_quiet,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().asn = 8076,
    |t| t.local_gateways[0].bgp.as_mut().unwrap().asn = 8077
);

rule_test!(
    Rule::ConnectionModeIgnored,
    connection_mode_ignored_fires,
    connection_mode_ignored_quiet,
    |t| {
        t.connections[0].protocol = Protocol::IKEv1;
        t.connections[0].connection_mode = Some(ConnectionMode::ResponderOnly);
    },
    |t| {
        t.connections[0].protocol = Protocol::IKEv2;
        t.connections[0].connection_mode = Some(ConnectionMode::ResponderOnly);
    }
);

rule_test!(
    Rule::TunnelLimitAtRisk,
    tunnel_limit_at_risk_fires,
    tunnel_limit_at_risk_quiet,
    |t| add_connections(t, 16),
    |t| add_connections(t, 15)
);

rule_test!(
    Rule::UnusedLocalGateway,
    unused_local_gateway_fires,
    unused_local_gateway_quiet,
    |t| {
        t.connections.truncate(1);
    },
    |t| {
        t.connections.swap(0, 1);
    }
);

// ----- information ------------------------------------------------------------------------

rule_test!(
    Rule::SitePattern,
    site_pattern_fires,
    site_pattern_quiet,
    |t| t.name = Some("any".into()),
    |t| {
        t.connections.clear();
        t.local_gateways.clear();
    }
);

#[test]
fn site_pattern_names_each_seed_pattern() {
    type Case = (fn(&mut Topology), &'static str);
    let cases: [Case; 4] = [
        (
            |t| {
                single_device(t);
                active_standby(t);
            },
            "is active-standby: 1 device, 1 gateway instance, 1 tunnel (hq-a/0)",
        ),
        (
            active_standby,
            "is multi-device: 2 devices, 1 gateway instance, 2 tunnels",
        ),
        (
            single_device,
            "is active-active: 1 device, 2 gateway instances, 2 tunnels (hq-a/0, hq-a/1)",
        ),
        (
            |_| {},
            "is dual-redundancy: 2 devices, 2 gateway instances, 4 tunnels (hq-a/0, hq-a/1, hq-b/0, hq-b/1)",
        ),
    ];
    for (mutate, text) in cases {
        let mut t = base();
        mutate(&mut t);
        let hits = findings(&t, Rule::SitePattern);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains(text), "{}", hits[0].message);
    }
}

rule_test!(
    Rule::ChecksSkipped,
    checks_skipped_fires,
    checks_skipped_quiet,
    |t| t.gateway.vnet_address_space.clear(),
    |t| t.gateway.vnet_address_space.push(net("10.9.0.0/16"))
);

// ----- load problems ----------------------------------------------------------------------

fn load_rules(text: &str, format: Format) -> Vec<Rule> {
    match Topology::parse(text, format) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().into_iter().map(|d| d.rule).collect(),
    }
}

fn load_error(path: &std::path::Path) -> Vec<Rule> {
    match Topology::load(path) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().into_iter().map(|d| d.rule).collect(),
    }
}

const MINIMAL: &str = "version: 1\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.1}]}\n";

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vpnha-rules-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn io_error_fires() {
    assert_eq!(load_error(&tempdir().join("missing.yaml")), [Rule::IoError]);
}

#[test]
fn io_error_quiet() {
    let p = tempdir().join("present.yaml");
    std::fs::write(&p, MINIMAL).unwrap();
    assert_eq!(load_error(&p), []);
}

#[test]
fn not_a_file_fires() {
    let d = tempdir().join("dir.yaml");
    std::fs::create_dir_all(&d).unwrap();
    assert_eq!(load_error(&d), [Rule::NotAFile]);
}

#[test]
fn not_a_file_quiet() {
    io_error_quiet();
}

#[test]
fn input_too_large_fires() {
    let big = format!("{MINIMAL}#{}\n", "x".repeat(16 * 1024 * 1024));
    assert_eq!(load_rules(&big, Format::Yaml), [Rule::InputTooLarge]);
}

#[test]
fn input_too_large_quiet() {
    // Just under the limit, padded with a comment: read normally.
    let pad = 16 * 1024 * 1024 - MINIMAL.len() - 2;
    let text = format!("{MINIMAL}#{}\n", "x".repeat(pad));
    assert_eq!(text.len(), 16 * 1024 * 1024);
    assert_eq!(load_rules(&text, Format::Yaml), []);
}

#[test]
fn unknown_format_fires() {
    let p = tempdir().join("topology.txt");
    std::fs::write(&p, MINIMAL).unwrap();
    assert_eq!(load_error(&p), [Rule::UnknownFormat]);
}

#[test]
fn unknown_format_quiet() {
    let p = tempdir().join("topology.YML");
    std::fs::write(&p, MINIMAL).unwrap();
    assert_eq!(load_error(&p), []);
}

#[test]
fn not_utf8_fires() {
    let err = Topology::from_slice(b"version: 1\nname: \xff\xfe\n", Format::Yaml, "x").unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.rule, Rule::NotUtf8);
    assert_eq!((d.line(), d.column()), (Some(2), Some(7)));
}

#[test]
fn not_utf8_quiet() {
    let text = format!("{MINIMAL}name: Zürich-Ost\n");
    assert!(Topology::from_slice(text.as_bytes(), Format::Yaml, "x").is_ok());
}

#[test]
fn empty_input_fires() {
    assert_eq!(load_rules("  \n\t\n", Format::Yaml), [Rule::EmptyInput]);
    assert_eq!(load_rules("", Format::Json), [Rule::EmptyInput]);
}

#[test]
fn empty_input_quiet() {
    assert_eq!(load_rules(MINIMAL, Format::Yaml), []);
}

#[test]
fn syntax_error_fires() {
    assert_eq!(
        load_rules("version: 1\ngateway: [\n", Format::Yaml),
        [Rule::SyntaxError]
    );
    assert_eq!(
        load_rules("{\"version\": 1,}", Format::Json),
        [Rule::SyntaxError]
    );
    assert_eq!(
        load_rules("version = \n", Format::Toml),
        [Rule::SyntaxError]
    );
}

#[test]
fn syntax_error_quiet() {
    let json = r#"{"version": 1, "gateway": {"sku": "VpnGw1AZ", "instances": [{"public_ip": "192.0.2.1"}]}}"#;
    assert_eq!(load_rules(json, Format::Json), []);
}

#[test]
fn unknown_field_fires() {
    let text = format!("{MINIMAL}colour: blue\n");
    assert_eq!(load_rules(&text, Format::Yaml), [Rule::UnknownField]);
}

#[test]
fn unknown_field_quiet() {
    let text = format!("{MINIMAL}name: anything\navailability: {{device: 0.999}}\n");
    assert_eq!(load_rules(&text, Format::Yaml), []);
}

#[test]
fn missing_field_fires() {
    let text = "version: 1\ngateway: {instances: [{public_ip: 192.0.2.1}]}\n";
    assert_eq!(load_rules(text, Format::Yaml), [Rule::MissingField]);
    let text = format!("{MINIMAL}local_gateways: [{{name: d}}]\n");
    assert_eq!(load_rules(&text, Format::Yaml), [Rule::MissingField]);
}

#[test]
fn missing_field_quiet() {
    let text = format!("{MINIMAL}local_gateways: [{{name: d, fqdn: vpn.contoso.example}}]\n");
    assert_eq!(load_rules(&text, Format::Yaml), []);
}

#[test]
fn invalid_value_fires() {
    let bad = [
        "version: 2\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.1}]}\n",
        "version: 1\ngateway: {sku: VpnGw9, instances: [{public_ip: 192.0.2.1}]}\n",
        "version: 1\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.300}]}\n",
        "version: 1\ngateway: {sku: VpnGw1AZ, asn: abc, instances: [{public_ip: 192.0.2.1}]}\n",
        "version: 1\ngateway: {sku: VpnGw1AZ, vnet_address_space: [10.0.0.0/33], instances: [{public_ip: 192.0.2.1}]}\n",
    ];
    for text in bad {
        assert_eq!(
            load_rules(text, Format::Yaml),
            [Rule::InvalidValue],
            "{text}"
        );
    }
}

#[test]
fn invalid_value_quiet() {
    // Case-insensitive names are accepted and written back canonically.
    let t = Topology::from_yaml_str(
        "version: 1\ngateway: {sku: vpngw1az, instances: [{public_ip: 192.0.2.1}]}\n",
    )
    .unwrap();
    assert_eq!(t.gateway.sku, Sku::VpnGw1AZ);
}

#[test]
fn every_rule_has_a_trigger_and_a_near_miss() {
    let source = include_str!("rules.rs");
    for rule in Rule::ALL {
        let name = rule.name().replace('-', "_");
        for suffix in ["fires", "quiet"] {
            let test = format!("{name}_{suffix}");
            assert!(
                source.contains(&format!("fn {test}()")) || source.contains(&format!(" {test},")),
                "no test `{test}` for rule {rule}"
            );
        }
    }
}

#[test]
fn every_finding_is_reported_not_only_the_first() {
    let t = Topology::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/broken-bgp.yaml"
    ))
    .unwrap();
    let errors = t
        .validate()
        .into_iter()
        .filter(|d| d.severity == vpnha::Severity::Error)
        .count();
    assert!(errors >= 6, "{errors}");
}

#[test]
fn load_errors_say_where() {
    let err = Topology::from_yaml_str(
        "version: 1\ngateway:\n  sku: VpnGw1AZ\n  instances:\n    - public_ip: 192.0.2.300\n",
    )
    .unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.path.to_string(), "gateway.instances[0].public_ip");
    assert_eq!((d.line(), d.column()), (Some(5), Some(18)));
    assert!(
        err.to_string()
            .starts_with("<input>:5:18: gateway.instances[0].public_ip: "),
        "{err}"
    );
    assert!(matches!(err, LoadError::Invalid(_)));
}

#[test]
fn instance_constructor_matches_the_file_form() {
    let t = Topology::from_yaml_str(MINIMAL).unwrap();
    assert_eq!(t.gateway.instances[0], Instance::new(ip("192.0.2.1")));
}
