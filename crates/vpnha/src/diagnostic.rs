//! Findings and load problems: a rule, a severity, a message that says what to do, the
//! field path and, when the topology came from text, the line and column.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::source::{FieldPath, Location, SourceFile, Span};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Information: what vpnha recognised, or which checks could not run.
    Info,
    /// Works, but weaker than it looks.
    Warning,
    /// Azure rejects it, or the topology cannot work.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// When a rule is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// While reading the input: the topology could not be built (CLI exit code 2).
    Load,
    /// By [`crate::Topology::validate`] on a topology that was built.
    Validate,
}

macro_rules! rules {
    ($(
        $(#[$doc:meta])*
        $variant:ident = ($name:literal, $stage:ident, $severity:ident, $when:literal),
    )+) => {
        /// Every rule vpnha checks. The names are a public contract: never renamed.
        ///
        /// The catalogue with what triggers each rule is `docs/rules.md`, generated from
        /// [`Rule::ALL`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )+
        }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),+];

            /// The stable kebab-case name.
            pub const fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)+ }
            }

            /// The severity of its findings.
            pub const fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)+ }
            }

            /// When it is checked.
            pub const fn stage(self) -> Stage {
                match self { $(Rule::$variant => Stage::$stage,)+ }
            }

            /// What makes it fire, in one sentence.
            pub const fn fires_when(self) -> &'static str {
                match self { $(Rule::$variant => $when,)+ }
            }

            /// The rule with this name.
            pub fn from_name(name: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.name() == name)
            }
        }
    };
}

