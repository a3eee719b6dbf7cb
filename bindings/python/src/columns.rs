//! The columns of a batch call (`select_many`, `hash_many`) and the loop over them.
//!
//! A contiguous numpy array of the native dtype is borrowed and read in place: `uint32`
//! IPv4 addresses, `(n, 16)` `uint8` IPv6 addresses, `uint8` protocols, `uint16` ports,
//! `uint32` flow labels. Other integer dtypes, strided arrays, lists and text are converted
//! first (a copy, after a range check); a scalar stands for every row. Keys are built a
//! chunk at a time on the stack, so a batch allocates nothing per row.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use numpy::{
    Element, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1,
    PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyInt, PyList, PyString};
use vpnha::ecmp::FlowKey;

use crate::convert::{
    PROTOCOL_HELP, address, address_from_text, int_in, protocol_from_text, type_name,
};
use crate::errors::ecmp_message;
use crate::topology::helper;

/// Keys built per chunk: 44 bytes each, 11 KiB of stack.
const CHUNK: usize = 256;

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

impl<'a, T: Copy> Ints<'a, T> {
    /// Rows `from..to` (a scalar stays a scalar).
    fn rows(self, from: usize, to: usize) -> Self {
        match self {
            Ints::Slice(s) => Ints::Slice(s.get(from..to).unwrap_or(&[])),
            scalar @ Ints::Scalar(_) => scalar,
        }
    }
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

/// `numpy.asarray(obj)`; what numpy refuses (ragged lists, ...) is an `EcmpError`.
fn numpy_asarray<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    helper(&ASARRAY, py, "numpy", "asarray")?
        .bind(py)
        .call1((obj,))
        .map_err(|e| {
            let why = e
                .value(py)
                .str()
                .map_or_else(|_| "?".to_owned(), |s| s.to_string_lossy().into_owned());
            ecmp_message(py, &format!("{what} is not an array numpy can read: {why}"))
        })
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
    let arr = if arr.is_contiguous() {
        arr.clone()
    } else {
        // Strided: a contiguous copy, made by numpy (which raises MemoryError rather than
        // aborting when there is no room for it).
        contiguous(py, arr.as_any())?
            .cast_into::<PyArray1<T>>()
            .map_err(|_| ecmp_message(py, &format!("{what}: conversion failed")))?
    };
    let ro = arr
        .try_readonly()
        .map_err(|e| ecmp_message(py, &format!("{what}: the array cannot be read: {e}")))?;
    Ok(Some(IntCol::Array(ro)))
}

/// `numpy.ascontiguousarray(arr)`.
fn contiguous<'py>(py: Python<'py>, arr: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    static ASCONTIGUOUS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    helper(&ASCONTIGUOUS, py, "numpy", "ascontiguousarray")?
        .bind(py)
        .call1((arr,))
}

/// An empty vector with room for `n` values, or a `MemoryError`.
fn room_for<T>(n: usize) -> PyResult<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| PyMemoryError::new_err(format!("no memory to convert {n} rows")))?;
    Ok(v)
}

