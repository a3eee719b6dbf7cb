//! The Azure importer on arbitrary JSON and on mangled fixtures: it never panics, and what
//! it builds can be validated and written out.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};

use fixtures::inputs;
use proptest::prelude::*;
use serde_json::{Map, Value};
use vpnha::Format;
use vpnha::import::Import;
use vpnha::import::azure::{self, Options};

/// Property names the importer reads, so that arbitrary documents reach its code paths.
const KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "properties",
    "value",
    "data",
    "resources",
    "responses",
    "parameters",
    "body",
    "200",
    "$schema",
    "contentVersion",
    "defaultValue",
    "zones",
    "sku",
    "gatewayType",
    "vpnType",
    "vpnGatewayGeneration",
    "activeActive",
    "ipConfigurations",
    "publicIPAddress",
    "subnet",
    "bgpSettings",
    "asn",
    "bgpPeeringAddress",
    "bgpPeeringAddresses",
    "ipconfigurationId",
    "defaultBgpIpAddresses",
    "customBgpIpAddresses",
    "tunnelIpAddresses",
    "ipAddress",
    "addressSpace",
    "addressPrefixes",
    "addressPrefix",
    "subnets",
    "gatewayIpAddress",
    "fqdn",
    "localNetworkAddressSpace",
    "connectionType",
    "virtualNetworkGateway1",
    "localNetworkGateway2",
    "enableBgp",
    "connectionProtocol",
    "dpdTimeoutSeconds",
    "connectionMode",
    "ipsecPolicies",
    "sharedKey",
    "gatewayCustomBgpIpAddresses",
    "ipConfigurationId",
    "customBgpIpAddress",
    "natRules",
    "usePolicyBasedTrafficSelectors",
    "saLifeTimeSeconds",
    "ikeEncryption",
    "authenticationType",
];

/// Values the importer recognises, and near misses.
const STRINGS: &[&str] = &[
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/localNetworkGateways",
    "Microsoft.Network/connections",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/virtualNetworks/subnets",
    "Microsoft.Compute/virtualMachines",
    "Vpn",
    "ExpressRoute",
    "IPsec",
    "Vnet2Vnet",
    "VpnGw2AZ",
    "Basic",
    "ErGw1AZ",
    "Generation2",
    "None",
    "RouteBased",
    "PolicyBased",
    "IKEv1",
    "InitiatorOnly",
    "Certificate",
    "x.x.x.x",
    "203.0.113.1",
    "10.0.0.0/8",
    "10.0.0.1/33",
    "169.254.21.1",
    "10.0.255.4,10.0.255.5",
    "::1",
    "",
    "vpn.example.com",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw/ipConfigurations/default",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/lng",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet",
    "[parameters('a')]",
    "[variables('b')]",
    "[concat('a', parameters('a'))]",
    "[resourceId('Microsoft.Network/localNetworkGateways', 'lng')]",
    "[concat(",
    "[[escaped]",
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
    "1",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (0u32..70_000).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        proptest::sample::select(STRINGS).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
                        1 => "\\PC{0,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Everything a caller does with an import, none of which may panic.
fn exercise(import: &Import) {
    for f in &import.findings {
        let _ = f.to_string();
        let _ = serde_json::to_string(f).unwrap();
        assert_eq!(f.severity, f.code.severity());
        if let Some(file) = f.file() {
            let _ = import.source(file);
        }
    }
    let diags = import.validate();
    for d in &diags {
        let _ = import.origin(&d.path);
    }
    if let Some(t) = &import.topology {
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let _ = t.to_string_as(format);
        }
        let _ = t.tunnels();
        let _ = t.sites();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_json_never_panics(doc in json(), other in json()) {
        let texts = [
            ("a.json", serde_json::to_string(&doc).unwrap()),
            ("b.json", serde_json::to_string_pretty(&other).unwrap()),
        ];
        exercise(&azure::from_texts(&texts, &Options::default()));
        exercise(&azure::from_texts(&texts, &Options::default().gateway("gw")));
    }

    #[test]
    fn arbitrary_resources_never_panic(
        kind in proptest::sample::select(&STRINGS[..7]),
        props in json(),
        name in proptest::sample::select(&["gw", "lng", "pip", "vnet", "x"]),
    ) {
        // A resource of a known type with arbitrary properties, beside a sound gateway.
        let doc = serde_json::json!([
            {"type": kind, "name": name, "id": format!("/subscriptions/s/resourceGroups/rg/providers/{kind}/{name}"), "properties": props},
            {"type": "Microsoft.Network/virtualNetworkGateways", "name": "gw",
             "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw",
             "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1AZ"},
               "ipConfigurations": [{"name": "default", "properties": {}}]}}
        ]);
        exercise(&azure::from_str(&doc.to_string()));
    }
}

