//! The flow key and the choice of fields that enter the hash.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::ops::BitOr;

use super::EcmpError;

/// The mask of the 20 bits an IPv6 flow label has (RFC 6437).
pub(crate) const FLOW_LABEL_MASK: u32 = 0x000F_FFFF;

/// One flow: the addresses, protocol, ports and IPv6 flow label that select its tunnel.
///
/// A plain `#[repr(C)]` value of 44 bytes, alignment 4, with only integer fields, so C can
/// mirror it field for field and numpy can describe it as a structured dtype:
///
/// | offset | field | type | meaning |
/// |---|---|---|---|
/// | 0 | `src` | `[u8; 16]` | source address, network byte order |
/// | 16 | `dst` | `[u8; 16]` | destination address, network byte order |
/// | 32 | `src_port` | `u16` | source port, as a number (host order in memory) |
/// | 34 | `dst_port` | `u16` | destination port, as a number |
/// | 36 | `protocol` | `u8` | IP protocol number (6 TCP, 17 UDP, 50 ESP, ...) |
/// | 37 | `family` | `u8` | [`FlowKey::IPV4`] (4) or [`FlowKey::IPV6`] (6) |
/// | 38 | `reserved` | `[u8; 2]` | zero; never read |
/// | 40 | `flow_label` | `u32` | IPv6 flow label, 0 = none (RFC 6437); only the low 20 bits count |
///
/// An IPv4 address occupies the first 4 bytes of its array in network order; the other 12
/// bytes are zero and are never read. A key whose `family` is not 6 is treated as IPv4, and
/// the flow label of an IPv4 key is never read, so every bit pattern is a valid key: a key
/// built in C or from numpy cannot make selection fail.
///
/// Ports of protocols without ports (ICMP, ESP) are simply 0.
///
/// # Examples
///
/// ```
/// use core::net::Ipv4Addr;
/// use vpnha::ecmp::FlowKey;
///
/// let key = FlowKey::v4([192, 0, 2, 10], Ipv4Addr::new(198, 51, 100, 7), 6, 40000, 443);
/// assert_eq!(key.src[..4], [192, 0, 2, 10]);
/// assert_eq!(key.src[4..], [0; 12]);
/// assert_eq!(key.reversed().src_port, 443);
/// assert_eq!(key.to_string(), "192.0.2.10:40000 -> 198.51.100.7:443 protocol 6");
///
/// // Mixed families are an error, not a panic.
/// let v6 = "2001:db8::1".parse().unwrap();
/// assert!(FlowKey::new("192.0.2.10".parse().unwrap(), v6, 17, 500, 500).is_err());
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Source address in network byte order; IPv4 in the first 4 bytes, the rest zero.
    pub src: [u8; 16],
    /// Destination address in network byte order; IPv4 in the first 4 bytes, the rest zero.
    pub dst: [u8; 16],
    /// Source port (0 for protocols without ports).
    pub src_port: u16,
    /// Destination port (0 for protocols without ports).
    pub dst_port: u16,
    /// IP protocol number.
    pub protocol: u8,
    /// Address family: [`FlowKey::IPV4`] or [`FlowKey::IPV6`]; any value other than 6 reads as IPv4.
    pub family: u8,
    /// Keeps the layout free of implicit padding; set to zero, never read.
    pub reserved: [u8; 2],
    /// IPv6 flow label, 0 = none. Only the low 20 bits are read, and only for IPv6.
    pub flow_label: u32,
}

const _: () = assert!(size_of::<FlowKey>() == 44 && align_of::<FlowKey>() == 4);

impl FlowKey {
    /// The `family` value of an IPv4 key.
    pub const IPV4: u8 = 4;
    /// The `family` value of an IPv6 key.
    pub const IPV6: u8 = 6;

    /// An IPv4 flow. `src` and `dst` take an [`Ipv4Addr`] or its four octets.
    #[must_use]
    pub fn v4(
        src: impl Into<Ipv4Addr>,
        dst: impl Into<Ipv4Addr>,
        protocol: u8,
        src_port: u16,
        dst_port: u16,
    ) -> Self {
        Self::from_v4(src.into(), dst.into(), protocol, src_port, dst_port)
    }

