//! The redundancy verdict of a site and the reasons it falls short.

use std::collections::BTreeSet;
use std::fmt;

use ipnetwork::IpNetwork;

use super::structure::SiteModel;
use super::{ComponentKind, Shortfall};
use crate::Topology;

/// Why a site does not meet redundancy. The names are a public contract, like rule names:
/// never renamed.
///
/// A site meets redundancy when none of these holds: it then survives the failure of any
/// one component (no single point of failure) and of any one gateway instance's planned
/// maintenance, and every single failure is bridged by routing within the detection time
/// rather than by an active-standby failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Reason {
    /// The site has no tunnels: no connection reaches its devices.
    NoTunnels,
    /// One device carries every tunnel of the site: it is a single point of failure.
    SingleDevice,
    /// The gateway is active-active, but every tunnel of the site ends on one instance: its
    /// failure or planned maintenance cuts the site off.
    SingleInstanceCoverage,
    /// The gateway is active-standby: an unplanned instance failure interrupts every tunnel
    /// for 60–180 s while the standby takes over.
    ActiveStandbyGateway,
    /// One availability zone holds every gateway endpoint the site can use: a zone outage
    /// cuts the site off.
    SharedZone,
    /// Every device that carries the site's tunnels is behind one ISP uplink: its outage
    /// cuts the site off.
    SharedIsp,
    /// A connection of a site with more than one tunnel runs without BGP: a lost tunnel is
    /// found by dead-peer detection alone and no route is withdrawn.
    NoBgpFailover,
    /// The site's devices advertise different prefixes: after a device fails, the prefixes
    /// only it advertised are unreachable, although a path to the site remains.
    EcmpPrefixMismatch,
}

impl Reason {
    /// Every reason, in the order reports list them.
    pub const ALL: &'static [Reason] = &[
        Reason::NoTunnels,
        Reason::SingleDevice,
        Reason::SingleInstanceCoverage,
        Reason::ActiveStandbyGateway,
        Reason::SharedZone,
        Reason::SharedIsp,
        Reason::NoBgpFailover,
        Reason::EcmpPrefixMismatch,
    ];

    /// The stable kebab-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Reason::NoTunnels => "no-tunnels",
            Reason::SingleDevice => "single-device",
            Reason::SingleInstanceCoverage => "single-instance-coverage",
            Reason::ActiveStandbyGateway => "active-standby-gateway",
            Reason::SharedZone => "shared-zone",
            Reason::SharedIsp => "shared-isp",
            Reason::NoBgpFailover => "no-bgp-failover",
            Reason::EcmpPrefixMismatch => "ecmp-prefix-mismatch",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a site meets redundancy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// No [`Reason`] holds.
    RedundancyMet,
    /// At least one [`Reason`] holds.
    RedundancyNotMet,
}

impl Verdict {
    /// `redundancy-met` or `redundancy-not-met`.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::RedundancyMet => "redundancy-met",
            Verdict::RedundancyNotMet => "redundancy-not-met",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reasons `model`'s site falls short, given its single points of failure.
pub(crate) fn shortfalls(t: &Topology, model: &SiteModel, spofs: &[usize]) -> Vec<Shortfall> {
    let site = &model.site;
    let name = &site.name;
    let mut out = Vec::new();
    let mut push = |reason, message: String| out.push(Shortfall { reason, message });
    if site.tunnels.is_empty() {
        push(
            Reason::NoTunnels,
            format!(
                "site `{name}` has no tunnels: no connection reaches its devices; add a connection to each device"
            ),
        );
        return out;
    }
    let carrying: BTreeSet<&str> = site
        .tunnels
        .iter()
        .map(|x| x.local_gateway.as_str())
        .collect();
    if let [only] = carrying.iter().collect::<Vec<_>>()[..] {
        push(
            Reason::SingleDevice,
            format!(
                "every tunnel of site `{name}` ends on device `{only}`: its failure cuts the site off; add a second device with its own connection"
            ),
        );
    }
    if model.active_standby {
        push(
            Reason::ActiveStandbyGateway,
            format!(
                "the gateway is active-standby: an unplanned instance failure interrupts every tunnel of site `{name}` for 60–180 s while the standby takes over (planned maintenance 10–15 s); make the gateway active-active with tunnels to both instances"
            ),
        );
    } else if model.endpoints.len() < 2 {
        let instance = model
            .components
            .iter()
            .find(|c| c.kind == ComponentKind::Instance)
            .map_or("one instance", |c| c.name.as_str());
        push(
            Reason::SingleInstanceCoverage,
            format!(
                "the gateway is active-active, but every tunnel of site `{name}` ends on {instance}: its failure or planned maintenance cuts the site off; build a tunnel from each device to each instance"
            ),
        );
    }
    for &c in spofs {
        let component = &model.components[c];
        match component.kind {
            ComponentKind::Zone => push(
                Reason::SharedZone,
                format!(
                    "every gateway endpoint of site `{name}` is in {}: a zone outage cuts the site off; {}",
                    component.name,
                    if model.active_standby {
                        "the implicit standby is assumed to share the listed instance's zone (a zonal gateway); make the gateway active-active with instances in two zones"
                    } else {
                        "place the two instances in different zones (zone-redundant public IPs)"
                    }
                ),
            ),
            ComponentKind::Isp => push(
                Reason::SharedIsp,
                format!(
                    "every device of site `{name}` reaches Azure through {}: its outage cuts the site off; connect a device through another ISP",
                    component.name
                ),
            ),
            _ => {}
        }
    }
    if site.tunnels.len() > 1 {
        let mut without: Vec<&str> = site
            .tunnels
            .iter()
            .map(|x| &t.connections[x.connection_index])
            .filter(|c| !c.enable_bgp)
            .map(|c| c.name.as_str())
            .collect();
        without.dedup();
        if !without.is_empty() {
            push(
                Reason::NoBgpFailover,
                format!(
                    "{} of site `{name}` {} without BGP: a lost tunnel is found by dead-peer detection alone and no route is withdrawn; set `enable_bgp: true`",
                    names("connection", &without),
                    if without.len() == 1 { "runs" } else { "run" }
                ),
            );
        }
    }
    if carrying.len() > 1 {
        let prefixes = |device: &str| -> BTreeSet<IpNetwork> {
            match t.local_gateway(device) {
                Some(l) => match &l.bgp {
                    Some(b) => b.advertised_prefixes.iter().copied().collect(),
                    None => l.address_prefixes.iter().copied().collect(),
                },
                None => BTreeSet::new(),
            }
        };
        let mut sets = carrying.iter().map(|d| prefixes(d));
        let first = sets.next().unwrap_or_default();
        if sets.any(|s| s != first) {
            push(
                Reason::EcmpPrefixMismatch,
                format!(
                    "the devices of site `{name}` advertise different prefixes: when one fails, the prefixes only it advertised become unreachable, although the analysis counts the site as reachable; advertise the same prefixes from every device"
                ),
            );
        }
    }
    out.sort_by_key(|s| s.reason);
    out
}

fn names(what: &str, list: &[&str]) -> String {
    let quoted: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
    format!(
        "{what}{} {}",
        if list.len() == 1 { "" } else { "s" },
        quoted.join(", ")
    )
}
