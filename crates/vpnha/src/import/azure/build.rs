//! From the resources found to a format-v1 topology: the gateway and its instances, the
//! local gateways, the IPsec connections between them, and sites.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnetwork::IpNetwork;

use super::Findings;
use super::Options;
use super::collect::{Kind, Resource, Resources, Via, id_key, id_segment, last_segment};
use crate::import::json::J;
use crate::import::{Code, SourceRef};
use crate::model::{
    Connection, ConnectionMode, Fqdn, Gateway, Generation, Instance, IpsecPolicy, LocalBgp,
    LocalGateway, MaybeKnown, Protocol, Secret, SharedKey, Sku, Topology, UnknownName, VpnType,
};
use crate::source::FieldPath;

/// The address written where the input has none that vpnha can read (always reported with
/// an error finding): the unspecified address.
pub(crate) const UNKNOWN_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

/// The topology and where each of its fields came from.
pub(crate) struct Built {
    pub(crate) topology: Option<Topology>,
    pub(crate) origins: HashMap<FieldPath, SourceRef>,
}

pub(crate) fn build(res: &Resources<'_>, options: &Options, f: &mut Findings) -> Built {
    let mut b = Builder {
        res,
        f,
        origins: HashMap::new(),
    };
    let topology = b.topology(options);
    Built {
        topology,
        origins: b.origins,
    }
}

fn path() -> FieldPath {
    FieldPath::root()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A value quoted for a message, shortened when long.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(60).collect();
    if q.len() < s.len() {
        q.push('…');
    }
    format!("`{q}`")
}

/// Whether a string is a stand-in for an address rather than a mistyped one: `x.x.x.x`,
/// `*.*.*.*`, `<your-ip>`, or nothing.
fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() || (t.starts_with('<') && t.ends_with('>')) {
        return true;
    }
    let marks: Vec<char> = t.chars().filter(|c| !matches!(c, '.' | ':')).collect();
    !marks.is_empty() && marks.iter().all(|c| matches!(c, 'x' | 'X' | '*' | '?'))
}

/// The IP configuration name an `ipConfigurationId` names, and the gateway it belongs to.
fn ip_configuration_of(id: &str) -> (Option<&str>, Option<&str>) {
    (
        id_segment(id, "ipConfigurations"),
        id_segment(id, "virtualNetworkGateways"),
    )
}

/// One IP configuration of the gateway, and the instance it became.
struct IpConfig {
    name: String,
    instance: Option<usize>,
}

/// What later steps need to know about the gateway.
struct GatewayInfo {
    index: usize,
    name: String,
    active_active: bool,
    ip_configs: Vec<IpConfig>,
}

struct Builder<'r, 'a, 'f> {
    res: &'r Resources<'a>,
    f: &'f mut Findings,
    /// Where each topology field came from (the first place recorded for it).
    origins: HashMap<FieldPath, SourceRef>,
}

impl<'a> Builder<'_, 'a, '_> {
    /// Records that a topology field came from a place in the input.
    fn from(&mut self, path: &FieldPath, j: &J<'a>) {
        if !self.origins.contains_key(path) {
            self.origins.insert(path.clone(), j.source());
        }
    }

    // -----------------------------------------------------------------------------------
    // Typed reading: every value of the wrong type or form becomes a finding.

    fn unsupported(&mut self, j: &J<'a>, path: &FieldPath) -> bool {
        if let Some(why) = j.doc.unresolved.get(&j.path) {
            let why = why.clone();
            self.f.at_path(
                Code::UnsupportedExpression,
                j,
                path.clone(),
                format!(
                    "the template expression {} cannot be evaluated here: {why}",
                    quote(j.str().unwrap_or_default())
                ),
            );
            return true;
        }
        false
    }

    fn wrong_type(&mut self, j: &J<'a>, path: &FieldPath, what: &str, expected: &str) {
        self.f.at_path(
            Code::InvalidValue,
            j,
            path.clone(),
            format!("{what} must be {expected}, found {}", j.kind()),
        );
    }