    /// [`FlowKey::v4`] as a `const fn`, for keys in static tables.
    #[must_use]
    pub const fn from_v4(
        src: Ipv4Addr,
        dst: Ipv4Addr,
        protocol: u8,
        src_port: u16,
        dst_port: u16,
    ) -> Self {
        Self {
            src: v4_bytes(src),
            dst: v4_bytes(dst),
            src_port,
            dst_port,
            protocol,
            family: Self::IPV4,
            reserved: [0; 2],
            flow_label: 0,
        }
    }

    /// An IPv6 flow. `src` and `dst` take an [`Ipv6Addr`] or its 16 octets; the flow label is
    /// kept to its low 20 bits (0 = none).
    #[must_use]
    pub fn v6(
        src: impl Into<Ipv6Addr>,
        dst: impl Into<Ipv6Addr>,
        protocol: u8,
        src_port: u16,
        dst_port: u16,
        flow_label: u32,
    ) -> Self {
        Self::from_v6(
            src.into(),
            dst.into(),
            protocol,
            src_port,
            dst_port,
            flow_label,
        )
    }

    /// [`FlowKey::v6`] as a `const fn`, for keys in static tables.
    #[must_use]
    pub const fn from_v6(
        src: Ipv6Addr,
        dst: Ipv6Addr,
        protocol: u8,
        src_port: u16,
        dst_port: u16,
        flow_label: u32,
    ) -> Self {
        Self {
            src: src.octets(),
            dst: dst.octets(),
            src_port,
            dst_port,
            protocol,
            family: Self::IPV6,
            reserved: [0; 2],
            flow_label: flow_label & FLOW_LABEL_MASK,
        }
    }

    /// A flow from two addresses of the same family (flow label 0; see
    /// [`FlowKey::with_flow_label`]).
    ///
    /// # Errors
    ///
    /// [`EcmpError::MixedFamilies`] when one address is IPv4 and the other IPv6.
    pub const fn new(
        src: IpAddr,
        dst: IpAddr,
        protocol: u8,
        src_port: u16,
        dst_port: u16,
    ) -> Result<Self, EcmpError> {
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => Ok(Self::from_v4(s, d, protocol, src_port, dst_port)),
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                Ok(Self::from_v6(s, d, protocol, src_port, dst_port, 0))
            }
            _ => Err(EcmpError::MixedFamilies),
        }
    }

    /// The same key with another IPv6 flow label (kept to its low 20 bits). IPv4 keys ignore it.
    #[must_use]
    pub const fn with_flow_label(mut self, flow_label: u32) -> Self {
        self.flow_label = flow_label & FLOW_LABEL_MASK;
        self
    }

    /// The other direction of the flow: addresses and ports swapped. The flow label is kept
    /// (a real reply carries a label of its sender's choosing).
    #[must_use]
    pub const fn reversed(self) -> Self {
        Self {
            src: self.dst,
            dst: self.src,
            src_port: self.dst_port,
            dst_port: self.src_port,
            ..self
        }
    }

    /// Whether the key reads as IPv6 (`family == 6`).
    #[must_use]
    pub const fn is_ipv6(&self) -> bool {
        self.family == Self::IPV6
    }

    /// The source address, read according to `family`.
    #[must_use]
    pub const fn src_addr(&self) -> IpAddr {
        addr(self.family, self.src)
    }

    /// The destination address, read according to `family`.
    #[must_use]
    pub const fn dst_addr(&self) -> IpAddr {
        addr(self.family, self.dst)
    }
}

const fn v4_bytes(a: Ipv4Addr) -> [u8; 16] {
    let o = a.octets();
    let mut b = [0; 16];
    b[0] = o[0];
    b[1] = o[1];
    b[2] = o[2];
    b[3] = o[3];
    b
}

