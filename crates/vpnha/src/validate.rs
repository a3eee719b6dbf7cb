//! Validation: every rule of the catalogue ([`Rule`]) checked over a whole topology, every
//! finding reported (never only the first), each with a field path and, when the topology
//! came from text, its line and column.
//!
//! The checks run in O(n log n) in the number of devices and connections (hash maps for
//! uniqueness, one pass per rule family).

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnetwork::IpNetwork;

use crate::diagnostic::{Diagnostic, Rule};
use crate::model::{
    ConnectionMode, IkeEncryption, IkeIntegrity, IpsecEncryption, IpsecIntegrity, IpsecPolicy,
    MaybeKnown, Pattern, Protocol, SharedKey, Sku, Topology, VpnType,
};
use crate::source::FieldPath;

/// Limits Azure documents (see `reference/azure-facts.md` §1.6).
const MAX_LOCAL_PREFIXES: usize = 1000;
const MAX_VNET_PREFIXES: usize = 600;
const MAX_BGP_PREFIXES: usize = 4000;
const DPD_RANGE: std::ops::RangeInclusive<u64> = 9..=3600;
const MIN_SA_LIFETIME_SECONDS: u64 = 300;
const MIN_SA_DATA_KILOBYTES: u64 = 1024;
const MAX_ASN: u64 = 4_294_967_295;
const MAX_SHARED_KEY_LEN: usize = 128;

fn root() -> FieldPath {
    FieldPath::root()
}
fn gw(field: &str) -> FieldPath {
    root().key("gateway").key(field)
}
fn lg(i: usize) -> FieldPath {
    root().key("local_gateways").index(i)
}
fn conn(i: usize) -> FieldPath {
    root().key("connections").index(i)
}

impl Topology {
    /// Checks the topology against every rule and returns every finding: errors first,
    /// then warnings, then information, each group in document order.
    ///
    /// # Examples
    ///
    /// ```
    /// use vpnha::{Rule, Severity, Topology};
    ///
    /// let t = Topology::from_yaml_str(
    ///     "version: 1\ngateway: {sku: Basic, instances: [{public_ip: 20.10.0.4}]}\n\
    ///      local_gateways: [{name: a, gateway_ip: 203.0.113.1, bgp: {asn: 65515, peering_address: 10.0.0.1}}]\n\
    ///      connections: [{name: c, local_gateway: a, enable_bgp: true}]\n",
    /// )?;
    /// let findings = t.validate();
    /// let errors: Vec<Rule> = findings
    ///     .iter()
    ///     .filter(|d| d.severity == Severity::Error)
    ///     .map(|d| d.rule)
    ///     .collect();
    /// assert!(errors.contains(&Rule::BgpUnsupportedSku));
    /// assert!(errors.contains(&Rule::ReservedAsn));
    /// # Ok::<(), vpnha::LoadError>(())
    /// ```
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut c = Checker {
            t: self,
            out: Vec::new(),
            devices: self.device_index(),
            tunnel_count: 0,
        };
        c.gateway();
        c.local_gateways();
        c.connections();
        c.bgp_addresses();
        c.sites();
        c.limits();
        c.availability();

        if let Some(parsed) = self.parsed() {
            for d in &mut c.out {
                if let Some(span) = parsed.span_of(&d.path) {
                    d.set_span(&parsed.file, span);
                }
            }
        }
        let mut out = c.out;
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| match (a.location, b.location) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| a.rule.cmp(&b.rule))
        });
        out
    }
}

struct Checker<'t> {
    t: &'t Topology,
    out: Vec<Diagnostic>,
    /// Local gateway index by name (the first of repeated names): every lookup by name goes
    /// through it, so validation stays O(n log n) in the number of devices.
    devices: HashMap<&'t str, usize>,
    /// The number of tunnels, known once the sites were checked.
    tunnel_count: usize,
}

