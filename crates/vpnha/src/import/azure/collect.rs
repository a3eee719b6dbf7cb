//! Finding the Azure resources in documents of any of the shapes Azure tools write.
//!
//! Shapes: one resource (REST `GET`, `az ... show`, ARM resource JSON, with `properties` or
//! with them flattened to the top as the Azure CLI does); an array of any of these
//! (`az ... list`, `az resource list`); a REST list response (`{"value": [...]}`); an ARM
//! template (`resources`, with child resources); a REST example file (`parameters` and
//! `responses`: the first 2xx response body is the resource, the request body only lends
//! the gateways and local gateways embedded in a connection). A connection's embedded
//! `virtualNetworkGateway1/2` and `localNetworkGateway2`, when they carry properties, are
//! resources too, used only when the resource's own document is not in the input.

use std::collections::{BTreeMap, HashMap};

use super::super::json::J;
use super::Findings;
use crate::import::Code;

/// The deepest array/object nesting searched for resources.
const MAX_DEPTH: usize = 8;

/// What a resource is, for vpnha.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Gateway,
    LocalGateway,
    Connection,
    PublicIp,
    Vnet,
    Subnet,
    /// A Virtual WAN VPN gateway (`Microsoft.Network/vpnGateways`).
    WanGateway,
    Other,
}

impl Kind {
    fn from_type(t: &str) -> Kind {
        match t.to_ascii_lowercase().as_str() {
            "microsoft.network/virtualnetworkgateways" => Kind::Gateway,
            "microsoft.network/localnetworkgateways" => Kind::LocalGateway,
            "microsoft.network/connections" => Kind::Connection,
            "microsoft.network/publicipaddresses" => Kind::PublicIp,
            "microsoft.network/virtualnetworks" => Kind::Vnet,
            "microsoft.network/virtualnetworks/subnets" => Kind::Subnet,
            "microsoft.network/vpngateways" => Kind::WanGateway,
            _ => Kind::Other,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Kind::Gateway => "Microsoft.Network/virtualNetworkGateways",
            Kind::LocalGateway => "Microsoft.Network/localNetworkGateways",
            Kind::Connection => "Microsoft.Network/connections",
            Kind::PublicIp => "Microsoft.Network/publicIPAddresses",
            Kind::Vnet => "Microsoft.Network/virtualNetworks",
            Kind::Subnet => "Microsoft.Network/virtualNetworks/subnets",
            Kind::WanGateway => "Microsoft.Network/vpnGateways",
            Kind::Other => "",
        }
    }

    /// Properties one of which a resource of this kind must have to be more than a stub
    /// (`az resource list` lists resources without their properties).
    fn telltales(self) -> &'static [&'static str] {
        match self {
            Kind::Gateway => &["ipConfigurations", "gatewayType", "vpnType", "bgpSettings"],
            Kind::LocalGateway => &[
                "gatewayIpAddress",
                "fqdn",
                "localNetworkAddressSpace",
                "bgpSettings",
            ],
            Kind::Connection => &["connectionType", "virtualNetworkGateway1"],
            Kind::PublicIp => &["ipAddress", "publicIPAllocationMethod", "ipConfiguration"],
            Kind::Vnet => &["addressSpace", "subnets"],
            Kind::Subnet => &["addressPrefix", "addressPrefixes"],
            Kind::WanGateway | Kind::Other => &[],
        }
    }

    /// Whether vpnha reads resources of this kind.
    fn is_read(self) -> bool {
        !matches!(self, Kind::Other | Kind::WanGateway)
    }

    /// The kind of an untyped object (a REST request body, hand-written JSON).
    fn infer(props: &J<'_>) -> Option<Kind> {
        let has = |k: &str| props.get(k).is_some();
        if has("connectionType") || has("virtualNetworkGateway1") {
            Some(Kind::Connection)
        } else if has("gatewayType") || (has("ipConfigurations") && has("vpnType")) {
            Some(Kind::Gateway)
        } else if has("gatewayIpAddress") || has("localNetworkAddressSpace") {
            Some(Kind::LocalGateway)
        } else if has("ipAddress") && has("publicIPAllocationMethod") {
            Some(Kind::PublicIp)
        } else if has("addressSpace") && has("subnets") {
            Some(Kind::Vnet)
        } else {
            None
        }
    }
}

