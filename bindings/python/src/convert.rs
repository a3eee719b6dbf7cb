//! Python values to flow fields: integers in range, protocols by name or number, addresses
//! from text, `ipaddress` objects or ints. Every failure is an `EcmpError`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyString};
use vpnha::ecmp::FlowKey;

use crate::errors::{ecmp_error, ecmp_message};

/// An integer in `0..=max`, or an `EcmpError` naming `what`.
pub(crate) fn int_in(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    max: u64,
    what: &str,
) -> PyResult<u64> {
    let out_of_range = || ecmp_message(py, &format!("{what} must be an integer from 0 to {max}"));
    if obj.cast::<PyInt>().is_err() && !obj.hasattr("__index__").unwrap_or(false) {
        return Err(ecmp_message(
            py,
            &format!(
                "{what} must be an integer from 0 to {max}, not {}",
                type_name(obj)
            ),
        ));
    }
    match obj.extract::<i128>() {
        Ok(v) if (0..=i128::from(max)).contains(&v) => Ok(v as u64),
        _ => Err(out_of_range()),
    }
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// A protocol number from a name (`tcp`, `udp`, `icmp`, ...) or a number.
pub(crate) fn protocol_from_text(s: &str) -> Option<u8> {
    let s = s.trim();
    Some(match s.to_ascii_lowercase().as_str() {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "icmpv6" | "ipv6-icmp" => 58,
        "sctp" => 132,
        other => other.parse().ok()?,
    })
}

pub(crate) const PROTOCOL_HELP: &str = "a protocol is a number from 0 to 255 or a name: tcp, udp, icmp, icmpv6, esp, ah, gre, sctp, igmp";

pub(crate) fn protocol(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<u8> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_string_lossy();
        return protocol_from_text(&text).ok_or_else(|| {
            ecmp_message(py, &format!("unknown protocol {text:?}: {PROTOCOL_HELP}"))
        });
    }
    int_in(py, obj, 255, "proto").map(|v| v as u8)
}

pub(crate) fn address_from_text(py: Python<'_>, text: &str, what: &str) -> PyResult<IpAddr> {
    IpAddr::from_str(text.trim()).map_err(|_| {
        ecmp_message(
            py,
            &format!("{what}: {text:?} is not an IPv4 or IPv6 address"),
        )
    })
}

/// An address from text, an `ipaddress` object (its `packed` bytes) or an int (an IPv4
/// address as `int(IPv4Address(...))` gives it).
pub(crate) fn address(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<IpAddr> {
    if let Ok(s) = obj.cast::<PyString>() {
        return address_from_text(py, &s.to_string_lossy(), what);
    }
    if obj.cast::<PyInt>().is_ok() && obj.cast::<PyBool>().is_err() {
        return match obj.extract::<u32>() {
            Ok(v) => Ok(IpAddr::V4(Ipv4Addr::from_bits(v))),
            Err(_) => Err(ecmp_message(
                py,
                &format!(
                    "{what}: an integer address is an IPv4 address from 0 to 4294967295; give IPv6 addresses as text or ipaddress.IPv6Address"
                ),
            )),
        };
    }
    let packed = obj.getattr("packed").ok();
    if let Some(b) = packed.as_ref().and_then(|p| p.cast::<PyBytes>().ok()) {
        if let Ok(octets) = <[u8; 4]>::try_from(b.as_bytes()) {
            return Ok(IpAddr::V4(Ipv4Addr::from(octets)));
        }
        if let Ok(octets) = <[u8; 16]>::try_from(b.as_bytes()) {
            return Ok(IpAddr::V6(Ipv6Addr::from(octets)));
        }
    }
    Err(ecmp_message(
        py,
        &format!(
            "{what} must be an address as text or an ipaddress object, not {}",
            type_name(obj)
        ),
    ))
}

/// One flow key from Python values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn flow_key(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    dst: &Bound<'_, PyAny>,
    proto: &Bound<'_, PyAny>,
    sport: &Bound<'_, PyAny>,
    dport: &Bound<'_, PyAny>,
    flow_label: &Bound<'_, PyAny>,
) -> PyResult<FlowKey> {
    let s = address(py, src, "src")?;
    let d = address(py, dst, "dst")?;
    let p = protocol(py, proto)?;
    let sp = int_in(py, sport, 65535, "sport")? as u16;
    let dp = int_in(py, dport, 65535, "dport")? as u16;
    let label = int_in(py, flow_label, 0xF_FFFF, "flow_label")? as u32;
    FlowKey::new(s, d, p, sp, dp)
        .map(|k| labelled(k, label))
        .map_err(|e| ecmp_error(py, &e))
}

/// The key with this flow label when it is IPv6; an IPv4 key has none (its label is never
/// read, and equal flows must compare equal).
pub(crate) fn labelled(key: FlowKey, label: u32) -> FlowKey {
    if key.is_ipv6() {
        key.with_flow_label(label)
    } else {
        key
    }
}
