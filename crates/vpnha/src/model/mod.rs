//! The topology model of format version 1: a gateway and its instances, on-premises devices
//! (local gateways) grouped into sites, connections, and the tunnels they derive.
//!
//! Field names are snake_case versions of Azure's property names. Values are typed: IP
//! addresses are [`IpAddr`], prefixes [`IpNetwork`], SKUs and protocols enums.

mod group;
mod ipsec;
pub(crate) mod layout;
pub(crate) mod names;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use ipnetwork::IpNetwork;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

pub use group::SiteError;
pub use ipsec::{
    DhGroup, IkeEncryption, IkeIntegrity, IpsecEncryption, IpsecIntegrity, IpsecPolicy, MaybeKnown,
    PfsGroup,
};
pub use names::{ConnectionMode, Generation, Pattern, Protocol, Sku, UnknownName, VpnType};

use crate::format::Parsed;

/// The default ASN of an Azure VPN gateway.
pub const AZURE_DEFAULT_ASN: u64 = 65515;
/// The default dead-peer-detection timeout of a connection, in seconds.
pub const DEFAULT_DPD_TIMEOUT_SECONDS: u64 = 45;

/// A whole topology: one Azure VPN gateway, the on-premises devices and the connections.
///
/// # Examples
///
/// ```
/// use vpnha::{Pattern, Topology};
///
/// let topology = Topology::from_yaml_str(
///     r#"
/// version: 1
/// gateway:
///   sku: VpnGw2AZ
///   generation: Generation2
///   active_active: true
///   instances: [{public_ip: 20.10.0.4}, {public_ip: 20.10.0.5}]
/// local_gateways:
///   - {name: hq-fw-a, site: hq, gateway_ip: 203.0.113.10,
///      bgp: {asn: 65050, peering_address: 192.168.255.1}}
/// connections:
///   - {name: hq-a, local_gateway: hq-fw-a, enable_bgp: true}
/// "#,
/// )?;
/// let ids: Vec<_> = topology.tunnels().into_iter().map(|t| t.id).collect();
/// assert_eq!(ids, ["hq-a/0", "hq-a/1"]);
/// assert_eq!(topology.sites()[0].pattern, Some(Pattern::ActiveActive));
/// # Ok::<(), vpnha::LoadError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Topology {
    /// Format version; always 1.
    pub version: FormatVersion,
    /// Free text naming the topology.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Azure VPN gateway.
    pub gateway: Gateway,
    /// The on-premises VPN devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_gateways: Vec<LocalGateway>,
    /// The site-to-site connections from the gateway to the local gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<Connection>,
    /// Inputs to the availability estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<AvailabilityInputs>,
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// Where a topology was read from, for the positions of diagnostics. Not part of its value.
#[derive(Clone, Default)]
pub(crate) struct Origin(pub(crate) Option<Arc<Parsed>>);

impl PartialEq for Origin {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(p) => write!(f, "Origin({:?})", p.file.name()),
            None => f.write_str("Origin(None)"),
        }
    }
}

/// The format version of a topology file. Only version 1 exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatVersion;

impl Serialize for FormatVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(1)
    }
}

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u64::deserialize(d) {
            Ok(1) => Ok(FormatVersion),
            Ok(v) => Err(de::Error::custom(format_args!(
                "unsupported format version {v}: this vpnha reads `version: 1`"
            ))),
            Err(_) => Err(de::Error::custom(
                "`version` must be the integer 1 (the format version)",
            )),
        }
    }
}

/// The Azure VPN gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Gateway {
    /// The gateway's resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The SKU.
    pub sku: Sku,
    /// The generation; when absent, the SKU's only generation (see [`Gateway::generation`]).
    #[serde(
        default,
        rename = "generation",
        skip_serializing_if = "Option::is_none"
    )]
    pub declared_generation: Option<Generation>,
    /// Route-based (default) or policy-based.
    #[serde(default)]
    pub vpn_type: VpnType,
    /// Active-active (two instances, each with its own public IP and tunnels).
    #[serde(default)]
    pub active_active: bool,
    /// The gateway's BGP ASN (default 65515).
    #[serde(default = "default_gateway_asn")]
    pub asn: u64,
    /// The virtual network's address space.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vnet_address_space: Vec<IpNetwork>,
    /// The `GatewaySubnet` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_subnet: Option<IpNetwork>,
    /// The listed instances: one for active-standby (the standby is implicit), two for
    /// active-active.
    pub instances: Vec<Instance>,
}

fn default_gateway_asn() -> u64 {
    AZURE_DEFAULT_ASN
}

