//! Failure and availability analysis: what breaks when a component fails, for how long, and
//! how available each site is, in exact numbers.
//!
//! # Components
//!
//! Each site is analysed on its own, over these components (named as in reports):
//!
//! | component | name | fails |
//! |---|---|---|
//! | a gateway instance its tunnels end on | `instance-0`, `instance-1` | the tunnels on it (active-active) |
//! | an active-standby gateway's implicit standby | `standby` | nothing by itself: it carries the tunnels when `instance-0` is down |
//! | an availability zone of those instances | `zone:1` | its instances (and the standby, assumed in the listed instance's zone) |
//! | an on-premises device | its name, `hq-fw-a` | its tunnels |
//! | an ISP uplink named by devices | `isp:isp-1` | the tunnels of every device behind it |
//! | a tunnel | its id, `hq-a/0` | itself |
//!
//! A tunnel carries traffic when it, its device, its device's ISP and its gateway end are up;
//! the gateway end of an active-standby gateway is up when its zone is and `instance-0` or
//! the standby is. A site is reachable when any of its tunnels carries traffic.
//!
//! # Scenarios
//!
//! For each site: planned maintenance of each gateway instance (one at a time, as Azure
//! does it), then every set of 1 to k failed components (k = [`DEFAULT_MAX_FAILURES`] unless
//! set). A [`Scenario`] tells which tunnels survive, whether the site is reachable, the share
//! of the site's flows that move to another tunnel (measured on a fixed sample of flows
//! through the site's [ECMP group](crate::ecmp::EcmpGroup)), and the expected
//! [`Interruption`] with the [`Cause`]s that bound it. Failure sets that cut the site off
//! while every proper subset leaves a path are its minimal cut sets; those of one component
//! are its single points of failure.
//!
//! # Availability
//!
//! The probability that the site is reachable, computed exactly from per-component
//! availabilities ([`Availabilities`]: the file's `availability` block, else documented
//! defaults) with zones and ISPs as shared components. The mesh is not series-parallel: the
//! computation conditions on every state of the gateway side (instances, standby, zones: at
//! most a few dozen states); given one, devices are independent within an ISP group and ISP
//! groups of each other, so the probability of no path factorises exactly. No sampling. The
//! same structure gives the exact distribution of the number of usable tunnels
//! ([`TunnelsUp`]), hence the availability of keeping a share of them ([`Capacity`]).
//!
//! Components fail independently apart from the shared zones and ISPs. Common-mode failures
//! (a region, the Azure control plane, a faulty software rollout to both instances) and the
//! time a failover takes are not in the figure; `docs/analysis.md` lists every assumption.
//!
//! # Examples
//!
//! ```
//! use vpnha::Topology;
//! use vpnha::analysis::{Reason, Verdict};
//!
//! let topology = Topology::load("../../examples/dual-redundancy.yaml")?;
//! let analysis = topology.analyze()?;
//! let hq = &analysis.sites[0];
//! assert_eq!(hq.verdict, Verdict::RedundancyMet);
//! assert!(hq.single_points_of_failure.is_empty());
//! assert!(hq.availability.nines() > 5.0);
//!
//! // One device and an active-standby gateway: the device is a single point of failure.
//! let branch = Topology::load("../../examples/active-standby.yaml")?.analyze()?;
//! let berlin = &branch.sites[0];
//! assert!(berlin.single_points_of_failure.contains(&"berlin-fw".to_owned()));
//! assert!(berlin.reasons.iter().any(|r| r.reason == Reason::SingleDevice));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod exact;
mod flows;
mod json;
mod scenarios;
mod structure;
mod text;
mod verdict;

use std::collections::BTreeMap;
use std::fmt;

pub use error::AnalysisError;
pub use text::TextReport;
pub use verdict::{Reason, Verdict};

use crate::ecmp::{Algorithm, MAX_TUNNELS};
use crate::model::AvailabilityInputs;
use crate::{Site, Sku, Topology};
use structure::SiteModel;

/// The default maximum number of simultaneous component failures enumerated.
pub const DEFAULT_MAX_FAILURES: usize = 2;
/// The default number of sample flows the moved shares are measured on.
pub const DEFAULT_FLOW_SAMPLE: usize = 4096;
/// The largest flow sample.
pub const MAX_FLOW_SAMPLE: usize = 1 << 20;
/// The default limit on the scenarios of one site.
pub const DEFAULT_MAX_SCENARIOS: usize = 1_000_000;
/// The capacity shares reported by default: half the tunnels, and all of them.
pub const DEFAULT_CAPACITY_SHARES: [f64; 2] = [0.5, 1.0];
/// Minutes in the average Gregorian month (365.2425 days / 12), for downtime per month.
pub const MINUTES_PER_MONTH: f64 = 365.2425 / 12.0 * 24.0 * 60.0;

