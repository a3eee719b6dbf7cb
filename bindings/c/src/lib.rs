//! The C API of vpnha: `libvpnha.a` / `libvpnha.so` and `include/vpnha.h`, for C and C++
//! appliance firmware that loads a topology once and picks a tunnel per packet.
//!
//! All of the project's `unsafe` lives in this crate. Every exported function is
//! `#[unsafe(no_mangle)] pub unsafe extern "C"`, documents its preconditions in a `# Safety`
//! section (copied into the header), runs behind the panic boundary of [`ffi`] and touches a
//! pointer from C only through the checked helpers there. The contract (naming, statuses,
//! memory, threading, ABI) is written in this crate's README and in the header.
//!
//! Modules, one per C type:
//!
//! - `status`: `vpnha_status`, `vpnha_status_message`, `vpnha_version`;
//! - `topology`: `vpnha_topology`, parsing, tunnels and sites;
//! - `findings`: `vpnha_findings`, the result of validation;
//! - `ecmp`: `vpnha_flow_key`, `vpnha_ecmp_group` in caller memory, selection;
//! - `analysis`: `vpnha_analysis`, the failure and availability analysis of
//!   `vpnha_topology_analyze` (and of `vpnha_topology_analyze_with`, with the options of
//!   `vpnha analyze` in a `vpnha_analysis_options`), read by index or as a text or JSON
//!   report.
// The exported names are C names: vpnha_topology, vpnha_status, ...
#![allow(non_camel_case_types)]

mod analysis;
mod ecmp;
mod ffi;
mod findings;
mod status;
mod topology;

pub use analysis::*;
pub use ecmp::*;
pub use findings::*;
pub use status::*;
pub use topology::*;

#[cfg(test)]
mod tests;
