//! A brute-force reference for the analysis, written from the component model in
//! `docs/analysis.md` for clarity, not speed: it enumerates every up/down state of a site's
//! components (2^m of them). It shares no code with the crate's analysis: it re-derives the
//! components from the topology and decides reachability tunnel by tunnel.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};

use vpnha::analysis::Availabilities;
use vpnha::{Topology, Tunnel};

/// One site as the oracle sees it.
pub struct Oracle {
    /// Component names, in the crate's report order (so that failure sets line up).
    pub names: Vec<String>,
    /// Availability per component.
    pub availability: Vec<f64>,
    tunnels: Vec<Need>,
}

/// The components one tunnel needs: all of `all`, and one of `either` when not empty.
struct Need {
    all: Vec<usize>,
    either: Vec<usize>,
}

impl Oracle {
    /// The oracle of `site` with per-kind availabilities and per-name overrides.
    pub fn new(
        t: &Topology,
        site: &str,
        a: &Availabilities,
        overrides: &BTreeMap<String, f64>,
    ) -> Oracle {
        let tunnels: Vec<Tunnel> = t.tunnels().into_iter().filter(|x| x.site == site).collect();
        let devices: Vec<String> = t
            .local_gateways
            .iter()
            .filter(|l| l.site() == site)
            .map(|l| l.name.clone())
            .fold(Vec::new(), |mut v, n| {
                if !v.contains(&n) {
                    v.push(n);
                }
                v
            });
        let instances: BTreeSet<usize> = tunnels.iter().map(|x| x.instance).collect();
        let zone_of = |i: usize| t.gateway.instances[i].zone;
        let zones: BTreeSet<u8> = instances.iter().filter_map(|&i| zone_of(i)).collect();
        let standby = !t.gateway.active_active && !instances.is_empty();

        let mut names = Vec::new();
        let mut availability = Vec::new();
        let mut push = |name: String, p: f64| {
            availability.push(overrides.get(&name).copied().unwrap_or(p));
            names.push(name);
            names.len() - 1
        };
        let inst: BTreeMap<usize, usize> = instances
            .iter()
            .map(|&i| (i, push(format!("instance-{i}"), a.gateway_instance)))
            .collect();
        let standby = standby.then(|| push("standby".to_owned(), a.gateway_instance));
        let zone: BTreeMap<u8, usize> = zones
            .iter()
            .map(|&z| (z, push(format!("zone:{z}"), a.zone)))
            .collect();
        let dev: BTreeMap<String, usize> = devices
            .iter()
            .map(|d| (d.clone(), push(d.clone(), a.device)))
            .collect();
        let mut isp: BTreeMap<String, usize> = BTreeMap::new();
        for d in &devices {
            if let Some(i) = t.local_gateway(d).and_then(|l| l.isp.clone()) {
                isp.entry(i)
                    .or_insert_with_key(|i| push(format!("isp:{i}"), a.isp));
            }
        }
        let mut needs = Vec::new();
        for x in &tunnels {
            let own = push(x.id.clone(), a.tunnel);
            let mut all = vec![own, dev[&x.local_gateway]];
            if let Some(i) = t
                .local_gateway(&x.local_gateway)
                .and_then(|l| l.isp.clone())
            {
                all.push(isp[&i]);
            }
            // The standby shares the listed instance's zone.
            if let Some(z) = zone_of(x.instance) {
                all.push(zone[&z]);
            }
            let mut either = vec![inst[&x.instance]];
            either.extend(standby);
            needs.push(Need { all, either });
        }
        Oracle {
            names,
            availability,
            tunnels: needs,
        }
    }

    /// The number of components.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Tunnel `j` is up in `state` (bit i set = component i up).
    pub fn tunnel_up(&self, j: usize, state: u64) -> bool {
        let n = &self.tunnels[j];
        let up = |c: &usize| state & (1 << c) != 0;
        n.all.iter().all(up) && (n.either.is_empty() || n.either.iter().any(up))
    }

    /// The number of tunnels up in `state`.
    pub fn tunnels_up(&self, state: u64) -> usize {
        (0..self.tunnels.len())
            .filter(|&j| self.tunnel_up(j, state))
            .count()
    }

    /// The probability of `state`.
    pub fn probability(&self, state: u64) -> f64 {
        self.availability
            .iter()
            .enumerate()
            .map(|(i, &p)| if state & (1 << i) != 0 { p } else { 1.0 - p })
            .product()
    }

    /// `P(exactly j tunnels up)`, by enumerating every state.
    pub fn distribution(&self) -> Vec<f64> {
        let mut d = vec![0.0; self.tunnels.len() + 1];
        for state in 0..(1u64 << self.len()) {
            d[self.tunnels_up(state)] += self.probability(state);
        }
        d
    }

    /// `P(no tunnel up)`.
    pub fn unavailability(&self) -> f64 {
        self.distribution()[0]
    }

    /// The state with exactly the components of `failed` down.
    pub fn state_without(&self, failed: &[&str]) -> u64 {
        let mut s = (1u64 << self.len()) - 1;
        for f in failed {
            let i = self.names.iter().position(|n| n == f).expect("a component");
            s &= !(1 << i);
        }
        s
    }

    /// Every minimal cut set of at most `k` components, as sorted name lists, sorted.
    pub fn minimal_cut_sets(&self, k: usize) -> BTreeSet<Vec<String>> {
        let m = self.len();
        let all = (1u64 << m) - 1;
        let cuts: Vec<u64> = (0..(1u64 << m))
            .filter(|f| f.count_ones() as usize <= k)
            .filter(|&f| self.tunnels_up(all & !f) == 0)
            .collect();
        let set: BTreeSet<u64> = cuts.iter().copied().collect();
        cuts.iter()
            .filter(|&&f| {
                // No proper subset cuts the site off.
                let mut sub = (f.wrapping_sub(1)) & f;
                loop {
                    if sub != f && set.contains(&sub) {
                        return false;
                    }
                    if sub == 0 {
                        return true;
                    }
                    sub = (sub - 1) & f;
                }
            })
            .map(|&f| {
                let mut v: Vec<String> = (0..m)
                    .filter(|i| f & (1 << i) != 0)
                    .map(|i| self.names[i].clone())
                    .collect();
                v.sort();
                v
            })
            .collect()
    }
}

/// Sorted name lists, for comparing cut sets whatever their order.
pub fn normalised(sets: &[Vec<String>]) -> BTreeSet<Vec<String>> {
    sets.iter()
        .map(|s| {
            let mut v = s.clone();
            v.sort();
            v
        })
        .collect()
}
