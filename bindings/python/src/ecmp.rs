//! `Flow` and `EcmpGroup`: flow selection, one flow at a time or over numpy columns.
//!
//! Batch input is read in place: a contiguous numpy array of the expected dtype (`uint32`
//! IPv4, `(n, 16)` `uint8` IPv6, `uint8` protocols, `uint16` ports, `uint32` flow labels)
//! is borrowed, never copied. Other integer dtypes, strided arrays, lists and text are
//! converted first (a copy, after a range check). Keys are built a chunk at a time on the
//! stack and handed to the core's `select_many` with the GIL released.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use numpy::{
    Element, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1,
    PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, HashFields, MAX_TUNNELS, NONE};

use crate::errors::{ecmp_error, ecmp_message};
use crate::topology::{helper, quote};

/// Keys built per chunk: 44 bytes each, 11 KiB of stack.
const CHUNK: usize = 256;

// ---------------------------------------------------------------------------------------
// Scalars: integers, protocols, addresses.

/// An integer in `0..=max`, or an `EcmpError` naming `what`.
fn int_in(py: Python<'_>, obj: &Bound<'_, PyAny>, max: u64, what: &str) -> PyResult<u64> {
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

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// A protocol number from a name (`tcp`, `udp`, `icmp`, ...) or a number.
fn protocol_from_text(s: &str) -> Option<u8> {
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

const PROTOCOL_HELP: &str = "a protocol is a number from 0 to 255 or a name: tcp, udp, icmp, icmpv6, esp, ah, gre, sctp, igmp";

fn protocol(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<u8> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_string_lossy();
        return protocol_from_text(&text).ok_or_else(|| {
            ecmp_message(py, &format!("unknown protocol {text:?}: {PROTOCOL_HELP}"))
        });
    }
    int_in(py, obj, 255, "proto").map(|v| v as u8)
}

fn address_from_text(py: Python<'_>, text: &str, what: &str) -> PyResult<IpAddr> {
    IpAddr::from_str(text.trim()).map_err(|_| {
        ecmp_message(
            py,
            &format!("{what}: {text:?} is not an IPv4 or IPv6 address"),
        )
    })
}

/// An address from text, an `ipaddress` object (its `packed` bytes) or an int (an IPv4
/// address as `int(IPv4Address(...))` gives it).
fn address(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<IpAddr> {
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
fn flow_key(
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
        .map(|k| k.with_flow_label(label))
        .map_err(|e| ecmp_error(py, &e))
}

// ---------------------------------------------------------------------------------------
// Flow.

/// One flow: source and destination address, protocol, ports and IPv6 flow label.
#[pyclass(frozen, eq, hash, module = "vpnha", name = "Flow")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyFlow {
    key: FlowKey,
}

/// Parses `192.0.2.1:49152 -> 198.51.100.10:443 tcp` (the form `str(flow)` writes,
/// `protocol 6` and `flow-label 0x12345` included).
fn parse_flow(text: &str) -> Result<FlowKey, String> {
    let (left, right) = text
        .split_once("->")
        .ok_or("a flow is written `SRC[:PORT] -> DST[:PORT] PROTOCOL`, e.g. `10.1.0.4:51000 -> 192.168.1.10:443 tcp`")?;
    let mut words = right.split_whitespace();
    let dst = words.next().ok_or("no destination after `->`")?;
    let (src, sport) = endpoint(left.trim())?;
    let (dst, dport) = endpoint(dst)?;
    let mut proto = None;
    let mut label = 0u32;
    while let Some(w) = words.next() {
        match w.to_ascii_lowercase().as_str() {
            "protocol" | "proto" => {
                let v = words.next().ok_or("`protocol` needs a value")?;
                proto = Some(protocol_from_text(v).ok_or(format!("unknown protocol `{v}`"))?);
            }
            "flow-label" | "flow_label" | "label" => {
                let v = words.next().ok_or("`flow-label` needs a value")?;
                let n = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => v.parse().ok(),
                };
                label = n.filter(|&n| n <= 0xF_FFFF).ok_or(format!(
                    "flow label `{v}` is not a number from 0 to 0xfffff"
                ))?;
            }
            _ => {
                if proto.is_some() {
                    return Err(format!("unexpected `{w}` after the protocol"));
                }
                proto = Some(
                    protocol_from_text(w)
                        .ok_or(format!("unknown protocol `{w}`: {PROTOCOL_HELP}"))?,
                );
            }
        }
    }
    let proto = proto.ok_or("no protocol: end the flow with tcp, udp, icmp, esp or a number")?;
    FlowKey::new(src, dst, proto, sport, dport)
        .map(|k| k.with_flow_label(label))
        .map_err(|e| e.to_string())
}

/// `192.0.2.1:443`, `[2001:db8::1]:443`, or an address alone (port 0).
fn endpoint(text: &str) -> Result<(IpAddr, u16), String> {
    let bad_port = |p: &str| format!("`{p}` is not a port from 0 to 65535");
    if let Some(rest) = text.strip_prefix('[') {
        let (addr, after) = rest
            .split_once(']')
            .ok_or(format!("`{text}`: `[` without `]`"))?;
        let addr =
            Ipv6Addr::from_str(addr).map_err(|_| format!("`{addr}` is not an IPv6 address"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port(p))?,
            None if after.is_empty() => 0,
            None => return Err(format!("`{text}`: expected `:PORT` after `]`")),
        };
        return Ok((IpAddr::V6(addr), port));
    }
    if let Ok(addr) = IpAddr::from_str(text) {
        return Ok((addr, 0));
    }
    let (addr, port) = text
        .rsplit_once(':')
        .ok_or(format!("`{text}` is not an address or ADDRESS:PORT"))?;
    let addr = Ipv4Addr::from_str(addr).map_err(|_| {
        format!("`{addr}` is not an IPv4 address (write IPv6 with a port as [ADDRESS]:PORT)")
    })?;
    Ok((IpAddr::V4(addr), port.parse().map_err(|_| bad_port(port))?))
}

#[pymethods]
impl PyFlow {
    #[new]
    #[pyo3(signature = (src, dst, proto, sport = None, dport = None, flow_label = None))]
    fn new(
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: &Bound<'_, PyAny>,
        proto: &Bound<'_, PyAny>,
        sport: Option<&Bound<'_, PyAny>>,
        dport: Option<&Bound<'_, PyAny>>,
        flow_label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let zero = 0u8.into_pyobject(py)?.into_any();
        let key = flow_key(
            py,
            src,
            dst,
            proto,
            sport.unwrap_or(&zero),
            dport.unwrap_or(&zero),
            flow_label.unwrap_or(&zero),
        )?;
        Ok(PyFlow { key })
    }

    /// Parses `SRC[:PORT] -> DST[:PORT] PROTOCOL [flow-label N]`.
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<Self> {
        parse_flow(text)
            .map(|key| PyFlow { key })
            .map_err(|why| ecmp_message(py, &format!("cannot read flow {text:?}: {why}")))
    }

    #[getter]
    fn src(&self) -> IpAddr {
        self.key.src_addr()
    }

    #[getter]
    fn dst(&self) -> IpAddr {
        self.key.dst_addr()
    }

    #[getter]
    fn proto(&self) -> u8 {
        self.key.protocol
    }

    #[getter]
    fn sport(&self) -> u16 {
        self.key.src_port
    }

    #[getter]
    fn dport(&self) -> u16 {
        self.key.dst_port
    }

    #[getter]
    fn flow_label(&self) -> u32 {
        if self.key.is_ipv6() {
            self.key.flow_label
        } else {
            0
        }
    }

    #[getter]
    fn family(&self) -> u8 {
        if self.key.is_ipv6() { 6 } else { 4 }
    }

    /// The other direction: addresses and ports swapped.
    fn reversed(&self) -> Self {
        PyFlow {
            key: self.key.reversed(),
        }
    }

    fn __str__(&self) -> String {
        self.key.to_string()
    }

    fn __repr__(&self) -> String {
        let mut s = format!(
            "Flow('{}', '{}', {}, {}, {}",
            self.key.src_addr(),
            self.key.dst_addr(),
            self.key.protocol,
            self.key.src_port,
            self.key.dst_port
        );
        if self.flow_label() != 0 {
            s.push_str(&format!(", flow_label={:#x}", self.key.flow_label));
        }
        s.push(')');
        s
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let f = slf.get();
        let args = (
            f.key.src_addr().to_string(),
            f.key.dst_addr().to_string(),
            f.key.protocol,
            f.key.src_port,
            f.key.dst_port,
            f.flow_label(),
        );
        (slf.get_type(), args).into_pyobject(slf.py())
    }
}

// ---------------------------------------------------------------------------------------
// Columns of a batch.

/// Integer column: a numpy array read in place, a converted copy, or one value for all rows.
enum IntCol<'py, T: Element> {
    Array(PyReadonlyArray1<'py, T>),
    Owned(Vec<T>),
    Scalar(T),
}

/// What the per-row loop reads: a slice or one value.
#[derive(Clone, Copy)]
enum Ints<'a, T> {
    Slice(&'a [T]),
    Scalar(T),
}

impl<T: Copy + Default> Ints<'_, T> {
    #[inline(always)]
    fn get(self, i: usize) -> T {
        match self {
            Ints::Slice(s) => s.get(i).copied().unwrap_or_default(),
            Ints::Scalar(v) => v,
        }
    }
}

