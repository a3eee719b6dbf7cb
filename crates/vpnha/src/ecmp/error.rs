//! The one error type of flow selection.

use core::fmt;

/// What was wrong with a flow-selection input.
///
/// Every fallible call in [`crate::ecmp`] returns this; none of them panics. The variants carry
/// the offending numbers so a message can say what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcmpError {
    /// A group needs between 1 and [`MAX_TUNNELS`](crate::ecmp::MAX_TUNNELS) tunnels.
    TunnelCount {
        /// The count that was asked for.
        count: usize,
    },
    /// A tunnel index at or beyond the group's tunnel count.
    TunnelIndex {
        /// The index that was given.
        index: usize,
        /// The group's tunnel count.
        count: usize,
    },
    /// The weight list must have exactly one weight per tunnel.
    WeightCount {
        /// The group's tunnel count.
        expected: usize,
        /// The number of weights given.
        found: usize,
    },
    /// Every weight is zero: no tunnel could ever be a primary.
    AllWeightsZero,
    /// A hash-field bit set with bits outside [`HashFields::ALL`](crate::ecmp::HashFields::ALL).
    UnknownHashFields {
        /// The bits that were given.
        bits: u32,
    },
    /// Symmetric mode cannot hash the IPv6 flow label: each direction of a flow picks its own
    /// label (RFC 6437), so the two directions would hash differently.
    SymmetricFlowLabel,
    /// A flow's source and destination addresses are of different families (one IPv4, one IPv6).
    MixedFamilies,
    /// An algorithm name or number that is not one of [`Algorithm`](crate::ecmp::Algorithm)'s.
    UnknownAlgorithm,
    /// A batch call's input and output slices differ in length.
    LengthMismatch {
        /// Number of flow keys.
        keys: usize,
        /// Number of output slots.
        out: usize,
    },
}

impl fmt::Display for EcmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TunnelCount { count } => write!(
                f,
                "an ECMP group needs 1 to {} tunnels, not {count}",
                crate::ecmp::MAX_TUNNELS
            ),
            Self::TunnelIndex { index, count } => write!(
                f,
                "tunnel index {index} is out of range: the group has {count} tunnels"
            ),
            Self::WeightCount { expected, found } => write!(
                f,
                "expected one weight per tunnel ({expected}), found {found}"
            ),
            Self::AllWeightsZero => {
                f.write_str("every weight is zero: give at least one tunnel a weight above 0")
            }
            Self::UnknownHashFields { bits } => write!(
                f,
                "hash fields {bits:#x} contain unknown bits (known: 0x01 src IP, 0x02 dst IP, \
                 0x04 protocol, 0x08 IPv6 flow label, 0x10 src port, 0x20 dst port)"
            ),
            Self::SymmetricFlowLabel => f.write_str(
                "symmetric mode cannot hash the IPv6 flow label: each direction chooses its own \
                 label; drop FLOW_LABEL from the hash fields or turn symmetric mode off",
            ),
            Self::MixedFamilies => {
                f.write_str("source and destination addresses must both be IPv4 or both be IPv6")
            }
            Self::UnknownAlgorithm => f.write_str(
                "unknown ECMP algorithm (expected stable, rendezvous, maglev or hash-threshold)",
            ),
            Self::LengthMismatch { keys, out } => write!(
                f,
                "{keys} flow keys but {out} output slots: the lengths must be equal"
            ),
        }
    }
}

impl core::error::Error for EcmpError {}
