//! `vpnha._vpnha`: the native module of the `vpnha` Python package.
//!
//! A thin layer over the `vpnha` crate: wrapper types (`topology.rs`, `ecmp.rs`, with the
//! value conversions of `convert.rs` and the numpy columns of `columns.rs`), the mapping of
//! core errors to Python exceptions (`errors.rs`, the only place exceptions are made) and
//! the release of the GIL around bulk work (parsing, validation, batch selection). No
//! domain logic lives here; the Python package (`python/vpnha`) adds presentation only.
//!
//! Built by maturin (`pyproject.toml` at the workspace root), which also supplies what
//! pyo3's old `extension-module` feature did; the crate is not in the workspace's
//! `default-members`.
//!
//! Invariant: no input a Python caller can give makes this module panic. Every failure is
//! a `vpnha` exception (a `ValueError`, `LookupError` or `OSError` as fits), because a
//! panic would surface as `pyo3_runtime.PanicException`, which `except Exception` misses.

use pyo3::prelude::*;

mod analysis;
mod columns;
mod convert;
mod ecmp;
mod errors;
mod topology;

/// The module: classes, the "no tunnel" value and the version.
#[pymodule]
fn _vpnha(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NO_TUNNEL", vpnha::ecmp::NONE)?;
    m.add("MAX_TUNNELS", vpnha::ecmp::MAX_TUNNELS)?;
    m.add_class::<topology::PyTopology>()?;
    m.add_class::<topology::PyDiagnostic>()?;
    m.add_class::<topology::PyTunnel>()?;
    m.add_class::<topology::PySite>()?;
    m.add_class::<ecmp::PyFlow>()?;
    m.add_class::<ecmp::PyEcmpGroup>()?;
    Ok(())
}