impl Gateway {
    /// A route-based gateway of the given SKU with the given instances and defaults elsewhere.
    pub fn new(sku: Sku, instances: Vec<Instance>) -> Self {
        Gateway {
            name: None,
            sku,
            declared_generation: None,
            vpn_type: VpnType::RouteBased,
            active_active: instances.len() == 2,
            asn: AZURE_DEFAULT_ASN,
            vnet_address_space: Vec::new(),
            gateway_subnet: None,
            instances,
        }
    }

    /// The generation: the declared one, else the SKU's only one; `None` when the SKU
    /// exists in both and none was declared.
    pub fn generation(&self) -> Option<Generation> {
        match (self.declared_generation, self.sku.generations()) {
            (Some(g), _) => Some(g),
            (None, [only]) => Some(*only),
            (None, _) => None,
        }
    }

    /// Indices of the instances that carry tunnels: both when active-active, the first
    /// otherwise (an active-standby gateway's standby takes over the same tunnels).
    pub fn tunnel_instances(&self) -> Vec<usize> {
        if self.active_active {
            (0..self.instances.len()).collect()
        } else {
            (0..self.instances.len().min(1)).collect()
        }
    }
}

/// One gateway VM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Instance {
    /// The instance's public IP (the tunnel endpoint).
    pub public_ip: IpAddr,
    /// Its BGP peering address in the GatewaySubnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp_peering_address: Option<IpAddr>,
    /// Custom APIPA BGP addresses (169.254.21.0–169.254.22.255).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_bgp_addresses: Vec<IpAddr>,
    /// The availability zone (a shared failure domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<u8>,
}

impl Instance {
    /// An instance with the given public IP and nothing else.
    pub fn new(public_ip: IpAddr) -> Self {
        Instance {
            public_ip,
            bgp_peering_address: None,
            custom_bgp_addresses: Vec::new(),
            zone: None,
        }
    }
}

/// One on-premises VPN device (Azure's "local network gateway").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LocalGateway {
    /// Unique name.
    pub name: String,
    /// The on-premises network it serves; devices with the same site serve the same network.
    /// Default: the device's own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The device's public IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ip: Option<IpAddr>,
    /// The device's FQDN, instead of or beside `gateway_ip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<Fqdn>,
    /// Static routes to the site (leave empty with BGP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_prefixes: Vec<IpNetwork>,
    /// The ISP uplink (a shared failure domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isp: Option<String>,
    /// BGP settings of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp: Option<LocalBgp>,
}

impl LocalGateway {
    /// A device with a name and a public IP and nothing else.
    pub fn new(name: &str, gateway_ip: IpAddr) -> Self {
        LocalGateway {
            name: name.to_owned(),
            site: None,
            gateway_ip: Some(gateway_ip),
            fqdn: None,
            address_prefixes: Vec::new(),
            isp: None,
            bgp: None,
        }
    }

    /// The site: the declared one, else the device's own name.
    pub fn site(&self) -> &str {
        self.site.as_deref().unwrap_or(&self.name)
    }

