//! The derived shape of a topology (tunnels, sites, patterns) as indices into it.
//!
//! [`Topology::tunnels`] and [`Topology::sites`] give owned values for users; validation and
//! analysis work on this borrowed form, which allocates no strings, so that deriving the
//! shape of a 10,000-device topology stays a matter of microseconds per device.

use foldhash::{HashMap, HashMapExt};

use super::{Pattern, Topology};

/// One tunnel: indices of its connection and device, and its gateway instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TunnelRef {
    pub(crate) connection: usize,
    pub(crate) local_gateway: usize,
    pub(crate) instance: usize,
}

/// One site: its devices (indices, file order) and tunnels (indices into
/// [`Layout::tunnels`], stable order).
#[derive(Clone, Debug)]
pub(crate) struct SiteRef<'t> {
    pub(crate) name: &'t str,
    pub(crate) devices: Vec<usize>,
    pub(crate) tunnels: Vec<usize>,
    pub(crate) pattern: Option<Pattern>,
    /// Distinct gateway instances the site's tunnels reach.
    pub(crate) instances: usize,
}

/// Tunnels in the stable order and sites sorted by name.
#[derive(Clone, Debug)]
pub(crate) struct Layout<'t> {
    pub(crate) tunnels: Vec<TunnelRef>,
    pub(crate) sites: Vec<SiteRef<'t>>,
}

impl Topology {
    /// The index of each local gateway name (the first of repeated names).
    pub(crate) fn device_index(&self) -> HashMap<&str, usize> {
        let mut index = HashMap::with_capacity(self.local_gateways.len());
        for (i, l) in self.local_gateways.iter().enumerate() {
            index.entry(l.name.as_str()).or_insert(i);
        }
        index
    }

    pub(crate) fn layout(&self) -> Layout<'_> {
        self.layout_with(&self.device_index())
    }

    /// [`Topology::layout`] with the device index already at hand.
    pub(crate) fn layout_with(&self, devices: &HashMap<&str, usize>) -> Layout<'_> {
        let carrying = self.gateway.tunnel_instances().len();

        let mut order: Vec<usize> = (0..self.connections.len()).collect();
        order.sort_by(|&a, &b| self.connections[a].name.cmp(&self.connections[b].name));
        let mut tunnels = Vec::with_capacity(order.len() * carrying.max(1));
        for ci in order {
            let c = &self.connections[ci];
            let Some(&li) = devices.get(c.local_gateway.as_str()) else {
                continue;
            };
            let instances = self.connection_instances(c);
            tunnels.extend(instances.into_iter().map(|instance| TunnelRef {
                connection: ci,
                local_gateway: li,
                instance,
            }));
        }

        let mut site_of: HashMap<&str, usize> = HashMap::new();
        let mut sites: Vec<SiteRef<'_>> = Vec::new();
        let mut device_site = vec![usize::MAX; self.local_gateways.len()];
        for (li, lg) in self.local_gateways.iter().enumerate() {
            let s = *site_of.entry(lg.site()).or_insert_with(|| {
                sites.push(SiteRef {
                    name: lg.site(),
                    devices: Vec::new(),
                    tunnels: Vec::new(),
                    pattern: None,
                    instances: 0,
                });
                sites.len() - 1
            });
            // A repeated name (a duplicate-name error) is listed once, as its first.
            if devices.get(lg.name.as_str()) == Some(&li) {
                sites[s].devices.push(li);
            }
            device_site[li] = s;
        }
        for (ti, t) in tunnels.iter().enumerate() {
            sites[device_site[t.local_gateway]].tunnels.push(ti);
        }
        for site in &mut sites {
            let (pattern, instances) = pattern_of(site, &tunnels, carrying);
            site.pattern = pattern;
            site.instances = instances;
        }
        sites.sort_by(|a, b| a.name.cmp(b.name));
        Layout { tunnels, sites }
    }
}

/// The pattern from the instances and devices that tunnels actually connect, and the number
/// of distinct instances reached.
fn pattern_of(
    site: &SiteRef<'_>,
    tunnels: &[TunnelRef],
    gateway_instances: usize,
) -> (Option<Pattern>, usize) {
    if site.tunnels.is_empty() {
        return (None, 0);
    }
    // (device, instance) pairs, deduplicated: a device's instance count is its run length.
    let mut pairs: Vec<(usize, usize)> = site
        .tunnels
        .iter()
        .map(|&ti| (tunnels[ti].local_gateway, tunnels[ti].instance))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut instances: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    instances.sort_unstable();
    instances.dedup();
    let mut devices = 0;
    let mut full_mesh = true;
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        devices += 1;
        full_mesh &= run.len() == gateway_instances;
    }
    let pattern = match (instances.len() >= 2, devices >= 2) {
        (false, false) => Pattern::ActiveStandby,
        (false, true) => Pattern::MultiDevice,
        (true, false) => Pattern::ActiveActive,
        (true, true) if full_mesh => Pattern::DualRedundancy,
        (true, true) => Pattern::MultiDevice,
    };
    (Some(pattern), instances.len())
}