impl<'py, T: Element + Copy> IntCol<'py, T> {
    fn len(&self) -> Option<usize> {
        match self {
            IntCol::Array(a) => Some(a.len()),
            IntCol::Owned(v) => Some(v.len()),
            IntCol::Scalar(_) => None,
        }
    }

    fn view(&self) -> Ints<'_, T> {
        match self {
            // Contiguity was checked when the column was made.
            IntCol::Array(a) => Ints::Slice(a.as_slice().unwrap_or(&[])),
            IntCol::Owned(v) => Ints::Slice(v),
            IntCol::Scalar(v) => Ints::Scalar(*v),
        }
    }
}

fn numpy_asarray<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    helper(&ASARRAY, py, "numpy", "asarray")?
        .bind(py)
        .call1((obj,))
}

/// A borrowed, contiguous view of a typed 1-D array, or `None` when it has another dtype.
fn borrow_1d<'py, T: Element + Copy>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Option<IntCol<'py, T>>> {
    let Ok(arr) = obj.cast::<PyArray1<T>>() else {
        return Ok(None);
    };
    let ro = arr
        .try_readonly()
        .map_err(|e| ecmp_message(py, &format!("{what}: the array cannot be read: {e}")))?;
    if ro.as_slice().is_ok() {
        Ok(Some(IntCol::Array(ro)))
    } else {
        // Strided: copy it (the loop reads slices).
        Ok(Some(IntCol::Owned(ro.as_array().iter().copied().collect())))
    }
}