rules! {
    // Load problems: the input is not a topology (exit code 2).
    /// The file could not be read.
    IoError = ("io-error", Load, Error, "the file does not exist or cannot be read"),
    /// The path is not a regular file.
    NotAFile = ("not-a-file", Load, Error, "the path is a directory or another non-file"),
    /// The input is over the size limit.
    InputTooLarge = ("input-too-large", Load, Error, "the input is larger than 16 MiB"),
    /// The file extension names no format.
    UnknownFormat = ("unknown-format", Load, Error, "the file name does not end in .yaml, .yml, .json or .toml"),
    /// The input is not UTF-8.
    NotUtf8 = ("not-utf8", Load, Error, "the input is not UTF-8 text"),
    /// The input is empty.
    EmptyInput = ("empty-input", Load, Error, "the input is empty or only whitespace"),
    /// The input is not valid YAML, JSON or TOML.
    SyntaxError = ("syntax-error", Load, Error, "the text is not valid YAML, JSON or TOML (including duplicate keys and documents over the alias, anchor or nesting budgets)"),
    /// A field that format version 1 does not have.
    UnknownField = ("unknown-field", Load, Error, "a field that format version 1 does not have (with a did-you-mean)"),
    /// A required field is absent.
    MissingField = ("missing-field", Load, Error, "a required field is absent (`version`, `gateway.sku`, `gateway.instances`, an instance's `public_ip`, a device's `name` and `gateway_ip` or `fqdn`, a connection's `name` and `local_gateway`)"),
    /// A value of the wrong type or form.
    InvalidValue = ("invalid-value", Load, Error, "a value of the wrong type or form: `asn: \"abc\"`, an invalid IP address or prefix, an unknown SKU, a version other than 1"),

    // Errors: Azure rejects it, or the topology cannot work.
    /// A reference to something that does not exist.
    UnknownReference = ("unknown-reference", Validate, Error, "a connection names a local gateway, or a gateway instance, that does not exist"),
    /// A repeated name.
    DuplicateName = ("duplicate-name", Validate, Error, "two local gateways or two connections share a name"),
    /// Wrong number of gateway instances.
    InstanceCount = ("instance-count", Validate, Error, "active_active with other than 2 instances, or active-standby with other than 1"),
    /// Active-active on a SKU without it.
    ActiveActiveUnsupportedSku = ("active-active-unsupported-sku", Validate, Error, "active-active on Basic or Standard"),
    /// SKU and generation do not go together.
    SkuGenerationMismatch = ("sku-generation-mismatch", Validate, Error, "VpnGw1/1AZ on Generation2, VpnGw4/5(AZ) on Generation1, Basic or a legacy SKU on Generation2"),
    /// The SKU exists in both generations and none is given.
    GenerationRequired = ("generation-required", Validate, Error, "the SKU exists in both generations (VpnGw2/3, VpnGw2AZ/3AZ) and `gateway.generation` is not given"),
    /// Policy-based where only route-based works.
    PolicyBasedUnsupported = ("policy-based-unsupported", Validate, Error, "PolicyBased with a SKU other than Basic, with active-active, BGP, or more than one connection"),
    /// BGP on Basic.
    BgpUnsupportedSku = ("bgp-unsupported-sku", Validate, Error, "BGP on a Basic gateway"),
    /// A BGP connection to a device without BGP settings.
    BgpSettingsMissing = ("bgp-settings-missing", Validate, Error, "a connection enables BGP but its local gateway has no `bgp` block"),
    /// A reserved ASN.
    ReservedAsn = ("reserved-asn", Validate, Error, "an ASN Azure or IANA reserves (0, 8074, 8075, 12076, 23456, 64496–64511, 65515 on a local gateway, 65517–65520, 65535–65551, 4294967295)"),
    /// An ASN above the 32-bit range.
    AsnOutOfRange = ("asn-out-of-range", Validate, Error, "an ASN above 4294967295"),
    /// iBGP between Azure and a device.
    SameAsn = ("same-asn", Validate, Error, "a local gateway's ASN equals the gateway's (only eBGP works)"),
    /// A custom APIPA address outside Azure's range.
    ApipaOutOfRange = ("apipa-out-of-range", Validate, Error, "a custom Azure BGP address outside 169.254.21.0–169.254.22.255"),
    /// A BGP address used twice.
    DuplicateBgpAddress = ("duplicate-bgp-address", Validate, Error, "an APIPA or BGP peering address used twice anywhere in the topology"),
    /// An on-premises BGP peer inside the VNet.
    BgpPeerInVnet = ("bgp-peer-in-vnet", Validate, Error, "an on-premises BGP peering address inside the VNet address space"),
    /// A device's BGP address equal to its public IP.
    BgpPeerIsPublicIp = ("bgp-peer-is-public-ip", Validate, Error, "a device's BGP peering address equals its public IP"),
    /// A multi-device site without BGP everywhere.
    BgpRequiredMultiDevice = ("bgp-required-multi-device", Validate, Error, "a site has two or more devices and one of its connections does not enable BGP"),
    /// Two devices with one public endpoint.
    DuplicateGatewayIp = ("duplicate-gateway-ip", Validate, Error, "two local gateways with the same public IP or FQDN"),
    /// Static prefixes overlapping the VNet.
    PrefixOverlapVnet = ("prefix-overlap-vnet", Validate, Error, "a local gateway's static prefixes overlap the VNet address space"),
    /// A prefix with host bits.
    InvalidPrefix = ("invalid-prefix", Validate, Error, "a prefix with host bits set (`10.0.0.1/24`)"),
    /// More connections than the SKU allows.
    TunnelLimitExceeded = ("tunnel-limit-exceeded", Validate, Error, "more S2S connections than the SKU's tunnel limit (counting 1 per connection)"),
    /// Too many prefixes.
    PrefixLimitExceeded = ("prefix-limit-exceeded", Validate, Error, "more than 1000 prefixes on a local gateway, more than 600 VNet prefixes, or more than 4000 BGP prefixes advertised in all"),
    /// An IPsec policy Azure rejects.
    IpsecPolicyInvalid = ("ipsec-policy-invalid", Validate, Error, "GCM encryption without the matching GCM integrity (or the reverse), an SA lifetime under 300 s or 1024 KB, or an unknown algorithm"),
    /// DPD timeout out of range.
    DpdTimeoutOutOfRange = ("dpd-timeout-out-of-range", Validate, Error, "dpd_timeout_seconds outside 9–3600"),
    /// A shared key Azure rejects.
    SharedKeyInvalid = ("shared-key-invalid", Validate, Error, "an inline shared key that is empty, longer than 128 characters, or has a space, `-`, `~` or a non-printable character"),
    /// A gateway subnet below /29.
    GatewaySubnetTooSmall = ("gateway-subnet-too-small", Validate, Error, "a gateway subnet smaller than /29"),
    /// Availability inputs that are not probabilities.
    AvailabilityOutOfRange = ("availability-out-of-range", Validate, Error, "a value of the `availability` block outside (0, 1]"),

    // Warnings: works, but weaker than it looks.
    /// Devices of one site advertising different prefixes.
    EcmpPrefixMismatch = ("ecmp-prefix-mismatch", Validate, Warning, "devices of one site advertise different prefix sets: ECMP will not spread traffic over them"),
    /// A site with one device.
    SingleDevice = ("single-device", Validate, Warning, "a site has one device: the device is a single point of failure"),
    /// An active-standby gateway.
    ActiveStandbyGateway = ("active-standby-gateway", Validate, Warning, "the gateway is active-standby: an instance failure interrupts traffic 1–3 minutes"),
    /// A site whose tunnels end on one instance of an active-active gateway.
    SingleInstanceCoverage = ("single-instance-coverage", Validate, Warning, "active-active gateway, but a site's tunnels cannot all survive one instance's maintenance (they all end on one instance)"),
    /// A SKU that is not zone-redundant.
    NonZoneRedundantSku = ("non-zone-redundant-sku", Validate, Warning, "a non-AZ SKU (VpnGw1–5: no longer creatable, being migrated)"),
    /// A retired SKU.
    LegacySku = ("legacy-sku", Validate, Warning, "Standard or HighPerformance (retired)"),
    /// The Basic SKU.
    BasicSku = ("basic-sku", Validate, Warning, "Basic: not for production, no BGP, no active-active"),
    /// BGP plus static prefixes.
    BgpWithStaticPrefixes = ("bgp-with-static-prefixes", Validate, Warning, "a BGP local gateway also lists static address prefixes (added as static routes beside BGP)"),
    /// A gateway subnet below /27.
    GatewaySubnetSmall = ("gateway-subnet-small", Validate, Warning, "a gateway subnet smaller than /27"),
    /// ASN 8076.
    LegacyReservedAsn = ("legacy-reserved-asn", Validate, Warning, "ASN 8076, listed as reserved in older Azure documentation"),
    /// connection_mode on IKEv1.
    ConnectionModeIgnored = ("connection-mode-ignored", Validate, Warning, "connection_mode set on an IKEv1 connection (it applies to IKEv2 only)"),
    /// Active-active tunnels over the SKU limit.
    TunnelLimitAtRisk = ("tunnel-limit-at-risk", Validate, Warning, "an active-active gateway whose tunnels, counted 2 per connection, exceed the SKU's limit"),
    /// A device with no connection.
    UnusedLocalGateway = ("unused-local-gateway", Validate, Warning, "a local gateway that no connection uses: it carries no traffic"),

    // Information.
    /// The pattern of a site and its tunnels.
    SitePattern = ("site-pattern", Validate, Info, "always, once per site: its HA pattern and tunnel count"),
    /// Checks that could not run for lack of input.
    ChecksSkipped = ("checks-skipped", Validate, Info, "a rule needs a field the topology does not give (no `vnet_address_space`, no `gateway_subnet`), so it could not run"),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One finding or load problem.
///
/// Serialized (JSON) as `{"rule", "severity", "message", "path", "line", "column"}`, with
/// `line` and `column` null when unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The rule.
    pub rule: Rule,
    /// Its severity (the rule's).
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    /// The offending field.
    pub path: FieldPath,
    /// Where it is, when the topology came from text.
    pub location: Option<Location>,
    /// The byte span, for snippets.
    pub span: Option<Span>,
}

