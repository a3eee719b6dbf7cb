//! Importing Azure resource JSON into a format-v1 [`Topology`](crate::Topology).
//!
//! Give it the documents Azure tools write: `az network vnet-gateway show`,
//! `az network local-gateway show`, `az network vpn-connection show` and
//! `az network public-ip show` / `vnet show` output (single objects or `list` arrays), REST
//! API responses (`{"value": [...]}` lists too), `az resource list` / `az resource show`
//! output, ARM template exports (`resources`, with a parameters file when the template's
//! parameters have no default), and REST example files (`parameters` and `responses`).
//! All documents given together form one topology.
//!
//! What is read, and what becomes of what cannot be read, is in `docs/import.md`:
//!
//! - the VPN gateway (one; choose with [`Options::gateway`] when there are several): SKU,
//!   generation, VPN type, active-active, ASN, and one instance per IP configuration it
//!   uses, with its public IP (from the `publicIPAddresses` resource, found by id) and that
//!   IP's zone, its BGP peering address and custom APIPA addresses (from
//!   `bgpSettings.bgpPeeringAddresses[]` per `ipconfigurationId`, else the comma-separated
//!   `bgpSettings.bgpPeeringAddress` in IP configuration order); the VNet address space
//!   and gateway subnet when the virtual network is in the input;
//! - local gateways: `gatewayIpAddress` and/or `fqdn`, `addressPrefixes`, `bgpSettings`;
//! - `IPsec` connections of the gateway, linked by resource id (case-insensitively):
//!   `enableBgp`, `connectionProtocol`, `dpdTimeoutSeconds`, `connectionMode`, the first
//!   of `ipsecPolicies`, `usePolicyBasedTrafficSelectors`, `gatewayCustomBgpIpAddresses`;
//! - sites: local gateways with overlapping address prefixes are put in one site.
//!
//! Invariants: an import never panics and never stops at the first problem; every value
//! of the input that does not reach the topology as written is named by a [`Finding`]
//! with its file, JSON pointer and (when known) line and column; a shared key is never
//! written out, shown in a finding or a snippet.
//!
//! # Examples
//!
//! ```
//! use vpnha::import::azure;
//!
//! let gateway = r#"{
//!   "name": "hub-gw", "type": "Microsoft.Network/virtualNetworkGateways",
//!   "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/hub-gw",
//!   "properties": {
//!     "gatewayType": "Vpn", "vpnType": "RouteBased", "activeActive": false,
//!     "sku": {"name": "VpnGw1AZ"},
//!     "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "10.1.255.30"},
//!     "ipConfigurations": [{"name": "default", "properties": {
//!       "publicIPAddress": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/hub-gw-ip"}}}]
//!   }
//! }"#;
//! let public_ip = r#"{
//!   "name": "hub-gw-ip", "type": "Microsoft.Network/publicIPAddresses",
//!   "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/hub-gw-ip",
//!   "zones": ["1"], "properties": {"ipAddress": "192.0.2.4"}
//! }"#;
//! let import = azure::from_texts(&[("gw.json", gateway), ("pip.json", public_ip)], &azure::Options::default());
//! let topology = import.topology.as_ref().expect("a topology");
//! assert_eq!(topology.gateway.instances[0].public_ip.to_string(), "192.0.2.4");
//! assert_eq!(topology.gateway.instances[0].zone, Some(1));
//! assert!(!import.has_errors());
//! ```

mod arm;
mod build;
mod collect;

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use super::json::{Doc, J};
use super::{Code, Finding, Import, SourceRef};
use crate::format::MAX_INPUT_BYTES;
use crate::format::spanned::{Node, Value, parse_json};
use crate::source::{FieldPath, SourceFile, Span};

/// The address an import writes where the input has none it can read (a placeholder such
/// as `x.x.x.x`, a public IP that is not in the input). Always reported with an error
/// finding; replace it before using the topology.
pub const UNKNOWN_ADDRESS: IpAddr = build::UNKNOWN_ADDRESS;

/// Choices for an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The gateway to import, by name or resource id, when the input holds several.
    pub gateway: Option<String>,
}

impl Options {
    /// Imports the gateway with this name or resource id.
    #[must_use]
    pub fn gateway(mut self, name_or_id: &str) -> Self {
        self.gateway = Some(name_or_id.to_owned());
        self
    }
}

/// Imports files (JSON, each at most [`MAX_INPUT_BYTES`]) into one
/// topology. A file that cannot be read is a finding, not an error.
pub fn from_paths<P: AsRef<Path>>(paths: &[P], options: &Options) -> Import {
    let mut input = Input::new();
    for p in paths {
        input.add_path(p);
    }
    input.import(options)
}

/// Imports documents given as (name, text) pairs into one topology.
pub fn from_texts<N: AsRef<str>, T: AsRef<str>>(documents: &[(N, T)], options: &Options) -> Import {
    let mut input = Input::new();
    for (name, text) in documents {
        input.add_text(name.as_ref(), text.as_ref());
    }
    input.import(options)
}