/// An integer column in `0..=max` of dtype `T`: a Python int or text (when `text` is given),
/// a numpy array or anything numpy can turn into one.
fn int_column<'py, T>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    max: u64,
    what: &str,
    text: Option<fn(&str) -> Option<u8>>,
) -> PyResult<IntCol<'py, T>>
where
    T: Element + Copy + TryFrom<u64>,
{
    let scalar =
        |v: u64| T::try_from(v).map_err(|_| ecmp_message(py, &format!("{what} is out of range")));
    if obj.cast::<PyString>().is_ok() {
        let Some(parse) = text else {
            return Err(ecmp_message(
                py,
                &format!("{what} must be integers, not text"),
            ));
        };
        return protocol(py, obj)
            .and_then(|p| {
                let _ = parse;
                scalar(u64::from(p))
            })
            .map(IntCol::Scalar);
    }
    if obj.cast::<PyInt>().is_ok() {
        return int_in(py, obj, max, what)
            .and_then(scalar)
            .map(IntCol::Scalar);
    }
    if let Some(col) = borrow_1d::<T>(py, obj, what)? {
        return Ok(col);
    }
    let arr = numpy_asarray(py, obj)?;
    let untyped = arr
        .cast::<numpy::PyUntypedArray>()
        .map_err(|_| ecmp_message(py, &format!("{what}: numpy.asarray gave no array")))?;
    match untyped.ndim() {
        0 => {
            let item = arr.call_method0("item")?;
            if item.cast::<PyInt>().is_ok() || item.cast::<PyString>().is_ok() {
                return int_column(py, &item, max, what, text);
            }
            return Err(ecmp_message(
                py,
                &format!("{what} must be integers, not {}", type_name(&item)),
            ));
        }
        1 => {}
        n => {
            return Err(ecmp_message(
                py,
                &format!("{what} must be one-dimensional, not {n}-dimensional"),
            ));
        }
    }
    let dtype = untyped.dtype();
    let kind = dtype.kind() as char;
    match kind {
        'i' | 'u' => {
            if untyped.len() > 0 {
                let lo: i128 = arr.call_method0("min")?.extract()?;
                let hi: i128 = arr.call_method0("max")?.extract()?;
                if lo < 0 || hi > i128::from(max) {
                    return Err(ecmp_message(
                        py,
                        &format!("{what} holds values from {lo} to {hi}, outside 0 to {max}"),
                    ));
                }
            }
            let converted = arr.call_method1("astype", (numpy::dtype::<T>(py),))?;
            borrow_1d::<T>(py, &converted, what)?
                .ok_or_else(|| ecmp_message(py, &format!("{what}: conversion failed")))
        }
        'U' | 'S' | 'O' => {
            let items = arr.call_method0("tolist")?;
            let list = items.cast::<PyList>()?;
            let mut v = Vec::with_capacity(list.len());
            for item in list.iter() {
                let value = if text.is_some() && item.cast::<PyString>().is_ok() {
                    u64::from(protocol(py, &item)?)
                } else if let Ok(b) = item.cast::<PyBytes>() {
                    let s = String::from_utf8_lossy(b.as_bytes()).into_owned();
                    match text {
                        Some(parse) => u64::from(parse(&s).ok_or_else(|| {
                            ecmp_message(py, &format!("unknown protocol {s:?}: {PROTOCOL_HELP}"))
                        })?),
                        None => {
                            return Err(ecmp_message(py, &format!("{what} must be integers")));
                        }
                    }
                } else {
                    int_in(py, &item, max, what)?
                };
                v.push(scalar(value)?);
            }
            Ok(IntCol::Owned(v))
        }
        'f' => Err(ecmp_message(
            py,
            &format!(
                "{what} must be integers, not {} (a column with missing values? drop or fill them, then convert)",
                dtype
                    .str()
                    .map_or_else(|_| "floats".to_owned(), |s| s.to_string())
            ),
        )),
        _ => Err(ecmp_message(
            py,
            &format!(
                "{what} must be integers, not an array of dtype {}",
                dtype
                    .str()
                    .map_or_else(|_| kind.to_string(), |s| s.to_string())
            ),
        )),
    }
}

