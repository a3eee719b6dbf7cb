//! Which flows move in a scenario, measured on a fixed sample of flows through the site's
//! ECMP group.

use crate::ecmp::{Algorithm, EcmpGroup, FlowKey, MAX_TUNNELS};

use super::AnalysisError;

/// The seed of the flow sample: the same flows on every run, platform and release.
const SAMPLE_SEED: u64 = 0x7670_6e68_615f_666c;

/// The flows of the sample: IPv4 TCP and UDP flows between documentation ranges
/// (RFC 5737), from a SplitMix64 sequence.
pub(crate) fn sample(count: usize) -> Vec<FlowKey> {
    let mut state = SAMPLE_SEED;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..count)
        .map(|_| {
            let r = next();
            let b = r.to_le_bytes();
            let src = if b[0] & 1 == 0 {
                [192, 0, 2, b[1]]
            } else {
                [198, 51, 100, b[1]]
            };
            let protocol = if b[2] & 1 == 0 { 6 } else { 17 };
            FlowKey::v4(
                src,
                [203, 0, 113, b[3]],
                protocol,
                u16::from_le_bytes([b[4], b[5]]) | 1024,
                u16::from_le_bytes([b[6], b[7]]),
            )
        })
        .collect()
}

/// The site's ECMP group and where each sampled flow goes with every tunnel up.
pub(crate) struct FlowMovement {
    group: Box<EcmpGroup>,
    keys: Vec<FlowKey>,
    baseline: Vec<Option<u16>>,
    /// Sampled flows per tunnel with every tunnel up.
    per_tunnel: Vec<usize>,
    /// `Stable` and `Rendezvous` move exactly the failed tunnels' flows (their frozen
    /// specification says so): the measure needs no re-selection.
    only_failed_move: bool,
    /// Tunnels currently marked down in `group`.
    down: Vec<bool>,
}

/// What a scenario does to the sampled flows.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Moved {
    /// Flows now on another tunnel.
    pub(crate) moved: usize,
    /// Flows moved, or left on a tunnel whose gateway end fails over in place.
    pub(crate) affected: usize,
}

impl FlowMovement {
    /// `None` when the site has no tunnels or more than an ECMP group holds.
    pub(crate) fn new(
        site: &str,
        tunnels: usize,
        algorithm: Algorithm,
        seed: u64,
        weights: Option<&[u32]>,
        keys: &[FlowKey],
    ) -> Result<Option<FlowMovement>, AnalysisError> {
        if tunnels == 0 || tunnels > MAX_TUNNELS {
            return Ok(None);
        }
        let ecmp = |error| AnalysisError::Ecmp {
            site: site.to_owned(),
            error,
        };
        // Built in place: a group is tens of kilobytes.
        let mut group = Box::new(EcmpGroup::EMPTY);
        group.init(tunnels, algorithm, seed).map_err(ecmp)?;
        if let Some(w) = weights {
            group.set_weights(w).map_err(ecmp)?;
        }
        let baseline: Vec<Option<u16>> = keys.iter().map(|k| group.select(k)).collect();
        let mut per_tunnel = vec![0; tunnels];
        for t in baseline.iter().flatten() {
            per_tunnel[usize::from(*t)] += 1;
        }
        Ok(Some(FlowMovement {
            group,
            keys: keys.to_vec(),
            baseline,
            per_tunnel,
            only_failed_move: matches!(algorithm, Algorithm::Stable | Algorithm::Rendezvous),
            down: vec![false; tunnels],
        }))
    }

    /// The number of sampled flows.
    pub(crate) fn flows(&self) -> usize {
        self.keys.len()
    }

    /// Sampled flows on tunnel `t` with every tunnel up.
    pub(crate) fn carried(&self, t: usize) -> usize {
        self.per_tunnel.get(t).copied().unwrap_or(0)
    }

    /// The flows that move when the tunnels in `lost` (sorted) are down and at least one
    /// other is up; `in_place[t]` marks surviving tunnels whose gateway end fails over.
    pub(crate) fn measure(&mut self, lost: &[usize], in_place: &[bool]) -> Moved {
        if self.only_failed_move {
            let moved: usize = lost.iter().map(|&t| self.carried(t)).sum();
            let stayed_interrupted: usize = in_place
                .iter()
                .enumerate()
                .filter(|&(t, &f)| f && lost.binary_search(&t).is_err())
                .map(|(t, _)| self.carried(t))
                .sum();
            return Moved {
                moved,
                affected: moved + stayed_interrupted,
            };
        }
        self.set_down(lost);
        let mut m = Moved::default();
        for (k, before) in self.keys.iter().zip(&self.baseline) {
            let after = self.group.select(k);
            let moved = after != *before;
            let interrupted = before.is_some_and(|b| in_place.get(usize::from(b)) == Some(&true));
            m.moved += usize::from(moved);
            m.affected += usize::from(moved || interrupted);
        }
        m
    }

    /// Marks exactly the tunnels of `lost` down, toggling only what changed since the last
    /// call (a Maglev group rebuilds its table on each change).
    fn set_down(&mut self, lost: &[usize]) {
        for t in 0..self.down.len() {
            let want = lost.binary_search(&t).is_ok();
            if self.down[t] != want {
                // `t` is below the group's tunnel count by construction.
                if self.group.set_up(t, !want).is_ok() {
                    self.down[t] = want;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for `Stable` and `Rendezvous` (count the failed tunnels' flows) gives
    /// what selecting every flow again gives, for every set of lost tunnels.
    #[test]
    fn the_shortcut_equals_selecting_again() {
        let keys = sample(2048);
        for algorithm in [Algorithm::Stable, Algorithm::Rendezvous] {
            for (n, weights) in [
                (2, None),
                (4, None),
                (5, Some(&[3u32, 1, 0, 2, 1][..])),
                (6, Some(&[1u32, 1, 1, 1, 0, 0][..])),
            ] {
                let mut fast = FlowMovement::new("s", n, algorithm, 7, weights, &keys)
                    .unwrap()
                    .unwrap();
                let mut slow = FlowMovement::new("s", n, algorithm, 7, weights, &keys)
                    .unwrap()
                    .unwrap();
                slow.only_failed_move = false;
                for mask in 1u32..(1 << n) - 1 {
                    let lost: Vec<usize> = (0..n).filter(|t| mask & (1 << t) != 0).collect();
                    // Tunnel 0's gateway end fails over in place when it survives.
                    let mut in_place = vec![false; n];
                    in_place[0] = true;
                    let a = fast.measure(&lost, &in_place);
                    let b = slow.measure(&lost, &in_place);
                    assert_eq!((a.moved, a.affected), (b.moved, b.affected), "{lost:?}");
                }
            }
        }
    }

    #[test]
    fn the_sample_is_fixed() {
        let a = sample(3);
        assert_eq!(a, sample(3));
        assert_eq!(sample(5)[..3], a[..]);
    }
}