/// Azure's planned-maintenance interruption, in seconds: "restored within 10 to 15 seconds".
pub const PLANNED_MAINTENANCE_SECONDS: [u64; 2] = [10, 15];
/// Azure's unplanned active-standby failover, in seconds: "about 1 to 3 minutes".
pub const ACTIVE_STANDBY_FAILOVER_SECONDS: [u64; 2] = [60, 180];
/// Azure's BGP hold time, in seconds (fixed; no BFD).
pub const BGP_HOLD_SECONDS: u64 = 180;
/// Azure's BGP keepalive interval, in seconds.
pub const BGP_KEEPALIVE_SECONDS: u64 = 60;

/// The kind of a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ComponentKind {
    /// A gateway instance (`instance-N`).
    Instance,
    /// An active-standby gateway's implicit standby (`standby`).
    Standby,
    /// An availability zone (`zone:N`).
    Zone,
    /// An on-premises device (its name).
    Device,
    /// An ISP uplink (`isp:NAME`).
    Isp,
    /// A tunnel (its id).
    Tunnel,
}

impl ComponentKind {
    /// `instance`, `standby`, `zone`, `device`, `isp` or `tunnel`.
    pub const fn name(self) -> &'static str {
        match self {
            ComponentKind::Instance => "instance",
            ComponentKind::Standby => "standby",
            ComponentKind::Zone => "zone",
            ComponentKind::Device => "device",
            ComponentKind::Isp => "isp",
            ComponentKind::Tunnel => "tunnel",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One component of a site.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Component {
    /// Its name in reports: `instance-0`, `standby`, `zone:1`, `hq-fw-a`, `isp:isp-1`, `hq-a/0`.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
    /// The probability it is up.
    pub availability: f64,
}

/// Per-kind component availabilities (the probability a component is up), resolved from
/// the analysis options, the file's `availability` block and the defaults, in that order.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Availabilities {
    /// One gateway instance, and the standby.
    pub gateway_instance: f64,
    /// One on-premises device.
    pub device: f64,
    /// One ISP uplink.
    pub isp: f64,
    /// One tunnel (IKE/IPsec on top of its endpoints).
    pub tunnel: f64,
    /// One availability zone.
    pub zone: f64,
}

impl Availabilities {
    /// The defaults, justified in `docs/analysis.md`: a gateway instance at Azure's VPN
    /// gateway SLA (99.95 %; 99.9 % for Basic, see [`Availabilities::for_sku`]), a device
    /// and an ISP uplink at 99.9 %, a tunnel and a zone at 99.99 %.
    pub const DEFAULT: Availabilities = Availabilities {
        gateway_instance: 0.9995,
        device: 0.999,
        isp: 0.999,
        tunnel: 0.9999,
        zone: 0.9999,
    };

    /// The defaults for a gateway of this SKU: [`Availabilities::DEFAULT`], with the gateway
    /// instance at 99.9 % for Basic (its SLA).
    pub const fn for_sku(sku: Sku) -> Availabilities {
        let mut a = Availabilities::DEFAULT;
        if matches!(sku, Sku::Basic) {
            a.gateway_instance = 0.999;
        }
        a
    }
}

impl Default for Availabilities {
    fn default() -> Self {
        Availabilities::DEFAULT
    }
}

/// A probability that something holds (the site is reachable, enough tunnels are up),
/// kept with its complement so that high availabilities lose no precision.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Availability {
    /// The probability it holds.
    pub probability: f64,
    /// The probability it does not, computed directly (not as `1 - probability`).
    pub unavailability: f64,
}

impl Availability {
    /// From the probability that it does not hold.
    pub fn from_unavailability(unavailability: f64) -> Availability {
        let u = unavailability.clamp(0.0, 1.0);
        Availability {
            probability: 1.0 - u,
            unavailability: u,
        }
    }

    /// The nines: `-log10(unavailability)`; infinite when the unavailability is 0.
    ///
    /// ```
    /// use vpnha::analysis::Availability;
    /// assert!((Availability::from_unavailability(0.001).nines() - 3.0).abs() < 1e-12);
    /// ```
    pub fn nines(&self) -> f64 {
        -self.unavailability.log10()
    }

    /// The expected time it does not hold, in minutes per average month
    /// ([`MINUTES_PER_MONTH`]).
    pub fn downtime_minutes_per_month(&self) -> f64 {
        self.unavailability * MINUTES_PER_MONTH
    }
}

/// The exact distribution of the number of a site's tunnels that carry traffic.
#[derive(Clone, Debug, PartialEq)]
pub struct TunnelsUp {
    probabilities: Vec<f64>,
}

impl TunnelsUp {
    /// `P(exactly j tunnels up)` for `j = 0..=tunnel_count`.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }

    /// The site's tunnel count.
    pub fn tunnel_count(&self) -> usize {
        self.probabilities.len() - 1
    }

