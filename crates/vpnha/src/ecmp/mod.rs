//! ECMP flow selection: which tunnel of a group carries a flow.
//!
//! The routine a firmware calls per packet and a notebook calls per flow-log row. It uses
//! only `core`: with `default-features = false` the crate is `no_std`, needs no heap, and
//! exposes just this module.
//!
//! - [`FlowKey`]: a plain `#[repr(C)]` flow (addresses, protocol, ports, IPv6 flow label).
//! - [`EcmpGroup`]: the tunnels, their weights and up/down state, the seed, the hash fields
//!   and the [`Algorithm`]; [`EcmpGroup::select`] gives a flow's tunnel.
//! - [`HashFields`]: which fields enter the hash, with Linux's bit values.
//!
//! ```
//! use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, HashFields};
//!
//! // Two HA peers configured alike (same tunnel order, same seed) agree on every flow.
//! let a = EcmpGroup::new(4, Algorithm::Stable, 0xfeed)?;
//! let b = EcmpGroup::new(4, Algorithm::Stable, 0xfeed)?;
//! let flow = FlowKey::v6(
//!     "2001:db8::10".parse::<core::net::Ipv6Addr>().unwrap(),
//!     "2001:db8:1::20".parse::<core::net::Ipv6Addr>().unwrap(),
//!     17, 500, 4500, 0x12345,
//! );
//! assert_eq!(a.select(&flow), b.select(&flow));
//!
//! // Addresses only, as Linux's default policy.
//! let l3 = EcmpGroup::new(4, Algorithm::Maglev, 0)?.with_fields(HashFields::L3)?;
//! let other_ports = FlowKey { src_port: 1, dst_port: 2, ..flow };
//! assert_eq!(l3.select(&flow), l3.select(&other_ports));
//! # Ok::<(), vpnha::ecmp::EcmpError>(())
//! ```
//!
//! # Invariants
//!
//! - After [`EcmpGroup::new`] or [`EcmpGroup::init`] returns `Ok`, [`EcmpGroup::select`],
//!   [`EcmpGroup::select_many`] and [`EcmpGroup::hash`] never panic and never allocate,
//!   whatever bytes the key holds, and [`EcmpGroup::set_up`] never panics (an index out of
//!   range is an error) and never allocates.
//! - `select` returns `None` exactly when no tunnel is up.
//! - `select` runs in O(1) for `Stable` while the flow's primary tunnel is up and in O(n)
//!   otherwise, O(n) for `Rendezvous`, O(1) for `Maglev` and O(log n) for `HashThreshold`,
//!   with n ≤ [`MAX_TUNNELS`].
//! - The answer depends only on the configuration (tunnel count, algorithm, seed, weights,
//!   hash fields, symmetric mode), the set of tunnels that are up, and the key: never on the
//!   order of past events, the platform, its endianness, or the crate version. The
//!   specification below is frozen, and `testdata/ecmp_vectors.json` pins it.
//! - `Stable` and `Rendezvous`: when a tunnel goes down, only the flows it carried move, and
//!   when it comes back exactly those flows return. `Maglev` moves under 1% more.
//!
//! # Memory
//!
//! An [`EcmpGroup`] is one fixed-size value with no heap and no borrowed storage:
//! 86 720 bytes with alignment 8 on 64-bit targets, most of it the inline Maglev table of
//! [`MAGLEV_TABLE_SIZE`] one-byte entries and the working memory of its rebuild (so a
//! rebuild needs no large stack frame). Every byte of [`EcmpGroup::EMPTY`] is zero: C can
//! place a group in zeroed memory of that size and alignment (a `static`, `calloc`) and call
//! [`EcmpGroup::init`] on it without building the value on the stack.
//!
//! A group is `Send` and `Sync`: selection takes `&self`, state changes take `&mut self`.
//!
#![doc = include_str!("spec.md")]

mod algorithm;
mod error;
mod flow;
mod group;
mod hash;
mod parse;

pub use algorithm::Algorithm;
pub use error::EcmpError;
pub use flow::{FlowKey, HashFields};
pub use group::{EcmpGroup, MAGLEV_TABLE_SIZE, MAX_TUNNELS, NONE};
pub use parse::ParseFlowError;