/// How a resource came into the input; lower is preferred when one id appears twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Via {
    /// Its own document (or an item of a list or template).
    Own,
    /// Embedded in a connection (in a response body, or a resource of its own).
    Embedded,
    /// Embedded in a connection of a REST request body.
    Request,
}

/// One resource found in the input.
pub(crate) struct Resource<'a> {
    pub(crate) kind: Kind,
    /// The id as written, or one built from the type and name.
    pub(crate) id: String,
    pub(crate) name: String,
    /// The resource group, when the id names one.
    pub(crate) group: Option<String>,
    /// The resource object.
    pub(crate) j: J<'a>,
    /// Its `properties`, or the object itself when the properties are flattened to the top.
    pub(crate) props: J<'a>,
    pub(crate) via: Via,
    /// The connection it is embedded in, when it is.
    pub(crate) embedded_in: Option<String>,
}

/// The resources of the input, one per id, in input order.
pub(crate) struct Resources<'a> {
    pub(crate) list: Vec<Resource<'a>>,
    by_key: HashMap<String, usize>,
    by_suffix: HashMap<String, Vec<usize>>,
}

/// The lowercase form of an id for comparisons (Azure ids are case-insensitive).
pub(crate) fn id_key(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The part of an id key from its provider on (`microsoft.network/...`), which is all an
/// id built from an ARM template's `resourceId()` has.
fn id_suffix(key: &str) -> Option<&str> {
    key.rfind("/providers/")
        .map(|i| &key[i + "/providers/".len()..])
}

/// The id of a resource from its type and name: `Microsoft.Network/virtualNetworks/subnets`
/// and `vnet/GatewaySubnet` give
/// `/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet`.
pub(crate) fn build_id(type_name: &str, name: &str) -> String {
    let types: Vec<&str> = type_name.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    if types.len() >= 2 && types.len() - 1 == names.len() {
        let mut id = format!("/providers/{}", types[0]);
        for (t, n) in types[1..].iter().zip(&names) {
            id.push('/');
            id.push_str(t);
            id.push('/');
            id.push_str(n);
        }
        id
    } else {
        format!("/providers/{type_name}/{name}")
    }
}

/// The name after `/<segment>/` in an id, case-insensitively: the resource group of
/// `/subscriptions/s/resourceGroups/rg1/...` for `resourceGroups`.
pub(crate) fn id_segment<'i>(id: &'i str, segment: &str) -> Option<&'i str> {
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts.iter().position(|p| p.eq_ignore_ascii_case(segment))?;
    parts.get(i + 1).copied().filter(|s| !s.is_empty())
}

/// The last segment of an id: the resource's name.
pub(crate) fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

impl<'a> Resources<'a> {
    /// The resource an id refers to: the same id, else (for ids built from templates) the
    /// one resource whose id ends the same way from the provider on.
    pub(crate) fn find(&self, id: &str) -> Option<&Resource<'a>> {
        self.index_of(id).map(|i| &self.list[i])
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        let key = id_key(id);
        if let Some(&i) = self.by_key.get(&key) {
            return Some(i);
        }
        match self.by_suffix.get(id_suffix(&key)?).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    pub(crate) fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (usize, &Resource<'a>)> {
        self.list
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.kind == kind)
    }
}