    /// The availability of at least `n` tunnels up (summed from the lower tail, so no
    /// precision is lost at high availability).
    pub fn at_least(&self, n: usize) -> Availability {
        let below: f64 = self.probabilities.iter().take(n).sum();
        Availability::from_unavailability(below)
    }

    /// The availability of keeping at least `share` of the tunnels up: at least
    /// `⌈share · tunnel_count⌉` tunnels, and at least one.
    ///
    /// # Errors
    ///
    /// [`AnalysisError::CapacityShare`] unless `0 < share <= 1`.
    pub fn at_least_share(&self, share: f64) -> Result<Capacity, AnalysisError> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(AnalysisError::CapacityShare { share });
        }
        let n = self.tunnel_count();
        // A hair below the product, so that 0.3 · 10 asks for 3 tunnels, not 4.
        let min_tunnels = ((share * n as f64 - 1e-9).ceil() as usize).max(1);
        Ok(Capacity {
            share,
            min_tunnels,
            tunnels: n,
            availability: self.at_least(min_tunnels),
        })
    }
}

/// The availability of keeping a share of a site's tunnels up.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Capacity {
    /// The share asked for.
    pub share: f64,
    /// The tunnels that must be up: `⌈share · tunnels⌉`, at least one.
    pub min_tunnels: usize,
    /// The site's tunnel count.
    pub tunnels: usize,
    /// The probability that at least `min_tunnels` are up.
    pub availability: Availability,
}

/// What bounds the interruption of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// No tunnel that carries flows is affected: 0 s.
    Unaffected,
    /// Planned maintenance of a gateway instance: connectivity is restored within 10–15 s
    /// ([`PLANNED_MAINTENANCE_SECONDS`]).
    PlannedMaintenance,
    /// An active-standby gateway's standby takes over after an unplanned failure: 60–180 s
    /// ([`ACTIVE_STANDBY_FAILOVER_SECONDS`]).
    ActiveStandbyFailover,
    /// A lost tunnel's flows wait until the tunnel is found dead: by dead-peer detection after
    /// `dpd_seconds`, or with BGP by the hold timer ([`BGP_HOLD_SECONDS`]), which expires
    /// 120–180 s after the failure (the last keepalive came 0–60 s before it), whichever is
    /// first.
    Detection {
        /// The connection's DPD timeout.
        dpd_seconds: u64,
        /// Whether BGP runs over the connection.
        bgp: bool,
    },
    /// No tunnel survives an unplanned failure: the site is cut off until a failed component
    /// is repaired. No duration is assumed.
    Outage,
    /// No tunnel survives planned maintenance: the site is cut off while it lasts (Azure
    /// publishes no duration).
    MaintenanceOutage,
}

impl Cause {
    /// The stable code: `unaffected`, `planned-maintenance`, `active-standby-failover`,
    /// `detection`, `outage`, `maintenance-outage`.
    pub const fn code(self) -> &'static str {
        match self {
            Cause::Unaffected => "unaffected",
            Cause::PlannedMaintenance => "planned-maintenance",
            Cause::ActiveStandbyFailover => "active-standby-failover",
            Cause::Detection { .. } => "detection",
            Cause::Outage => "outage",
            Cause::MaintenanceOutage => "maintenance-outage",
        }
    }

    /// The interruption it implies, `[lo, hi]` seconds; `None` for an outage.
    pub fn seconds(self) -> Option<[u64; 2]> {
        match self {
            Cause::Unaffected => Some([0, 0]),
            Cause::PlannedMaintenance => Some(PLANNED_MAINTENANCE_SECONDS),
            Cause::ActiveStandbyFailover => Some(ACTIVE_STANDBY_FAILOVER_SECONDS),
            Cause::Detection {
                dpd_seconds,
                bgp: true,
            } => Some([
                dpd_seconds.min(BGP_HOLD_SECONDS - BGP_KEEPALIVE_SECONDS),
                dpd_seconds.min(BGP_HOLD_SECONDS),
            ]),
            Cause::Detection {
                dpd_seconds,
                bgp: false,
            } => Some([dpd_seconds, dpd_seconds]),
            Cause::Outage | Cause::MaintenanceOutage => None,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hold = BGP_HOLD_SECONDS - BGP_KEEPALIVE_SECONDS;
        match *self {
            Cause::Unaffected => f.write_str("no tunnel that carries flows is lost"),
            Cause::PlannedMaintenance => {
                f.write_str("planned maintenance: Azure restores connectivity within 10–15 s")
            }
            Cause::ActiveStandbyFailover => {
                f.write_str("unplanned failover to the standby: 1–3 min (Azure)")
            }
            Cause::Detection {
                dpd_seconds,
                bgp: true,
            } if dpd_seconds <= hold => write!(
                f,
                "lost tunnels found dead by DPD ({dpd_seconds} s) before the BGP hold timer (120–180 s)"
            ),
            Cause::Detection {
                dpd_seconds,
                bgp: true,
            } if dpd_seconds >= BGP_HOLD_SECONDS => write!(
                f,
                "lost tunnels found dead by the BGP hold timer (120–180 s) before DPD ({dpd_seconds} s)"
            ),
            Cause::Detection {
                dpd_seconds,
                bgp: true,
            } => write!(
                f,
                "lost tunnels found dead by DPD ({dpd_seconds} s) or the BGP hold timer (120–180 s), whichever is first"
            ),
            Cause::Detection {
                dpd_seconds,
                bgp: false,
            } => write!(
                f,
                "lost tunnels found dead by DPD alone ({dpd_seconds} s; no BGP)"
            ),
            Cause::Outage => f.write_str(
                "outage: no tunnel survives; it lasts until a failed component is repaired (no duration assumed)",
            ),
            Cause::MaintenanceOutage => f.write_str(
                "outage: no tunnel survives the maintenance; it lasts as long as the maintenance (Azure publishes no duration)",
            ),
        }
    }
}