// ---------------------------------------------------------------------------------------
// Mutated fixtures.

fn fixture_sets() -> Vec<Vec<(String, String)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/azure");
    let mut sets = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    let examples =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/azure-examples");
    if examples.is_dir() {
        dirs.push(examples);
    }
    dirs.sort();
    for dir in dirs {
        let files: Vec<(String, String)> = inputs(&dir)
            .into_iter()
            .map(|p| {
                (
                    p.file_name().unwrap().to_str().unwrap().to_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        sets.push(files);
    }
    sets
}

/// The path (keys and indices) of the n-th value of a document, depth first.
fn nth_path(v: &Value, n: &mut usize, path: &mut Vec<Value>) -> bool {
    if *n == 0 {
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            path.push(Value::from(i));
            let found = nth_path(item, n, path);
            if !found {
                path.pop();
            }
            found
        }),
        Value::Object(map) => map.iter().any(|(k, item)| {
            path.push(Value::from(k.as_str()));
            let found = nth_path(item, n, path);
            if !found {
                path.pop();
            }
            found
        }),
        _ => false,
    }
}

fn at_path<'v>(v: &'v mut Value, path: &[Value]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        Value::String(k) => v.get_mut(k.as_str()),
        Value::Number(i) => v.get_mut(usize::try_from(i.as_u64()?).ok()?),
        _ => None,
    })
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th value (depth first) by another.
    Replace(usize, Value),
    /// Remove the n-th value's first property (or item).
    Remove(usize),
    /// Cut the text at a fraction of its length.
    Truncate(f64),
    /// Overwrite a byte at a fraction of the text with a printable character.
    Byte(f64, char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), json()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        1 => (0.0..1.0f64, proptest::char::range(' ', '~')).prop_map(|(f, c)| Mutation::Byte(f, c)),
    ]
}

fn mutate(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Truncate(f) => {
            let mut cut = (text.len() as f64 * f) as usize;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }
        Mutation::Byte(f, c) => {
            let mut chars: Vec<char> = text.chars().collect();
            if !chars.is_empty() {
                let i = ((chars.len() as f64 * f) as usize).min(chars.len() - 1);
                chars[i] = *c;
            }
            chars.into_iter().collect()
        }
        Mutation::Replace(n, _) | Mutation::Remove(n) => {
            let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
                return text.to_owned();
            };
            let mut k = n % count(&doc);
            let mut path = Vec::new();
            nth_path(&doc, &mut k, &mut path);
            if let Some(target) = at_path(&mut doc, &path) {
                match (m, &mut *target) {
                    (Mutation::Replace(_, v), target) => *target = v.clone(),
                    (_, Value::Object(map)) => {
                        if let Some(k) = map.keys().next().cloned() {
                            map.remove(&k);
                        }
                    }
                    (_, Value::Array(items)) if !items.is_empty() => {
                        items.remove(0);
                    }
                    (_, target) => *target = Value::Null,
                }
            }
            serde_json::to_string_pretty(&doc).unwrap()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_fixtures_never_panic(
        set in any::<prop::sample::Index>(),
        file in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let sets = fixture_sets();
        let mut texts = sets[set.index(sets.len())].clone();
        let f = file.index(texts.len());
        for m in &mutations {
            texts[f].1 = mutate(&texts[f].1, m);
        }
        exercise(&azure::from_texts(&texts, &Options::default()));
    }
}

#[test]
fn deep_and_wide_documents_are_refused_or_read_without_overflow() {
    for depth in [20, 30, 127, 200, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        exercise(&azure::from_str(&text));
        let text = format!(
            "{}{}",
            r#"{"properties": "#.repeat(depth),
            "}".repeat(depth)
        );
        exercise(&azure::from_str(&text));
    }
    let wide = format!("[{}]", vec!["{\"type\": \"Microsoft.Compute/virtualMachines\", \"name\": \"vm\", \"properties\": {}}"; 20_000].join(","));
    exercise(&azure::from_str(&wide));
}
