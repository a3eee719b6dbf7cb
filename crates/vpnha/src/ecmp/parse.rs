//! Flows written as text: `10.1.0.4:51000 -> 192.168.1.10:443 tcp`.
//!
//! The grammar (whitespace around `->` optional, names case-insensitive):
//!
//! ```text
//! flow     = endpoint "->" endpoint protocol [ ("label" | "flow-label") ["="] number ]
//! endpoint = ipv4 [ ":" port ] | "[" ipv6 "]" [ ":" port ] | ipv6
//! protocol = "tcp" | "udp" | "icmp" | "icmpv6" | "esp" | "ah" | "gre" | "sctp"
//!          | "protocol" number | number
//! ```
//!
//! This is what [`FlowKey`]'s `Display` writes, so `key.to_string().parse()` gives `key` back.
//! Parsing uses only `core` and never allocates.

use core::fmt;
use core::net::IpAddr;
use core::str::FromStr;

use super::FlowKey;

/// Why a flow text could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseFlowError {
    /// No `->` between the two endpoints.
    MissingArrow,
    /// An endpoint is not an address, `address:port` or `[ipv6]:port`.
    BadEndpoint,
    /// A port is not a number in 0–65535.
    BadPort,
    /// The protocol is missing.
    MissingProtocol,
    /// The protocol is neither a known name nor a number in 0–255.
    BadProtocol,
    /// The flow label is not a number in 0–0xFFFFF.
    BadFlowLabel,
    /// One endpoint is IPv4 and the other IPv6.
    MixedFamilies,
    /// Text after the flow that means nothing.
    TrailingText,
}

impl fmt::Display for ParseFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingArrow => "a flow is `SRC -> DST PROTOCOL`, e.g. `10.1.0.4:51000 -> 192.168.1.10:443 tcp`: the `->` is missing",
            Self::BadEndpoint => "an endpoint must be `ADDRESS`, `ADDRESS:PORT` or `[IPV6]:PORT`",
            Self::BadPort => "a port must be a number from 0 to 65535",
            Self::MissingProtocol => "name the protocol after the destination: tcp, udp, icmp, esp, ... or a number",
            Self::BadProtocol => "the protocol must be tcp, udp, icmp, icmpv6, esp, ah, gre, sctp or a number from 0 to 255",
            Self::BadFlowLabel => "the flow label must be a number from 0 to 0xfffff (decimal or 0x hex)",
            Self::MixedFamilies => "both endpoints must be IPv4, or both IPv6",
            Self::TrailingText => "unexpected text after the flow; only `flow-label N` may follow the protocol",
        })
    }
}

impl core::error::Error for ParseFlowError {}

impl FromStr for FlowKey {
    type Err = ParseFlowError;

    /// Reads `SRC[:PORT] -> DST[:PORT] PROTOCOL [label N]`.
    ///
    /// ```
    /// use vpnha::ecmp::FlowKey;
    ///
    /// let key: FlowKey = "10.1.0.4:51000 -> 192.168.1.10:443 tcp".parse()?;
    /// assert_eq!((key.protocol, key.src_port, key.dst_port), (6, 51000, 443));
    /// let v6: FlowKey = "[2001:db8::1]:500 -> [2001:db8::2]:4500 udp label 0x12345".parse()?;
    /// assert_eq!(v6.flow_label, 0x12345);
    /// assert_eq!(v6.to_string().parse::<FlowKey>()?, v6);
    /// # Ok::<(), vpnha::ecmp::ParseFlowError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (src, rest) = s.split_once("->").ok_or(ParseFlowError::MissingArrow)?;
        let (src, src_port) = endpoint(src.trim())?;
        let mut words = rest.split_whitespace();
        let (dst, dst_port) = endpoint(words.next().ok_or(ParseFlowError::BadEndpoint)?)?;
        let protocol = match words.next().ok_or(ParseFlowError::MissingProtocol)? {
            w if w.eq_ignore_ascii_case("protocol") => {
                number(words.next().ok_or(ParseFlowError::BadProtocol)?, 255)
                    .ok_or(ParseFlowError::BadProtocol)?
            }
            w => protocol(w).ok_or(ParseFlowError::BadProtocol)?,
        };
        let flow_label = match words.next() {
            None => 0,
            Some(w) if is_label_word(w) => {
                let n = words.next().ok_or(ParseFlowError::BadFlowLabel)?;
                number(n.trim_start_matches('='), 0xF_FFFF).ok_or(ParseFlowError::BadFlowLabel)?
            }
            Some(w) => match w.split_once('=') {
                Some((k, v)) if is_label_word(k) => {
                    number(v, 0xF_FFFF).ok_or(ParseFlowError::BadFlowLabel)?
                }
                _ => return Err(ParseFlowError::TrailingText),
            },
        };
        if words.next().is_some() {
            return Err(ParseFlowError::TrailingText);
        }
        let key = FlowKey::new(src, dst, protocol as u8, src_port, dst_port)
            .map_err(|_| ParseFlowError::MixedFamilies)?;
        Ok(key.with_flow_label(flow_label))
    }
}