/// The expected interruption of the affected flows in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Interruption {
    /// `[lo, hi]` seconds: the largest bound of any cause. `None` for an outage: no number
    /// is invented for the time to repair.
    pub seconds: Option<[u64; 2]>,
    /// What bounds it, at least one.
    pub causes: Vec<Cause>,
}

impl Interruption {
    fn from_causes(causes: Vec<Cause>) -> Interruption {
        let mut seconds = Some([0, 0]);
        for c in &causes {
            seconds = match (seconds, c.seconds()) {
                (Some([lo, hi]), Some([l, h])) => Some([lo.max(l), hi.max(h)]),
                _ => None,
            };
        }
        Interruption { seconds, causes }
    }

    /// Whether the site is cut off.
    pub fn is_outage(&self) -> bool {
        self.seconds.is_none()
    }
}

impl fmt::Display for Interruption {
    /// The assumption that produced it, one clause per cause.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.causes.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// One failure set (or one planned maintenance) and what it does to a site.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Scenario {
    /// The failed components (or the one maintained), by name.
    pub failed: Vec<String>,
    /// Whether this is planned maintenance of a gateway instance rather than a failure.
    pub planned: bool,
    /// The tunnels that carry no traffic, as indices into the site's tunnels
    /// ([`SiteAnalysis::surviving_tunnels`] names the others).
    pub lost_tunnels: Vec<usize>,
    /// Whether any tunnel survives.
    pub reachable: bool,
    /// The share of the site's flows that move to another tunnel, measured on the flow
    /// sample (0 when the site is cut off). `None` when the site has no ECMP group (no
    /// tunnels, or more than [`MAX_TUNNELS`]).
    pub moved_share: Option<f64>,
    /// The share of the site's flows interrupted: moved, carried by a tunnel whose gateway
    /// end fails over in place, or cut off.
    pub affected_share: Option<f64>,
    /// How long the affected flows are interrupted, and why.
    pub interruption: Interruption,
}

/// Why a site does not meet redundancy, in words for this site.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shortfall {
    /// The reason code.
    pub reason: Reason,
    /// What it means for this site and what to do.
    pub message: String,
}

/// The analysis of one site.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SiteAnalysis {
    /// The site: its name, pattern, devices and tunnels (in the stable order that
    /// [`Scenario::lost_tunnels`] indexes).
    pub site: Site,
    /// Its components, in report order: instances, standby, zones, devices, ISPs, tunnels.
    pub components: Vec<Component>,
    /// [`Verdict::RedundancyMet`] exactly when `reasons` is empty.
    pub verdict: Verdict,
    /// Why redundancy is not met, in [`Reason::ALL`] order.
    pub reasons: Vec<Shortfall>,
    /// The components whose failure alone cuts the site off.
    pub single_points_of_failure: Vec<String>,
    /// Every minimal cut set of at most `max_failures` components, smallest first. A site
    /// with no tunnels has one: the empty set.
    pub minimal_cut_sets: Vec<Vec<String>>,
    /// The largest failure sets enumerated: the requested maximum, or the component count
    /// when that is smaller.
    pub max_failures: usize,
    /// The probability the site is reachable.
    pub availability: Availability,
    /// The distribution of the number of tunnels up.
    pub tunnels_up: TunnelsUp,
    /// The availability of keeping each requested share of the tunnels.
    pub capacity: Vec<Capacity>,
    /// Planned maintenance first, then failure sets by size and component order.
    pub scenarios: Vec<Scenario>,
    /// What the model leaves out for this site (undeclared zones or ISPs, assumptions made).
    pub notes: Vec<String>,
}

impl SiteAnalysis {
    /// The ids of the tunnels that survive a scenario, in the stable order.
    pub fn surviving_tunnels(&self, scenario: &Scenario) -> Vec<&str> {
        self.site
            .tunnels
            .iter()
            .enumerate()
            .filter(|(i, _)| scenario.lost_tunnels.binary_search(i).is_err())
            .map(|(_, t)| t.id.as_str())
            .collect()
    }