impl<'t> Checker<'t> {
    fn device(&self, name: &str) -> Option<&'t crate::model::LocalGateway> {
        let t: &'t Topology = self.t;
        self.devices.get(name).map(|&i| &t.local_gateways[i])
    }

    fn push(&mut self, rule: Rule, path: FieldPath, message: String) {
        self.out.push(Diagnostic::new(rule, message, path));
    }

    fn gateway(&mut self) {
        let g = &self.t.gateway;
        let n = g.instances.len();
        if g.active_active && n != 2 {
            self.push(
                Rule::InstanceCount,
                gw("instances"),
                format!(
                    "an active-active gateway has exactly 2 instances, found {n}: list both instances (each with its public IP), or set `active_active: false`"
                ),
            );
        } else if !g.active_active && n != 1 {
            self.push(
                Rule::InstanceCount,
                gw("instances"),
                format!(
                    "an active-standby gateway lists exactly 1 instance (its standby is implicit), found {n}: keep one, or set `active_active: true` for two"
                ),
            );
        }
        if g.active_active && !g.sku.supports_active_active() {
            self.push(
                Rule::ActiveActiveUnsupportedSku,
                gw("active_active"),
                format!(
                    "{} does not support active-active: use a VpnGw*AZ SKU, or set `active_active: false`",
                    g.sku
                ),
            );
        }
        match (g.declared_generation, g.sku.generations()) {
            (Some(generation), valid) if !valid.contains(&generation) => self.push(
                Rule::SkuGenerationMismatch,
                gw("generation"),
                format!(
                    "{} does not exist in {generation}: use {}, or a SKU that exists in {generation}",
                    g.sku,
                    valid.iter().map(|v| v.name()).collect::<Vec<_>>().join(" or ")
                ),
            ),
            (None, [_, _, ..]) => self.push(
                Rule::GenerationRequired,
                gw("generation"),
                format!(
                    "{} exists in Generation1 and Generation2, which differ in throughput: set `gateway.generation`",
                    g.sku
                ),
            ),
            _ => {}
        }
        if g.vpn_type == VpnType::PolicyBased {
            if g.sku != Sku::Basic {
                self.push(
                    Rule::PolicyBasedUnsupported,
                    gw("vpn_type"),
                    format!(
                        "policy-based VPN exists only on the Basic SKU, not {}: use `vpn_type: RouteBased` (with `use_policy_based_traffic_selectors` on connections to policy-based devices)",
                        g.sku
                    ),
                );
            }
            if g.active_active {
                self.push(
                    Rule::PolicyBasedUnsupported,
                    gw("active_active"),
                    "a policy-based gateway cannot be active-active: use `vpn_type: RouteBased`"
                        .to_owned(),
                );
            }
            for (i, c) in self.t.connections.iter().enumerate() {
                if c.enable_bgp {
                    self.push(
                        Rule::PolicyBasedUnsupported,
                        conn(i).key("enable_bgp"),
                        format!(
                            "connection `{}` enables BGP, which a policy-based gateway does not support: use `vpn_type: RouteBased`",
                            c.name
                        ),
                    );
                }
            }
            if self.t.connections.len() > 1 {
                self.push(
                    Rule::PolicyBasedUnsupported,
                    conn(1),
                    format!(
                        "a policy-based gateway supports one S2S connection, found {}: use `vpn_type: RouteBased`",
                        self.t.connections.len()
                    ),
                );
            }
        }
        if g.sku == Sku::Basic {
            self.push(
                Rule::BasicSku,
                gw("sku"),
                "Basic is not for production (no BGP, no active-active, lower SLA): use a VpnGw*AZ SKU".to_owned(),
            );
        } else if g.sku.is_legacy() {
            self.push(
                Rule::LegacySku,
                gw("sku"),
                format!(
                    "{} is retired and being migrated by Azure: plan the move to {}",
                    g.sku,
                    if g.sku == Sku::Standard {
                        "VpnGw1AZ"
                    } else {
                        "VpnGw2AZ"
                    }
                ),
            );
        } else if !g.sku.is_zone_redundant() {
            self.push(
                Rule::NonZoneRedundantSku,
                gw("sku"),
                format!(
                    "{} is not zone-redundant and can no longer be created: use {}AZ",
                    g.sku, g.sku
                ),
            );
        }
        if !g.active_active {
            self.push(
                Rule::ActiveStandbyGateway,
                gw("active_active"),
                "the gateway is active-standby: an unplanned instance failure interrupts every tunnel for 1–3 minutes (planned maintenance 10–15 s); set `active_active: true` with two instances".to_owned(),
            );
        }
        self.asn(g.asn, gw("asn"), false);

        if g.vnet_address_space.is_empty() {
            self.push(
                Rule::ChecksSkipped,
                gw("vnet_address_space"),
                "no `gateway.vnet_address_space`: bgp-peer-in-vnet and prefix-overlap-vnet could not run; add the VNet's prefixes to run them".to_owned(),
            );
        }
        for (k, p) in g.vnet_address_space.iter().enumerate() {
            self.prefix(*p, gw("vnet_address_space").index(k));
        }
        if g.vnet_address_space.len() > MAX_VNET_PREFIXES {
            self.push(
                Rule::PrefixLimitExceeded,
                gw("vnet_address_space"),
                format!(
                    "{} VNet prefixes, over Azure's limit of {MAX_VNET_PREFIXES} per VPN gateway: summarise them",
                    g.vnet_address_space.len()
                ),
            );
        }
        match g.gateway_subnet {
            None => self.push(
                Rule::ChecksSkipped,
                gw("gateway_subnet"),
                "no `gateway.gateway_subnet`: gateway-subnet-too-small and gateway-subnet-small could not run; add the GatewaySubnet prefix to run them".to_owned(),
            ),
            Some(subnet) => {
                self.prefix(subnet, gw("gateway_subnet"));
                if let IpNetwork::V4(v4) = subnet {
                    if v4.prefix() > 29 {
                        self.push(
                            Rule::GatewaySubnetTooSmall,
                            gw("gateway_subnet"),
                            format!(
                                "the GatewaySubnet {subnet} is smaller than /29, the smallest Azure accepts: use /27 or larger"
                            ),
                        );
                    } else if v4.prefix() > 27 {
                        self.push(
                            Rule::GatewaySubnetSmall,
                            gw("gateway_subnet"),
                            format!(
                                "the GatewaySubnet {subnet} is smaller than the recommended /27: it may not fit future gateway features (ExpressRoute coexistence needs /27)"
                            ),
                        );
                    }
                }
            }
        }
        for (i, inst) in g.instances.iter().enumerate() {
            for (k, addr) in inst.custom_bgp_addresses.iter().enumerate() {
                if !is_azure_apipa(*addr) {
                    self.push(
                        Rule::ApipaOutOfRange,
                        gw("instances").index(i).key("custom_bgp_addresses").index(k),
                        format!(
                            "{addr} is outside Azure's APIPA range for VPN: pick an address in 169.254.21.0–169.254.22.255"
                        ),
                    );
                }
            }
        }
    }

    /// An ASN check shared by the gateway and the devices.
    fn asn(&mut self, asn: u64, path: FieldPath, local: bool) {
        if asn > MAX_ASN {
            self.push(
                Rule::AsnOutOfRange,
                path,
                format!("ASN {asn} is above 4294967295, the largest 32-bit ASN: use a private ASN (64512–65514, 65521–65534, or 4200000000–4294967294)"),
            );
            return;
        }
        let why = match asn {
            0 => Some("reserved by IANA"),
            8074 | 8075 | 12076 => Some("a public ASN reserved by Azure"),
            23456 => Some("reserved by IANA (AS_TRANS)"),
            64496..=64511 | 65536..=65551 => Some("reserved by IANA for documentation"),
            65515 if local => Some("Azure's own gateway ASN, which a local gateway may not use"),
            65517..=65520 => Some("reserved by Azure"),
            65535 | MAX_ASN => Some("reserved by IANA"),
            _ => None,
        };
        if let Some(why) = why {
            self.push(
                Rule::ReservedAsn,
                path,
                format!("ASN {asn} is {why}: use a private ASN from 64512–65514 or 65521–65534"),
            );
        } else if asn == 8076 {
            self.push(
                Rule::LegacyReservedAsn,
                path,
                "ASN 8076 was listed as reserved by older Azure documentation: prefer another ASN"
                    .to_owned(),
            );
        }
    }

    fn prefix(&mut self, p: IpNetwork, path: FieldPath) {
        if p.ip() != p.network() {
            self.push(
                Rule::InvalidPrefix,
                path,
                format!(
                    "{p} has host bits set: write the network address, {}/{}",
                    p.network(),
                    p.prefix()
                ),
            );
        }
    }

    fn local_gateways(&mut self) {
        let t = self.t;
        let vnet = &t.gateway.vnet_address_space;
        let used: HashSet<&str> = t
            .connections
            .iter()
            .map(|c| c.local_gateway.as_str())
            .collect();
        // Azure resource names are case-insensitive.
        let mut names: HashMap<Cow<'_, str>, usize> = HashMap::new();
        let mut ips: HashMap<IpAddr, usize> = HashMap::new();
        let mut fqdns: HashMap<String, usize> = HashMap::new();
        for (i, l) in t.local_gateways.iter().enumerate() {
            if let Some(&first) = names.get(&folded(&l.name)) {
                self.push(
                    Rule::DuplicateName,
                    lg(i).key("name"),
                    format!(
                        "local gateway name `{}` is already used by local_gateways[{first}]: names must be unique",
                        l.name
                    ),
                );
            } else {
                names.insert(folded(&l.name), i);
            }
            if let Some(ip) = l.gateway_ip {
                if let Some(&first) = ips.get(&ip) {
                    self.push(
                        Rule::DuplicateGatewayIp,
                        lg(i).key("gateway_ip"),
                        format!(
                            "{ip} is also the public IP of `{}`: each on-premises device needs its own public IP (one local gateway per device)",
                            t.local_gateways[first].name
                        ),
                    );
                } else {
                    ips.insert(ip, i);
                }
            }
            if let Some(f) = &l.fqdn {
                let key = f.as_str().trim_end_matches('.').to_ascii_lowercase();
                if let Some(&first) = fqdns.get(&key) {
                    self.push(
                        Rule::DuplicateGatewayIp,
                        lg(i).key("fqdn"),
                        format!(
                            "{f} is also the FQDN of `{}`: each on-premises device needs its own endpoint",
                            t.local_gateways[first].name
                        ),
                    );
                } else {
                    fqdns.insert(key, i);
                }
            }
            for (k, p) in l.address_prefixes.iter().enumerate() {
                let path = lg(i).key("address_prefixes").index(k);
                self.prefix(*p, path.clone());
                if let Some(v) = vnet.iter().find(|v| overlaps(**v, *p)) {
                    self.push(
                        Rule::PrefixOverlapVnet,
                        path,
                        format!(
                            "{p} overlaps the VNet prefix {v}: on-premises and VNet address spaces must not overlap (or use NAT rules)"
                        ),
                    );
                }
            }
            if l.address_prefixes.len() > MAX_LOCAL_PREFIXES {
                self.push(
                    Rule::PrefixLimitExceeded,
                    lg(i).key("address_prefixes"),
                    format!(
                        "{} prefixes, over Azure's limit of {MAX_LOCAL_PREFIXES} per local gateway: summarise them or use BGP",
                        l.address_prefixes.len()
                    ),
                );
            }
            if let Some(bgp) = &l.bgp {
                let bp = lg(i).key("bgp");
                self.asn(bgp.asn, bp.clone().key("asn"), true);
                if bgp.asn == t.gateway.asn {
                    self.push(
                        Rule::SameAsn,
                        bp.clone().key("asn"),
                        format!(
                            "ASN {} is also the Azure gateway's: only eBGP works between them, so give the device (or the gateway) a different ASN",
                            bgp.asn
                        ),
                    );
                }
                if let Some(v) = vnet.iter().find(|v| v.contains(bgp.peering_address)) {
                    self.push(
                        Rule::BgpPeerInVnet,
                        bp.clone().key("peering_address"),
                        format!(
                            "{} is inside the VNet prefix {v}: the on-premises BGP peer address must be outside the VNet (a loopback, an on-premises address or APIPA)",
                            bgp.peering_address
                        ),
                    );
                }
                if Some(bgp.peering_address) == l.gateway_ip {
                    self.push(
                        Rule::BgpPeerIsPublicIp,
                        bp.clone().key("peering_address"),
                        format!(
                            "{} is the device's public IP: the BGP peering address must be a different (private, loopback or APIPA) address",
                            bgp.peering_address
                        ),
                    );
                }
                for (k, p) in bgp.advertised_prefixes.iter().enumerate() {
                    self.prefix(*p, bp.clone().key("advertised_prefixes").index(k));
                }
                if !l.address_prefixes.is_empty() {
                    let only_own_host = l.address_prefixes.len() == 1
                        && l.address_prefixes[0].ip() == bgp.peering_address
                        && l.address_prefixes[0].prefix() == host_len(bgp.peering_address);
                    let msg = if only_own_host {
                        format!(
                            "the /{} of the BGP peer is no longer needed: Azure adds that host route itself; leave `address_prefixes` empty",
                            l.address_prefixes[0].prefix()
                        )
                    } else {
                        "this BGP device also lists static prefixes: Azure adds them as static routes beside the BGP routes; leave `address_prefixes` empty unless that is intended".to_owned()
                    };
                    self.push(
                        Rule::BgpWithStaticPrefixes,
                        lg(i).key("address_prefixes"),
                        msg,
                    );
                }
            }
            if !used.contains(l.name.as_str()) {
                self.push(
                    Rule::UnusedLocalGateway,
                    lg(i).key("name"),
                    format!(
                        "no connection uses local gateway `{}`: it carries no traffic; add a connection or remove it",
                        l.name
                    ),
                );
            }
        }
    }

    fn connections(&mut self) {
        let t = self.t;
        let carrying = t.gateway.tunnel_instances();
        let mut names: HashMap<Cow<'_, str>, usize> = HashMap::new();
        for (i, c) in t.connections.iter().enumerate() {
            if let Some(&first) = names.get(&folded(&c.name)) {
                self.push(
                    Rule::DuplicateName,
                    conn(i).key("name"),
                    format!(
                        "connection name `{}` is already used by connections[{first}]: names must be unique (tunnel ids derive from them)",
                        c.name
                    ),
                );
            } else {
                names.insert(folded(&c.name), i);
            }
            let device = self.device(&c.local_gateway);
            if device.is_none() {
                let hint = crate::format::suggest(
                    &c.local_gateway,
                    t.local_gateways.iter().map(|l| l.name.as_str()),
                )
                .map_or_else(
                    || "add it to `local_gateways` or fix the name".to_owned(),
                    |s| format!("did you mean `{s}`?"),
                );
                self.push(
                    Rule::UnknownReference,
                    conn(i).key("local_gateway"),
                    format!("no local gateway is named `{}`: {hint}", c.local_gateway),
                );
            }
            if let Some(listed) = &c.instances {
                for (k, idx) in listed.iter().enumerate() {
                    if !carrying.contains(idx) {
                        let have = match carrying.len() {
                            0 => "the gateway has no instance".to_owned(),
                            1 => "only instance 0 carries tunnels".to_owned(),
                            n => format!("instances 0–{} carry tunnels", n - 1),
                        };
                        self.push(
                            Rule::UnknownReference,
                            conn(i).key("instances").index(k),
                            format!("gateway instance {idx} does not carry tunnels: {have}"),
                        );
                    }
                }
            }
            if c.enable_bgp && t.gateway.sku == Sku::Basic {
                self.push(
                    Rule::BgpUnsupportedSku,
                    conn(i).key("enable_bgp"),
                    "BGP is not available on the Basic SKU: use a VpnGw*AZ SKU or set `enable_bgp: false`".to_owned(),
                );
            }
            if c.enable_bgp && device.is_some_and(|d| d.bgp.is_none()) {
                self.push(
                    Rule::BgpSettingsMissing,
                    conn(i).key("enable_bgp"),
                    format!(
                        "connection `{}` enables BGP but local gateway `{}` has no `bgp` block: add its `asn` and `peering_address`",
                        c.name, c.local_gateway
                    ),
                );
            }
            if !DPD_RANGE.contains(&c.dpd_timeout_seconds) {
                self.push(
                    Rule::DpdTimeoutOutOfRange,
                    conn(i).key("dpd_timeout_seconds"),
                    format!(
                        "{} s is outside the 9–3600 s Azure accepts: 30–45 s is recommended",
                        c.dpd_timeout_seconds
                    ),
                );
            }
            if c.protocol == Protocol::IKEv1 && c.connection_mode.is_some() {
                let mode = c.connection_mode.unwrap_or(ConnectionMode::Default);
                self.push(
                    Rule::ConnectionModeIgnored,
                    conn(i).key("connection_mode"),
                    format!(
                        "connection_mode {mode} applies to IKEv2 connections only and is ignored on IKEv1: remove it or use IKEv2"
                    ),
                );
            }
            if let Some(policy) = &c.ipsec_policy {
                self.ipsec_policy(policy, conn(i).key("ipsec_policy"));
            }
            if let Some(SharedKey::Inline(secret)) = &c.shared_key
                && let Some(problem) = shared_key_problem(secret.expose())
            {
                self.push(
                        Rule::SharedKeyInvalid,
                        conn(i).key("shared_key"),
                        format!("the shared key {problem}: Azure accepts 1–128 printable ASCII characters except space, `-` and `~`"),
                    );
            }
        }
    }

    fn ipsec_policy(&mut self, p: &IpsecPolicy, path: FieldPath) {
        fn unknown<T: Copy + std::fmt::Display>(
            c: &mut Checker<'_>,
            v: &MaybeKnown<T>,
            what: &str,
            all: &[T],
            path: FieldPath,
        ) {
            if let MaybeKnown::Unknown(s) = v {
                let names: Vec<String> = all.iter().map(ToString::to_string).collect();
                let hint = crate::format::suggest(s, names.iter().map(String::as_str))
                    .map_or_else(String::new, |s| format!("did you mean `{s}`? "));
                c.push(
                    Rule::IpsecPolicyInvalid,
                    path,
                    format!(
                        "unknown {what} `{s}`: {hint}Azure accepts {}",
                        names.join(", ")
                    ),
                );
            }
        }
        unknown(
            self,
            &p.ike_encryption,
            "IKE encryption",
            IkeEncryption::ALL,
            path.clone().key("ike_encryption"),
        );
        unknown(
            self,
            &p.ike_integrity,
            "IKE integrity",
            IkeIntegrity::ALL,
            path.clone().key("ike_integrity"),
        );
        unknown(
            self,
            &p.dh_group,
            "DH group",
            crate::model::DhGroup::ALL,
            path.clone().key("dh_group"),
        );
        unknown(
            self,
            &p.ipsec_encryption,
            "IPsec encryption",
            IpsecEncryption::ALL,
            path.clone().key("ipsec_encryption"),
        );
        unknown(
            self,
            &p.ipsec_integrity,
            "IPsec integrity",
            IpsecIntegrity::ALL,
            path.clone().key("ipsec_integrity"),
        );
        unknown(
            self,
            &p.pfs_group,
            "PFS group",
            crate::model::PfsGroup::ALL,
            path.clone().key("pfs_group"),
        );

        // GCM integrity is the GCM cipher's own tag: it needs that very cipher.
        let ike_gcm_pair = match p.ike_integrity.known() {
            Some(IkeIntegrity::GcmAes256) => Some("GCMAES256"),
            Some(IkeIntegrity::GcmAes128) => Some("GCMAES128"),
            _ => None,
        };
        if let Some(want) = ike_gcm_pair
            && p.ike_encryption.known().map(IkeEncryption::name) != Some(want)
        {
            self.push(
                    Rule::IpsecPolicyInvalid,
                    path.clone().key("ike_integrity"),
                    format!(
                        "IKE integrity {want} needs IKE encryption {want}, not {}: use the same GCMAES for both, or a SHA integrity",
                        p.ike_encryption
                    ),
                );
        }
        let enc = p.ipsec_encryption.known().map(IpsecEncryption::name);
        let integ = p.ipsec_integrity.known().map(IpsecIntegrity::name);
        let is_gcm = |n: Option<&str>| n.is_some_and(|n| n.starts_with("GCMAES"));
        if (is_gcm(enc) || is_gcm(integ)) && enc.is_some() && integ.is_some() && enc != integ {
            let (field, msg) = if is_gcm(enc) {
                (
                    "ipsec_integrity",
                    format!(
                        "IPsec encryption {} needs the same GCMAES algorithm and key length for integrity: set `ipsec_integrity: {}`",
                        enc.unwrap_or_default(),
                        enc.unwrap_or_default()
                    ),
                )
            } else {
                (
                    "ipsec_encryption",
                    format!(
                        "IPsec integrity {} is only valid with encryption {}: set `ipsec_encryption: {}` or use a SHA integrity",
                        integ.unwrap_or_default(),
                        integ.unwrap_or_default(),
                        integ.unwrap_or_default()
                    ),
                )
            };
            self.push(Rule::IpsecPolicyInvalid, path.clone().key(field), msg);
        }
        if p.sa_lifetime_seconds < MIN_SA_LIFETIME_SECONDS {
            self.push(
                Rule::IpsecPolicyInvalid,
                path.clone().key("sa_lifetime_seconds"),
                format!(
                    "an SA lifetime of {} s is under Azure's minimum of {MIN_SA_LIFETIME_SECONDS} s (default 27000)",
                    p.sa_lifetime_seconds
                ),
            );
        }
        if p.sa_data_size_kilobytes < MIN_SA_DATA_KILOBYTES {
            self.push(
                Rule::IpsecPolicyInvalid,
                path.key("sa_data_size_kilobytes"),
                format!(
                    "an SA data size of {} KB is under Azure's minimum of {MIN_SA_DATA_KILOBYTES} KB (default 102400000)",
                    p.sa_data_size_kilobytes
                ),
            );
        }
    }

    fn bgp_addresses(&mut self) {
        /// Where an address was first seen; described only when it repeats.
        #[derive(Clone, Copy)]
        enum Owner {
            Instance(usize),
            Custom(usize),
            Device(usize),
        }
        let t = self.t;
        let describe = |o: Owner| match o {
            Owner::Instance(i) => format!("BGP address of gateway instance {i}"),
            Owner::Custom(i) => format!("custom BGP address of gateway instance {i}"),
            Owner::Device(i) => format!("BGP peering address of `{}`", t.local_gateways[i].name),
        };
        let mut seen: HashMap<IpAddr, Owner> = HashMap::with_capacity(t.local_gateways.len() + 4);
        let mut check = |c: &mut Self, addr: IpAddr, owner: Owner, path: &dyn Fn() -> FieldPath| {
            if let Some(&first) = seen.get(&addr) {
                c.push(
                    Rule::DuplicateBgpAddress,
                    path(),
                    format!(
                        "{addr} is already the {}: every BGP and APIPA address must be unique across the gateway and all devices",
                        describe(first)
                    ),
                );
            } else {
                seen.insert(addr, owner);
            }
        };
        for (i, inst) in t.gateway.instances.iter().enumerate() {
            if let Some(a) = inst.bgp_peering_address {
                check(self, a, Owner::Instance(i), &|| {
                    gw("instances").index(i).key("bgp_peering_address")
                });
            }
            for (k, a) in inst.custom_bgp_addresses.iter().enumerate() {
                check(self, *a, Owner::Custom(i), &|| {
                    gw("instances")
                        .index(i)
                        .key("custom_bgp_addresses")
                        .index(k)
                });
            }
        }
        for (i, l) in t.local_gateways.iter().enumerate() {
            if let Some(bgp) = &l.bgp {
                check(self, bgp.peering_address, Owner::Device(i), &|| {
                    lg(i).key("bgp").key("peering_address")
                });
            }
        }
    }

    fn sites(&mut self) {
        let t = self.t;
        let aa = t.gateway.tunnel_instances().len() >= 2;
        let layout = t.layout_with(&self.devices);
        // Connections by the site of their device, once, rather than a scan per site.
        let mut site_connections: HashMap<&str, Vec<usize>> = HashMap::new();
        for (ci, c) in t.connections.iter().enumerate() {
            if let Some(l) = self.device(&c.local_gateway) {
                site_connections.entry(l.site()).or_default().push(ci);
            }
        }
        let name = |i: usize| t.local_gateways[i].name.as_str();
        let tunnel_id = |ti: usize| {
            let tun = &layout.tunnels[ti];
            format!("{}/{}", t.connections[tun.connection].name, tun.instance)
        };
        for site in &layout.sites {
            let first = site.devices.first().copied().unwrap_or(0);
            if site.devices.len() == 1 {
                let whose = if site.name == name(first) {
                    format!("device `{}` is alone in serving its network", site.name)
                } else {
                    format!("site `{}` has one device, `{}`", site.name, name(first))
                };
                self.push(
                    Rule::SingleDevice,
                    lg(first).key("name"),
                    format!(
                        "{whose}: it is a single point of failure; add a second device (same `site`) with its own connection"
                    ),
                );
            }
            if site.devices.len() >= 2 {
                let in_site = site_connections
                    .get(site.name)
                    .map_or(&[][..], Vec::as_slice);
                for &ci in in_site {
                    let c = &t.connections[ci];
                    if !c.enable_bgp {
                        self.push(
                            Rule::BgpRequiredMultiDevice,
                            conn(ci).key("enable_bgp"),
                            format!(
                                "site `{}` has {} devices, so Azure needs BGP on every connection to it: set `enable_bgp: true` on `{}`",
                                site.name,
                                site.devices.len(),
                                c.name
                            ),
                        );
                    }
                }
                // The prefix set a device announces (BGP) or is routed to (static), sorted.
                let prefixes = |i: usize| -> Vec<IpNetwork> {
                    let l = &t.local_gateways[i];
                    let mut v = match &l.bgp {
                        Some(b) => b.advertised_prefixes.clone(),
                        None => l.address_prefixes.clone(),
                    };
                    v.sort_unstable();
                    v.dedup();
                    v
                };
                let reference = prefixes(first);
                for &i in site.devices.iter().skip(1) {
                    let mine = prefixes(i);
                    if mine != reference {
                        let path = match t.local_gateways[i].bgp {
                            Some(_) => lg(i).key("bgp").key("advertised_prefixes"),
                            None => lg(i).key("address_prefixes"),
                        };
                        self.push(
                            Rule::EcmpPrefixMismatch,
                            path,
                            format!(
                                "`{}` advertises {} but `{}` advertises {}: devices of site `{}` must advertise the same prefixes for ECMP to spread traffic over them",
                                name(i),
                                show_set(&mine),
                                name(first),
                                show_set(&reference),
                                site.name
                            ),
                        );
                    }
                }
            }
            if aa && !site.tunnels.is_empty() && site.instances < 2 {
                let tun = layout.tunnels[site.tunnels[0]];
                self.push(
                    Rule::SingleInstanceCoverage,
                    conn(tun.connection).key("instances"),
                    format!(
                        "every tunnel of site `{}` ends on gateway instance {}: its maintenance or failure cuts the site off; build tunnels to both instances",
                        site.name, tun.instance
                    ),
                );
            }
            let message = match site.pattern {
                Some(p) => format!(
                    "site `{}` is {}: {} device{}, {} gateway instance{}, {} tunnel{} ({}){}",
                    site.name,
                    p,
                    site.devices.len(),
                    plural(site.devices.len()),
                    site.instances,
                    plural(site.instances),
                    site.tunnels.len(),
                    plural(site.tunnels.len()),
                    site.tunnels
                        .iter()
                        .map(|&ti| tunnel_id(ti))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if p == Pattern::DualRedundancy {
                        "; survives any single failure"
                    } else {
                        ""
                    }
                ),
                None => format!(
                    "site `{}` has no tunnels: no connection reaches its devices",
                    site.name
                ),
            };
            self.push(Rule::SitePattern, lg(first), message);
        }
        self.tunnel_count = layout.tunnels.len();
    }

    fn limits(&mut self) {
        let t = self.t;
        let limit = t.gateway.sku.tunnel_limit();
        let n = t.connections.len();
        if n > limit {
            self.push(
                Rule::TunnelLimitExceeded,
                root().key("connections"),
                format!(
                    "{n} connections, over the {limit}-tunnel limit of {}: use a larger SKU{}",
                    t.gateway.sku,
                    if limit < 100 {
                        " (VpnGw4AZ/5AZ allow 100)"
                    } else {
                        " or Virtual WAN"
                    }
                ),
            );
        } else if t.gateway.active_active {
            let tunnels = self.tunnel_count;
            if tunnels > limit {
                self.push(
                    Rule::TunnelLimitAtRisk,
                    root().key("connections"),
                    format!(
                        "{n} connections make {tunnels} tunnels on this active-active gateway, over the {limit}-tunnel limit of {} if Azure counts each tunnel: leave headroom or use a larger SKU",
                        t.gateway.sku
                    ),
                );
            }
        }
        let advertised: usize = t
            .local_gateways
            .iter()
            .filter_map(|l| l.bgp.as_ref())
            .map(|b| b.advertised_prefixes.len())
            .sum();
        if advertised > MAX_BGP_PREFIXES {
            self.push(
                Rule::PrefixLimitExceeded,
                root().key("local_gateways"),
                format!(
                    "the devices advertise {advertised} BGP prefixes in all, over Azure's limit of {MAX_BGP_PREFIXES}: Azure drops BGP sessions above it; summarise routes"
                ),
            );
        }
    }

    fn availability(&mut self) {
        let Some(a) = &self.t.availability else {
            return;
        };
        let fields = [
            ("gateway_instance", a.gateway_instance),
            ("device", a.device),
            ("isp", a.isp),
            ("tunnel", a.tunnel),
            ("zone", a.zone),
        ];
        for (name, value) in fields {
            if let Some(v) = value
                && !(v > 0.0 && v <= 1.0)
            {
                self.push(
                        Rule::AvailabilityOutOfRange,
                        root().key("availability").key(name),
                        format!(
                            "{v} is not a probability in (0, 1]: write the share of time the component is up, e.g. 0.999"
                        ),
                    );
            }
        }
    }
}

