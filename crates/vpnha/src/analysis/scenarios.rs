//! Every failure set of up to k components, planned maintenance of each gateway instance,
//! and the minimal cut sets found on the way.

use super::flows::FlowMovement;
use super::structure::SiteModel;
use super::{Cause, ComponentKind, Interruption, Scenario};

/// What the enumeration of one site found.
pub(crate) struct Enumerated {
    pub(crate) scenarios: Vec<Scenario>,
    /// Component indices, smallest sets first.
    pub(crate) minimal_cut_sets: Vec<Vec<usize>>,
}

/// `Σ_{j=1..=k} C(m, j)`, saturating.
pub(crate) fn failure_set_count(m: usize, k: usize) -> usize {
    let mut total: usize = 0;
    let mut c: u128 = 1;
    for j in 1..=k.min(m) {
        // C(m, j) = C(m, j-1) · (m - j + 1) / j, exact in integers.
        c = c.saturating_mul((m - j + 1) as u128) / j as u128;
        total = total.saturating_add(usize::try_from(c).unwrap_or(usize::MAX));
    }
    total
}

/// The planned-maintenance scenarios of a site: one per gateway instance, and the standby.
pub(crate) fn planned_count(model: &SiteModel) -> usize {
    model
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::Instance | ComponentKind::Standby))
        .count()
}

/// Enumerates a site's scenarios: planned maintenance first, then every failure set of
/// 1..=k components in component order.
pub(crate) fn enumerate(
    model: &SiteModel,
    k: usize,
    carrying: &[bool],
    mut flows: Option<&mut FlowMovement>,
    progress: &mut dyn FnMut(usize, usize),
) -> Enumerated {
    let m = model.components.len();
    let total = planned_count(model) + failure_set_count(m, k);
    let mut scenarios = Vec::with_capacity(total.min(1 << 20));
    let mut cuts: Vec<Vec<usize>> = Vec::new();
    let mut failed = vec![false; m];
    let mut lost = Vec::with_capacity(model.tunnels.len());
    let mut in_place = vec![false; model.tunnels.len()];

    if !model.reachable(&failed) {
        // No tunnel at all: nothing needs to fail.
        cuts.push(Vec::new());
    }

    let gateway: Vec<usize> = model
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.kind, ComponentKind::Instance | ComponentKind::Standby))
        .map(|(i, _)| i)
        .collect();
    for c in gateway {
        failed[c] = true;
        let s = scenario(
            model,
            &[c],
            true,
            &failed,
            carrying,
            &mut lost,
            &mut in_place,
            flows.as_deref_mut(),
        );
        failed[c] = false;
        scenarios.push(s);
    }

    let mut done = scenarios.len();
    let mut idx: Vec<usize> = Vec::with_capacity(k);
    for size in 1..=k.min(m) {
        idx.clear();
        idx.extend(0..size);
        loop {
            for &c in &idx {
                failed[c] = true;
            }
            let s = scenario(
                model,
                &idx,
                false,
                &failed,
                carrying,
                &mut lost,
                &mut in_place,
                flows.as_deref_mut(),
            );
            if !s.reachable && is_minimal(model, &idx, &mut failed) {
                cuts.push(idx.clone());
            }
            for &c in &idx {
                failed[c] = false;
            }
            scenarios.push(s);
            done += 1;
            if done % 1024 == 0 {
                progress(done, total);
            }
            if !next_combination(&mut idx, m) {
                break;
            }
        }
    }
    progress(done, total);
    Enumerated {
        scenarios,
        minimal_cut_sets: cuts,
    }
}

/// Whether the failed set `set` (marked in `failed`, and cutting the site off) cuts it off
/// only with all its members: removing any one restores a path. Failure is monotone, so
/// this is minimality.
fn is_minimal(model: &SiteModel, set: &[usize], failed: &mut [bool]) -> bool {
    set.iter().all(|&c| {
        failed[c] = false;
        let r = model.reachable(failed);
        failed[c] = true;
        r
    })
}

/// The next k-combination of `0..m` in lexicographic order; `false` after the last.
fn next_combination(idx: &mut [usize], m: usize) -> bool {
    let k = idx.len();
    let mut i = k;
    while i > 0 {
        i -= 1;
        if idx[i] < m - k + i {
            idx[i] += 1;
            for j in i + 1..k {
                idx[j] = idx[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[allow(clippy::too_many_arguments)]
fn scenario(
    model: &SiteModel,
    set: &[usize],
    planned: bool,
    failed: &[bool],
    carrying: &[bool],
    lost: &mut Vec<usize>,
    in_place: &mut [bool],
    flows: Option<&mut FlowMovement>,
) -> Scenario {
    lost.clear();
    let mut failover = false;
    for (t, x) in model.tunnels.iter().enumerate() {
        in_place[t] = false;
        if !model.tunnel_up(t, failed) {
            lost.push(t);
        } else if failed[model.endpoints[x.endpoint].instance] {
            // Up although its instance is down: the standby carries it.
            in_place[t] = true;
            failover |= carrying[t];
        }
    }
    let n = model.tunnels.len();
    let reachable = lost.len() < n;
    let (moved_share, affected_share) = match flows {
        Some(f) if reachable => {
            let m = f.measure(lost, in_place);
            let total = f.flows() as f64;
            (
                Some(m.moved as f64 / total),
                Some(m.affected as f64 / total),
            )
        }
        Some(_) => (Some(0.0), Some(1.0)),
        None => (None, None),
    };

    let mut causes = Vec::new();
    if !reachable {
        causes.push(if planned {
            Cause::MaintenanceOutage
        } else {
            Cause::Outage
        });
    } else if planned {
        if failover || lost.iter().any(|&t| carrying[t]) {
            causes.push(Cause::PlannedMaintenance);
        }
    } else {
        if failover {
            causes.push(Cause::ActiveStandbyFailover);
        }
        for &t in lost.iter().filter(|&&t| carrying[t]) {
            let x = &model.tunnels[t];
            let c = Cause::Detection {
                dpd_seconds: x.dpd_seconds,
                bgp: x.bgp,
            };
            if !causes.contains(&c) {
                causes.push(c);
            }
        }
    }
    if causes.is_empty() {
        causes.push(Cause::Unaffected);
    }
    Scenario {
        failed: set
            .iter()
            .map(|&c| model.components[c].name.clone())
            .collect(),
        planned,
        lost_tunnels: lost.clone(),
        reachable,
        moved_share,
        affected_share,
        interruption: Interruption::from_causes(causes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_binomials() {
        assert_eq!(failure_set_count(4, 2), 4 + 6);
        assert_eq!(failure_set_count(3, 5), 7);
        assert_eq!(failure_set_count(10, 0), 0);
        assert_eq!(failure_set_count(usize::MAX, 3), usize::MAX);
    }

    #[test]
    fn combinations_are_lexicographic_and_complete() {
        let mut idx = vec![0, 1];
        let mut seen = vec![idx.clone()];
        while next_combination(&mut idx, 4) {
            seen.push(idx.clone());
        }
        assert_eq!(
            seen,
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]].map(|a| a.to_vec())
        );
    }
}