    /// The `n` worst scenarios: outages first (planned maintenance, then fewer failures
    /// first), then by longest interruption, then by the share of flows affected.
    pub fn worst_scenarios(&self, n: usize) -> Vec<&Scenario> {
        let mut order = self.worst_order();
        order.truncate(n);
        order.into_iter().map(|i| &self.scenarios[i]).collect()
    }

    /// The indices of every scenario in [`SiteAnalysis::worst_scenarios`] order, for callers
    /// that keep the scenarios elsewhere (the bindings).
    pub fn worst_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.scenarios.len()).collect();
        order.sort_by(|&a, &b| worst_first(&self.scenarios[a], &self.scenarios[b]));
        order
    }
}

/// The order of [`SiteAnalysis::worst_scenarios`], which the text report's table of single
/// failures follows too.
fn worst_first(a: &Scenario, b: &Scenario) -> std::cmp::Ordering {
    let key = |s: &Scenario| {
        (
            s.reachable,
            !s.planned,
            if s.reachable { 0 } else { s.failed.len() },
            std::cmp::Reverse(s.interruption.seconds.map_or(0, |[_, hi]| hi)),
        )
    };
    key(a).cmp(&key(b)).then_with(|| {
        b.affected_share
            .unwrap_or(0.0)
            .total_cmp(&a.affected_share.unwrap_or(0.0))
    })
}

/// The exact availability of one site, without the scenario enumeration.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SiteAvailability {
    /// The site's name.
    pub site: String,
    /// Its components with their availabilities.
    pub components: Vec<Component>,
    /// The probability the site is reachable.
    pub availability: Availability,
    /// The distribution of the number of tunnels up.
    pub tunnels_up: TunnelsUp,
    /// The availability of keeping each requested share of the tunnels.
    pub capacity: Vec<Capacity>,
}

/// The analysis of a topology's sites.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Analysis {
    /// The per-kind availabilities used.
    pub inputs: Availabilities,
    /// The inputs that took their documented default (`gateway_instance`, `device`, `isp`,
    /// `tunnel`, `zone`).
    pub defaulted: Vec<&'static str>,
    /// The requested maximum number of simultaneous failures.
    pub max_failures: usize,
    /// The ECMP algorithm the moved shares are measured with.
    pub algorithm: Algorithm,
    /// The ECMP seed.
    pub seed: u64,
    /// The number of sample flows.
    pub flow_sample: usize,
    /// One per site analysed, by name.
    pub sites: Vec<SiteAnalysis>,
}

/// How far an analysis has come, for a progress display.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// The site being analysed.
    pub site: &'a str,
    /// Its scenarios visited.
    pub done: usize,
    /// Its scenarios in all.
    pub total: usize,
}

/// What to analyse and how. Build it with [`AnalysisOptions::new`] and the `with_` methods.
///
/// ```
/// use vpnha::analysis::AnalysisOptions;
/// use vpnha::ecmp::Algorithm;
///
/// let options = AnalysisOptions::new()
///     .with_site("hq")
///     .with_max_failures(3)
///     .with_algorithm(Algorithm::Maglev)
///     .with_component_availability("hq-fw-a", 0.9999);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisOptions {
    max_failures: usize,
    site: Option<String>,
    availability: AvailabilityInputs,
    component_availability: BTreeMap<String, f64>,
    algorithm: Algorithm,
    seed: u64,
    weights: BTreeMap<String, Vec<u32>>,
    flow_sample: usize,
    capacity_shares: Vec<f64>,
    max_scenarios: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            max_failures: DEFAULT_MAX_FAILURES,
            site: None,
            availability: AvailabilityInputs::default(),
            component_availability: BTreeMap::new(),
            algorithm: Algorithm::Stable,
            seed: 0,
            weights: BTreeMap::new(),
            flow_sample: DEFAULT_FLOW_SAMPLE,
            capacity_shares: DEFAULT_CAPACITY_SHARES.to_vec(),
            max_scenarios: DEFAULT_MAX_SCENARIOS,
        }
    }
}

impl AnalysisOptions {
    /// Every site, k = 2, the file's availabilities (else the defaults), `Stable` ECMP with
    /// seed 0, 4096 sample flows, capacity at 50 % and 100 % of the tunnels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Enumerate failure sets of up to `k` components (default 2).
    pub fn with_max_failures(mut self, k: usize) -> Self {
        self.max_failures = k;
        self
    }

    /// Analyse only this site.
    pub fn with_site(mut self, site: &str) -> Self {
        self.site = Some(site.to_owned());
        self
    }

    /// Per-kind availabilities that take precedence over the file's; absent fields fall
    /// back to the file, then to the defaults.
    pub fn with_availability(mut self, inputs: AvailabilityInputs) -> Self {
        self.availability = inputs;
        self
    }