/// An integer column in `0..=max` of dtype `T`: a Python int, a numpy array or anything
/// numpy can turn into one. With `protocols`, text is a protocol name or number.
fn int_column<'py, T>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    max: u64,
    what: &str,
    protocols: bool,
) -> PyResult<IntCol<'py, T>>
where
    T: Element + Copy + TryFrom<u64>,
{
    let scalar =
        |v: u64| T::try_from(v).map_err(|_| ecmp_message(py, &format!("{what} is out of range")));
    let text = |s: &str| -> PyResult<u64> {
        if !protocols {
            return Err(ecmp_message(
                py,
                &format!("{what} must be integers, not text"),
            ));
        }
        protocol_from_text(s)
            .map(u64::from)
            .ok_or_else(|| ecmp_message(py, &format!("unknown protocol {s:?}: {PROTOCOL_HELP}")))
    };
    if let Ok(s) = obj.cast::<PyString>() {
        return text(&s.to_string_lossy())
            .and_then(scalar)
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
    let arr = numpy_asarray(py, obj, what)?;
    let untyped = arr
        .cast::<numpy::PyUntypedArray>()
        .map_err(|_| ecmp_message(py, &format!("{what}: numpy.asarray gave no array")))?;
    match untyped.ndim() {
        0 => {
            let item = arr.call_method0("item")?;
            if item.cast::<PyInt>().is_ok() || item.cast::<PyString>().is_ok() {
                return int_column(py, &item, max, what, protocols);
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
    if untyped.len() == 0 {
        // An empty list has numpy's default dtype (float64): no rows, nothing to convert.
        return Ok(IntCol::Owned(Vec::new()));
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
            let mut v = room_for(list.len())?;
            for item in list.iter() {
                let value = if let Ok(s) = item.cast::<PyString>() {
                    text(&s.to_string_lossy())?
                } else if let Ok(b) = item.cast::<PyBytes>() {
                    text(&String::from_utf8_lossy(b.as_bytes()))?
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

impl<'a> Addrs<'a> {
    /// Rows `from..to` (a scalar stays a scalar).
    fn rows(self, from: usize, to: usize) -> Self {
        match self {
            Addrs::V4(v) => Addrs::V4(v.rows(from, to)),
            Addrs::V6(s) => Addrs::V6(s.get(from..to).unwrap_or(&[])),
            scalar @ Addrs::V6Scalar(_) => scalar,
            Addrs::Mixed(s) => Addrs::Mixed(s.get(from..to).unwrap_or(&[])),
        }
    }

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
            Err(_) => numpy_asarray(py, obj, what)?,
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
        if untyped.len() == 0 {
            return Ok(AddrCol::V4(IntCol::Owned(Vec::new())));
        }
        let kind = untyped.dtype().kind() as char;
        match kind {
            'i' | 'u' => Ok(AddrCol::V4(int_column::<u32>(
                py,
                &arr,
                u64::from(u32::MAX),
                what,
                false,
            )?)),
            'U' | 'S' | 'O' => {
                let items = arr.call_method0("tolist")?;
                let list = items.cast::<PyList>()?;
                let mut v = room_for(list.len())?;
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
            // Rows of 16 bytes back to back: C order (a Fortran-order array is contiguous too,
            // but column by column).
            Ok(a) if a.is_c_contiguous() => a.clone(),
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
pub(crate) struct Columns<'py> {
    src: AddrCol<'py>,
    dst: AddrCol<'py>,
    proto: IntCol<'py, u8>,
    sport: IntCol<'py, u16>,
    dport: IntCol<'py, u16>,
    label: IntCol<'py, u32>,
    pub(crate) rows: usize,
}

impl<'py> Columns<'py> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn extract(
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
        let proto = int_column::<u8>(py, proto, 255, "proto", true)?;
        let sport = int_column::<u16>(py, sport, 65535, "sport", false)?;
        let dport = int_column::<u16>(py, dport, 65535, "dport", false)?;
        let label = match flow_label.filter(|l| !l.is_none()) {
            Some(l) => int_column::<u32>(py, l, 0xF_FFFF, "flow_label", false)?,
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

    pub(crate) fn batch(&self) -> Batch<'_> {
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
pub(crate) struct Batch<'a> {
    src: Addrs<'a>,
    dst: Addrs<'a>,
    proto: Ints<'a, u8>,
    sport: Ints<'a, u16>,
    dport: Ints<'a, u16>,
    label: Ints<'a, u32>,
}

/// Each row of a column, as an iterator: the slice's values, or one value repeated. Each
/// combination of slices and scalars gets its own loop, so the per-row work has no branch
/// on the column kind and no bounds check.
macro_rules! rows_of {
    ($col:expr, |$it:ident| $body:expr) => {
        match $col {
            Ints::Slice(values) => {
                let $it = values.iter().copied();
                $body
            }
            Ints::Scalar(value) => {
                let $it = std::iter::repeat(value);
                $body
            }
        }
    };
}

/// Below this many rows per thread a batch runs on the calling thread alone.
const MIN_ROWS_PER_THREAD: usize = 1 << 16;

/// The threads a batch uses by default: one per available core, but no more than its rows
/// keep busy.
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl<'a> Batch<'a> {
    /// Rows `from..to` of every column.
    fn rows(self, from: usize, to: usize) -> Self {
        Batch {
            src: self.src.rows(from, to),
            dst: self.dst.rows(from, to),
            proto: self.proto.rows(from, to),
            sport: self.sport.rows(from, to),
            dport: self.dport.rows(from, to),
            label: self.label.rows(from, to),
        }
    }

    /// Runs `work` over the rows, split into one part per thread (at most `threads`, each
    /// at least [`MIN_ROWS_PER_THREAD`] rows). A thread the system refuses to start leaves
    /// its part to the calling thread.
    pub(crate) fn run<O: Send>(
        self,
        out: &mut [O],
        threads: usize,
        work: impl Fn(Batch<'_>, &mut [O]) + Sync,
    ) {
        let rows = out.len();
        let threads = threads.min(rows / MIN_ROWS_PER_THREAD).max(1);
        if threads == 1 {
            work(self, out);
            return;
        }
        let per = rows.div_ceil(threads).next_multiple_of(CHUNK);
        let mut refused = Vec::new();
        std::thread::scope(|scope| {
            let mut parts = out.chunks_mut(per).enumerate();
            let first = parts.next();
            for (i, part) in parts {
                let from = i * per;
                let batch = self.rows(from, from + part.len());
                let work = &work;
                let spawned = std::thread::Builder::new()
                    .name("vpnha-batch".to_owned())
                    .spawn_scoped(scope, move || work(batch, part));
                if spawned.is_err() {
                    refused.push(i);
                }
            }
            if let Some((_, part)) = first {
                work(self.rows(0, part.len()), part);
            }
        });
        for i in refused {
            let (from, to) = (i * per, ((i + 1) * per).min(rows));
            if let Some(part) = out.get_mut(from..to) {
                work(self.rows(from, to), part);
            }
        }
    }

    /// Calls `f` with consecutive chunks of keys and the matching chunks of `out`.
    pub(crate) fn for_chunks<O>(self, out: &mut [O], mut f: impl FnMut(&[FlowKey], &mut [O])) {
        let (proto, sport, dport) = (self.proto, self.sport, self.dport);
        match (self.src, self.dst) {
            // IPv4 columns: the common case, one loop per kind of column.
            (Addrs::V4(s), Addrs::V4(d)) => rows_of!(s, |s| rows_of!(d, |d| rows_of!(
                proto,
                |p| rows_of!(sport, |sp| rows_of!(dport, |dp| {
                    let keys = s
                        .zip(d)
                        .zip(p)
                        .zip(sp)
                        .zip(dp)
                        .map(|((((s, d), p), sp), dp)| {
                            FlowKey::from_v4(
                                Ipv4Addr::from_bits(s),
                                Ipv4Addr::from_bits(d),
                                p,
                                sp,
                                dp,
                            )
                        });
                    chunked(out, &mut f, keys);
                }))
            ))),
            // IPv6 columns of (n, 16) arrays.
            (Addrs::V6(s), Addrs::V6(d)) => rows_of!(proto, |p| rows_of!(sport, |sp| rows_of!(
                dport,
                |dp| rows_of!(self.label, |label| {
                    let keys = s.iter().zip(d).zip(p).zip(sp).zip(dp).zip(label).map(
                        |(((((s, d), p), sp), dp), label)| {
                            FlowKey::from_v6(
                                Ipv6Addr::from(*s),
                                Ipv6Addr::from(*d),
                                p,
                                sp,
                                dp,
                                label,
                            )
                        },
                    );
                    chunked(out, &mut f, keys);
                })
            ))),
            _ => {
                let keys = (0..).map(|i| {
                    let (a, b) = (self.src.get(i), self.dst.get(i));
                    let (p, sp, dp) = (proto.get(i), sport.get(i), dport.get(i));
                    match (a, b) {
                        (IpAddr::V6(a), IpAddr::V6(b)) => {
                            FlowKey::from_v6(a, b, p, sp, dp, self.label.get(i))
                        }
                        (IpAddr::V4(a), IpAddr::V4(b)) => FlowKey::from_v4(a, b, p, sp, dp),
                        // Ruled out by `check_families`; a harmless key rather than a panic.
                        _ => FlowKey::from_v4(
                            Ipv4Addr::UNSPECIFIED,
                            Ipv4Addr::UNSPECIFIED,
                            p,
                            sp,
                            dp,
                        ),
                    }
                });
                chunked(out, &mut f, keys);
            }
        }
    }
}

/// Fills a stack buffer from `keys` a chunk at a time and hands each chunk to `f` with the
/// matching part of `out`.
#[inline(always)]
fn chunked<O>(
    out: &mut [O],
    f: &mut impl FnMut(&[FlowKey], &mut [O]),
    mut keys: impl Iterator<Item = FlowKey>,
) {
    let blank = FlowKey::from_v4(Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED, 0, 0, 0);
    let mut buf = [blank; CHUNK];
    for out in out.chunks_mut(CHUNK) {
        let mut filled = 0;
        for (slot, key) in buf.iter_mut().take(out.len()).zip(&mut keys) {
            *slot = key;
            filled += 1;
        }
        if let (Some(keys), Some(out)) = (buf.get(..filled), out.get_mut(..filled)) {
            f(keys, out);
        }
    }
}