impl Diagnostic {
    /// A finding of `rule` at `path` without a position.
    pub fn new(rule: Rule, message: String, path: FieldPath) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity(),
            message,
            path,
            location: None,
            span: None,
        }
    }

    pub(crate) fn set_span(&mut self, file: &SourceFile, span: Span) {
        self.location = Some(file.location(span.offset));
        self.span = Some(span);
    }

    /// The 1-based line, if known.
    pub fn line(&self) -> Option<u32> {
        self.location.map(|l| l.line)
    }

    /// The 1-based column, if known.
    pub fn column(&self) -> Option<u32> {
        self.location.map(|l| l.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}[{}]", self.severity, self.rule)?;
        if !self.path.is_root() {
            write!(f, " {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Diagnostic", 6)?;
        st.serialize_field("rule", &self.rule)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("line", &self.line())?;
        st.serialize_field("column", &self.column())?;
        st.end()
    }
}

/// A [`Diagnostic`] with the source it points into, for rendering with a snippet by any
/// [`miette`] handler.
pub struct Report<'a> {
    diagnostic: &'a Diagnostic,
    file: Option<&'a SourceFile>,
}

impl<'a> Report<'a> {
    /// Pairs a diagnostic with its source (if any).
    pub fn new(diagnostic: &'a Diagnostic, file: Option<&'a SourceFile>) -> Self {
        Report { diagnostic, file }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.diagnostic.path.is_root() {
            f.write_str(&self.diagnostic.message)
        } else {
            write!(f, "{}: {}", self.diagnostic.path, self.diagnostic.message)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.rule.name()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match (self.file, self.diagnostic.span) {
            (Some(file), Some(_)) => Some(file),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.diagnostic.span?;
        self.file?;
        let label = match self.diagnostic.severity {
            Severity::Error => "here",
            Severity::Warning => "this",
            Severity::Info => "",
        };
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            (!label.is_empty()).then(|| label.to_owned()),
            span.offset,
            span.len,
        ))))
    }
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name().to_owned(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        for n in &names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
            assert_eq!(Rule::from_name(n).map(Rule::name), Some(*n));
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a rule name is used twice");
    }
}