    /// The availability of one component by name (`hq-fw-a`, `isp:isp-1`, `instance-0`,
    /// `hq-a/0`), over its kind's.
    pub fn with_component_availability(mut self, component: &str, availability: f64) -> Self {
        self.component_availability
            .insert(component.to_owned(), availability);
        self
    }

    /// The ECMP algorithm the moved shares are measured with (default `Stable`).
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The ECMP seed (default 0).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// ECMP weights for a site's tunnels, in their stable order.
    pub fn with_weights(mut self, site: &str, weights: &[u32]) -> Self {
        self.weights.insert(site.to_owned(), weights.to_vec());
        self
    }

    /// The number of sample flows (default 4096, at most [`MAX_FLOW_SAMPLE`]).
    pub fn with_flow_sample(mut self, flows: usize) -> Self {
        self.flow_sample = flows;
        self
    }

    /// The capacity shares to report (default 0.5 and 1.0), each in (0, 1].
    pub fn with_capacity_shares(mut self, shares: &[f64]) -> Self {
        self.capacity_shares = shares.to_vec();
        self
    }

    /// The most scenarios one site may have (default 1 000 000).
    pub fn with_max_scenarios(mut self, limit: usize) -> Self {
        self.max_scenarios = limit;
        self
    }
}

impl Topology {
    /// Analyses every site with the default [`AnalysisOptions`].
    ///
    /// # Errors
    ///
    /// As [`Topology::analyze_with`].
    pub fn analyze(&self) -> Result<Analysis, AnalysisError> {
        self.analyze_with(&AnalysisOptions::default())
    }

    /// Analyses the sites `options` selects.
    ///
    /// # Errors
    ///
    /// [`AnalysisError::NoSites`], [`AnalysisError::UnknownSite`],
    /// [`AnalysisError::AvailabilityOutOfRange`] (from the options or the file),
    /// [`AnalysisError::UnknownComponent`], [`AnalysisError::MaxFailures`],
    /// [`AnalysisError::CapacityShare`], [`AnalysisError::FlowSample`],
    /// [`AnalysisError::TooManyScenarios`], [`AnalysisError::GatewayTooLarge`],
    /// [`AnalysisError::Ecmp`]. Nothing panics.
    pub fn analyze_with(&self, options: &AnalysisOptions) -> Result<Analysis, AnalysisError> {
        self.analyze_with_progress(options, &mut |_| {})
    }

