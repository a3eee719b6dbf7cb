//! vpnha: highly-available site-to-site VPN topologies of the kind Azure documents.
//!
//! An Azure VPN gateway (active-standby or active-active), one or more on-premises VPN
//! devices, the connections and IPsec tunnels between them, BGP, and ECMP across the tunnels.
//!
//! - [`ecmp`]: per-flow tunnel selection that never allocates and never panics; available
//!   without the `std` feature (`no_std`, no heap) for firmware. Its answers are specified
//!   and frozen (`docs/ecmp.md`), pinned by `testdata/ecmp_vectors.json`.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod ecmp;