/// Collects the resources of every document.
pub(crate) fn collect<'a>(roots: &[(J<'a>, bool)], f: &mut Findings) -> Resources<'a> {
    let mut c = Collector {
        found: Vec::new(),
        stubs: Vec::new(),
        f,
        ignored: BTreeMap::new(),
        recognised: 0,
    };
    for (root, known) in roots {
        if *known {
            // A parameters file: read for its values already.
            continue;
        }
        c.ignored.clear();
        c.recognised = 0;
        c.value(root, 0, Via::Own);
        if !c.ignored.is_empty() {
            let total: usize = c.ignored.values().sum();
            let list: Vec<String> = c
                .ignored
                .iter()
                .map(|(t, n)| {
                    if *n == 1 {
                        t.clone()
                    } else {
                        format!("{t} ×{n}")
                    }
                })
                .collect();
            c.f.at(
                Code::ResourcesIgnored,
                root,
                format!(
                    "{total} resource{} not part of a site-to-site VPN topology left out: {}",
                    if total == 1 { "" } else { "s" },
                    list.join(", ")
                ),
            );
        }
        if c.recognised == 0 && c.ignored.is_empty() {
            c.f.at(
                Code::UnknownDocument,
                root,
                format!(
                    "no Azure resource found in this document ({}): vpnha reads Azure resource JSON (`az network vnet-gateway show`, `local-gateway show`, `vpn-connection show`, `az resource list`, ARM exports, REST responses)",
                    root.kind()
                ),
            );
        }
    }
    let stubs = std::mem::take(&mut c.stubs);
    let resources = dedupe(c.found, f);
    // A stub is worth a word only when its resource is not in the input with properties.
    for (stub, kind, name) in stubs {
        let id = stub.get("id").and_then(|i| i.str()).unwrap_or_default();
        if resources.find(id).is_none_or(|r| r.kind != kind) {
            f.at(
                Code::MissingProperties,
                &stub,
                format!(
                    "{} `{name}` is listed without its properties (as `az resource list` does): left out; export it with its properties (`az network ... show`, `az resource show --ids ...`)",
                    kind.type_name()
                ),
            );
        }
    }
    resources
}

struct Collector<'a, 'f> {
    found: Vec<Resource<'a>>,
    /// Resources listed without their properties, with their kind and name.
    stubs: Vec<(J<'a>, Kind, String)>,
    f: &'f mut Findings,
    /// Resources of other types in the current document, by type.
    ignored: BTreeMap<String, usize>,
    /// Resources recognised in the current document.
    recognised: usize,
}

impl<'a> Collector<'a, '_> {
    fn value(&mut self, j: &J<'a>, depth: usize, via: Via) {
        if depth > MAX_DEPTH {
            return;
        }
        if j.is_seq() {
            for item in j.items() {
                self.value(&item, depth + 1, via);
            }
            return;
        }
        if !j.is_map() {
            return;
        }
        if j.get("terraform_version").is_some() {
            // Counted as recognised: the finding says what it is.
            self.recognised += 1;
            self.f.at(
                Code::UnknownDocument,
                j,
                "a Terraform state file, which vpnha does not read: export the deployed resources as JSON (`az network vnet-gateway show`, `az resource show`, ...)".to_owned(),
            );
        } else if let Some(responses) = j.get("responses").filter(J::is_map) {
            self.rest_example(j, &responses, depth);
        } else if let Some(resources) = j
            .get("resources")
            .filter(|r| r.is_seq() && j.get("type").is_none())
        {
            for item in resources.items() {
                self.template_resource(&item, None, depth + 1);
            }
        } else if let Some(items) = ["value", "data"]
            .iter()
            .find_map(|k| j.get(k).filter(|v| v.is_seq() && j.get("type").is_none()))
        {
            // A REST list response (`value`) or `az graph query` output (`data`).
            for item in items.items() {
                self.value(&item, depth + 1, via);
            }
        } else {
            self.resource(j, None, None, via, None);
        }
    }