    /// [`Topology::analyze_with`], calling `progress` as scenarios are visited.
    ///
    /// # Errors
    ///
    /// As [`Topology::analyze_with`]; every error is found before any work starts.
    pub fn analyze_with_progress(
        &self,
        options: &AnalysisOptions,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Analysis, AnalysisError> {
        let prepared = prepare(self, options, options.site.as_deref())?;
        let largest = prepared
            .models
            .iter()
            .map(|m| m.components.len())
            .max()
            .unwrap_or(0);
        if options.max_failures == 0 || options.max_failures > largest {
            return Err(AnalysisError::MaxFailures {
                requested: options.max_failures,
                components: largest,
            });
        }
        for m in &prepared.models {
            let count = scenarios::planned_count(m).saturating_add(scenarios::failure_set_count(
                m.components.len(),
                options.max_failures,
            ));
            if count > options.max_scenarios {
                return Err(AnalysisError::TooManyScenarios {
                    site: m.site.name.clone(),
                    scenarios: count,
                    limit: options.max_scenarios,
                });
            }
        }
        for site in options.weights.keys() {
            if !prepared.models.iter().any(|m| &m.site.name == site) {
                return Err(unknown_site(self, site));
            }
        }
        let keys = flows::sample(options.flow_sample);
        let mut flow_models = Vec::with_capacity(prepared.models.len());
        for m in &prepared.models {
            flow_models.push(flows::FlowMovement::new(
                &m.site.name,
                m.tunnels.len(),
                options.algorithm,
                options.seed,
                options.weights.get(&m.site.name).map(Vec::as_slice),
                &keys,
            )?);
        }

        let mut sites = Vec::with_capacity(prepared.models.len());
        for (model, mut flow) in prepared.models.into_iter().zip(flow_models) {
            let k = options.max_failures.min(model.components.len());
            let carrying: Vec<bool> = match options.weights.get(&model.site.name) {
                Some(w) => w.iter().map(|&x| x > 0).collect(),
                None => vec![true; model.tunnels.len()],
            };
            let name = model.site.name.clone();
            let enumerated =
                scenarios::enumerate(&model, k, &carrying, flow.as_mut(), &mut |done, total| {
                    progress(Progress {
                        site: &name,
                        done,
                        total,
                    });
                });
            let figures = figures(&model, &options.capacity_shares)?;
            let names = |set: &[usize]| -> Vec<String> {
                set.iter()
                    .map(|&c| model.components[c].name.clone())
                    .collect()
            };
            let spofs: Vec<usize> = enumerated
                .minimal_cut_sets
                .iter()
                .filter(|s| s.len() == 1)
                .map(|s| s[0])
                .collect();
            let reasons = verdict::shortfalls(self, &model, &spofs);
            let mut notes = notes(&model);
            if k < options.max_failures {
                notes.push(format!(
                    "the site has only {k} components: every failure set was visited"
                ));
            }
            if model.tunnels.len() > MAX_TUNNELS {
                notes.push(format!(
                    "the site has more tunnels than an ECMP group holds ({MAX_TUNNELS}): moved shares are not measured"
                ));
            }
            sites.push(SiteAnalysis {
                verdict: if reasons.is_empty() {
                    Verdict::RedundancyMet
                } else {
                    Verdict::RedundancyNotMet
                },
                reasons,
                single_points_of_failure: names(&spofs),
                minimal_cut_sets: enumerated
                    .minimal_cut_sets
                    .iter()
                    .map(|s| names(s))
                    .collect(),
                max_failures: k,
                availability: figures.availability,
                tunnels_up: figures.tunnels_up,
                capacity: figures.capacity,
                scenarios: enumerated.scenarios,
                notes,
                components: model.components,
                site: model.site,
            });
        }
        Ok(Analysis {
            inputs: prepared.inputs,
            defaulted: prepared.defaulted,
            max_failures: options.max_failures,
            algorithm: options.algorithm,
            seed: options.seed,
            flow_sample: options.flow_sample,
            sites,
        })
    }

    /// The exact availability of one site (no scenario enumeration): reachability, the
    /// distribution of tunnels up and the capacity shares of `options`. The site is the one
    /// named here; `options`' own site, failure count and ECMP settings play no part.
    ///
    /// ```
    /// use vpnha::Topology;
    /// use vpnha::analysis::AnalysisOptions;
    ///
    /// let t = Topology::load("../../examples/active-active.yaml")?;
    /// let a = t.site_availability("madrid", &AnalysisOptions::new())?;
    /// // The device (99.9 %) is in series with everything else.
    /// assert!(a.availability.probability < 0.999);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`AnalysisError::NoSites`], [`AnalysisError::UnknownSite`],
    /// [`AnalysisError::AvailabilityOutOfRange`], [`AnalysisError::UnknownComponent`],
    /// [`AnalysisError::CapacityShare`], [`AnalysisError::GatewayTooLarge`].
    pub fn site_availability(
        &self,
        site: &str,
        options: &AnalysisOptions,
    ) -> Result<SiteAvailability, AnalysisError> {
        let mut prepared = prepare(self, options, Some(site))?;
        let model = prepared.models.remove(0);
        let f = figures(&model, &options.capacity_shares)?;
        Ok(SiteAvailability {
            site: model.site.name,
            components: model.components,
            availability: f.availability,
            tunnels_up: f.tunnels_up,
            capacity: f.capacity,
        })
    }
}

struct Prepared {
    inputs: Availabilities,
    defaulted: Vec<&'static str>,
    /// At least one.
    models: Vec<SiteModel>,
}

/// Checks everything the options and the file give, and builds the site models.
fn prepare(
    t: &Topology,
    options: &AnalysisOptions,
    only: Option<&str>,
) -> Result<Prepared, AnalysisError> {
    let all = t.sites();
    if all.is_empty() {
        return Err(AnalysisError::NoSites);
    }
    let sites: Vec<Site> = match only {
        Some(name) => match all.iter().find(|s| s.name == name) {
            Some(s) => vec![s.clone()],
            None => return Err(unknown_site(t, name)),
        },
        None => all,
    };
    for &share in &options.capacity_shares {
        if !(share > 0.0 && share <= 1.0) {
            return Err(AnalysisError::CapacityShare { share });
        }
    }
    if options.flow_sample == 0 || options.flow_sample > MAX_FLOW_SAMPLE {
        return Err(AnalysisError::FlowSample {
            requested: options.flow_sample,
        });
    }
    let (inputs, defaulted) = resolve(t, &options.availability)?;
    let mut models = Vec::with_capacity(sites.len());
    for s in sites {
        models.push(SiteModel::new(t, s, &inputs)?);
    }
    for (name, &value) in &options.component_availability {
        check_probability(name, value)?;
        let mut found = false;
        for m in &mut models {
            if let Some(c) = m.component_index(name) {
                m.components[c].availability = value;
                found = true;
            }
        }
        if !found {
            let names = models
                .iter()
                .flat_map(|m| m.components.iter().map(|c| c.name.as_str()));
            return Err(AnalysisError::UnknownComponent {
                name: name.clone(),
                suggestion: crate::format::suggest(name, names).map(str::to_owned),
            });
        }
    }
    Ok(Prepared {
        inputs,
        defaulted,
        models,
    })
}

fn unknown_site(t: &Topology, name: &str) -> AnalysisError {
    let known: Vec<String> = t.sites().into_iter().map(|s| s.name).collect();
    AnalysisError::UnknownSite {
        name: name.to_owned(),
        suggestion: crate::format::suggest(name, known.iter().map(String::as_str))
            .map(str::to_owned),
        known,
    }
}

fn check_probability(input: &str, value: f64) -> Result<(), AnalysisError> {
    if value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(AnalysisError::AvailabilityOutOfRange {
            input: input.to_owned(),
            value,
        })
    }
}