/// Address column.
enum AddrCol<'py> {
    V4(IntCol<'py, u32>),
    V6Array(PyReadonlyArray2<'py, u8>),
    V6Owned(Vec<[u8; 16]>),
    V6Scalar([u8; 16]),
    /// Text or objects of both families, row by row.
    Mixed(Vec<IpAddr>),
}

#[derive(Clone, Copy)]
enum Addrs<'a> {
    V4(Ints<'a, u32>),
    V6(&'a [[u8; 16]]),
    V6Scalar([u8; 16]),
    Mixed(&'a [IpAddr]),
}

impl Addrs<'_> {
    #[inline(always)]
    fn get(self, i: usize) -> IpAddr {
        match self {
            Addrs::V4(v) => IpAddr::V4(Ipv4Addr::from_bits(v.get(i))),
            Addrs::V6(s) => IpAddr::V6(Ipv6Addr::from(s.get(i).copied().unwrap_or_default())),
            Addrs::V6Scalar(a) => IpAddr::V6(Ipv6Addr::from(a)),
            Addrs::Mixed(s) => s
                .get(i)
                .copied()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        }
    }

    /// The family of every row when it is one (4 or 6), else `None`.
    fn family(self) -> Option<u8> {
        match self {
            Addrs::V4(_) => Some(4),
            Addrs::V6(_) | Addrs::V6Scalar(_) => Some(6),
            Addrs::Mixed(_) => None,
        }
    }
}

impl<'py> AddrCol<'py> {
    fn len(&self) -> Option<usize> {
        match self {
            AddrCol::V4(c) => c.len(),
            AddrCol::V6Array(a) => a.shape().first().copied(),
            AddrCol::V6Owned(v) => Some(v.len()),
            AddrCol::V6Scalar(_) => None,
            AddrCol::Mixed(v) => Some(v.len()),
        }
    }

    fn view(&self) -> Addrs<'_> {
        match self {
            AddrCol::V4(c) => Addrs::V4(c.view()),
            AddrCol::V6Array(a) => Addrs::V6(a.as_slice().map_or(&[], |s| s.as_chunks::<16>().0)),
            AddrCol::V6Owned(v) => Addrs::V6(v),
            AddrCol::V6Scalar(a) => Addrs::V6Scalar(*a),
            AddrCol::Mixed(v) => Addrs::Mixed(v),
        }
    }

    fn from_addresses(addrs: Vec<IpAddr>) -> Self {
        if addrs.iter().all(IpAddr::is_ipv4) {
            AddrCol::V4(IntCol::Owned(
                addrs
                    .iter()
                    .map(|a| match a {
                        IpAddr::V4(v) => v.to_bits(),
                        IpAddr::V6(_) => 0,
                    })
                    .collect(),
            ))
        } else if addrs.iter().all(IpAddr::is_ipv6) {
            AddrCol::V6Owned(
                addrs
                    .iter()
                    .map(|a| match a {
                        IpAddr::V6(v) => v.octets(),
                        IpAddr::V4(_) => [0; 16],
                    })
                    .collect(),
            )
        } else {
            AddrCol::Mixed(addrs)
        }
    }

    fn extract(py: Python<'py>, obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        // One address for every row.
        if obj.cast::<PyString>().is_ok()
            || obj.cast::<PyInt>().is_ok()
            || (obj.hasattr("packed").unwrap_or(false)
                && obj.cast::<numpy::PyUntypedArray>().is_err())
        {
            return Ok(match address(py, obj, what)? {
                IpAddr::V4(a) => AddrCol::V4(IntCol::Scalar(a.to_bits())),
                IpAddr::V6(a) => AddrCol::V6Scalar(a.octets()),
            });
        }
        if let Some(col) = borrow_1d::<u32>(py, obj, what)? {
            return Ok(AddrCol::V4(col));
        }
        let arr = match obj.cast::<PyArray2<u8>>() {
            Ok(a) => a.clone().into_any(),
            Err(_) => numpy_asarray(py, obj)?,
        };
        let untyped = arr
            .cast::<numpy::PyUntypedArray>()
            .map_err(|_| ecmp_message(py, &format!("{what}: numpy.asarray gave no array")))?;
        match untyped.ndim() {
            1 => {}
            2 => return Self::v6_matrix(py, &arr, what),
            0 => {
                let item = arr.call_method0("item")?;
                if item.cast::<PyString>().is_ok() || item.cast::<PyInt>().is_ok() {
                    return Self::extract(py, &item, what);
                }
                return Err(ecmp_message(
                    py,
                    &format!("{what} must be addresses, not {}", type_name(&item)),
                ));
            }
            n => {
                return Err(ecmp_message(
                    py,
                    &format!(
                        "{what} must be a 1-D array (IPv4 as uint32) or an (n, 16) uint8 array (IPv6), not {n}-dimensional"
                    ),
                ));
            }
        }
        let kind = untyped.dtype().kind() as char;
        match kind {
            'i' | 'u' => Ok(AddrCol::V4(int_column::<u32>(
                py,
                &arr,
                u64::from(u32::MAX),
                what,
                None,
            )?)),
            'U' | 'S' | 'O' => {
                let items = arr.call_method0("tolist")?;
                let list = items.cast::<PyList>()?;
                let mut v = Vec::with_capacity(list.len());
                for item in list.iter() {
                    let a = match item.cast::<PyBytes>() {
                        Ok(b) => {
                            address_from_text(py, &String::from_utf8_lossy(b.as_bytes()), what)?
                        }
                        Err(_) => address(py, &item, what)?,
                    };
                    v.push(a);
                }
                Ok(Self::from_addresses(v))
            }
            _ => Err(ecmp_message(
                py,
                &format!(
                    "{what} must be IPv4 addresses as uint32, IPv6 as an (n, 16) uint8 array, or text; not dtype {}",
                    untyped
                        .dtype()
                        .str()
                        .map_or_else(|_| kind.to_string(), |s| s.to_string())
                ),
            )),
        }
    }

    /// An (n, 16) array of IPv6 addresses, one address per row in network byte order.
    fn v6_matrix(py: Python<'py>, arr: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        let untyped = arr
            .cast::<numpy::PyUntypedArray>()
            .map_err(|_| ecmp_message(py, what))?;
        let shape = untyped.shape().to_vec();
        if shape.get(1) != Some(&16) {
            return Err(ecmp_message(
                py,
                &format!("{what}: an IPv6 array has shape (n, 16), not {shape:?}"),
            ));
        }
        let typed = match arr.cast::<PyArray2<u8>>() {
            Ok(a) if a.try_readonly().is_ok_and(|r| r.as_slice().is_ok()) => a.clone(),
            _ => {
                // Another dtype, or strided: a contiguous uint8 copy after a range check.
                let kind = untyped.dtype().kind() as char;
                if !matches!(kind, 'i' | 'u') {
                    return Err(ecmp_message(
                        py,
                        &format!(
                            "{what}: an IPv6 array holds bytes (uint8), not dtype kind {kind:?}"
                        ),
                    ));
                }
                if untyped.len() > 0 {
                    let lo: i128 = arr.call_method0("min")?.extract()?;
                    let hi: i128 = arr.call_method0("max")?.extract()?;
                    if lo < 0 || hi > 255 {
                        return Err(ecmp_message(
                            py,
                            &format!(
                                "{what}: an IPv6 array holds bytes from 0 to 255, not {lo} to {hi}"
                            ),
                        ));
                    }
                }
                static ASCONTIGUOUS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
                let c = helper(&ASCONTIGUOUS, py, "numpy", "ascontiguousarray")?
                    .bind(py)
                    .call1((arr, numpy::dtype::<u8>(py)))?;
                c.cast_into::<PyArray2<u8>>()
                    .map_err(|_| ecmp_message(py, &format!("{what}: conversion failed")))?
            }
        };
        let ro = typed
            .try_readonly()
            .map_err(|e| ecmp_message(py, &format!("{what}: the array cannot be read: {e}")))?;
        Ok(AddrCol::V6Array(ro))
    }
}

/// The columns of one batch call, checked for equal lengths.
struct Columns<'py> {
    src: AddrCol<'py>,
    dst: AddrCol<'py>,
    proto: IntCol<'py, u8>,
    sport: IntCol<'py, u16>,
    dport: IntCol<'py, u16>,
    label: IntCol<'py, u32>,
    rows: usize,
}

impl<'py> Columns<'py> {
    #[allow(clippy::too_many_arguments)]
    fn extract(
        py: Python<'py>,
        src: &Bound<'py, PyAny>,
        dst: &Bound<'py, PyAny>,
        proto: &Bound<'py, PyAny>,
        sport: &Bound<'py, PyAny>,
        dport: &Bound<'py, PyAny>,
        flow_label: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let src = AddrCol::extract(py, src, "src")?;
        let dst = AddrCol::extract(py, dst, "dst")?;
        let proto = int_column::<u8>(py, proto, 255, "proto", Some(protocol_from_text))?;
        let sport = int_column::<u16>(py, sport, 65535, "sport", None)?;
        let dport = int_column::<u16>(py, dport, 65535, "dport", None)?;
        let label = match flow_label.filter(|l| !l.is_none()) {
            Some(l) => int_column::<u32>(py, l, 0xF_FFFF, "flow_label", None)?,
            None => IntCol::Scalar(0),
        };
        let lengths = [
            ("src", src.len()),
            ("dst", dst.len()),
            ("proto", proto.len()),
            ("sport", sport.len()),
            ("dport", dport.len()),
            ("flow_label", label.len()),
        ];
        let mut rows: Option<(&str, usize)> = None;
        for (name, len) in lengths {
            match (rows, len) {
                (None, Some(n)) => rows = Some((name, n)),
                (Some((first, n)), Some(m)) if m != n => {
                    return Err(ecmp_message(
                        py,
                        &format!(
                            "{first} has {n} rows but {name} has {m}: the columns must have one length"
                        ),
                    ));
                }
                _ => {}
            }
        }
        let columns = Columns {
            src,
            dst,
            proto,
            sport,
            dport,
            label,
            rows: rows.map_or(1, |(_, n)| n),
        };
        columns.check_families(py)?;
        Ok(columns)
    }