/// `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:80`, `[2001:db8::1]`, `2001:db8::1`.
fn endpoint(s: &str) -> Result<(IpAddr, u16), ParseFlowError> {
    if let Some(rest) = s.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or(ParseFlowError::BadEndpoint)?;
        let addr = addr
            .parse::<core::net::Ipv6Addr>()
            .map_err(|_| ParseFlowError::BadEndpoint)?;
        let port = match after {
            "" => 0,
            p => port(p.strip_prefix(':').ok_or(ParseFlowError::BadEndpoint)?)?,
        };
        return Ok((IpAddr::V6(addr), port));
    }
    if let Ok(addr) = s.parse::<IpAddr>() {
        return Ok((addr, 0));
    }
    let (addr, p) = s.rsplit_once(':').ok_or(ParseFlowError::BadEndpoint)?;
    let addr = addr
        .parse::<core::net::Ipv4Addr>()
        .map_err(|_| ParseFlowError::BadEndpoint)?;
    Ok((IpAddr::V4(addr), port(p)?))
}

fn is_label_word(w: &str) -> bool {
    ["label", "flow-label", "flow_label"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(w))
}

fn port(s: &str) -> Result<u16, ParseFlowError> {
    number(s, 65_535)
        .map(|n| n as u16)
        .ok_or(ParseFlowError::BadPort)
}

/// A decimal or `0x` hexadecimal number no larger than `max`.
fn number(s: &str, max: u32) -> Option<u32> {
    let n = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => s.parse::<u32>().ok()?,
    };
    (n <= max).then_some(n)
}

fn protocol(s: &str) -> Option<u32> {
    const NAMES: [(&str, u32); 8] = [
        ("tcp", 6),
        ("udp", 17),
        ("icmp", 1),
        ("icmpv6", 58),
        ("esp", 50),
        ("ah", 51),
        ("gre", 47),
        ("sctp", 132),
    ];
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, p)| *p)
        .or_else(|| number(s, 255))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_forms_parse() {
        let k: FlowKey = "10.1.0.4:51000->192.168.1.10:443 TCP".parse().unwrap();
        assert_eq!(
            k,
            FlowKey::v4([10, 1, 0, 4], [192, 168, 1, 10], 6, 51000, 443)
        );
        let k: FlowKey = "192.0.2.1 -> 198.51.100.1 icmp".parse().unwrap();
        assert_eq!((k.protocol, k.src_port, k.dst_port), (1, 0, 0));
        let k: FlowKey = "2001:db8::1 -> 2001:db8::2 protocol 50".parse().unwrap();
        assert!(k.is_ipv6());
        assert_eq!(k.protocol, 50);
        let k: FlowKey = "[2001:db8::1]:1 -> [2001:db8::2]:2 17 label=1234"
            .parse()
            .unwrap();
        assert_eq!(k.flow_label, 1234);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "10.1.0.4:51000 -> 192.168.1.10:443 tcp",
            "[2001:db8::1]:500 -> [2001:db8::2]:4500 udp label 0x12345",
        ] {
            let k: FlowKey = text.parse().unwrap();
            assert_eq!(k.to_string().parse::<FlowKey>(), Ok(k), "{}", k);
        }
    }

    #[test]
    fn bad_text_gives_the_reason() {
        let cases = [
            (
                "10.1.0.4:1 192.168.1.10:2 tcp",
                ParseFlowError::MissingArrow,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.10:2",
                ParseFlowError::MissingProtocol,
            ),
            (
                "10.1.0.4:70000 -> 192.168.1.10:2 tcp",
                ParseFlowError::BadPort,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.300:2 tcp",
                ParseFlowError::BadEndpoint,
            ),
            (
                "10.1.0.4:1 -> [2001:db8::1]:2 tcp",
                ParseFlowError::MixedFamilies,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.1:2 xtp",
                ParseFlowError::BadProtocol,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.1:2 256",
                ParseFlowError::BadProtocol,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.1:2 tcp label 0x100000",
                ParseFlowError::BadFlowLabel,
            ),
            (
                "10.1.0.4:1 -> 192.168.1.1:2 tcp now",
                ParseFlowError::TrailingText,
            ),
            ("", ParseFlowError::MissingArrow),
            ("->", ParseFlowError::BadEndpoint),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<FlowKey>(), Err(want), "{text}");
        }
    }
}