    /// A REST example: the first 2xx response body is the resource; the request body's
    /// embedded resources stand in when the response's are empty.
    fn rest_example(&mut self, j: &J<'a>, responses: &J<'a>, depth: usize) {
        let mut bodies: Vec<(&str, J<'a>)> = responses
            .entries()
            .into_iter()
            .filter(|(status, _)| status.starts_with('2'))
            .filter_map(|(status, r)| r.get("body").filter(J::is_map).map(|b| (status, b)))
            .collect();
        bodies.sort_by_key(|(status, _)| *status);
        if let Some((_, body)) = bodies.first() {
            self.value(body, depth + 1, Via::Own);
        }
        if let Some(params) = j.get("parameters") {
            // The request names its resource in a parameter such as
            // `virtualNetworkGatewayConnectionName`.
            let connection = params.entries().into_iter().find_map(|(k, v)| {
                k.to_ascii_lowercase()
                    .ends_with("connectionname")
                    .then(|| v.str())
                    .flatten()
            });
            for (_, p) in params.entries() {
                if let Some(props) = p.get("properties").filter(J::is_map) {
                    self.embedded(&props, connection, Via::Request);
                }
            }
        }
    }

    /// A resource of an ARM template, with its child resources.
    fn template_resource(&mut self, j: &J<'a>, parent: Option<(&str, &str)>, depth: usize) {
        if depth > MAX_DEPTH || !j.is_map() {
            return;
        }
        let ty = j.get("type").and_then(|t| t.str()).unwrap_or_default();
        let name = j.get("name").and_then(|t| t.str()).unwrap_or_default();
        let (full_type, full_name) = match parent {
            Some((pt, pn)) if !ty.contains('/') => (format!("{pt}/{ty}"), format!("{pn}/{name}")),
            _ => (ty.to_owned(), name.to_owned()),
        };
        self.resource(j, Some(&full_type), Some(&full_name), Via::Own, None);
        if let Some(children) = j.get("resources").filter(J::is_seq) {
            for child in children.items() {
                self.template_resource(&child, Some((&full_type, &full_name)), depth + 1);
            }
        }
    }

    /// The gateways and local gateway embedded in a connection.
    fn embedded(&mut self, props: &J<'a>, connection: Option<&str>, via: Via) {
        for (key, kind) in [
            ("virtualNetworkGateway1", Kind::Gateway),
            ("virtualNetworkGateway2", Kind::Gateway),
            ("localNetworkGateway2", Kind::LocalGateway),
        ] {
            if let Some(e) = props.get(key).filter(J::is_map) {
                let via = if via == Via::Own { Via::Embedded } else { via };
                self.resource(&e, Some(kind.type_name()), None, via, connection);
            }
        }
    }

    fn resource(
        &mut self,
        j: &J<'a>,
        type_name: Option<&str>,
        full_name: Option<&str>,
        via: Via,
        embedded_in: Option<&str>,
    ) {
        let props = j
            .get("properties")
            .filter(J::is_map)
            .unwrap_or_else(|| j.clone());
        let written_type = type_name
            .map(str::to_owned)
            .or_else(|| j.get("type").and_then(|t| t.str()).map(str::to_owned));
        let kind = match &written_type {
            Some(t) => Kind::from_type(t),
            None => match Kind::infer(&props) {
                Some(k) => k,
                None => {
                    if via == Via::Own && j.is_nonempty_map() {
                        *self
                            .ignored
                            .entry("untyped objects".to_owned())
                            .or_default() += 1;
                    }
                    return;
                }
            },
        };
        if !kind.is_read() {
            if kind == Kind::WanGateway {
                self.f.at(
                    Code::UnsupportedGatewayType,
                    j,
                    "a Virtual WAN VPN gateway (`Microsoft.Network/vpnGateways`): vpnha models virtual network gateways only; left out".to_owned(),
                );
                self.recognised += 1;
            } else if via == Via::Own {
                let t = written_type.unwrap_or_default();
                *self.ignored.entry(t).or_default() += 1;
            }
            return;
        }
        // A template resource whose name or id only a deployment knows cannot be linked.
        if let Some(copy) = j.get("copy").filter(|_| via == Via::Own) {
            self.recognised += 1;
            self.f.at(
                Code::UnsupportedExpression,
                &copy,
                format!(
                    "a {} made by a `copy` loop: loops are not expanded, so it is left out; export the deployed resources instead",
                    kind.type_name()
                ),
            );
            return;
        }
        for key in ["name", "id"] {
            let unresolved = j
                .get(key)
                .and_then(|n| n.doc.unresolved.get(&n.path).map(|why| (n, why.clone())));
            if let Some((n, why)) = unresolved {
                if via == Via::Own {
                    self.recognised += 1;
                    self.f.at(
                        Code::UnsupportedExpression,
                        &n,
                        format!(
                            "a {} whose `{key}` cannot be evaluated ({why}): left out",
                            kind.type_name()
                        ),
                    );
                }
                return;
            }
        }
        let substantive = kind.telltales().iter().any(|k| props.get(k).is_some());
        let id_written = j.get("id").and_then(|i| i.str()).filter(|s| !s.is_empty());
        let name = full_name
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| {
                j.get("name")
                    .and_then(|n| n.str())
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
            })
            .or_else(|| id_written.map(|i| last_segment(i).to_owned()));
        if !substantive {
            if via == Via::Own {
                self.recognised += 1;
                let name = name.unwrap_or_else(|| "?".to_owned());
                self.stubs.push((j.clone(), kind, name));
            }
            return;
        }
        let Some(name) = name else {
            if via == Via::Own {
                self.recognised += 1;
                self.f.at(
                    Code::MissingValue,
                    j,
                    format!("a {} without `name` or `id`: left out", kind.type_name()),
                );
            }
            return;
        };
        let id = id_written.map_or_else(|| build_id(kind.type_name(), &name), str::to_owned);
        let display = last_segment(&name).to_owned();
        self.recognised += 1;
        self.found.push(Resource {
            kind,
            group: id_segment(&id, "resourceGroups").map(str::to_owned),
            id,
            name: display.clone(),
            j: j.clone(),
            props: props.clone(),
            via,
            embedded_in: embedded_in.map(str::to_owned),
        });
        if kind == Kind::Connection {
            self.embedded(&props, Some(&display), via);
        }
    }
}

