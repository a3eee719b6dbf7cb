//! Enumerations written by name in topology files (SKUs, generations, protocols, ...).

use std::fmt;
use std::str::FromStr;

/// The error of parsing a name that is not one of an enumeration's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    given: String,
    suggestion: Option<&'static str>,
    expected: &'static [&'static str],
}

impl UnknownName {
    /// The closest known name, when the given one looks like a typo of it.
    pub fn suggestion(&self) -> Option<&'static str> {
        self.suggestion
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`", self.what, self.given)?;
        match self.suggestion {
            Some(s) => write!(f, "; did you mean `{s}`?"),
            None => write!(f, "; expected one of {}", self.expected.join(", ")),
        }
    }
}

impl std::error::Error for UnknownName {}

pub(crate) fn parse_name<T: Copy>(
    what: &'static str,
    s: &str,
    names: &'static [&'static str],
    values: &[T],
) -> Result<T, UnknownName> {
    match names.iter().position(|n| n.eq_ignore_ascii_case(s.trim())) {
        Some(i) => Ok(values[i]),
        None => Err(UnknownName {
            what,
            given: s.to_owned(),
            suggestion: crate::format::suggest(s, names.iter().copied()),
            expected: names,
        }),
    }
}

/// Declares a fieldless enum written by name: `FromStr` (case-insensitive, with
/// did-you-mean), `Display`, `name()`, `ALL`, and serde by name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $name:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $ty {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name as written in topology files and Azure.
            pub const fn name(self) -> &'static str {
                match self { $($ty::$variant => $name,)+ }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::model::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::model::names::parse_name($what, s, Self::NAMES, Self::ALL)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::model::names::deserialize_by_name(d)
            }
        }
    };
}
pub(crate) use named_enum;

pub(crate) fn deserialize_by_name<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = UnknownName>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<T: FromStr<Err = UnknownName>> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a name")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            v.parse().map_err(E::custom)
        }
    }
    d.deserialize_str(V(std::marker::PhantomData))
}

named_enum! {
    /// The gateway SKU (`sku.name` in Azure).
    pub enum Sku ("SKU") {
        /// Basic: not for production; no BGP, no active-active.
        Basic = "Basic",
        /// VpnGw1 (not zone-redundant; no longer creatable).
        VpnGw1 = "VpnGw1",
        /// VpnGw2 (not zone-redundant; no longer creatable).
        VpnGw2 = "VpnGw2",
        /// VpnGw3 (not zone-redundant; no longer creatable).
        VpnGw3 = "VpnGw3",
        /// VpnGw4 (not zone-redundant; no longer creatable).
        VpnGw4 = "VpnGw4",
        /// VpnGw5 (not zone-redundant; no longer creatable).
        VpnGw5 = "VpnGw5",
        /// VpnGw1AZ, zone-redundant.
        VpnGw1AZ = "VpnGw1AZ",
        /// VpnGw2AZ, zone-redundant.
        VpnGw2AZ = "VpnGw2AZ",
        /// VpnGw3AZ, zone-redundant.
        VpnGw3AZ = "VpnGw3AZ",
        /// VpnGw4AZ, zone-redundant.
        VpnGw4AZ = "VpnGw4AZ",
        /// VpnGw5AZ, zone-redundant.
        VpnGw5AZ = "VpnGw5AZ",
        /// Legacy Standard (retired).
        Standard = "Standard",
        /// Legacy HighPerformance (retired).
        HighPerformance = "HighPerformance",
    }
}

impl Sku {
    /// The S2S tunnel limit of the SKU (Azure's SKU table; legacy table for the legacy SKUs).
    pub const fn tunnel_limit(self) -> usize {
        match self {
            Sku::Basic | Sku::Standard => 10,
            Sku::VpnGw4 | Sku::VpnGw5 | Sku::VpnGw4AZ | Sku::VpnGw5AZ => 100,
            Sku::VpnGw1
            | Sku::VpnGw2
            | Sku::VpnGw3
            | Sku::VpnGw1AZ
            | Sku::VpnGw2AZ
            | Sku::VpnGw3AZ
            | Sku::HighPerformance => 30,
        }
    }

    /// Whether the SKU is one of the zone-redundant `...AZ` SKUs.
    pub const fn is_zone_redundant(self) -> bool {
        matches!(
            self,
            Sku::VpnGw1AZ | Sku::VpnGw2AZ | Sku::VpnGw3AZ | Sku::VpnGw4AZ | Sku::VpnGw5AZ
        )
    }

    /// Whether the SKU is a retired legacy SKU (Standard, HighPerformance).
    pub const fn is_legacy(self) -> bool {
        matches!(self, Sku::Standard | Sku::HighPerformance)
    }

    /// The generations the SKU exists in.
    pub const fn generations(self) -> &'static [Generation] {
        match self {
            Sku::Basic | Sku::VpnGw1 | Sku::VpnGw1AZ | Sku::Standard | Sku::HighPerformance => {
                &[Generation::Generation1]
            }
            Sku::VpnGw2 | Sku::VpnGw3 | Sku::VpnGw2AZ | Sku::VpnGw3AZ => {
                &[Generation::Generation1, Generation::Generation2]
            }
            Sku::VpnGw4 | Sku::VpnGw5 | Sku::VpnGw4AZ | Sku::VpnGw5AZ => &[Generation::Generation2],
        }
    }

    /// Whether the SKU supports BGP (every SKU but Basic).
    pub const fn supports_bgp(self) -> bool {
        !matches!(self, Sku::Basic)
    }

    /// Whether the SKU supports active-active (every SKU but Basic and Standard).
    pub const fn supports_active_active(self) -> bool {
        !matches!(self, Sku::Basic | Sku::Standard)
    }
}

named_enum! {
    /// The gateway generation (`vpnGatewayGeneration`).
    pub enum Generation ("generation") {
        /// Generation1.
        Generation1 = "Generation1",
        /// Generation2.
        Generation2 = "Generation2",
    }
}

named_enum! {
    /// Route-based or policy-based VPN.
    #[derive(Default)]
    pub enum VpnType ("VPN type") {
        /// Route-based (the default; required for everything but a single Basic tunnel).
        #[default]
        RouteBased = "RouteBased",
        /// Policy-based (Basic SKU only, one connection, no BGP).
        PolicyBased = "PolicyBased",
    }
}

named_enum! {
    /// The IKE version of a connection.
    #[derive(Default)]
    pub enum Protocol ("protocol") {
        /// IKEv1.
        IKEv1 = "IKEv1",
        /// IKEv2 (the default).
        #[default]
        IKEv2 = "IKEv2",
    }
}

named_enum! {
    /// Who initiates a connection's IKE negotiation.
    #[derive(Default)]
    pub enum ConnectionMode ("connection mode") {
        /// Accept and dial, whichever connects first.
        #[default]
        Default = "Default",
        /// Azure initiates.
        InitiatorOnly = "InitiatorOnly",
        /// The on-premises device initiates.
        ResponderOnly = "ResponderOnly",
    }
}

named_enum! {
    /// The HA pattern of a site: how many gateway instances and on-premises devices serve it.
    pub enum Pattern ("pattern") {
        /// One gateway instance (active-standby), one device.
        ActiveStandby = "active-standby",
        /// One gateway instance (active-standby), two or more devices.
        MultiDevice = "multi-device",
        /// Two gateway instances (active-active), one device.
        ActiveActive = "active-active",
        /// Two gateway instances, two or more devices, every device to every instance.
        DualRedundancy = "dual-redundancy",
    }
}