    fn text(&mut self, j: &J<'a>, path: &FieldPath, what: &str) -> Option<&'a str> {
        if self.unsupported(j, path) {
            return None;
        }
        match j.str() {
            Some(s) => Some(s),
            None => {
                self.wrong_type(j, path, what, "a string");
                None
            }
        }
    }

    fn field_text(
        &mut self,
        obj: &J<'a>,
        key: &str,
        path: &FieldPath,
        what: &str,
    ) -> Option<(&'a str, J<'a>)> {
        let j = obj.get(key)?;
        let s = self.text(&j, path, what)?;
        Some((s, j))
    }

    fn boolean(&mut self, obj: &J<'a>, key: &str, path: &FieldPath) -> Option<bool> {
        let j = obj.get(key)?;
        if self.unsupported(&j, path) {
            return None;
        }
        match &j.node.value {
            crate::format::spanned::Value::Bool(b) => {
                self.from(path, &j);
                Some(*b)
            }
            _ => {
                self.wrong_type(&j, path, &format!("`{key}`"), "true or false");
                None
            }
        }
    }

    fn unsigned(&mut self, obj: &J<'a>, key: &str, path: &FieldPath) -> Option<(u64, J<'a>)> {
        let j = obj.get(key)?;
        if self.unsupported(&j, path) {
            return None;
        }
        match &j.node.value {
            crate::format::spanned::Value::Int(i) if u64::try_from(*i).is_ok() => {
                self.from(path, &j);
                u64::try_from(*i).ok().map(|n| (n, j))
            }
            crate::format::spanned::Value::Int(i) => {
                self.f.at_path(
                    Code::InvalidValue,
                    &j,
                    path.clone(),
                    format!("`{key}` must be a whole number from 0, found {i}"),
                );
                None
            }
            _ => {
                self.wrong_type(&j, path, &format!("`{key}`"), "a whole number");
                None
            }
        }
    }

    /// An address: the placeholder `x.x.x.x` and mistyped ones are reported.
    /// An address; `then` says what becomes of the field when it is not one.
    fn ip(&mut self, j: &J<'a>, path: &FieldPath, what: &str, then: &str) -> Option<IpAddr> {
        let s = self.text(j, path, what)?;
        match s.trim().parse::<IpAddr>() {
            Ok(ip) => {
                self.from(path, j);
                Some(ip)
            }
            Err(_) if is_placeholder(s) => {
                self.f.at_path(
                    Code::PlaceholderValue,
                    j,
                    path.clone(),
                    format!(
                        "{what} is the placeholder {}, not an address: {then}; put the real address in the topology (or export the resource once it has one)",
                        quote(s)
                    ),
                );
                None
            }
            Err(_) => {
                self.f.at_path(
                    Code::InvalidValue,
                    j,
                    path.clone(),
                    format!("{what} {} is not an IP address: {then}", quote(s)),
                );
                None
            }
        }
    }

    fn prefix(&mut self, j: &J<'a>, path: &FieldPath, what: &str) -> Option<IpNetwork> {
        let s = self.text(j, path, what)?;
        match s.trim().parse::<IpNetwork>() {
            Ok(p) if s.contains('/') => {
                self.from(path, j);
                Some(p)
            }
            _ => {
                self.f.at_path(
                    Code::InvalidValue,
                    j,
                    path.clone(),
                    format!(
                        "{what} {} is not an address prefix (such as 10.1.0.0/16): left out",
                        quote(s)
                    ),
                );
                None
            }
        }
    }

    fn prefixes(&mut self, list: Option<J<'a>>, path: &FieldPath, what: &str) -> Vec<IpNetwork> {
        let Some(list) = list else {
            return Vec::new();
        };
        if !list.is_seq() {
            self.wrong_type(&list, path, what, "an array of prefixes");
            return Vec::new();
        }
        self.from(path, &list);
        let mut out = Vec::new();
        for item in list.items() {
            let p = path.clone().index(out.len());
            if let Some(prefix) = self.prefix(&item, &p, &format!("an entry of {what}")) {
                out.push(prefix);
            }
        }
        out
    }

    /// A name of one of a model enumeration's values.
    fn named<T: std::str::FromStr<Err = UnknownName>>(
        &mut self,
        obj: &J<'a>,
        key: &str,
        path: &FieldPath,
    ) -> Option<T> {
        let (s, j) = self.field_text(obj, key, path, &format!("`{key}`"))?;
        match s.parse::<T>() {
            Ok(v) => {
                self.from(path, &j);
                Some(v)
            }
            Err(e) => {
                self.f.at_path(
                    Code::InvalidValue,
                    &j,
                    path.clone(),
                    format!("`{key}`: {e}"),
                );
                None
            }
        }
    }

    // -----------------------------------------------------------------------------------

    fn topology(&mut self, options: &Options) -> Option<Topology> {
        let built = self.choose_gateway(options).and_then(|gw| self.gateway(gw));
        let Some((gateway, info)) = built else {
            // No topology; still read the local gateways, so that their problems are
            // reported with the reason there is none.
            let res = self.res;
            for (i, (_, r)) in res.of_kind(Kind::LocalGateway).enumerate() {
                self.local_gateway(r, &r.name, i);
            }
            self.origins.clear();
            return None;
        };
        let mut topology = Topology::new(gateway);
        let selected = self.select_connections(&info);
        let names = self.local_gateways(info.index, &selected, &mut topology);
        let res = self.res;
        let mut taken: HashSet<String> = HashSet::new();
        for (conn, lg) in selected {
            let index = topology.connections.len();
            let r = &res.list[conn];
            let mut c = self.connection(r, &names[&lg], index, &info, &mut topology);
            if !taken.insert(c.name.clone()) {
                let renamed = self.rename(r, &c.name, "connection", index);
                taken.insert(renamed.clone());
                c.name = renamed;
            }
            topology.connections.push(c);
        }
        self.sites(&mut topology);
        Some(topology)
    }

    // -----------------------------------------------------------------------------------
    // The gateway.

    /// The number of IPsec connections in the input whose `virtualNetworkGateway1` is the
    /// gateway at `index`.
    fn connection_count(&self, index: usize) -> usize {
        let res = self.res;
        res.of_kind(Kind::Connection)
            .filter(|(_, c)| {
                c.props
                    .get("virtualNetworkGateway1")
                    .and_then(|g| g.get("id"))
                    .and_then(|id| id.str())
                    .and_then(|id| res.index_of(id))
                    == Some(index)
            })
            .count()
    }

    fn choose_gateway(&mut self, options: &Options) -> Option<usize> {
        let res = self.res;
        let mut candidates = Vec::new();
        for (i, g) in res.of_kind(Kind::Gateway) {
            let ty = g.props.get("gatewayType").and_then(|t| t.str());
            match ty {
                Some(t) if !t.eq_ignore_ascii_case("Vpn") => {
                    let j = g.props.get("gatewayType").unwrap_or_else(|| g.j.clone());
                    self.f.at(
                        Code::UnsupportedGatewayType,
                        &j,
                        format!(
                            "gateway `{}` is of type {}: vpnha models VPN gateways only; left out",
                            g.name,
                            quote(t)
                        ),
                    );
                }
                _ => candidates.push(i),
            }
        }
        let names = |cs: &[usize]| -> String {
            cs.iter()
                .map(|&i| format!("`{}`", res.list[i].name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(wanted) = &options.gateway {
            let found = candidates.iter().copied().find(|&i| {
                let g = &res.list[i];
                g.name.eq_ignore_ascii_case(wanted) || id_key(&g.id) == id_key(wanted)
            });
            let Some(chosen) = found else {
                let have = if candidates.is_empty() {
                    "the input has no VPN gateway".to_owned()
                } else {
                    format!("the input has {}", names(&candidates))
                };
                self.f.global(
                    Code::GatewayNotFound,
                    format!("no VPN gateway named `{wanted}`: {have}"),
                );
                return None;
            };
            for &other in candidates.iter().filter(|&&i| i != chosen) {
                let g = &res.list[other];
                let j = g.j.clone();
                let message = format!(
                    "gateway `{}` is not the chosen one (`{}`): left out, with its connections",
                    g.name, res.list[chosen].name
                );
                self.f.at(Code::GatewayNotSelected, &j, message);
            }
            return Some(chosen);
        }
        match candidates.as_slice() {
            [] => {
                self.missing_gateway();
                None
            }
            [one] => Some(*one),
            many => {
                let counts: Vec<usize> = many.iter().map(|&i| self.connection_count(i)).collect();
                let mut best = 0;
                for (k, &n) in counts.iter().enumerate() {
                    if n > counts[best] {
                        best = k;
                    }
                }
                let chosen = many[best];
                let all = names(many);
                for &other in many.iter().filter(|&&i| i != chosen) {
                    let g = &res.list[other];
                    let j = g.j.clone();
                    let message = format!(
                        "the input holds {} VPN gateways ({all}) and a topology has one: imported `{}` ({}), left out `{}`; choose with `--gateway NAME` (or `Options::gateway`)",
                        many.len(),
                        res.list[chosen].name,
                        plural(counts[best], "connection"),
                        g.name
                    );
                    self.f.at(Code::SeveralGateways, &j, message);
                }
                Some(chosen)
            }
        }
    }

    fn missing_gateway(&mut self) {
        let res = self.res;
        let lngs = res.of_kind(Kind::LocalGateway).count();
        let conns: Vec<&Resource<'a>> = res.of_kind(Kind::Connection).map(|(_, c)| c).collect();
        let read = match (lngs, conns.len()) {
            (0, 0) => "nothing of a site-to-site VPN topology was read".to_owned(),
            (l, c) => format!(
                "read {} and {}, but a topology is built around its gateway",
                plural(l, "local gateway"),
                plural(c, "connection")
            ),
        };
        let message = format!(
            "no VPN gateway (`Microsoft.Network/virtualNetworkGateways` with `gatewayType: Vpn`) in the input: {read}; add the gateway's document (`az network vnet-gateway show`)"
        );
        let reference = conns.iter().find_map(|c| {
            c.props
                .get("virtualNetworkGateway1")
                .and_then(|g| g.get("id"))
        });
        let first_lng = res
            .of_kind(Kind::LocalGateway)
            .next()
            .map(|(_, r)| r.j.clone());
        match (reference, first_lng) {
            (Some(j), _) => {
                let name = j.str().map(last_segment).unwrap_or("?").to_owned();
                self.f.at(
                    Code::MissingGateway,
                    &j,
                    format!("{message}; connections reference gateway `{name}`"),
                );
            }
            (None, Some(j)) => self.f.at(Code::MissingGateway, &j, message),
            (None, None) => self.f.global(Code::MissingGateway, message),
        }
    }

    fn gateway(&mut self, index: usize) -> Option<(Gateway, GatewayInfo)> {
        let res = self.res;
        let g = &res.list[index];
        let props = g.props.clone();
        let gp = path().key("gateway");
        self.from(&gp, &g.j);
        // Findings about the topology as a whole (tunnel counts) point at its gateway.
        self.from(&path(), &g.j);
        if g.via != Via::Own {
            self.embedded_used(g, "gateway");
        }

        // The SKU: without one there is no gateway to build.
        let sku_path = gp.clone().key("sku");
        let sku_obj = props.get("sku").or_else(|| g.j.get("sku"));
        let sku_name = sku_obj
            .as_ref()
            .and_then(|s| s.get("name").or_else(|| s.get("tier")));
        let Some(sku_j) = sku_name else {
            let at = sku_obj.unwrap_or_else(|| g.j.clone());
            self.f.at_path(
                Code::MissingValue,
                &at,
                sku_path,
                format!(
                    "gateway `{}` has no `sku.name`: no topology can be built without the SKU",
                    g.name
                ),
            );
            return None;
        };
        let sku_text = self.text(&sku_j, &sku_path, "`sku.name`")?;
        let sku = match sku_text.parse::<Sku>() {
            Ok(s) => s,
            Err(e) => {
                self.f.at_path(
                    Code::InvalidValue,
                    &sku_j,
                    sku_path,
                    format!(
                        "gateway `{}`: {e}; vpnha knows the VPN SKUs only (no topology is built)",
                        g.name
                    ),
                );
                return None;
            }
        };
        self.from(&sku_path, &sku_j);

        let mut gateway = Gateway::new(sku, Vec::new());
        gateway.name = Some(g.name.clone());

        // Generation: `None` is what Azure says when it has not recorded one.
        let gen_path = gp.clone().key("generation");
        let generation = props.get("vpnGatewayGeneration");
        let written = match &generation {
            Some(j) => self.text(j, &gen_path, "`vpnGatewayGeneration`"),
            None => None,
        };
        match (written, &generation) {
            (Some(s), Some(j)) if !s.eq_ignore_ascii_case("None") => {
                match s.parse::<Generation>() {
                    Ok(v) => {
                        self.from(&gen_path, j);
                        gateway.declared_generation = Some(v);
                    }
                    Err(e) => self.f.at_path(
                        Code::InvalidValue,
                        j,
                        gen_path.clone(),
                        format!("`vpnGatewayGeneration`: {e}"),
                    ),
                }
            }
            (_, j) => {
                let at = j.clone().unwrap_or_else(|| g.j.clone());
                let said = if j.is_some() {
                    "is `None`"
                } else {
                    "is absent"
                };
                match sku.generations() {
                    [only] => {
                        if j.is_some() {
                            self.f.at_path(
                                Code::DefaultApplied,
                                &at,
                                gen_path.clone(),
                                format!(
                                    "`vpnGatewayGeneration` {said}: {sku} exists only as {only}, so that is its generation"
                                ),
                            );
                        }
                    }
                    _ => self.f.at_path(
                        Code::GenerationUnknown,
                        &at,
                        gen_path.clone(),
                        format!(
                            "`vpnGatewayGeneration` {said}, but {sku} exists as Generation1 and Generation2: set `gateway.generation` in the topology (the portal shows it on the gateway's Configuration page)"
                        ),
                    ),
                }
            }
        }

        if let Some(t) = self.named::<VpnType>(&props, "vpnType", &gp.clone().key("vpn_type")) {
            gateway.vpn_type = t;
        }
        gateway.active_active = self
            .boolean(&props, "activeActive", &gp.clone().key("active_active"))
            .unwrap_or(false);

        let bgp = props.get("bgpSettings").filter(J::is_map);
        if let Some(bgp) = &bgp
            && let Some((asn, _)) = self.unsigned(bgp, "asn", &gp.clone().key("asn"))
        {
            gateway.asn = asn;
        }

        let ip_configs = self.instances(g, &props, bgp.as_ref(), &mut gateway);
        self.vnet(&props, &mut gateway);

        if props.get("natRules").is_some_and(|n| !n.items().is_empty()) {
            let j = props.get("natRules").unwrap_or_else(|| g.j.clone());
            self.f.at_path(
                Code::NotModelled,
                &j,
                gp.clone(),
                format!(
                    "gateway `{}` has NAT rules, which vpnha does not model: findings about overlapping prefixes and BGP addresses do not take translation into account",
                    g.name
                ),
            );
        }

        let info = GatewayInfo {
            index,
            name: g.name.clone(),
            active_active: gateway.active_active,
            ip_configs,
        };
        Some((gateway, info))
    }

    fn embedded_used(&mut self, r: &Resource<'a>, what: &str) {
        let wherefrom = match (r.via, &r.embedded_in) {
            (Via::Request, Some(c)) => format!("connection `{c}`'s request body"),
            (Via::Request, None) => "a connection's request body".to_owned(),
            (_, Some(c)) => format!("connection `{c}`"),
            (_, None) => "a connection".to_owned(),
        };
        self.f.at(
            Code::EmbeddedResourceUsed,
            &r.j,
            format!(
                "{what} `{}` is read from the copy embedded in {wherefrom}, as its own document is not in the input: add it (`az network {} show`) for its current state",
                r.name,
                if r.kind == Kind::Gateway { "vnet-gateway" } else { "local-gateway" }
            ),
        );
    }

    /// The instances, from the IP configurations, with their public IPs, zones and BGP
    /// addresses.
    fn instances(
        &mut self,
        g: &Resource<'a>,
        props: &J<'a>,
        bgp: Option<&J<'a>>,
        gateway: &mut Gateway,
    ) -> Vec<IpConfig> {
        let ip_path = path().key("gateway").key("instances");
        let Some(list) = props.get("ipConfigurations") else {
            self.f.at_path(
                Code::MissingValue,
                &g.j,
                ip_path,
                format!(
                    "gateway `{}` has no `ipConfigurations`: it gets no instances",
                    g.name
                ),
            );
            return Vec::new();
        };
        if !list.is_seq() {
            self.wrong_type(&list, &ip_path, "`ipConfigurations`", "an array");
            return Vec::new();
        }
        self.from(&ip_path, &list);
        let items = list.items();
        let wanted = if gateway.active_active { 2 } else { 1 };

        // The structured BGP addresses, by IP configuration name.
        let mut structured: Vec<(String, J<'a>)> = Vec::new();
        if let Some(entries) = bgp.and_then(|b| b.get("bgpPeeringAddresses")) {
            for e in entries.items() {
                let id = e
                    .get("ipconfigurationId")
                    .and_then(|i| i.str())
                    .unwrap_or_default();
                if let (Some(name), _) = ip_configuration_of(id) {
                    structured.push((name.to_ascii_lowercase(), e));
                } else {
                    self.f.at(
                        Code::InconsistentInput,
                        &e,
                        "a `bgpPeeringAddresses` entry without an `ipconfigurationId` naming an IP configuration: left out".to_owned(),
                    );
                }
            }
        }
        // The comma-separated form, ordered like the IP configurations.
        let flat_j = bgp.and_then(|b| b.get("bgpPeeringAddress"));
        let flat: Vec<String> = flat_j
            .as_ref()
            .and_then(J::str)
            .map(|s| {
                s.split(',')
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(fj) = &flat_j
            && flat.len() > items.len()
        {
            self.f.at(
                Code::InconsistentInput,
                fj,
                format!(
                    "`bgpPeeringAddress` lists {} but the gateway has {}: the extra ones are left out",
                    plural(flat.len(), "address"),
                    plural(items.len(), "IP configuration")
                ),
            );
        }

        let mut configs = Vec::new();
        for (k, ipc) in items.iter().enumerate() {
            let name = ipc
                .get("name")
                .and_then(|n| n.str())
                .map(str::to_owned)
                .or_else(|| {
                    ipc.get("id")
                        .and_then(|i| i.str())
                        .map(|i| last_segment(i).to_owned())
                })
                .unwrap_or_else(|| format!("#{k}"));
            if k >= wanted {
                let mode = if gateway.active_active {
                    "an active-active gateway uses 2"
                } else {
                    "an active-standby gateway uses 1 (its standby is implicit)"
                };
                self.f.at(
                    Code::IpConfigurationIgnored,
                    ipc,
                    format!(
                        "IP configuration `{name}` of gateway `{}` is not imported as an instance: {mode}",
                        g.name
                    ),
                );
                configs.push(IpConfig {
                    name,
                    instance: None,
                });
                continue;
            }
            let ipath = ip_path.clone().index(k);
            self.from(&ipath, ipc);
            let entry = structured
                .iter()
                .find(|(n, _)| *n == name.to_ascii_lowercase())
                .map(|(_, e)| e.clone());
            let ipc_props = ipc
                .get("properties")
                .filter(J::is_map)
                .unwrap_or_else(|| ipc.clone());
            let (public_ip, zone) =
                self.public_ip(&g.name, &name, &ipc_props, entry.as_ref(), &ipath);
            let mut instance = Instance::new(public_ip.unwrap_or(UNKNOWN_ADDRESS));
            instance.zone = zone;

            // BGP peering address: the structured form first, the comma-separated second.
            let bgp_path = ipath.clone().key("bgp_peering_address");
            let default = entry
                .as_ref()
                .and_then(|e| e.get("defaultBgpIpAddresses"))
                .and_then(|d| d.items().into_iter().next());
            let from_structured = match &default {
                Some(d) => self.ip(
                    d,
                    &bgp_path,
                    "a default BGP address",
                    "the instance gets no BGP peering address",
                ),
                None => None,
            };
            let from_flat = flat.get(k).and_then(|a| a.parse::<IpAddr>().ok());
            if let (Some(fj), Some(a)) = (&flat_j, flat.get(k))
                && from_flat.is_none()
            {
                let message = format!(
                    "`bgpPeeringAddress` entry {} is not an IP address",
                    quote(a)
                );
                self.f
                    .at_path(Code::InvalidValue, fj, bgp_path.clone(), message);
            }
            match (from_structured, from_flat) {
                (Some(s), Some(fl)) if s != fl => {
                    if let Some(fj) = &flat_j {
                        self.f.at_path(
                            Code::InconsistentInput,
                            fj,
                            bgp_path.clone(),
                            format!(
                                "`bgpPeeringAddress` says {fl} for IP configuration `{name}`, but its `bgpPeeringAddresses` entry says {s}: {s} is used (the per-configuration list is the newer form)"
                            ),
                        );
                    }
                    instance.bgp_peering_address = Some(s);
                }
                (Some(s), _) => instance.bgp_peering_address = Some(s),
                (None, Some(fl)) => {
                    if let Some(fj) = &flat_j {
                        self.from(&bgp_path, fj);
                    }
                    instance.bgp_peering_address = Some(fl);
                }
                (None, None) => {}
            }
            if let Some(customs) = entry.as_ref().and_then(|e| e.get("customBgpIpAddresses")) {
                let cpath = ipath.clone().key("custom_bgp_addresses");
                self.from(&cpath, &customs);
                for c in customs.items() {
                    let p = cpath.clone().index(instance.custom_bgp_addresses.len());
                    if let Some(a) = self.ip(&c, &p, "a custom BGP address", "left out") {
                        instance.custom_bgp_addresses.push(a);
                    }
                }
            }
            gateway.instances.push(instance);
            configs.push(IpConfig {
                name,
                instance: Some(k),
            });
        }
        if items.is_empty() {
            self.f.at_path(
                Code::MissingValue,
                &list,
                ip_path,
                format!(
                    "gateway `{}` has no IP configurations: it gets no instances",
                    g.name
                ),
            );
        }
        for (n, e) in &structured {
            if !configs.iter().any(|c| c.name.eq_ignore_ascii_case(n)) {
                self.f.at(
                    Code::InconsistentInput,
                    e,
                    format!(
                        "a `bgpPeeringAddresses` entry names IP configuration `{n}`, which gateway `{}` does not have: left out",
                        g.name
                    ),
                );
            }
        }
        configs
    }

    /// The public IP and zone of an IP configuration.
    fn public_ip(
        &mut self,
        gateway: &str,
        ipc_name: &str,
        ipc: &J<'a>,
        bgp_entry: Option<&J<'a>>,
        ipath: &FieldPath,
    ) -> (Option<IpAddr>, Option<u8>) {
        let pip_path = ipath.clone().key("public_ip");
        let reference = ipc.get("publicIPAddress").and_then(|p| p.get("id"));
        let tunnel = bgp_entry
            .and_then(|e| e.get("tunnelIpAddresses"))
            .and_then(|t| t.items().into_iter().next());
        let res = self.res;
        let pip = reference
            .as_ref()
            .and_then(J::str)
            .and_then(|id| res.find(id))
            .filter(|r| r.kind == Kind::PublicIp);
        if let Some(pip) = pip {
            let zone = self.zone(pip, &ipath.clone().key("zone"));
            return match pip.props.get("ipAddress") {
                Some(a) => (
                    self.ip(
                        &a,
                        &pip_path,
                        "the public IP address",
                        &format!("the instance gets {UNKNOWN_ADDRESS}"),
                    ),
                    zone,
                ),
                None => {
                    self.f.at_path(
                        Code::MissingPublicIp,
                        &pip.j,
                        pip_path,
                        format!(
                            "public IP `{}` of gateway `{gateway}` (IP configuration `{ipc_name}`) has no `ipAddress` (not allocated yet?): the instance gets {UNKNOWN_ADDRESS}",
                            pip.name
                        ),
                    );
                    (None, zone)
                }
            };
        }
        if let Some(t) = tunnel
            && let Some(ip) = self.ip(&t, &pip_path, "a tunnel IP address", "left out")
        {
            self.f.at_path(
                Code::DerivedValue,
                &t,
                pip_path,
                format!(
                    "the public IP of IP configuration `{ipc_name}` is taken from its `tunnelIpAddresses` ({ip}), as the public IP resource is not in the input; its zone is unknown"
                ),
            );
            return (Some(ip), None);
        }
        let (at, what) = match &reference {
            Some(r) => (
                r.clone(),
                format!(
                    "public IP `{}` is not in the input",
                    r.str().map(last_segment).unwrap_or("?")
                ),
            ),
            None => (
                ipc.clone(),
                "the IP configuration names no public IP".to_owned(),
            ),
        };
        self.f.at_path(
            Code::MissingPublicIp,
            &at,
            pip_path,
            format!(
                "gateway `{gateway}`, IP configuration `{ipc_name}`: {what}, so the instance gets {UNKNOWN_ADDRESS}; add the public IP's document (`az network public-ip show`) to the import, or write the address in the topology"
            ),
        );
        (None, None)
    }

    /// The zone of a public IP: one zone, or none for a zone-redundant or zoneless one.
    fn zone(&mut self, pip: &Resource<'a>, path: &FieldPath) -> Option<u8> {
        let zones = pip.j.get("zones").or_else(|| pip.props.get("zones"))?;
        let items = zones.items();
        match items.as_slice() {
            [] => None,
            [one] => {
                let parsed = match &one.node.value {
                    crate::format::spanned::Value::Str(s) => s.trim().parse::<u8>().ok(),
                    crate::format::spanned::Value::Int(i) => u8::try_from(*i).ok(),
                    _ => None,
                };
                match parsed {
                    Some(z) => {
                        self.from(path, one);
                        Some(z)
                    }
                    None => {
                        self.f.at_path(
                            Code::InvalidValue,
                            one,
                            path.clone(),
                            format!(
                                "a zone must be a number such as \"1\", found {}",
                                one.kind()
                            ),
                        );
                        None
                    }
                }
            }
            many => {
                self.f.at_path(
                    Code::DerivedValue,
                    &zones,
                    path.clone(),
                    format!(
                        "public IP `{}` is zone-redundant ({} zones): the instance's zone is not fixed, so none is set",
                        pip.name,
                        many.len()
                    ),
                );
                None
            }
        }
    }

    /// The virtual network's address space and the gateway subnet, when the virtual
    /// network is in the input.
    fn vnet(&mut self, props: &J<'a>, gateway: &mut Gateway) {
        let Some(subnet_ref) = props
            .get("ipConfigurations")
            .and_then(|l| l.items().into_iter().next())
            .and_then(|ipc| {
                ipc.get("properties")
                    .filter(J::is_map)
                    .unwrap_or(ipc)
                    .get("subnet")
            })
            .and_then(|s| s.get("id"))
        else {
            return;
        };
        let Some(subnet_id) = subnet_ref.str() else {
            return;
        };
        let lower = subnet_id.to_ascii_lowercase();
        let Some(cut) = lower.find("/subnets/") else {
            return;
        };
        let vnet_id = &subnet_id[..cut];
        let subnet_name = last_segment(subnet_id);
        let gp = path().key("gateway");
        let res = self.res;
        let Some(vnet) = res.find(vnet_id).filter(|r| r.kind == Kind::Vnet) else {
            self.f.at(
                Code::VnetNotInInput,
                &subnet_ref,
                format!(
                    "virtual network `{}` is not in the input: `vnet_address_space` and `gateway_subnet` stay empty and the checks that need them are skipped; add `az network vnet show` output to import them",
                    last_segment(vnet_id)
                ),
            );
            return;
        };
        let space = vnet
            .props
            .get("addressSpace")
            .and_then(|a| a.get("addressPrefixes"));
        gateway.vnet_address_space = self.prefixes(
            space,
            &gp.clone().key("vnet_address_space"),
            "`addressSpace.addressPrefixes`",
        );
        // The subnet: its own resource, else the VNet's inline list.
        let subnet = res
            .find(subnet_id)
            .filter(|r| r.kind == Kind::Subnet)
            .map(|r| r.props.clone())
            .or_else(|| {
                vnet.props
                    .get("subnets")?
                    .items()
                    .into_iter()
                    .find(|s| {
                        s.get("name")
                            .and_then(|n| n.str())
                            .is_some_and(|n| n.eq_ignore_ascii_case(subnet_name))
                    })
                    .map(|s| s.get("properties").filter(J::is_map).unwrap_or(s))
            });
        if let Some(subnet) = subnet {
            let prefix = subnet.get("addressPrefix").or_else(|| {
                subnet
                    .get("addressPrefixes")
                    .and_then(|p| p.items().into_iter().next())
            });
            if let Some(p) = prefix {
                gateway.gateway_subnet =
                    self.prefix(&p, &gp.clone().key("gateway_subnet"), "the gateway subnet");
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Connections and local gateways.

    /// The connections to import, with the index of their local gateway resource.
    fn select_connections(&mut self, info: &GatewayInfo) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let res = self.res;
        let conns: Vec<usize> = res.of_kind(Kind::Connection).map(|(i, _)| i).collect();
        for ci in conns {
            let c = &res.list[ci];
            let props = c.props.clone();
            // Whose connection is it?
            let Some(gw_ref) = props
                .get("virtualNetworkGateway1")
                .and_then(|g| g.get("id"))
            else {
                let at = props
                    .get("virtualNetworkGateway1")
                    .unwrap_or_else(|| c.j.clone());
                self.f.at(
                    Code::MissingValue,
                    &at,
                    format!(
                        "connection `{}` has no `virtualNetworkGateway1.id`: left out",
                        c.name
                    ),
                );
                continue;
            };
            let Some(gw_id) = gw_ref.str() else {
                self.wrong_type(&gw_ref, &path(), "`virtualNetworkGateway1.id`", "a string");
                continue;
            };
            match res.index_of(gw_id) {
                Some(i) if i == info.index => {}
                Some(i) if res.list[i].kind == Kind::Gateway => {
                    let message = format!(
                        "connection `{}` belongs to gateway `{}`, not to the imported `{}`: left out",
                        c.name, res.list[i].name, info.name
                    );
                    self.f.at(Code::GatewayNotSelected, &gw_ref, message);
                    continue;
                }
                _ => {
                    let message = format!(
                        "connection `{}` belongs to gateway `{}`, which is not in the input (the imported gateway is `{}`): left out",
                        c.name,
                        last_segment(gw_id),
                        info.name
                    );
                    self.f.at(Code::DanglingReference, &gw_ref, message);
                    continue;
                }
            }
            // Which kind of connection?
            let lg_ref = props.get("localNetworkGateway2").and_then(|g| g.get("id"));
            match props.get("connectionType") {
                Some(t) => {
                    let Some(ty) = self.text(&t, &path(), "`connectionType`") else {
                        continue;
                    };
                    if !ty.eq_ignore_ascii_case("IPsec") {
                        let what = match ty.to_ascii_lowercase().as_str() {
                            "vnet2vnet" => "a VNet-to-VNet connection",
                            "expressroute" => "an ExpressRoute connection",
                            "vpnclient" => "a point-to-site connection",
                            _ => "a connection of another type",
                        };
                        self.f.at(
                            Code::UnsupportedConnectionType,
                            &t,
                            format!(
                                "connection `{}` is {what} ({}): only IPsec site-to-site connections are imported; left out",
                                c.name,
                                quote(ty)
                            ),
                        );
                        continue;
                    }
                }
                None if lg_ref.is_some() => {
                    self.f.at(
                        Code::DefaultApplied,
                        &c.j,
                        format!(
                            "connection `{}` has no `connectionType`; it names a local gateway, so it is read as IPsec",
                            c.name
                        ),
                    );
                }
                None => {
                    self.f.at(
                        Code::MissingValue,
                        &c.j,
                        format!(
                            "connection `{}` has no `connectionType` and no `localNetworkGateway2`: left out",
                            c.name
                        ),
                    );
                    continue;
                }
            }
            let Some(lg_ref) = lg_ref else {
                self.f.at(
                    Code::MissingValue,
                    &c.j,
                    format!(
                        "IPsec connection `{}` has no `localNetworkGateway2.id`: left out",
                        c.name
                    ),
                );
                continue;
            };
            let Some(lg_id) = self.text(&lg_ref, &path(), "`localNetworkGateway2.id`") else {
                continue;
            };
            match res.index_of(lg_id) {
                Some(li) if res.list[li].kind == Kind::LocalGateway => out.push((ci, li)),
                _ => {
                    let message = format!(
                        "connection `{}` references local gateway `{}`, which is not in the input: left out; add the local gateway's document (`az network local-gateway show`)",
                        c.name,
                        last_segment(lg_id)
                    );
                    self.f.at(Code::DanglingReference, &lg_ref, message);
                }
            }
        }
        out
    }

    /// Builds the local gateways the selected connections use, and those no connection in
    /// the input uses; returns their topology names by resource index.
    fn local_gateways(
        &mut self,
        gateway: usize,
        selected: &[(usize, usize)],
        topology: &mut Topology,
    ) -> HashMap<usize, String> {
        // A local gateway is left out only when every connection to it belongs to another
        // gateway of the input (it is that gateway's device); one that no connection uses,
        // or only a connection to a gateway not in the input, is kept.
        let res = self.res;
        let mut theirs: HashMap<usize, bool> = HashMap::new();
        for (_, c) in res.of_kind(Kind::Connection) {
            let target = |k: &str| {
                c.props
                    .get(k)
                    .and_then(|g| g.get("id"))
                    .and_then(|id| id.str().and_then(|id| res.index_of(id)))
            };
            let Some(lg) = target("localNetworkGateway2") else {
                continue;
            };
            let other_gateway = target("virtualNetworkGateway1")
                .is_some_and(|g| g != gateway && res.list[g].kind == Kind::Gateway);
            let entry = theirs.entry(lg).or_insert(true);
            *entry = *entry && other_gateway;
        }
        let used: HashSet<usize> = selected.iter().map(|&(_, l)| l).collect();
        let wanted: Vec<usize> = res
            .of_kind(Kind::LocalGateway)
            .map(|(i, _)| i)
            .filter(|i| used.contains(i) || !theirs.get(i).copied().unwrap_or(false))
            .collect();
        let mut names = HashMap::new();
        let mut taken: HashSet<String> = HashSet::new();
        for li in wanted {
            let r = &res.list[li];
            let mut name = r.name.clone();
            if taken.contains(&name) {
                name = self.rename(r, &name, "local gateway", topology.local_gateways.len());
            }
            taken.insert(name.clone());
            let index = topology.local_gateways.len();
            let lg = self.local_gateway(r, &name, index);
            topology.local_gateways.push(lg);
            names.insert(li, name);
        }
        names
    }

    /// A name for the second resource of a kind with `name`: `<name>-<resource group>`.
    fn rename(&mut self, r: &Resource<'a>, name: &str, what: &str, index: usize) -> String {
        let renamed = match &r.group {
            Some(g) => format!("{name}-{g}"),
            None => format!("{name}-{index}"),
        };
        self.f.at(
            Code::Renamed,
            &r.j,
            format!("another {what} is named `{name}`: this one is imported as `{renamed}`"),
        );
        renamed
    }

    fn local_gateway(&mut self, r: &Resource<'a>, name: &str, index: usize) -> LocalGateway {
        let lp = path().key("local_gateways").index(index);
        self.from(&lp, &r.j);
        if let Some(n) = r.j.get("name") {
            self.from(&lp.clone().key("name"), &n);
        }
        if r.via != Via::Own {
            self.embedded_used(r, "local gateway");
        }
        let props = r.props.clone();
        let mut lg = LocalGateway::new(name, UNKNOWN_ADDRESS);
        lg.gateway_ip = None;

        // The endpoint: an IP, an FQDN, or both; each says what stands in when it is bad.
        let ip_j = props.get("gatewayIpAddress");
        let fqdn_j = props.get("fqdn");
        let ip_ok = ip_j
            .as_ref()
            .and_then(J::str)
            .is_some_and(|s| s.trim().parse::<IpAddr>().is_ok());
        let fqdn_ok = fqdn_j
            .as_ref()
            .and_then(J::str)
            .is_some_and(|s| s.trim().parse::<Fqdn>().is_ok());
        let stand_in = format!("the topology gets {UNKNOWN_ADDRESS}");
        if let Some(j) = &ip_j {
            let then = if fqdn_ok {
                "the device is known by its FQDN only"
            } else {
                &stand_in
            };
            lg.gateway_ip = self.ip(j, &lp.clone().key("gateway_ip"), "`gatewayIpAddress`", then);
        }
        if let Some((s, j)) = self.field_text(&props, "fqdn", &lp.clone().key("fqdn"), "`fqdn`")
            && !s.trim().is_empty()
        {
            match s.trim().parse::<Fqdn>() {
                Ok(fqdn) => {
                    self.from(&lp.clone().key("fqdn"), &j);
                    lg.fqdn = Some(fqdn);
                }
                Err(e) => {
                    let then = if ip_ok {
                        "left out; the device keeps its `gatewayIpAddress`"
                    } else {
                        &stand_in
                    };
                    self.f.at_path(
                        Code::InvalidValue,
                        &j,
                        lp.clone().key("fqdn"),
                        format!("`fqdn`: {e}: {then}"),
                    );
                }
            }
        }
        if lg.gateway_ip.is_none() && lg.fqdn.is_none() {
            // The device needs an endpoint to be a device; the finding above (or this one)
            // says the topology's address is a stand-in.
            lg.gateway_ip = Some(UNKNOWN_ADDRESS);
            if ip_j.is_none() && fqdn_j.is_none() {
                self.f.at_path(
                    Code::MissingValue,
                    &r.j,
                    lp.clone().key("gateway_ip"),
                    format!(
                        "local gateway `{name}` has neither `gatewayIpAddress` nor `fqdn`: the topology gets {UNKNOWN_ADDRESS}"
                    ),
                );
            }
        }

        let space = props
            .get("localNetworkAddressSpace")
            .and_then(|s| s.get("addressPrefixes"));
        lg.address_prefixes = self.prefixes(
            space,
            &lp.clone().key("address_prefixes"),
            "`localNetworkAddressSpace.addressPrefixes`",
        );

        if let Some(bgp) = props.get("bgpSettings").filter(J::is_map) {
            let bp = lp.clone().key("bgp");
            let asn_j = bgp.get("asn");
            let asn = self.unsigned(&bgp, "asn", &bp.clone().key("asn"));
            let addr_j = bgp
                .get("bgpPeeringAddress")
                .filter(|a| a.str().is_none_or(|s| !s.trim().is_empty()));
            let addr = match &addr_j {
                Some(a) => self.ip(
                    a,
                    &bp.clone().key("peering_address"),
                    "`bgpPeeringAddress`",
                    "imported without BGP",
                ),
                None => None,
            };
            match (asn, addr) {
                (Some((asn, _)), Some(addr)) => {
                    self.from(&bp, &bgp);
                    lg.bgp = Some(LocalBgp::new(asn, addr));
                }
                (asn, _) => {
                    // Azure writes empty BGP settings (ASN 0, no address) on devices
                    // without BGP; a wrong value was reported where it was read.
                    let no_bgp = addr_j.is_none() && matches!(asn, None | Some((0, _)));
                    let missing = if no_bgp {
                        None
                    } else if asn_j.is_none() {
                        Some("`asn`")
                    } else if addr_j.is_none() {
                        Some("`bgpPeeringAddress`")
                    } else {
                        None
                    };
                    if let Some(missing) = missing.filter(|_| !(no_bgp && asn_j.is_none())) {
                        self.f.at_path(
                            Code::MissingValue,
                            &bgp,
                            bp,
                            format!(
                                "local gateway `{name}` has BGP settings without {missing}: imported without BGP"
                            ),
                        );
                    }
                }
            }
        }
        lg
    }

    fn connection(
        &mut self,
        r: &Resource<'a>,
        local_gateway: &str,
        index: usize,
        info: &GatewayInfo,
        topology: &mut Topology,
    ) -> Connection {
        let cp = path().key("connections").index(index);
        self.from(&cp, &r.j);
        let props = r.props.clone();
        if let Some(l) = props.get("localNetworkGateway2").and_then(|l| l.get("id")) {
            self.from(&cp.clone().key("local_gateway"), &l);
        }
        let mut c = Connection::new(&r.name, local_gateway);
        c.enable_bgp = self
            .boolean(&props, "enableBgp", &cp.clone().key("enable_bgp"))
            .unwrap_or(false);
        if let Some(p) =
            self.named::<Protocol>(&props, "connectionProtocol", &cp.clone().key("protocol"))
        {
            c.protocol = p;
        }
        if let Some((dpd, j)) = self.unsigned(
            &props,
            "dpdTimeoutSeconds",
            &cp.clone().key("dpd_timeout_seconds"),
        ) {
            if dpd == 0 {
                self.f.at_path(
                    Code::DefaultApplied,
                    &j,
                    cp.clone().key("dpd_timeout_seconds"),
                    format!(
                        "connection `{}`: `dpdTimeoutSeconds: 0` means Azure's default, {} seconds",
                        r.name, c.dpd_timeout_seconds
                    ),
                );
            } else {
                c.dpd_timeout_seconds = dpd;
            }
        }
        // `Default` is what Azure reports when no mode was chosen; it is left unset so
        // that an IKEv1 connection is not taken to have chosen one.
        c.connection_mode = self
            .named::<ConnectionMode>(&props, "connectionMode", &cp.clone().key("connection_mode"))
            .filter(|m| *m != ConnectionMode::Default);
        c.use_policy_based_traffic_selectors = self
            .boolean(
                &props,
                "usePolicyBasedTrafficSelectors",
                &cp.clone().key("use_policy_based_traffic_selectors"),
            )
            .unwrap_or(false);
        c.ipsec_policy = self.ipsec_policy(&r.name, &props, &cp);

        if let Some(key) = props.get("sharedKey") {
            let kp = cp.clone().key("shared_key");
            if key.doc.unresolved.contains_key(&key.path) {
                // An export's keys are template parameters without a value, as they should be.
                self.f.at_path(
                    Code::SharedKeyNotExported,
                    &key,
                    kp,
                    format!(
                        "connection `{}` takes its shared key from a template parameter with no value here: supply it as `shared_key: {{env: NAME}}` in the topology",
                        r.name
                    ),
                );
            } else if let Some(s) = key.str() {
                self.from(&kp, &key);
                c.shared_key = Some(SharedKey::Inline(Secret::new(s.to_owned())));
                self.f.at_path(
                    Code::SharedKeyNotExported,
                    &key,
                    kp,
                    format!(
                        "connection `{}` carries a shared key: it is checked, but never written out or shown; supply it as `shared_key: {{env: NAME}}` in the topology",
                        r.name
                    ),
                );
            } else {
                self.wrong_type(&key, &kp, "`sharedKey`", "a string");
            }
        }

        let not_modelled = |b: &mut Self, key: &str, what: &str| {
            if let Some(j) = props.get(key).filter(|v| !v.items().is_empty()) {
                b.f.at_path(
                    Code::NotModelled,
                    &j,
                    cp.clone(),
                    format!(
                        "connection `{}` has {what}, which vpnha does not model: left out",
                        r.name
                    ),
                );
            }
        };
        not_modelled(self, "trafficSelectorPolicies", "custom traffic selectors");
        not_modelled(self, "ingressNatRules", "ingress NAT rules");
        not_modelled(self, "egressNatRules", "egress NAT rules");
        if let Some(a) = props.get("authenticationType")
            && a.str()
                .is_some_and(|s| s.eq_ignore_ascii_case("Certificate"))
        {
            self.f.at_path(
                Code::NotModelled,
                &a,
                cp.clone(),
                format!(
                    "connection `{}` authenticates with certificates, which vpnha does not model: it is imported as a pre-shared-key connection",
                    r.name
                ),
            );
        }
        self.custom_bgp(r, &props, &c, info, topology);
        c
    }

    fn ipsec_policy(&mut self, conn: &str, props: &J<'a>, cp: &FieldPath) -> Option<IpsecPolicy> {
        let list = props.get("ipsecPolicies")?;
        let pp = cp.clone().key("ipsec_policy");
        if !list.is_seq() {
            self.wrong_type(&list, &pp, "`ipsecPolicies`", "an array");
            return None;
        }
        let items = list.items();
        let first = items.first()?;
        if items.len() > 1 {
            self.f.at_path(
                Code::SeveralIpsecPolicies,
                &list,
                pp.clone(),
                format!(
                    "connection `{conn}` lists {} IPsec policies; Azure applies one per connection: the first is imported",
                    items.len()
                ),
            );
        }
        let mut missing = Vec::new();
        let mut text = |b: &mut Self, key: &'static str, field: &str| -> Option<String> {
            let fp = pp.clone().key(field);
            match first.get(key) {
                Some(j) => {
                    let s = b.text(&j, &fp, &format!("`{key}`"))?;
                    b.from(&fp, &j);
                    Some(s.to_owned())
                }
                None => {
                    missing.push(key);
                    None
                }
            }
        };
        let ike_encryption = text(self, "ikeEncryption", "ike_encryption");
        let ike_integrity = text(self, "ikeIntegrity", "ike_integrity");
        let dh_group = text(self, "dhGroup", "dh_group");
        let ipsec_encryption = text(self, "ipsecEncryption", "ipsec_encryption");
        let ipsec_integrity = text(self, "ipsecIntegrity", "ipsec_integrity");
        let pfs_group = text(self, "pfsGroup", "pfs_group");
        let mut number = |b: &mut Self, key: &'static str, field: &str| -> Option<u64> {
            if first.get(key).is_none() {
                missing.push(key);
                return None;
            }
            b.unsigned(first, key, &pp.clone().key(field))
                .map(|(n, _)| n)
        };
        let sa_lifetime_seconds = number(self, "saLifeTimeSeconds", "sa_lifetime_seconds");
        let sa_data_size_kilobytes = number(self, "saDataSizeKilobytes", "sa_data_size_kilobytes");
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
            self.f.at_path(
                Code::MissingValue,
                first,
                pp,
                format!(
                    "connection `{conn}`'s IPsec policy lacks {} (Azure accepts no partial policy): the policy is left out",
                    list.join(", ")
                ),
            );
            return None;
        }
        fn known<T: std::str::FromStr<Err = UnknownName>>(
            s: Option<String>,
        ) -> Option<MaybeKnown<T>> {
            s.map(|s| match s.parse() {
                Ok(v) => MaybeKnown::Known(v),
                Err(_) => MaybeKnown::Unknown(s),
            })
        }
        let policy = IpsecPolicy {
            ike_encryption: known(ike_encryption)?,
            ike_integrity: known(ike_integrity)?,
            dh_group: known(dh_group)?,
            ipsec_encryption: known(ipsec_encryption)?,
            ipsec_integrity: known(ipsec_integrity)?,
            pfs_group: known(pfs_group)?,
            sa_lifetime_seconds: sa_lifetime_seconds?,
            sa_data_size_kilobytes: sa_data_size_kilobytes?,
        };
        self.from(&pp, first);
        Some(policy)
    }

    /// A connection's choice of custom (APIPA) BGP addresses: each must name an IP
    /// configuration of the gateway; the addresses join that instance's list when BGP is on.
    fn custom_bgp(
        &mut self,
        r: &Resource<'a>,
        props: &J<'a>,
        c: &Connection,
        info: &GatewayInfo,
        topology: &mut Topology,
    ) {
        let Some(list) = props.get("gatewayCustomBgpIpAddresses") else {
            return;
        };
        for e in list.items() {
            let id = e
                .get("ipConfigurationId")
                .and_then(|i| i.str())
                .unwrap_or_default();
            let (ipc, gw) = ip_configuration_of(id);
            let Some(ipc) = ipc else {
                self.f.at(
                    Code::InconsistentInput,
                    &e,
                    format!(
                        "connection `{}`: a `gatewayCustomBgpIpAddresses` entry without an `ipConfigurationId` naming an IP configuration: left out",
                        r.name
                    ),
                );
                continue;
            };
            let at = e.get("ipConfigurationId").unwrap_or_else(|| e.clone());
            if let Some(gw) = gw.filter(|gw| !gw.eq_ignore_ascii_case(&info.name)) {
                self.f.at(
                    Code::InconsistentInput,
                    &at,
                    format!(
                        "connection `{}` chooses a custom BGP address on IP configuration `{ipc}` of gateway `{gw}`, but its gateway is `{}`: left out",
                        r.name, info.name
                    ),
                );
                continue;
            }
            let config = info
                .ip_configs
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(ipc));
            let Some(config) = config else {
                let have: Vec<String> = info
                    .ip_configs
                    .iter()
                    .map(|x| format!("`{}`", x.name))
                    .collect();
                let mut message = format!(
                    "connection `{}` chooses a custom BGP address on IP configuration `{ipc}`, which gateway `{}` does not have (it has {})",
                    r.name,
                    info.name,
                    if have.is_empty() {
                        "none".to_owned()
                    } else {
                        have.join(", ")
                    }
                );
                if !info.active_active && info.ip_configs.len() < 2 {
                    message.push_str(
                        "; the gateway is active-standby (`activeActive: false`), so there is no second IP configuration for it to name",
                    );
                }
                message.push_str(": left out");
                self.f.at(Code::InconsistentInput, &at, message);
                continue;
            };
            let Some(instance) = config.instance else {
                self.f.at(
                    Code::InconsistentInput,
                    &at,
                    format!(
                        "connection `{}` chooses a custom BGP address on IP configuration `{ipc}`, which is not imported as an instance: left out",
                        r.name
                    ),
                );
                continue;
            };
            // Only with BGP on do the addresses mean anything.
            if !c.enable_bgp {
                continue;
            }
            let Some(aj) = e.get("customBgpIpAddress") else {
                continue;
            };
            let cpath = path()
                .key("gateway")
                .key("instances")
                .index(instance)
                .key("custom_bgp_addresses");
            let Some(addr) = self.ip(&aj, &cpath, "a custom BGP address", "left out") else {
                continue;
            };
            let Some(inst) = topology.gateway.instances.get_mut(instance) else {
                continue;
            };
            if inst.custom_bgp_addresses.contains(&addr) {
                continue;
            }
            let message = if inst.custom_bgp_addresses.is_empty() {
                self.f.at_path(
                    Code::DerivedValue,
                    &aj,
                    cpath.clone(),
                    format!(
                        "connection `{}` uses custom BGP address {addr} on IP configuration `{ipc}`: added to instance {instance}'s custom BGP addresses",
                        r.name
                    ),
                );
                None
            } else {
                Some(format!(
                    "connection `{}` uses custom BGP address {addr} on IP configuration `{ipc}`, which is not among the gateway's custom BGP addresses for it ({}): added",
                    r.name,
                    inst.custom_bgp_addresses
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            };
            inst.custom_bgp_addresses.push(addr);
            if let Some(m) = message {
                self.f.at_path(Code::InconsistentInput, &aj, cpath, m);
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Sites.

    /// Devices whose prefixes overlap serve one network: they get one `site`.
    fn sites(&mut self, topology: &mut Topology) {
        let lgs = &topology.local_gateways;
        let n = lgs.len();
        // The prefixes that say which network a device serves: not a default route, not
        // the host route of its own BGP peer (the old guidance put that /32 there).
        let own: Vec<Vec<IpNetwork>> = lgs
            .iter()
            .map(|l| {
                l.address_prefixes
                    .iter()
                    .copied()
                    .filter(|p| p.prefix() > 0)
                    .filter(|p| {
                        !l.bgp.as_ref().is_some_and(|b| {
                            p.ip() == b.peering_address
                                && p.prefix() == if p.is_ipv4() { 32 } else { 128 }
                        })
                    })
                    .collect()
            })
            .collect();
        let overlaps = |a: &IpNetwork, b: &IpNetwork| {
            a.is_ipv4() == b.is_ipv4() && (a.contains(b.ip()) || b.contains(a.ip()))
        };
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for i in 0..n {
            for j in i + 1..n {
                if own[i].iter().any(|a| own[j].iter().any(|b| overlaps(a, b))) {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    if ri != rj {
                        parent[rj.max(ri)] = ri.min(rj);
                    }
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        let names: HashSet<String> = lgs.iter().map(|l| l.name.clone()).collect();
        let mut site_names: HashSet<String> = HashSet::new();
        let mut notes = Vec::new();
        for members in groups.values().filter(|m| m.len() >= 2) {
            let member_names: Vec<&str> = members.iter().map(|&i| lgs[i].name.as_str()).collect();
            let mut site = common_prefix(&member_names);
            let clash = |s: &str| {
                (names.contains(s) && !member_names.contains(&s)) || site_names.contains(s)
            };
            if site.len() < 2 {
                site = member_names[0].to_owned();
            }
            if clash(&site) {
                site = format!("{site}-site");
            }
            site_names.insert(site.clone());
            let mut shared: Vec<String> = Vec::new();
            for &i in members {
                for p in &own[i] {
                    let with_other = members
                        .iter()
                        .any(|&j| j != i && own[j].iter().any(|q| overlaps(p, q)));
                    if with_other && !shared.contains(&p.to_string()) {
                        shared.push(p.to_string());
                    }
                }
            }
            shared.truncate(6);
            notes.push((members.clone(), site, shared));
        }
        for (members, site, shared) in notes {
            for &i in &members {
                topology.local_gateways[i].site = Some(site.clone());
            }
            let first = members[0];
            let list: Vec<String> = members
                .iter()
                .map(|&i| format!("`{}`", topology.local_gateways[i].name))
                .collect();
            let path = path().key("local_gateways").index(first).key("site");
            let source = self.origin_of_prefixes(first);
            self.origins.insert(path.clone(), source.clone());
            self.f.list.push(crate::import::Finding {
                path,
                source: Some(source),
                ..crate::import::Finding::new(
                    Code::SiteGrouped,
                    format!(
                        "local gateways {} have overlapping address prefixes ({}), so they serve one network: grouped as site `{site}`; change `site:` if they do not",
                        list.join(", "),
                        shared.join(", ")
                    ),
                )
            });
        }
        // Devices with BGP and no prefixes to compare: a hint when they share an ASN.
        let mut by_asn: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for (i, l) in topology.local_gateways.iter().enumerate() {
            if let (None, Some(b), true) = (&l.site, &l.bgp, own[i].is_empty()) {
                by_asn.entry(b.asn).or_default().push(i);
            }
        }
        for (asn, members) in by_asn.into_iter().filter(|(_, m)| m.len() >= 2) {
            let list: Vec<String> = members
                .iter()
                .map(|&i| format!("`{}`", topology.local_gateways[i].name))
                .collect();
            let path = path()
                .key("local_gateways")
                .index(members[0])
                .key("bgp")
                .key("asn");
            let source = self.origins.get(&path).cloned();
            self.f.list.push(crate::import::Finding {
                path,
                source,
                ..crate::import::Finding::new(
                    Code::SiteHint,
                    format!(
                        "local gateways {} share ASN {asn} and list no address prefixes, so vpnha cannot tell whether they serve one network: each is its own site; if they serve one network, give them the same `site`",
                        list.join(", ")
                    ),
                )
            });
        }
    }

    fn origin_of_prefixes(&self, lg: usize) -> SourceRef {
        let base = path().key("local_gateways").index(lg);
        let want = base.clone().key("address_prefixes");
        self.origins
            .get(&want)
            .or_else(|| self.origins.get(&base))
            .cloned()
            .unwrap_or(SourceRef {
                file: String::new(),
                pointer: String::new(),
                location: None,
                span: None,
            })
    }
}

/// The longest common leading text of names, without a trailing separator: `hq-fw` for
/// `hq-fw-a` and `hq-fw-b`.
fn common_prefix(names: &[&str]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut len = first.len();
    for n in &names[1..] {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len]
        .trim_end_matches(['-', '_', '.', ' '])
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_told_from_typos() {
        for p in [
            "x.x.x.x",
            "X.X.X.X",
            "xxx.xxx.xxx.xxx",
            "*.*.*.*",
            "",
            "<your-ip>",
            "x::x",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for t in ["203.0.113.300", "203.0.113", "vpn.example", "1.2.3.x"] {
            assert!(!is_placeholder(t), "{t}");
        }
    }

    #[test]
    fn site_names_come_from_what_device_names_share() {
        assert_eq!(common_prefix(&["hq-fw-a", "hq-fw-b"]), "hq-fw");
        assert_eq!(
            common_prefix(&["lng-hq-1", "lng-hq-2", "lng-hq-3"]),
            "lng-hq"
        );
        assert_eq!(common_prefix(&["a", "b"]), "");
        assert_eq!(common_prefix(&["zürich-1", "zürich-2"]), "zürich");
    }
}