    /// The public endpoint as text: the IP, else the FQDN.
    pub fn endpoint(&self) -> String {
        match (&self.gateway_ip, &self.fqdn) {
            (Some(ip), _) => ip.to_string(),
            (None, Some(f)) => f.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// BGP settings of an on-premises device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LocalBgp {
    /// The device's ASN.
    pub asn: u64,
    /// The device's BGP peering address.
    pub peering_address: IpAddr,
    /// Prefixes the device advertises.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advertised_prefixes: Vec<IpNetwork>,
}

impl LocalBgp {
    /// BGP settings with an ASN and a peering address.
    pub fn new(asn: u64, peering_address: IpAddr) -> Self {
        LocalBgp {
            asn,
            peering_address,
            advertised_prefixes: Vec::new(),
        }
    }
}

/// A fully qualified domain name (RFC 1123 host name syntax).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fqdn(String);

impl Fqdn {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fqdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error of an invalid FQDN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidFqdn(String);

impl fmt::Display for InvalidFqdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidFqdn {}

impl FromStr for Fqdn {
    type Err = InvalidFqdn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.strip_suffix('.').unwrap_or(s);
        if name.is_empty() || name.len() > 253 {
            return Err(InvalidFqdn(format!(
                "`{s}` is not a host name: it must have 1 to 253 characters"
            )));
        }
        for label in name.split('.') {
            let ok = (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(InvalidFqdn(format!(
                    "`{s}` is not a host name: label `{label}` must be 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen"
                )));
            }
        }
        if name.parse::<IpAddr>().is_ok() {
            return Err(InvalidFqdn(format!(
                "`{s}` is an IP address: put it in `gateway_ip`"
            )));
        }
        Ok(Fqdn(s.to_owned()))
    }
}

impl Serialize for Fqdn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Fqdn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// The site-to-site connection from the gateway to one local gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Connection {
    /// Unique name; tunnel ids are `<name>/<instance index>`.
    pub name: String,
    /// The name of the local gateway it connects.
    pub local_gateway: String,
    /// Whether BGP runs over this connection.
    #[serde(default)]
    pub enable_bgp: bool,
    /// IKEv1 or IKEv2 (default).
    #[serde(default)]
    pub protocol: Protocol,
    /// Dead-peer-detection timeout (default 45, Azure accepts 9–3600).
    #[serde(default = "default_dpd")]
    pub dpd_timeout_seconds: u64,
    /// Who initiates IKE (default: either).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_mode: Option<ConnectionMode>,
    /// The pre-shared key: inline (never written back out) or `{env: NAME}`.
    #[serde(default, skip_serializing_if = "SharedKey::not_writable")]
    pub shared_key: Option<SharedKey>,
    /// A custom IPsec/IKE policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipsec_policy: Option<IpsecPolicy>,
    /// Whether policy-based traffic selectors are used (route-based gateway to a
    /// policy-based device).
    #[serde(default, skip_serializing_if = "is_false")]
    pub use_policy_based_traffic_selectors: bool,
    /// The gateway instances the device builds tunnels to (default: every instance that
    /// carries tunnels). An on-premises device configured with one tunnel to an
    /// active-active gateway lists one index here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<usize>>,
}

fn default_dpd() -> u64 {
    DEFAULT_DPD_TIMEOUT_SECONDS
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Connection {
    /// A connection with defaults (IKEv2, no BGP, DPD 45 s).
    pub fn new(name: &str, local_gateway: &str) -> Self {
        Connection {
            name: name.to_owned(),
            local_gateway: local_gateway.to_owned(),
            enable_bgp: false,
            protocol: Protocol::IKEv2,
            dpd_timeout_seconds: DEFAULT_DPD_TIMEOUT_SECONDS,
            connection_mode: None,
            shared_key: None,
            ipsec_policy: None,
            use_policy_based_traffic_selectors: false,
            instances: None,
        }
    }
}

/// A pre-shared key: given inline, or the name of an environment variable that holds it.
///
/// An inline key is never printed: not by `Debug`, not in any error or finding, and not
/// when the topology is written out again.
#[derive(Clone, PartialEq, Eq)]
pub enum SharedKey {
    /// The key itself.
    Inline(Secret),
    /// The name of the environment variable holding the key.
    Env {
        /// The variable name.
        env: String,
    },
}

impl SharedKey {
    fn not_writable(key: &Option<SharedKey>) -> bool {
        !matches!(key, Some(SharedKey::Env { .. }))
    }
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedKey::Inline(s) => f.debug_tuple("Inline").field(s).finish(),
            SharedKey::Env { env } => f.debug_struct("Env").field("env", env).finish(),
        }
    }
}

