//! vpnha: highly-available site-to-site VPN topologies of the kind Azure documents.
//!
//! An Azure VPN gateway (active-standby or active-active), one or more on-premises VPN
//! devices, the connections and IPsec tunnels between them, BGP, and ECMP across the tunnels.
//!
//! - [`Topology`]: the model, read from format version 1 in YAML, JSON or TOML
//!   ([`Topology::load`]), with derived [`Tunnel`]s and [`Site`]s and their [`Pattern`].
//! - [`Topology::validate`]: every rule of the catalogue ([`Rule`]), every finding a
//!   [`Diagnostic`] with a field path and, for text input, line and column.
//! - [`analysis`]: what breaks when a component fails, for how long, and how available
//!   each site is: scenarios, single points of failure, minimal cut sets, an exact
//!   availability with shared zones and ISPs, and a redundancy verdict with reasons
//!   ([`Topology::analyze`]).
//! - [`ecmp`]: per-flow tunnel selection that never allocates and never panics; available
//!   without the `std` feature (`no_std`, no heap) for firmware. Its answers are specified
//!   and frozen (`docs/ecmp.md`), pinned by `testdata/ecmp_vectors.json`.
//!
//! # Examples
//!
//! ```
//! use vpnha::{Severity, Topology};
//!
//! let topology = Topology::load("../../examples/dual-redundancy.yaml")?;
//! let errors = topology
//!     .validate()
//!     .into_iter()
//!     .filter(|d| d.severity == Severity::Error)
//!     .count();
//! assert_eq!(errors, 0);
//! assert_eq!(topology.tunnels().len(), 4);
//! # Ok::<(), vpnha::LoadError>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

pub mod ecmp;

#[cfg(feature = "std")]
pub mod analysis;

#[cfg(feature = "std")]
mod diagnostic;
#[cfg(feature = "std")]
mod format;
#[cfg(feature = "std")]
pub mod import;
#[cfg(feature = "std")]
pub mod model;
#[cfg(feature = "std")]
mod source;
#[cfg(feature = "std")]
mod validate;

#[cfg(feature = "std")]
pub use diagnostic::{Diagnostic, Report, Rule, Severity, Stage};
#[cfg(feature = "std")]
pub use format::{Format, InvalidTopology, LoadError, MAX_INPUT_BYTES, WriteError};
#[cfg(feature = "std")]
pub use model::{
    Connection, Gateway, Instance, LocalBgp, LocalGateway, Pattern, SharedKey, Site, SiteError,
    Sku, Topology, Tunnel,
};
#[cfg(feature = "std")]
pub use source::{FieldPath, Location, PathSegment, SourceFile, Span};