/// One resource per id: its own document beats an embedded copy; between two of the same
/// standing, the first wins and the second is reported.
fn dedupe<'a>(found: Vec<Resource<'a>>, f: &mut Findings) -> Resources<'a> {
    let mut list: Vec<Resource<'a>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for r in found {
        let key = id_key(&r.id);
        match by_key.get(&key) {
            None => {
                by_key.insert(key, list.len());
                list.push(r);
            }
            Some(&i) => {
                let kept = &list[i];
                if r.via < kept.via {
                    list[i] = r;
                } else if r.via == Via::Own && kept.via == Via::Own {
                    let first = kept.j.source();
                    f.at(
                        Code::DuplicateResource,
                        &r.j,
                        format!(
                            "{} `{}` is also described at {first}: the first is used",
                            r.kind.type_name(),
                            r.name
                        ),
                    );
                }
            }
        }
    }
    let mut by_suffix: HashMap<String, Vec<usize>> = HashMap::new();
    for (key, &i) in &by_key {
        if let Some(s) = id_suffix(key) {
            by_suffix.entry(s.to_owned()).or_default().push(i);
        }
    }
    Resources {
        list,
        by_key,
        by_suffix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_built_and_taken_apart() {
        assert_eq!(
            build_id(
                "Microsoft.Network/virtualNetworks/subnets",
                "vnet/GatewaySubnet"
            ),
            "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet"
        );
        let id = "/subscriptions/s/resourceGroups/RG1/providers/Microsoft.Network/localNetworkGateways/lng";
        assert_eq!(id_segment(id, "resourcegroups"), Some("RG1"));
        assert_eq!(last_segment(id), "lng");
        assert_eq!(
            id_suffix(&id_key(id)),
            Some("microsoft.network/localnetworkgateways/lng")
        );
    }
}
