//! Importing topologies from other tools' documents: [`azure`] reads Azure resource JSON.
//!
//! An import never fails and never panics: it returns an [`Import`], which holds the
//! topology when one could be built and a [`Finding`] for everything that could not be
//! carried over exactly. Each finding has a stable [`Code`], a severity, and the place in
//! the source document it is about: the file name, the JSON pointer (RFC 6901) of the field
//! and, when the position is known, its line and column.
//!
//! Import codes are their own catalogue, apart from the validation [`Rule`]s: a finding is
//! about the *documents* (a placeholder address, a reference to a resource that is not in
//! the input), a rule about the *topology*. The two catalogues never share a name, so a
//! report may list both. `docs/import.md` describes every code.
//!
//! [`Rule`]: crate::Rule

pub mod azure;
mod json;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Topology;
use crate::source::{FieldPath, Location, PathSegment, SourceFile, Span};

macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = ($name:literal, $severity:ident, $when:literal),
    )+) => {
        /// Every import finding's code. The names are a public contract: never renamed or
        /// reused, and never equal to a validation [`Rule`](crate::Rule) name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )+
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable kebab-case name.
            pub const fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)+ }
            }

            /// The severity of its findings.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)+ }
            }

            /// What makes it fire, in one sentence.
            pub const fn fires_when(self) -> &'static str {
                match self { $(Code::$variant => $when,)+ }
            }

            /// The code with this name.
            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

codes! {
    // Errors: the topology is missing, or part of the input is not in it as written.
    /// A file could not be read.
    UnreadableInput = ("unreadable-input", Error, "a file is missing, a directory, larger than 16 MiB, not UTF-8 or empty"),
    /// A file is not JSON.
    InvalidJson = ("invalid-json", Error, "a file is not valid JSON (or nested deeper than 128 levels)"),
    /// No VPN gateway to build a topology around.
    MissingGateway = ("missing-gateway", Error, "no usable VPN gateway (`Microsoft.Network/virtualNetworkGateways` with `gatewayType: Vpn`) is in the input: no topology is produced"),
    /// The gateway asked for is not in the input.
    GatewayNotFound = ("gateway-not-found", Error, "the gateway chosen by name (`--gateway`) is not among the input's VPN gateways: no topology is produced"),
    /// Several VPN gateways and none chosen.
    SeveralGateways = ("several-gateways", Error, "the input holds more than one VPN gateway and none was chosen: the one with the most connections is imported, the others are left out"),
    /// A placeholder where an address should be.
    PlaceholderValue = ("placeholder-value", Error, "a placeholder such as `x.x.x.x` stands where an address should be; the topology gets `0.0.0.0` there"),
    /// A value of the wrong type or form.
    InvalidValue = ("malformed-value", Error, "a value of the wrong JSON type or form: an invalid IP address, prefix or FQDN, an unknown SKU, a string where a number or boolean belongs"),
    /// A required property is absent.
    MissingValue = ("missing-value", Error, "a property the topology needs is absent: a gateway's `sku`, a local gateway's address, a connection's `connectionType` or gateway references"),
    /// A gateway instance without a known public IP.
    MissingPublicIp = ("missing-public-ip", Error, "a gateway IP configuration's public IP resource is not in the input (or has no address yet); the instance gets `0.0.0.0`"),
    /// A reference to a resource that is not in the input.
    DanglingReference = ("dangling-reference", Error, "a connection references a gateway or local gateway that is not in the input: the connection is left out"),
    /// The gateway's generation is unknown.
    GenerationUnknown = ("generation-unknown", Error, "`vpnGatewayGeneration` is `None` or absent on a SKU that exists in both generations: set `gateway.generation`"),
    /// An ARM template expression that cannot be evaluated.
    UnsupportedExpression = ("unsupported-expression", Error, "where the topology needs a value, an ARM template expression that only a deployment can evaluate (`reference()`, `resourceGroup()`, ...) or a parameter with no value"),

    // Warnings: imported, but not exactly as the input says.
    /// The documents contradict themselves.
    InconsistentInput = ("inconsistent-input", Warning, "the documents contradict themselves: custom BGP addresses on an IP configuration the gateway does not have, `bgpPeeringAddress` disagreeing with `bgpPeeringAddresses`, more BGP addresses than IP configurations"),
    /// More than one IPsec policy.
    SeveralIpsecPolicies = ("several-ipsec-policies", Warning, "a connection lists more than one IPsec policy (Azure accepts one): the first is imported"),
    /// A connection type vpnha does not model.
    UnsupportedConnectionType = ("unsupported-connection-type", Warning, "a connection of type `Vnet2Vnet`, `ExpressRoute` or `VPNClient`: only `IPsec` site-to-site connections are imported"),
    /// A gateway type vpnha does not model.
    UnsupportedGatewayType = ("unsupported-gateway-type", Warning, "an ExpressRoute gateway or a Virtual WAN VPN gateway: left out"),
    /// An IP configuration that is not a site-to-site instance.
    IpConfigurationIgnored = ("ip-configuration-ignored", Warning, "a gateway has more IP configurations than its mode uses (1 active-standby, 2 active-active): the extra ones are left out"),
    /// A setting vpnha does not model.
    NotModelled = ("not-modelled", Warning, "a setting that changes behaviour but that vpnha does not model: NAT rules, certificate authentication, custom traffic selectors"),
    /// A resource without its properties.
    MissingProperties = ("missing-properties", Warning, "a VPN resource is listed without its properties (as `az resource list` does): it is left out"),
    /// The same resource twice.
    DuplicateResource = ("duplicate-resource", Warning, "two documents describe the same resource id: the first is used"),
    /// A document with nothing recognisable.
    UnknownDocument = ("unknown-document", Warning, "a JSON document that holds no Azure resource vpnha recognises"),

    // Information: what was recognised and how.
    /// Devices grouped into one site.
    SiteGrouped = ("site-grouped", Info, "local gateways whose address prefixes overlap are put in one site (`site:`), as devices serving one network"),
    /// A hint about devices that might be one site.
    SiteHint = ("site-hint", Info, "BGP local gateways share an ASN but no prefixes: they are left in their own sites; give them one `site` if they serve one network"),
    /// A shared key that is not written out.
    SharedKeyNotExported = ("shared-key-not-exported", Info, "a connection carries a `sharedKey`: it is checked but never written out; supply it as `shared_key: {env: NAME}`"),
    /// Resources of other types.
    ResourcesIgnored = ("resources-ignored", Info, "resources that are not part of a site-to-site VPN topology (VMs, NSGs, storage, ...) are left out, counted per type"),
    /// A resource read from an embedded copy.
    EmbeddedResourceUsed = ("embedded-resource-used", Info, "a gateway or local gateway is read from the copy embedded in a connection document, as its own document is not in the input"),
    /// A default filled in.
    DefaultApplied = ("default-applied", Info, "a value Azure leaves empty is read as vpnha's default (generation `None` on a one-generation SKU, `dpdTimeoutSeconds: 0`, no `connectionType` on a connection to a local gateway)"),
    /// A value derived from another field.
    DerivedValue = ("derived-value", Info, "a value taken from a related field: a public IP from `tunnelIpAddresses`, no zone for a zone-redundant public IP"),
    /// Another gateway's resources.
    GatewayNotSelected = ("gateway-not-selected", Info, "a VPN gateway other than the chosen one, or a connection of it: left out"),
    /// No virtual network in the input.
    VnetNotInInput = ("vnet-not-in-input", Info, "the gateway's virtual network is not in the input, so `vnet_address_space` and `gateway_subnet` stay empty and the checks that need them are skipped"),
    /// A name changed to keep names unique.
    Renamed = ("renamed", Info, "two resources of one kind share a name (in different resource groups): the later one is renamed `<name>-<resource group>`"),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A place in a source document: the file, the JSON pointer of the field and, when known,
/// its line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceRef {
    /// The document's name (its path as given, or the name given with its text).
    pub file: String,
    /// The JSON pointer (RFC 6901) of the field, such as
    /// `/responses/200/body/properties/gatewayIpAddress`; empty for the whole document.
    pub pointer: String,
    /// The 1-based line and column, when known.
    pub location: Option<Location>,
    /// The byte span in the document, for snippets.
    pub span: Option<Span>,
}