/// Imports one document, named `<input>`, with the default options.
pub fn from_str(text: &str) -> Import {
    from_texts(&[("<input>", text)], &Options::default())
}

/// The documents of one import, from files, streams and strings alike.
///
/// ```
/// use vpnha::import::azure::{Input, Options};
///
/// let mut input = Input::new();
/// input.add_path("no-such-file.json");
/// input.add_text("inline.json", "{}");
/// let import = input.import(&Options::default());
/// assert!(import.topology.is_none());
/// let codes: Vec<&str> = import.findings.iter().map(|f| f.code.name()).collect();
/// assert!(codes.contains(&"unreadable-input") && codes.contains(&"unknown-document"));
/// ```
#[derive(Default)]
pub struct Input {
    texts: Vec<(String, String)>,
    findings: Findings,
}

impl Input {
    /// No documents yet.
    pub fn new() -> Self {
        Input::default()
    }

    /// Adds a file; one that cannot be read (missing, a directory, over the size limit,
    /// not UTF-8) becomes an `unreadable-input` finding.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> &mut Self {
        let path = path.as_ref();
        let name = path.display().to_string();
        match read(path) {
            Ok(text) => self.texts.push((name, text)),
            Err(why) => self.findings.file(Code::UnreadableInput, &name, None, why),
        }
        self
    }

    /// Adds a document read from a stream (such as stdin), at most
    /// [`MAX_INPUT_BYTES`].
    pub fn add_reader(&mut self, name: &str, reader: impl Read) -> &mut Self {
        let mut bytes = Vec::new();
        let read = reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes);
        let text = match read {
            Err(e) => Err(format!("cannot read {name}: {e}")),
            Ok(_) if bytes.len() as u64 > MAX_INPUT_BYTES => {
                Err(format!("{name} is over the {MAX_INPUT_BYTES}-byte limit"))
            }
            Ok(_) => String::from_utf8(bytes)
                .map_err(|_| format!("{name} is not UTF-8 text; give UTF-8 JSON")),
        };
        match text {
            Ok(text) => self.texts.push((name.to_owned(), text)),
            Err(why) => self.findings.file(Code::UnreadableInput, name, None, why),
        }
        self
    }

    /// Adds a document given as text.
    pub fn add_text(&mut self, name: &str, text: &str) -> &mut Self {
        self.texts.push((name.to_owned(), text.to_owned()));
        self
    }

    /// Imports the documents into one topology.
    pub fn import(self, options: &Options) -> Import {
        run(self.texts, options, self.findings)
    }
}

/// Reads a file as UTF-8 text within the size limit; the reason when it cannot.
fn read(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(path, &e))?;
    if meta.is_dir() {
        return Err(format!(
            "{} is a directory; give the path of a JSON document",
            path.display()
        ));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "{} is {} bytes, over the {MAX_INPUT_BYTES}-byte limit",
            path.display(),
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| io_reason(path, &e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{} is over the {MAX_INPUT_BYTES}-byte limit",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn io_reason(path: &Path, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    format!("cannot read {}: {why}", path.display())
}

/// The findings of one import, in the order they were made.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) list: Vec<Finding>,
}

impl Findings {
    /// A finding about a value of a document.
    pub(crate) fn at(&mut self, code: Code, j: &J<'_>, message: String) {
        self.at_path(code, j, FieldPath::root(), message);
    }

    /// A finding about a value of a document and the topology field it concerns.
    pub(crate) fn at_path(&mut self, code: Code, j: &J<'_>, path: FieldPath, message: String) {
        self.list.push(Finding {
            path,
            source: Some(j.source()),
            ..Finding::new(code, message)
        });
    }

    /// A finding about the input as a whole.
    pub(crate) fn global(&mut self, code: Code, message: String) {
        self.list.push(Finding::new(code, message));
    }

    /// A finding about a whole file, or a position in it.
    fn file(&mut self, code: Code, file: &str, at: Option<(&SourceFile, Span)>, message: String) {
        let source = SourceRef {
            file: file.to_owned(),
            pointer: String::new(),
            location: at.map(|(f, s)| f.location(s.offset)),
            span: at.map(|(_, s)| s),
        };
        self.list.push(Finding {
            source: Some(source),
            ..Finding::new(code, message)
        });
    }
}