/// A name in lowercase (Azure names are case-insensitive), copied only when it must change.
fn folded(name: &str) -> Cow<'_, str> {
    if name.chars().any(char::is_uppercase) {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn show_set(s: &[IpNetwork]) -> String {
    if s.is_empty() {
        "nothing".to_owned()
    } else {
        let v: Vec<String> = s.iter().map(ToString::to_string).collect();
        format!("[{}]", v.join(", "))
    }
}

fn host_len(a: IpAddr) -> u8 {
    if a.is_ipv4() { 32 } else { 128 }
}

fn overlaps(a: IpNetwork, b: IpNetwork) -> bool {
    a.is_ipv4() == b.is_ipv4() && (a.contains(b.network()) || b.contains(a.network()))
}

fn is_azure_apipa(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => {
            (Ipv4Addr::new(169, 254, 21, 0)..=Ipv4Addr::new(169, 254, 22, 255)).contains(&v4)
        }
        IpAddr::V6(_) => false,
    }
}

/// What is wrong with a shared key, without repeating any of it.
fn shared_key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some("is empty".to_owned());
    }
    let len = key.chars().count();
    if len > MAX_SHARED_KEY_LEN {
        return Some(format!("has {len} characters"));
    }
    key.chars().enumerate().find_map(|(i, c)| {
        let what = match c {
            ' ' => "a space".to_owned(),
            '-' => "a `-`".to_owned(),
            '~' => "a `~`".to_owned(),
            c if !c.is_ascii_graphic() => format!(
                "a non-printable or non-ASCII character (U+{:04X})",
                c as u32
            ),
            _ => return None,
        };
        Some(format!("has {what} at character {}", i + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_key_problems_never_repeat_the_key() {
        assert_eq!(shared_key_problem("abc"), None);
        let p = shared_key_problem("ab cd").unwrap();
        assert!(p.contains("a space at character 3"), "{p}");
        assert!(!p.contains("ab"));
        assert!(shared_key_problem("").is_some());
        assert!(shared_key_problem(&"a".repeat(129)).is_some());
        assert!(shared_key_problem("tab\there").is_some());
    }

    #[test]
    fn apipa_range_is_inclusive() {
        assert!(is_azure_apipa("169.254.21.0".parse().unwrap()));
        assert!(is_azure_apipa("169.254.22.255".parse().unwrap()));
        assert!(!is_azure_apipa("169.254.23.0".parse().unwrap()));
        assert!(!is_azure_apipa("169.254.20.255".parse().unwrap()));
    }
}