    /// Source and destination must be of one family in every row.
    fn check_families(&self, py: Python<'_>) -> PyResult<()> {
        let (s, d) = (self.src.view(), self.dst.view());
        match (s.family(), d.family()) {
            (Some(a), Some(b)) if a == b => Ok(()),
            (Some(a), Some(b)) => Err(ecmp_message(
                py,
                &format!(
                    "src is IPv{a} and dst is IPv{b}: both addresses of a flow must be of one family"
                ),
            )),
            _ => match (0..self.rows).find(|&i| s.get(i).is_ipv4() != d.get(i).is_ipv4()) {
                None => Ok(()),
                Some(i) => Err(ecmp_message(
                    py,
                    &format!(
                        "row {i}: src {} and dst {} are of different families: both addresses of a flow must be IPv4 or both IPv6",
                        s.get(i),
                        d.get(i)
                    ),
                )),
            },
        }
    }

    fn batch(&self) -> Batch<'_> {
        Batch {
            src: self.src.view(),
            dst: self.dst.view(),
            proto: self.proto.view(),
            sport: self.sport.view(),
            dport: self.dport.view(),
            label: self.label.view(),
        }
    }
}

/// Views of the columns, `Send`, for the loop that runs without the GIL.
#[derive(Clone, Copy)]
struct Batch<'a> {
    src: Addrs<'a>,
    dst: Addrs<'a>,
    proto: Ints<'a, u8>,
    sport: Ints<'a, u16>,
    dport: Ints<'a, u16>,
    label: Ints<'a, u32>,
}

impl Batch<'_> {
    /// Calls `f` with consecutive chunks of keys and the matching chunks of `out`.
    fn for_chunks<O>(self, out: &mut [O], mut f: impl FnMut(&[FlowKey], &mut [O])) {
        let (proto, sport, dport) = (self.proto, self.sport, self.dport);
        match (self.src, self.dst) {
            // IPv4 columns: the common case, without per-row family dispatch.
            (Addrs::V4(s), Addrs::V4(d)) => chunked(out, &mut f, |i| {
                FlowKey::from_v4(
                    Ipv4Addr::from_bits(s.get(i)),
                    Ipv4Addr::from_bits(d.get(i)),
                    proto.get(i),
                    sport.get(i),
                    dport.get(i),
                )
            }),
            _ => chunked(out, &mut f, |i| {
                let (a, b) = (self.src.get(i), self.dst.get(i));
                let (p, sp, dp) = (proto.get(i), sport.get(i), dport.get(i));
                match (a, b) {
                    (IpAddr::V6(a), IpAddr::V6(b)) => {
                        FlowKey::from_v6(a, b, p, sp, dp, self.label.get(i))
                    }
                    (IpAddr::V4(a), IpAddr::V4(b)) => FlowKey::from_v4(a, b, p, sp, dp),
                    // Ruled out by `check_families`; a harmless key rather than a panic.
                    _ => FlowKey::from_v4(Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED, p, sp, dp),
                }
            }),
        }
    }
}

fn chunked<O>(
    out: &mut [O],
    f: &mut impl FnMut(&[FlowKey], &mut [O]),
    key: impl Fn(usize) -> FlowKey,
) {
    let blank = FlowKey::from_v4(Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED, 0, 0, 0);
    let mut buf = [blank; CHUNK];
    for (c, out) in out.chunks_mut(CHUNK).enumerate() {
        let base = c * CHUNK;
        let keys = &mut buf[..out.len()];
        for (j, k) in keys.iter_mut().enumerate() {
            *k = key(base + j);
        }
        f(keys, out);
    }
}

// ---------------------------------------------------------------------------------------
// EcmpGroup.

/// Algorithm, seed, weights, symmetric mode and hash fields, read from Python values.
pub(crate) struct GroupOptions {
    algorithm: Algorithm,
    seed: u64,
    weights: Option<Vec<u32>>,
    symmetric: bool,
    fields: Option<HashFields>,
}

fn algorithm(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Algorithm> {
    let parsed = if let Ok(s) = obj.cast::<PyString>() {
        Algorithm::from_str(&s.to_string_lossy().to_ascii_lowercase().replace('_', "-"))
    } else if obj.cast::<PyInt>().is_ok() {
        int_in(py, obj, 255, "algorithm")
            .map(|n| Algorithm::from_u8(n as u8))?
            .ok_or(vpnha::ecmp::EcmpError::UnknownAlgorithm)
    } else {
        Err(vpnha::ecmp::EcmpError::UnknownAlgorithm)
    };
    parsed.map_err(|e| ecmp_error(py, &e))
}

fn field_name(name: &str) -> Option<HashFields> {
    Some(
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "src-ip" => HashFields::SRC_IP,
            "dst-ip" => HashFields::DST_IP,
            "protocol" | "proto" => HashFields::PROTOCOL,
            "flow-label" => HashFields::FLOW_LABEL,
            "src-port" | "sport" => HashFields::SRC_PORT,
            "dst-port" | "dport" => HashFields::DST_PORT,
            "l3" => HashFields::L3,
            "five-tuple" | "5-tuple" => HashFields::FIVE_TUPLE,
            "all" => HashFields::ALL,
            "none" => HashFields::NONE,
            _ => return None,
        },
    )
}

const FIELDS_HELP: &str = "hash fields are bits (0x01 src-ip, 0x02 dst-ip, 0x04 protocol, 0x08 flow-label, 0x10 src-port, 0x20 dst-port; vpnha.HashFields), a preset name (five-tuple, l3, all, none) or a list of field names";

fn hash_fields(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<HashFields> {
    if obj.cast::<PyInt>().is_ok() {
        let bits = int_in(py, obj, u64::from(u32::MAX), "fields")? as u32;
        return HashFields::from_bits(bits).map_err(|e| ecmp_error(py, &e));
    }
    let unknown = |n: &str| ecmp_message(py, &format!("unknown hash field {n:?}: {FIELDS_HELP}"));
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_string_lossy();
        return s
            .split(['+', ',', '|'])
            .try_fold(HashFields::NONE, |acc, n| {
                Ok(acc | field_name(n).ok_or_else(|| unknown(n))?)
            });
    }
    let Ok(iter) = obj.try_iter() else {
        return Err(ecmp_message(py, FIELDS_HELP));
    };
    let mut fields = HashFields::NONE;
    for item in iter {
        let item = item?;
        let f = if item.cast::<PyString>().is_ok() {
            let n = item.cast::<PyString>()?.to_string_lossy().into_owned();
            field_name(&n).ok_or_else(|| unknown(&n))?
        } else {
            hash_fields(py, &item)?
        };
        fields = fields | f;
    }
    Ok(fields)
}