fn run(texts: Vec<(String, String)>, options: &Options, mut findings: Findings) -> Import {
    let mut sources = Vec::new();
    let mut docs = Vec::new();
    for (name, text) in texts {
        match parse(&name, &text) {
            Ok(doc) => {
                sources.push(Arc::clone(&doc.file));
                docs.push(doc);
            }
            Err(Unparsed { file, span, why }) => {
                let at = span.map(|s| (&*file, s));
                let code = if text.trim().is_empty() || text.len() as u64 > MAX_INPUT_BYTES {
                    Code::UnreadableInput
                } else {
                    Code::InvalidJson
                };
                findings.file(code, &name, at, why);
                sources.push(file);
            }
        }
    }
    // Parameters files first: their values feed the templates' expressions.
    let mut overrides = arm::Overrides::new();
    let known: Vec<bool> = docs
        .iter()
        .map(|d| arm::parameters_file(&d.tree, &mut overrides))
        .collect();
    for doc in &mut docs {
        if arm::is_template(&doc.tree) {
            doc.unresolved = arm::resolve(&mut doc.tree, &overrides);
        }
    }

    let roots: Vec<(J<'_>, bool)> = docs
        .iter()
        .zip(known)
        .map(|(d, k)| (J::root(d), k))
        .collect();
    let resources = collect::collect(&roots, &mut findings);
    let built = build::build(&resources, options, &mut findings);
    let topology = if docs.is_empty() {
        None
    } else {
        built.topology
    };

    let mut list = findings.list;
    if topology.is_none() {
        // Without a topology, no finding is about one of its fields.
        for f in &mut list {
            f.path = FieldPath::root();
        }
    }
    // Errors first, then warnings, then information; input order within each.
    list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    debug_assert!(list.iter().all(|f| f.severity == f.code.severity()));
    Import {
        topology,
        findings: list,
        sources,
        origins: built.origins,
    }
}

/// A document that could not be parsed: its (masked) text, where, and why.
struct Unparsed {
    file: Arc<SourceFile>,
    span: Option<Span>,
    why: String,
}

/// Parses one document, masking secrets in the text kept for snippets.
fn parse(name: &str, text: &str) -> Result<Doc, Unparsed> {
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(Unparsed {
            file: SourceFile::new(name, String::new()),
            span: None,
            why: format!("{name} is over the {MAX_INPUT_BYTES}-byte limit"),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Unparsed {
            file: SourceFile::new(name, String::new()),
            span: None,
            why: format!("{name} is empty; give a JSON document"),
        });
    }
    match parse_json(text) {
        Ok(tree) => {
            let mut masked = text.to_owned();
            let mut precise = true;
            mask_secrets(&tree, &mut masked, &mut precise);
            if !precise {
                masked = mask_secret_lines(&masked);
            }
            Ok(Doc {
                file: SourceFile::new(name, masked),
                tree,
                unresolved: HashMap::new(),
            })
        }
        Err(e) => {
            let file = SourceFile::new(name, mask_secret_lines(text));
            let offset = e
                .offset
                .or_else(|| e.line_col.and_then(|(l, c)| file.offset_of(l, c)));
            let lower = name.to_ascii_lowercase();
            let hint = if lower.ends_with(".bicep") || lower.ends_with(".tf") {
                "; Bicep and Terraform files are not read: export the deployed resources as JSON (`az network ... show`, `az group export`)"
            } else {
                ""
            };
            let message = format!("not valid JSON: {}{hint}", e.message);
            Err(Unparsed {
                file,
                span: offset.map(|o| Span::new(o, 0)),
                why: message,
            })
        }
    }
}

/// Whether a property holds a secret: shared keys, RADIUS secrets, passwords.
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["sharedkey", "shared_key", "secret", "password"]
        .iter()
        .any(|word| k.contains(word))
}

/// Masks (with `*`, keeping byte lengths) the values of secret properties in `text`.
/// `precise` becomes false when a secret has no position, so lines must be masked instead.
fn mask_secrets(node: &Node, text: &mut String, precise: &mut bool) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if is_secret_key(&k.name) {
                    mask_all(v, text, precise);
                } else {
                    mask_secrets(v, text, precise);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| mask_secrets(n, text, precise)),
        _ => {}
    }
}

fn mask_all(node: &Node, text: &mut String, precise: &mut bool) {
    match &node.value {
        Value::Map(entries) => entries.iter().for_each(|(_, v)| mask_all(v, text, precise)),
        Value::Seq(items) => items.iter().for_each(|n| mask_all(n, text, precise)),
        Value::Null => {}
        _ => match node.span {
            Some(span) => crate::source::mask_span(text, span),
            None => *precise = false,
        },
    }
}

/// Masks the rest of every line that names a secret property (when positions are unknown).
fn mask_secret_lines(text: &str) -> String {
    crate::source::mask_lines_naming(text, &["sharedkey", "shared_key", "secret", "password"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_keeping_positions() {
        let text = "{\"a\": 1,\n \"sharedKey\": \"hunter2\", \"radiusServerSecret\": \"s3\"}";
        let doc = parse("t.json", text).ok().unwrap();
        assert!(!doc.file.text().contains("hunter2"));
        assert!(!doc.file.text().contains("s3\""));
        assert_eq!(doc.file.text().len(), text.len());
        let lines = mask_secret_lines("{\"sharedKey\": \"abc\"}\n");
        assert!(!lines.contains("abc"));
    }
}