const fn addr(family: u8, b: [u8; 16]) -> IpAddr {
    if family == FlowKey::IPV6 {
        IpAddr::V6(Ipv6Addr::from_bits(u128::from_be_bytes(b)))
    } else {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

impl fmt::Display for FlowKey {
    /// `192.0.2.10:40000 -> 198.51.100.7:443 protocol 6`, or with IPv6
    /// `[2001:db8::1]:500 -> [2001:db8::2]:4500 protocol 17 flow-label 0x12345`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.src_addr(), self.dst_addr()) {
            (IpAddr::V6(s), IpAddr::V6(d)) => write!(
                f,
                "[{s}]:{} -> [{d}]:{} protocol {}",
                self.src_port, self.dst_port, self.protocol
            )?,
            (s, d) => write!(
                f,
                "{s}:{} -> {d}:{} protocol {}",
                self.src_port, self.dst_port, self.protocol
            )?,
        }
        if self.is_ipv6() && self.flow_label & FLOW_LABEL_MASK != 0 {
            write!(f, " flow-label {:#x}", self.flow_label & FLOW_LABEL_MASK)?;
        }
        Ok(())
    }
}

/// Which parts of a [`FlowKey`] enter the hash: a bit set with the bit values of Linux's
/// `net.ipv4.fib_multipath_hash_fields` sysctl (the outer-header bits).
///
/// | bit | constant | field |
/// |---|---|---|
/// | 0x01 | [`HashFields::SRC_IP`] | source address |
/// | 0x02 | [`HashFields::DST_IP`] | destination address |
/// | 0x04 | [`HashFields::PROTOCOL`] | IP protocol |
/// | 0x08 | [`HashFields::FLOW_LABEL`] | IPv6 flow label (IPv4 keys have none) |
/// | 0x10 | [`HashFields::SRC_PORT`] | source port |
/// | 0x20 | [`HashFields::DST_PORT`] | destination port |
///
/// The default is [`HashFields::FIVE_TUPLE`] (0x37). A field left out reads as zero. The empty
/// set is allowed and gives every flow the same hash.
///
/// # Examples
///
/// ```
/// use vpnha::ecmp::HashFields;
///
/// assert_eq!(HashFields::default(), HashFields::FIVE_TUPLE);
/// assert_eq!(HashFields::FIVE_TUPLE.bits(), 0x37);
/// let l3_label = HashFields::L3 | HashFields::FLOW_LABEL;
/// assert_eq!(HashFields::from_bits(0x0b), Ok(l3_label));
/// assert!(HashFields::from_bits(0x40).is_err()); // Linux's inner-header bits are not supported
/// ```
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashFields(u32);

impl HashFields {
    /// Source address (0x01).
    pub const SRC_IP: Self = Self(0x01);
    /// Destination address (0x02).
    pub const DST_IP: Self = Self(0x02);
    /// IP protocol (0x04).
    pub const PROTOCOL: Self = Self(0x04);
    /// IPv6 flow label (0x08); IPv4 keys have none.
    pub const FLOW_LABEL: Self = Self(0x08);
    /// Source port (0x10).
    pub const SRC_PORT: Self = Self(0x10);
    /// Destination port (0x20).
    pub const DST_PORT: Self = Self(0x20);
    /// Addresses only (0x03), as Linux's default multipath policy 0 for IPv4.
    pub const L3: Self = Self(0x03);
    /// Addresses, protocol and ports (0x37), as Linux's policy 1; the default.
    pub const FIVE_TUPLE: Self = Self(0x37);
    /// Every supported field (0x3f).
    pub const ALL: Self = Self(0x3f);
    /// No field: every flow hashes alike.
    pub const NONE: Self = Self(0);

    /// The set with these bits.
    ///
    /// # Errors
    ///
    /// [`EcmpError::UnknownHashFields`] when a bit outside [`HashFields::ALL`] is set.
    pub const fn from_bits(bits: u32) -> Result<Self, EcmpError> {
        if bits & !Self::ALL.0 == 0 {
            Ok(Self(bits))
        } else {
            Err(EcmpError::UnknownHashFields { bits })
        }
    }

    /// The bits, as Linux writes them.
    #[must_use]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every field of `other` is in `self`.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The fields of both sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The fields of `self` that are not in `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl Default for HashFields {
    fn default() -> Self {
        Self::FIVE_TUPLE
    }
}

impl BitOr for HashFields {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}
