//! The selection algorithms, by name and by number.

use core::fmt;
use core::str::FromStr;

use super::EcmpError;

/// How a group maps a flow hash onto a tunnel.
///
/// The numbers are fixed (C passes them as integers) and the names are those of
/// [`Algorithm::name`]; neither ever changes.
///
/// | number | name | lookup | on a failure |
/// |---|---|---|---|
/// | 0 | `stable` (default) | O(1) while the flow's primary is up, O(n) otherwise | only the failed tunnel's flows move; they all move back on its return |
/// | 1 | `rendezvous` | O(n) | the same, and also for tunnels appended to the list for good |
/// | 2 | `maglev` | O(1) | the failed tunnel's flows move, plus under 1% of the others |
/// | 3 | `hash-threshold` | O(log n) | up to half of all flows move (RFC 2992; Linux's legacy multipath) |
///
/// # Examples
///
/// ```
/// use vpnha::ecmp::Algorithm;
///
/// let a: Algorithm = "maglev".parse()?;
/// assert_eq!(a, Algorithm::Maglev);
/// assert_eq!(a as u8, 2);
/// assert_eq!(Algorithm::from_u8(3), Some(Algorithm::HashThreshold));
/// assert_eq!(Algorithm::default().name(), "stable");
/// assert!("round-robin".parse::<Algorithm>().is_err());
/// # Ok::<(), vpnha::ecmp::EcmpError>(())
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Algorithm {
    /// A primary tunnel from the hash over the configured list (weighted); rendezvous among
    /// the live tunnels when the primary is down.
    #[default]
    Stable = 0,
    /// Highest random weight (weighted rendezvous hashing) over the live tunnels.
    Rendezvous = 1,
    /// A Maglev lookup table of [`MAGLEV_TABLE_SIZE`](crate::ecmp::MAGLEV_TABLE_SIZE) entries,
    /// rebuilt over the live tunnels when one goes up or down.
    Maglev = 2,
    /// RFC 2992 hash-threshold over the live tunnels, computed as Linux's legacy multipath does.
    HashThreshold = 3,
}

impl Algorithm {
    /// Every algorithm, in number order.
    pub const ALL: [Self; 4] = [
        Self::Stable,
        Self::Rendezvous,
        Self::Maglev,
        Self::HashThreshold,
    ];

    /// The stable name: `stable`, `rendezvous`, `maglev` or `hash-threshold`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Rendezvous => "rendezvous",
            Self::Maglev => "maglev",
            Self::HashThreshold => "hash-threshold",
        }
    }

    /// The algorithm with this number, if there is one.
    #[must_use]
    pub const fn from_u8(number: u8) -> Option<Self> {
        match number {
            0 => Some(Self::Stable),
            1 => Some(Self::Rendezvous),
            2 => Some(Self::Maglev),
            3 => Some(Self::HashThreshold),
            _ => None,
        }
    }
}

impl FromStr for Algorithm {
    type Err = EcmpError;

    /// Parses a name of [`Algorithm::name`] (exactly, lower case).
    fn from_str(s: &str) -> Result<Self, EcmpError> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or(EcmpError::UnknownAlgorithm)
    }
}

impl TryFrom<u8> for Algorithm {
    type Error = EcmpError;

    fn try_from(number: u8) -> Result<Self, EcmpError> {
        Self::from_u8(number).ok_or(EcmpError::UnknownAlgorithm)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
