//! ECMP flow selection.

mod algorithm;
mod error;
mod flow;
mod group;
mod hash;

pub use algorithm::Algorithm;
pub use error::EcmpError;
pub use flow::{FlowKey, HashFields};
pub use group::{EcmpGroup, MAGLEV_TABLE_SIZE, MAX_TUNNELS, NONE};