fn weights(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    let Ok(iter) = obj.try_iter() else {
        return Err(ecmp_message(
            py,
            "weights are a sequence of integers, one per tunnel",
        ));
    };
    iter.map(|w| w.and_then(|w| int_in(py, &w, u64::from(u32::MAX), "a weight").map(|v| v as u32)))
        .collect()
}

impl GroupOptions {
    pub(crate) fn extract(
        py: Python<'_>,
        algorithm_: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        weights_: Option<&Bound<'_, PyAny>>,
        symmetric: bool,
        fields: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        fn some<'a, 'py>(o: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
            o.filter(|o| !o.is_none())
        }
        Ok(GroupOptions {
            algorithm: match some(algorithm_) {
                Some(a) => algorithm(py, a)?,
                None => Algorithm::Stable,
            },
            seed: match some(seed) {
                Some(s) => int_in(py, s, u64::MAX, "seed")?,
                None => 0,
            },
            weights: some(weights_).map(|w| weights(py, w)).transpose()?,
            symmetric,
            fields: some(fields).map(|f| hash_fields(py, f)).transpose()?,
        })
    }
}

/// A group of tunnels and the rule that picks one per flow.
#[pyclass(module = "vpnha", name = "EcmpGroup")]
pub(crate) struct PyEcmpGroup {
    group: Box<EcmpGroup>,
    tunnels: Vec<String>,
    site: Option<String>,
}

impl PyEcmpGroup {
    pub(crate) fn build(
        py: Python<'_>,
        tunnels: Vec<String>,
        site: Option<String>,
        options: GroupOptions,
    ) -> PyResult<Self> {
        let mut group = Box::new(EcmpGroup::EMPTY);
        let e = |e| ecmp_error(py, &e);
        group
            .init(tunnels.len(), options.algorithm, options.seed)
            .map_err(e)?;
        if let Some(f) = options.fields {
            group.set_fields(f).map_err(e)?;
        }
        group.set_symmetric(options.symmetric).map_err(e)?;
        if let Some(w) = &options.weights {
            group.set_weights(w).map_err(e)?;
        }
        Ok(PyEcmpGroup {
            group,
            tunnels,
            site,
        })
    }

    /// The index of a tunnel given by index or id.
    fn index(&self, py: Python<'_>, tunnel: &Bound<'_, PyAny>) -> PyResult<usize> {
        let n = self.tunnels.len();
        if let Ok(s) = tunnel.cast::<PyString>() {
            let id = s.to_string_lossy();
            return self.tunnels.iter().position(|t| *t == id).ok_or_else(|| {
                ecmp_message(
                    py,
                    &format!(
                        "no tunnel {id:?} in this group; its tunnels are {}",
                        self.tunnels.join(", ")
                    ),
                )
            });
        }
        let i = int_in(py, tunnel, u64::MAX, "a tunnel").map_err(|_| {
            ecmp_message(
                py,
                &format!(
                    "a tunnel is an index from 0 to {} or a tunnel id, not {}",
                    n.saturating_sub(1),
                    type_name(tunnel)
                ),
            )
        })?;
        usize::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| {
            ecmp_error(
                py,
                &vpnha::ecmp::EcmpError::TunnelIndex {
                    index: usize::try_from(i).unwrap_or(usize::MAX),
                    count: n,
                },
            )
        })
    }

    pub(crate) fn mark_down(&mut self, py: Python<'_>, down: &Bound<'_, PyAny>) -> PyResult<()> {
        let items: Vec<Bound<'_, PyAny>> =
            if down.cast::<PyString>().is_ok() || down.cast::<PyInt>().is_ok() {
                vec![down.clone()]
            } else {
                down.try_iter()?.collect::<PyResult<_>>()?
            };
        for t in items {
            let i = self.index(py, &t)?;
            self.group
                .set_up(i, false)
                .map_err(|e| ecmp_error(py, &e))?;
        }
        Ok(())
    }

    /// One key from `select`'s arguments: a `Flow`, or the parts of one.
    #[allow(clippy::too_many_arguments)]
    fn key(
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: Option<&Bound<'_, PyAny>>,
        proto: Option<&Bound<'_, PyAny>>,
        sport: Option<&Bound<'_, PyAny>>,
        dport: Option<&Bound<'_, PyAny>>,
        flow_label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<FlowKey> {
        if let Ok(flow) = src.cast::<PyFlow>() {
            if dst.is_some() || proto.is_some() {
                return Err(PyTypeError::new_err(
                    "give either a Flow, or src, dst and proto (with optional ports)",
                ));
            }
            return Ok(flow.get().key);
        }
        let (Some(dst), Some(proto)) = (dst, proto) else {
            return Err(PyTypeError::new_err(
                "select() takes a Flow, or src, dst and proto (with optional sport, dport)",
            ));
        };
        let zero = 0u8.into_pyobject(py)?.into_any();
        flow_key(
            py,
            src,
            dst,
            proto,
            sport.unwrap_or(&zero),
            dport.unwrap_or(&zero),
            flow_label.unwrap_or(&zero),
        )
    }

    fn output<'py, T: Element + Copy>(
        py: Python<'py>,
        out: Option<&Bound<'py, PyAny>>,
        rows: usize,
        dtype: &str,
    ) -> PyResult<Bound<'py, PyArray1<T>>> {
        match out.filter(|o| !o.is_none()) {
            None => Ok(PyArray1::<T>::zeros(py, rows, false)),
            Some(o) => {
                let arr = o.cast::<PyArray1<T>>().map_err(|_| {
                    ecmp_message(py, &format!("out must be a one-dimensional {dtype} array"))
                })?;
                if arr.len() != rows {
                    return Err(ecmp_message(
                        py,
                        &format!("out has {} rows but the input has {rows}", arr.len()),
                    ));
                }
                Ok(arr.clone())
            }
        }
    }

    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let g = &*self.group;
        let up: Vec<bool> = (0..g.tunnel_count()).map(|t| g.is_up(t)).collect();
        (
            1u8,
            self.tunnels.clone(),
            self.site.clone(),
            g.algorithm().name(),
            g.seed(),
            g.weights().to_vec(),
            g.fields().bits(),
            g.symmetric(),
            up,
        )
            .into_pyobject(py)
    }

    fn same(&self, other: &PyEcmpGroup) -> bool {
        let (a, b) = (&*self.group, &*other.group);
        self.tunnels == other.tunnels
            && self.site == other.site
            && a.algorithm() == b.algorithm()
            && a.seed() == b.seed()
            && a.weights() == b.weights()
            && a.fields() == b.fields()
            && a.symmetric() == b.symmetric()
            && (0..a.tunnel_count()).all(|t| a.is_up(t) == b.is_up(t))
    }

    fn duplicate(&self) -> Self {
        PyEcmpGroup {
            group: self.group.clone(),
            tunnels: self.tunnels.clone(),
            site: self.site.clone(),
        }
    }
}