impl SourceRef {
    /// The 1-based line, if known.
    pub fn line(&self) -> Option<u32> {
        self.location.map(|l| l.line)
    }

    /// The 1-based column, if known.
    pub fn column(&self) -> Option<u32> {
        self.location.map(|l| l.column)
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(loc) = self.location {
            write!(f, ":{loc}")?;
        }
        if !self.pointer.is_empty() {
            write!(f, " ({})", self.pointer)?;
        }
        Ok(())
    }
}

/// The JSON pointer (RFC 6901) of a path: `/a/0/b~1c`.
pub(crate) fn pointer(path: &FieldPath) -> String {
    let mut out = String::new();
    for seg in path.segments() {
        out.push('/');
        match seg {
            PathSegment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            PathSegment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// One thing an import could not carry over exactly, or wants the user to know.
///
/// Serialized (JSON) as `{"rule", "severity", "message", "path", "file", "pointer", "line",
/// "column"}`: the same keys as a `vpnha check` diagnostic plus `file` and `pointer`, so
/// one reader handles both. `rule` holds the import code; `path` is the topology field the
/// finding concerns (empty when none); `file`, `line` and `column` are null when unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The code.
    pub code: Code,
    /// Its severity (the code's).
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    /// The topology field it concerns; the root when none.
    pub path: FieldPath,
    /// Where in the input it is, when it is about a place in a document.
    pub source: Option<SourceRef>,
}

impl Finding {
    /// A finding of `code` with a message, about no particular place.
    pub fn new(code: Code, message: String) -> Self {
        Finding {
            code,
            severity: code.severity(),
            message,
            path: FieldPath::root(),
            source: None,
        }
    }

    /// The source file name, if any.
    pub fn file(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.file.as_str())
    }

    /// The JSON pointer, empty when the finding is about no particular place.
    pub fn pointer(&self) -> &str {
        self.source.as_ref().map_or("", |s| s.pointer.as_str())
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(src) = &self.source {
            f.write_str(&src.file)?;
            if let Some(loc) = src.location {
                write!(f, ":{loc}")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}[{}]", self.severity, self.code)?;
        if let Some(src) = self.source.as_ref().filter(|s| !s.pointer.is_empty()) {
            write!(f, " {}", src.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let src = self.source.as_ref();
        let mut st = s.serialize_struct("Finding", 8)?;
        st.serialize_field("rule", &self.code)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("file", &src.map(|s| s.file.as_str()))?;
        st.serialize_field("pointer", self.pointer())?;
        st.serialize_field("line", &src.and_then(SourceRef::line))?;
        st.serialize_field("column", &src.and_then(SourceRef::column))?;
        st.end()
    }
}

/// The result of an import: the topology when one could be built, every finding, and the
/// (secret-masked) source documents the findings point into.
#[derive(Debug)]
#[non_exhaustive]
pub struct Import {
    /// The topology; `None` when nothing usable could be read (no VPN gateway, or none of
    /// the files could be read).
    pub topology: Option<Topology>,
    /// Every finding, errors first, then warnings, then information, each group in input
    /// order.
    pub findings: Vec<Finding>,
    sources: Vec<Arc<SourceFile>>,
    origins: HashMap<FieldPath, SourceRef>,
}

impl Import {
    /// Whether a finding of severity error was reported.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The source document with this name, its shared keys and other secrets masked, for
    /// showing snippets.
    pub fn source(&self, file: &str) -> Option<&SourceFile> {
        self.sources.iter().find(|s| s.name() == file).map(|s| &**s)
    }

    /// Where a field of the topology came from: the nearest recorded field at or above
    /// `path` (a validation finding at `local_gateways[2].bgp.asn` points at the local
    /// gateway's `bgpSettings.asn`, or at the local gateway resource when the ASN was not
    /// written in the input).
    pub fn origin(&self, path: &FieldPath) -> Option<&SourceRef> {
        let segments = path.segments();
        (0..=segments.len()).rev().find_map(|n| {
            let prefix = FieldPath::from_segments(segments[..n].to_vec());
            self.origins.get(&prefix)
        })
    }

    /// Validates the topology ([`Topology::validate`]) and places each diagnostic in the
    /// source document its field came from: `location` and `span` refer to the document
    /// named by [`Import::origin`] of the diagnostic's path. Empty when there is no topology.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let Some(t) = &self.topology else {
            return Vec::new();
        };
        let mut out = t.validate();
        for d in &mut out {
            if let Some(origin) = self.origin(&d.path) {
                d.location = origin.location;
                d.span = origin.span;
            }
        }
        out
    }
}

/// A [`Finding`] with the source it points into, for rendering with a snippet by any
/// [`miette`] handler.
pub struct FindingReport<'a> {
    finding: &'a Finding,
    file: Option<&'a SourceFile>,
}

impl<'a> FindingReport<'a> {
    /// Pairs a finding with the document it points into (see [`Import::source`]).
    pub fn new(finding: &'a Finding, file: Option<&'a SourceFile>) -> Self {
        FindingReport { finding, file }
    }
}

impl fmt::Debug for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.finding, f)
    }
}

impl fmt::Display for FindingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.finding.pointer() {
            "" => f.write_str(&self.finding.message),
            p => write!(f, "{p}: {}", self.finding.message),
        }
    }
}

impl std::error::Error for FindingReport<'_> {}

impl miette::Diagnostic for FindingReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.code.name()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        let span = self.finding.source.as_ref()?.span;
        match (self.file, span) {
            (Some(file), Some(_)) => Some(file),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.finding.source.as_ref()?.span?;
        self.file?;
        let label = match self.finding.severity {
            Severity::Error => Some("here".to_owned()),
            Severity::Warning => Some("this".to_owned()),
            Severity::Info => None,
        };
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            label,
            span.offset,
            span.len,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;

    #[test]
    fn codes_are_unique_kebab_case_and_never_a_rule_name() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        for n in &names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
            assert_eq!(Code::from_name(n).map(Code::name), Some(*n));
            assert!(Rule::from_name(n).is_none(), "{n} is also a rule name");
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a code is used twice");
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let p = FieldPath::root()
            .key("responses")
            .key("200")
            .key("a/b~c")
            .index(3);
        assert_eq!(pointer(&p), "/responses/200/a~1b~0c/3");
        assert_eq!(pointer(&FieldPath::root()), "");
    }
}