impl Serialize for SharedKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        match self {
            SharedKey::Env { env } => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("env", env)?;
                m.end()
            }
            SharedKey::Inline(_) => Err(S::Error::custom(
                "an inline shared key is never written out; reference it as {env: NAME}",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for SharedKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SharedKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a shared key: a string, or {env: NAME}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SharedKey, E> {
                Ok(SharedKey::Inline(Secret(v.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<SharedKey, A::Error> {
                let mut env = None;
                while let Some(k) = m.next_key::<String>()? {
                    if k == "env" {
                        env = Some(m.next_value::<String>()?);
                    } else {
                        return Err(de::Error::custom(format_args!(
                            "unknown field `{k}` in a shared key; the only field is `env`"
                        )));
                    }
                }
                env.map(|env| SharedKey::Env { env })
                    .ok_or_else(|| de::Error::custom("a shared key mapping needs `env: NAME`"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SharedKey, E> {
                Err(E::custom(
                    "a shared key must be a quoted string or {env: NAME}",
                ))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SharedKey, E> {
                Err(E::custom(
                    "a shared key must be a quoted string or {env: NAME}",
                ))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SharedKey, E> {
                Err(E::custom(
                    "a shared key must be a quoted string or {env: NAME}",
                ))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SharedKey, E> {
                Err(E::custom(
                    "a shared key must be a quoted string or {env: NAME}",
                ))
            }
        }
        d.deserialize_any(V)
    }
}

/// A secret string that never shows itself: `Debug` prints `<redacted>`; there is no
/// `Display` and no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: String) -> Self {
        Secret(secret)
    }

    /// The secret itself, for the code that must hand it to a device.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Per-component availabilities for the availability estimate (probability a component
/// is up). Absent values take documented defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AvailabilityInputs {
    /// One gateway instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_instance: Option<f64>,
    /// One on-premises device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<f64>,
    /// One ISP uplink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isp: Option<f64>,
    /// One tunnel (IPsec/IKE on top of the endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel: Option<f64>,
    /// One availability zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<f64>,
}

/// One IPsec tunnel: derived, never written by users. One per (connection, gateway
/// instance that carries tunnels).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Tunnel {
    /// `<connection>/<instance index>`.
    pub id: String,
    /// The connection's name.
    pub connection: String,
    /// The local gateway (device) at the far end.
    pub local_gateway: String,
    /// The device's site.
    pub site: String,
    /// The gateway instance index.
    pub instance: usize,
    /// Index of the connection in [`Topology::connections`].
    #[serde(skip)]
    pub connection_index: usize,
    /// Index of the local gateway in [`Topology::local_gateways`].
    #[serde(skip)]
    pub local_gateway_index: usize,
}

/// An on-premises network and the devices and tunnels that serve it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Site {
    /// The site name.
    pub name: String,
    /// Its HA pattern; `None` when no tunnel reaches it.
    pub pattern: Option<Pattern>,
    /// Names of its devices (local gateways), in file order.
    pub devices: Vec<String>,
    /// Its tunnels in the stable order (connection name, then instance index). ECMP tunnel
    /// indices for the site refer to this order.
    pub tunnels: Vec<Tunnel>,
}

impl Site {
    /// The number of distinct gateway instances the site's tunnels reach.
    pub fn instance_count(&self) -> usize {
        let mut seen: Vec<usize> = self.tunnels.iter().map(|t| t.instance).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

impl Topology {
    /// A topology with the given gateway and no devices or connections.
    pub fn new(gateway: Gateway) -> Self {
        Topology {
            version: FormatVersion,
            name: None,
            gateway,
            local_gateways: Vec::new(),
            connections: Vec::new(),
            availability: None,
            origin: Origin::default(),
        }
    }

    /// The index of the local gateway with this name (the first, if names repeat).
    pub fn local_gateway_index(&self, name: &str) -> Option<usize> {
        self.local_gateways.iter().position(|l| l.name == name)
    }

    /// The local gateway with this name.
    pub fn local_gateway(&self, name: &str) -> Option<&LocalGateway> {
        self.local_gateways.iter().find(|l| l.name == name)
    }

    /// The gateway instances a connection's tunnels end on.
    pub fn connection_instances(&self, connection: &Connection) -> Vec<usize> {
        let carrying = self.gateway.tunnel_instances();
        match &connection.instances {
            None => carrying,
            Some(listed) => {
                let mut v: Vec<usize> = listed
                    .iter()
                    .copied()
                    .filter(|i| carrying.contains(i))
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            }
        }
    }

    /// Every tunnel, in the stable order: connection name, then instance index.
    ///
    /// Connections whose local gateway does not exist form no tunnels.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.layout()
            .tunnels
            .iter()
            .map(|t| self.tunnel(t))
            .collect()
    }

    fn tunnel(&self, t: &layout::TunnelRef) -> Tunnel {
        let c = &self.connections[t.connection];
        let lg = &self.local_gateways[t.local_gateway];
        Tunnel {
            id: format!("{}/{}", c.name, t.instance),
            connection: c.name.clone(),
            local_gateway: lg.name.clone(),
            site: lg.site().to_owned(),
            instance: t.instance,
            connection_index: t.connection,
            local_gateway_index: t.local_gateway,
        }
    }

    /// Every site, sorted by name, with its devices, tunnels and pattern.
    pub fn sites(&self) -> Vec<Site> {
        let layout = self.layout();
        layout
            .sites
            .iter()
            .map(|s| Site {
                name: s.name.to_owned(),
                pattern: s.pattern,
                devices: s
                    .devices
                    .iter()
                    .map(|&i| self.local_gateways[i].name.clone())
                    .collect(),
                tunnels: s
                    .tunnels
                    .iter()
                    .map(|&ti| self.tunnel(&layout.tunnels[ti]))
                    .collect(),
            })
            .collect()
    }

    /// The site with this name.
    pub fn site(&self, name: &str) -> Option<Site> {
        self.sites().into_iter().find(|s| s.name == name)
    }
}