fn tunnel_ids(py: Python<'_>, tunnels: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if tunnels.cast::<PyInt>().is_ok() {
        let n = int_in(py, tunnels, MAX_TUNNELS as u64, "the tunnel count").map_err(|_| {
            ecmp_error(
                py,
                &vpnha::ecmp::EcmpError::TunnelCount {
                    count: tunnels.extract::<usize>().unwrap_or(0),
                },
            )
        })?;
        return Ok((0..n).map(|i| i.to_string()).collect());
    }
    if tunnels.cast::<PyString>().is_ok() {
        return Err(ecmp_message(
            py,
            "tunnels is a count or a sequence of tunnel ids, not one string",
        ));
    }
    let Ok(iter) = tunnels.try_iter() else {
        return Err(ecmp_message(
            py,
            "tunnels is a count or a sequence of tunnel ids",
        ));
    };
    iter.map(|t| {
        let t = t?;
        match t.cast::<PyString>() {
            Ok(s) => Ok(s.to_string_lossy().into_owned()),
            Err(_) => Err(ecmp_message(
                py,
                &format!("a tunnel id is a string, not {}", type_name(&t)),
            )),
        }
    })
    .collect()
}

#[pymethods]
impl PyEcmpGroup {
    #[new]
    #[pyo3(signature = (tunnels, algorithm = None, seed = None, *, weights = None, symmetric = false, fields = None, site = None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        tunnels: &Bound<'_, PyAny>,
        algorithm: Option<&Bound<'_, PyAny>>,
        seed: Option<&Bound<'_, PyAny>>,
        weights: Option<&Bound<'_, PyAny>>,
        symmetric: bool,
        fields: Option<&Bound<'_, PyAny>>,
        site: Option<String>,
    ) -> PyResult<Self> {
        let ids = tunnel_ids(py, tunnels)?;
        let options = GroupOptions::extract(py, algorithm, seed, weights, symmetric, fields)?;
        Self::build(py, ids, site, options)
    }

    #[getter]
    fn tunnels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.tunnels)
    }

    #[getter]
    fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }

    #[getter]
    fn tunnel_count(&self) -> usize {
        self.group.tunnel_count()
    }

    #[getter]
    fn live_count(&self) -> usize {
        self.group.live_count()
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.group.algorithm().name()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.group.seed()
    }

    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.group.weights())
    }

    #[getter]
    fn symmetric(&self) -> bool {
        self.group.symmetric()
    }

    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static FIELDS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        helper(&FIELDS, py, "vpnha._fields", "HashFields")?
            .bind(py)
            .call1((self.group.fields().bits(),))
    }

    /// Up or down, per tunnel.
    #[getter]
    fn up<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let g = &*self.group;
        PyTuple::new(py, (0..g.tunnel_count()).map(|t| g.is_up(t)))
    }

    fn is_up(&self, py: Python<'_>, tunnel: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.group.is_up(self.index(py, tunnel)?))
    }

    #[pyo3(signature = (tunnel, up = true))]
    fn set_up(&mut self, py: Python<'_>, tunnel: &Bound<'_, PyAny>, up: bool) -> PyResult<()> {
        let i = self.index(py, tunnel)?;
        self.group.set_up(i, up).map_err(|e| ecmp_error(py, &e))
    }

    #[pyo3(signature = (up = true))]
    fn set_all_up(&mut self, up: bool) {
        self.group.set_all_up(up);
    }

    fn set_weights(&mut self, py: Python<'_>, weights: &Bound<'_, PyAny>) -> PyResult<()> {
        let w = self::weights(py, weights)?;
        self.group.set_weights(&w).map_err(|e| ecmp_error(py, &e))
    }

    fn set_symmetric(&mut self, py: Python<'_>, symmetric: bool) -> PyResult<()> {
        self.group
            .set_symmetric(symmetric)
            .map_err(|e| ecmp_error(py, &e))
    }

    fn set_fields(&mut self, py: Python<'_>, fields: &Bound<'_, PyAny>) -> PyResult<()> {
        let f = hash_fields(py, fields)?;
        self.group.set_fields(f).map_err(|e| ecmp_error(py, &e))
    }

    /// The tunnel index of one flow, or None when every tunnel is down.
    #[pyo3(signature = (src, dst = None, proto = None, sport = None, dport = None, *, flow_label = None))]
    #[allow(clippy::too_many_arguments)]
    fn select(
        &self,
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: Option<&Bound<'_, PyAny>>,
        proto: Option<&Bound<'_, PyAny>>,
        sport: Option<&Bound<'_, PyAny>>,
        dport: Option<&Bound<'_, PyAny>>,
        flow_label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<u16>> {
        let key = Self::key(py, src, dst, proto, sport, dport, flow_label)?;
        Ok(self.group.select(&key))
    }

    /// The group's 64-bit hash of one flow.
    #[pyo3(signature = (src, dst = None, proto = None, sport = None, dport = None, *, flow_label = None))]
    #[allow(clippy::too_many_arguments)]
    fn hash(
        &self,
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: Option<&Bound<'_, PyAny>>,
        proto: Option<&Bound<'_, PyAny>>,
        sport: Option<&Bound<'_, PyAny>>,
        dport: Option<&Bound<'_, PyAny>>,
        flow_label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let key = Self::key(py, src, dst, proto, sport, dport, flow_label)?;
        Ok(self.group.hash(&key))
    }

    /// The tunnel of every row, as a `uint16` array (`NO_TUNNEL` when every tunnel is down).
    #[pyo3(signature = (src, dst, proto, sport = None, dport = None, *, flow_label = None, out = None))]
    #[allow(clippy::too_many_arguments)]
    fn select_many<'py>(
        &self,
        py: Python<'py>,
        src: &Bound<'py, PyAny>,
        dst: &Bound<'py, PyAny>,
        proto: &Bound<'py, PyAny>,
        sport: Option<&Bound<'py, PyAny>>,
        dport: Option<&Bound<'py, PyAny>>,
        flow_label: Option<&Bound<'py, PyAny>>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<u16>>> {
        let zero = 0u8.into_pyobject(py)?.into_any();
        let columns = Columns::extract(
            py,
            src,
            dst,
            proto,
            sport.unwrap_or(&zero),
            dport.unwrap_or(&zero),
            flow_label,
        )?;
        let result = Self::output::<u16>(py, out, columns.rows, "uint16")?;
        {
            let mut rw = result.try_readwrite().map_err(|e| {
                ecmp_message(
                    py,
                    &format!("out cannot be written (read-only, or shared with an input): {e}"),
                )
            })?;
            let slots = rw
                .as_slice_mut()
                .map_err(|_| ecmp_message(py, "out must be contiguous"))?;
            let batch = columns.batch();
            let group = &*self.group;
            py.detach(|| {
                batch.for_chunks(slots, |keys, out| {
                    // Equal lengths by construction: the only error cannot occur.
                    let _ = group.select_many(keys, out);
                });
            });
        }
        Ok(result)
    }

    /// The group's hash of every row, as a `uint64` array.
    #[pyo3(signature = (src, dst, proto, sport = None, dport = None, *, flow_label = None, out = None))]
    #[allow(clippy::too_many_arguments)]
    fn hash_many<'py>(
        &self,
        py: Python<'py>,
        src: &Bound<'py, PyAny>,
        dst: &Bound<'py, PyAny>,
        proto: &Bound<'py, PyAny>,
        sport: Option<&Bound<'py, PyAny>>,
        dport: Option<&Bound<'py, PyAny>>,
        flow_label: Option<&Bound<'py, PyAny>>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let zero = 0u8.into_pyobject(py)?.into_any();
        let columns = Columns::extract(
            py,
            src,
            dst,
            proto,
            sport.unwrap_or(&zero),
            dport.unwrap_or(&zero),
            flow_label,
        )?;
        let result = Self::output::<u64>(py, out, columns.rows, "uint64")?;
        {
            let mut rw = result.try_readwrite().map_err(|e| {
                ecmp_message(
                    py,
                    &format!("out cannot be written (read-only, or shared with an input): {e}"),
                )
            })?;
            let slots = rw
                .as_slice_mut()
                .map_err(|_| ecmp_message(py, "out must be contiguous"))?;
            let batch = columns.batch();
            let group = &*self.group;
            py.detach(|| {
                batch.for_chunks(slots, |keys, out| {
                    for (k, o) in keys.iter().zip(out) {
                        *o = group.hash(k);
                    }
                });
            });
        }
        Ok(result)
    }

    fn copy(&self) -> Self {
        self.duplicate()
    }

    fn __copy__(&self) -> Self {
        self.duplicate()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyDict>) -> Self {
        self.duplicate()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyEcmpGroup>()
            .is_ok_and(|o| o.try_borrow().is_ok_and(|o| self.same(&o)))
    }

    fn __len__(&self) -> usize {
        self.group.tunnel_count()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let g = &*self.group;
        let mut s = String::from("<EcmpGroup");
        if let Some(site) = &self.site {
            s.push_str(&format!(" site={}", quote(py, site)));
        }
        s.push_str(&format!(
            " {} seed={:#x}: {}/{} tunnels up",
            g.algorithm().name(),
            g.seed(),
            g.live_count(),
            g.tunnel_count()
        ));
        if g.weights().iter().any(|&w| w != 1) {
            s.push_str(
                &format!(", weights={:?}", g.weights())
                    .replace('[', "(")
                    .replace(']', ")"),
            );
        }
        if g.fields() != HashFields::FIVE_TUPLE {
            s.push_str(&format!(", fields={:#04x}", g.fields().bits()));
        }
        if g.symmetric() {
            s.push_str(", symmetric");
        }
        s.push('>');
        s
    }

    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        static HTML: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let py = slf.py();
        helper(&HTML, py, "vpnha._html", "group_html")?
            .bind(py)
            .call1((slf,))?
            .extract()
    }

    /// Pickled as its configuration and up/down state; the answers depend on nothing else.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let state = slf.try_borrow()?.state(py)?;
        let restore = slf.get_type().getattr("_from_state")?;
        (restore, (state,)).into_pyobject(py)
    }

    #[staticmethod]
    #[allow(clippy::type_complexity)]
    fn _from_state(
        py: Python<'_>,
        state: (
            u8,
            Vec<String>,
            Option<String>,
            String,
            u64,
            Vec<u32>,
            u32,
            bool,
            Vec<bool>,
        ),
    ) -> PyResult<Self> {
        let (version, tunnels, site, algorithm, seed, weights, fields, symmetric, up) = state;
        if version != 1 {
            return Err(ecmp_message(
                py,
                &format!("an EcmpGroup pickled by a newer vpnha (state version {version})"),
            ));
        }
        let options = GroupOptions {
            algorithm: Algorithm::from_str(&algorithm).map_err(|e| ecmp_error(py, &e))?,
            seed,
            weights: Some(weights),
            symmetric,
            fields: Some(HashFields::from_bits(fields).map_err(|e| ecmp_error(py, &e))?),
        };
        let mut group = Self::build(py, tunnels, site, options)?;
        for (t, up) in up.into_iter().enumerate() {
            group.group.set_up(t, up).map_err(|e| ecmp_error(py, &e))?;
        }
        Ok(group)
    }
}

/// `NONE` is what `select_many` writes when every tunnel is down; `NO_TUNNEL` in Python.
const _: () = assert!(NONE == u16::MAX);