/// The per-kind availabilities: the options' over the file's over the defaults.
fn resolve(
    t: &Topology,
    given: &AvailabilityInputs,
) -> Result<(Availabilities, Vec<&'static str>), AnalysisError> {
    let file = t.availability.clone().unwrap_or_default();
    let defaults = Availabilities::for_sku(t.gateway.sku);
    let mut defaulted = Vec::new();
    let mut pick = |name: &'static str,
                    option: Option<f64>,
                    from_file: Option<f64>,
                    default: f64|
     -> Result<f64, AnalysisError> {
        match option.or(from_file) {
            Some(v) => {
                check_probability(name, v)?;
                Ok(v)
            }
            None => {
                defaulted.push(name);
                Ok(default)
            }
        }
    };
    let inputs = Availabilities {
        gateway_instance: pick(
            "gateway_instance",
            given.gateway_instance,
            file.gateway_instance,
            defaults.gateway_instance,
        )?,
        device: pick("device", given.device, file.device, defaults.device)?,
        isp: pick("isp", given.isp, file.isp, defaults.isp)?,
        tunnel: pick("tunnel", given.tunnel, file.tunnel, defaults.tunnel)?,
        zone: pick("zone", given.zone, file.zone, defaults.zone)?,
    };
    Ok((inputs, defaulted))
}

struct Figures {
    availability: Availability,
    tunnels_up: TunnelsUp,
    capacity: Vec<Capacity>,
}

fn figures(model: &SiteModel, shares: &[f64]) -> Result<Figures, AnalysisError> {
    let availability = Availability::from_unavailability(exact::unavailability(model));
    let tunnels_up = TunnelsUp {
        probabilities: exact::tunnels_up_distribution(model),
    };
    let capacity = shares
        .iter()
        .map(|&s| tunnels_up.at_least_share(s))
        .collect::<Result<_, _>>()?;
    Ok(Figures {
        availability,
        tunnels_up,
        capacity,
    })
}

/// What the model leaves out for a site, in words.
fn notes(model: &SiteModel) -> Vec<String> {
    let mut notes = Vec::new();
    if !model.endpoints.is_empty() && !model.zones_declared {
        notes.push(
            "the gateway instances declare no `zone` (or not all do): zone outages are not modelled for them"
                .to_owned(),
        );
    }
    if model.active_standby
        && let Some(z) = model
            .components
            .iter()
            .find(|c| c.kind == ComponentKind::Zone)
    {
        notes.push(format!(
            "the implicit standby is assumed to be in {} with instance-0 (a zonal gateway keeps every instance in its zone)",
            z.name
        ));
    }
    if !model.devices_without_isp.is_empty() {
        let v: Vec<String> = model
            .devices_without_isp
            .iter()
            .map(|d| format!("`{d}`"))
            .collect();
        notes.push(format!(
            "{} {} no `isp`: {} uplink is not modelled apart from the device; name the ISP to model a shared uplink",
            v.join(", "),
            if v.len() == 1 { "names" } else { "name" },
            if v.len() == 1 { "its" } else { "their" }
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_rounds_up_but_not_over_float_noise() {
        let ten = TunnelsUp {
            probabilities: vec![0.0; 11],
        };
        // 0.3 · 10 is 3.0000000000000004 in binary floating point.
        assert_eq!(ten.at_least_share(0.3).unwrap().min_tunnels, 3);
        assert_eq!(ten.at_least_share(0.31).unwrap().min_tunnels, 4);
        assert_eq!(ten.at_least_share(0.01).unwrap().min_tunnels, 1);
        assert_eq!(ten.at_least_share(1.0).unwrap().min_tunnels, 10);
        let none = TunnelsUp {
            probabilities: vec![1.0],
        };
        assert_eq!(none.at_least_share(0.5).unwrap().min_tunnels, 1);
        assert_eq!(none.at_least(1).unavailability, 1.0);
    }

    #[test]
    fn interruption_takes_the_largest_bounds_and_an_outage_has_none() {
        let i = Interruption::from_causes(vec![
            Cause::Detection {
                dpd_seconds: 45,
                bgp: true,
            },
            Cause::ActiveStandbyFailover,
        ]);
        assert_eq!(i.seconds, Some([60, 180]));
        let i = Interruption::from_causes(vec![Cause::PlannedMaintenance, Cause::Outage]);
        assert_eq!(i.seconds, None);
        assert!(i.is_outage());
    }
}
