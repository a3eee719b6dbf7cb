//! `Flow` and `EcmpGroup`: flow selection, one flow at a time or over numpy columns
//! ([`crate::columns`]), the batch with the GIL released.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use numpy::{Element, PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyInt, PyString, PyTuple};
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, HashFields, MAX_TUNNELS, NONE};

use crate::columns::{Columns, default_threads};
use crate::convert::{PROTOCOL_HELP, flow_key, int_in, labelled, protocol_from_text, type_name};
use crate::errors::{ecmp_error, ecmp_message};
use crate::topology::{helper, quote};

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
        .map(|k| labelled(k, label))
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
// EcmpGroup.

/// Algorithm, seed, weights, symmetric mode and hash fields, read from Python values.
pub(crate) struct GroupOptions {
    algorithm: Algorithm,
    seed: u64,
    weights: Option<Vec<u32>>,
    symmetric: bool,
    fields: Option<HashFields>,
}

pub(crate) fn algorithm(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Algorithm> {
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

pub(crate) fn weights(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
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
            let extra = [dst, proto, sport, dport, flow_label];
            if extra.iter().any(|a| a.is_some_and(|a| !a.is_none())) {
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

    /// `select_many` and `hash_many`: the columns read in place, `out` (or a new array of
    /// `dtype`) written by `f` over chunks of flow keys, split over `threads`, without the GIL.
    #[allow(clippy::too_many_arguments)]
    fn map_rows<'py, T: Element + Copy + Send>(
        &self,
        py: Python<'py>,
        [src, dst, proto]: [&Bound<'py, PyAny>; 3],
        [sport, dport, flow_label]: [Option<&Bound<'py, PyAny>>; 3],
        out: Option<&Bound<'py, PyAny>>,
        threads: Option<&Bound<'py, PyAny>>,
        dtype: &str,
        f: impl Fn(&EcmpGroup, &[FlowKey], &mut [T]) + Sync,
    ) -> PyResult<Bound<'py, PyArray1<T>>> {
        let threads = thread_count(py, threads)?;
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
        let result = Self::output::<T>(py, out, columns.rows, dtype)?;
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
                batch.run(slots, threads, |batch, slots| {
                    batch.for_chunks(slots, |keys, out| f(group, keys, out));
                });
            });
        }
        Ok(result)
    }

    fn output<'py, T: Element + Copy>(
        py: Python<'py>,
        out: Option<&Bound<'py, PyAny>>,
        rows: usize,
        dtype: &str,
    ) -> PyResult<Bound<'py, PyArray1<T>>> {
        match out.filter(|o| !o.is_none()) {
            // numpy.zeros, called through Python: it raises MemoryError where
            // `PyArray1::zeros` would panic.
            None => {
                static ZEROS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
                helper(&ZEROS, py, "numpy", "zeros")?
                    .bind(py)
                    .call1((rows, numpy::dtype::<T>(py)))?
                    .cast_into::<PyArray1<T>>()
                    .map_err(|_| ecmp_message(py, "numpy.zeros gave no array"))
            }
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

/// The `threads` argument of a batch call: None for one per core, else 1 or more.
fn thread_count(py: Python<'_>, threads: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    match threads.filter(|t| !t.is_none()) {
        None => Ok(default_threads()),
        Some(t) => match int_in(py, t, 1024, "threads") {
            Ok(0) | Err(_) => Err(ecmp_message(
                py,
                "threads is None (one per core) or a number from 1 to 1024",
            )),
            Ok(n) => Ok(n as usize),
        },
    }
}

fn tunnel_ids(py: Python<'_>, tunnels: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if tunnels.cast::<PyInt>().is_ok() {
        let n = int_in(py, tunnels, MAX_TUNNELS as u64, "the tunnel count").map_err(|_| {
            let given = tunnels
                .str()
                .map_or_else(|_| "?".to_owned(), |s| s.to_string_lossy().into_owned());
            ecmp_message(
                py,
                &format!("an ECMP group needs 1 to {MAX_TUNNELS} tunnels, not {given}"),
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
    #[pyo3(signature = (src, dst, proto, sport = None, dport = None, *, flow_label = None, out = None, threads = None))]
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
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<u16>>> {
        let columns = [src, dst, proto];
        self.map_rows(
            py,
            columns,
            [sport, dport, flow_label],
            out,
            threads,
            "uint16",
            |group, keys, out| {
                // Equal lengths by construction: the only error cannot occur.
                let _ = group.select_many(keys, out);
            },
        )
    }

    /// The group's hash of every row, as a `uint64` array.
    #[pyo3(signature = (src, dst, proto, sport = None, dport = None, *, flow_label = None, out = None, threads = None))]
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
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let columns = [src, dst, proto];
        self.map_rows(
            py,
            columns,
            [sport, dport, flow_label],
            out,
            threads,
            "uint64",
            |group, keys, out| {
                for (k, o) in keys.iter().zip(out) {
                    *o = group.hash(k);
                }
            },
        )
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
