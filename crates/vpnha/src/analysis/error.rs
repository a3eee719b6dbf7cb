//! The one error type of the analysis.

use std::fmt;

use crate::ecmp::EcmpError;

/// Why an analysis could not run. Every message says what to change.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnalysisError {
    /// The topology has no sites: no local gateways.
    NoSites,
    /// No site has this name.
    UnknownSite {
        /// The name asked for.
        name: String,
        /// The site name closest to it, when it looks like a typo.
        suggestion: Option<String>,
        /// Every site name.
        known: Vec<String>,
    },
    /// A per-component availability names no component of the sites analysed.
    UnknownComponent {
        /// The name given.
        name: String,
        /// The component name closest to it, when it looks like a typo.
        suggestion: Option<String>,
    },
    /// An availability outside (0, 1].
    AvailabilityOutOfRange {
        /// The input: `gateway_instance`, `device`, `isp`, `tunnel`, `zone`, or a
        /// component's name.
        input: String,
        /// The value given.
        value: f64,
    },
    /// The maximum number of simultaneous failures is 0, or above every analysed site's
    /// component count.
    MaxFailures {
        /// The number asked for.
        requested: usize,
        /// The component count of the largest analysed site.
        components: usize,
    },
    /// A capacity share outside (0, 1].
    CapacityShare {
        /// The share given.
        share: f64,
    },
    /// A flow sample size of 0 or above [`MAX_FLOW_SAMPLE`](super::MAX_FLOW_SAMPLE).
    FlowSample {
        /// The size asked for.
        requested: usize,
    },
    /// The enumeration would visit more failure sets than the limit.
    TooManyScenarios {
        /// The site.
        site: String,
        /// The failure sets and planned-maintenance scenarios it would visit.
        scenarios: usize,
        /// The limit ([`AnalysisOptions::with_max_scenarios`](super::AnalysisOptions::with_max_scenarios)).
        limit: usize,
    },
    /// The gateway has more instances and zones than an Azure gateway can have, so their
    /// states are too many to visit.
    GatewayTooLarge {
        /// The site.
        site: String,
        /// Its gateway-side components (instances, standby, zones).
        components: usize,
        /// The most the computation visits.
        limit: usize,
    },
    /// The site's ECMP group rejected the weights.
    Ecmp {
        /// The site.
        site: String,
        /// What the group said.
        error: EcmpError,
    },
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSites => f.write_str(
                "the topology has no sites to analyse: add on-premises devices (`local_gateways`) and connections to them",
            ),
            Self::UnknownSite {
                name,
                suggestion,
                known,
            } => {
                write!(f, "no site is named `{name}`")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => write!(f, "; the sites are {}", quoted(known)),
                }
            }
            Self::UnknownComponent { name, suggestion } => {
                write!(f, "no component is named `{name}`")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => f.write_str(
                        "; components are `instance-N`, `standby`, `zone:N`, `isp:NAME`, device names and tunnel ids",
                    ),
                }
            }
            Self::AvailabilityOutOfRange { input, value } => write!(
                f,
                "availability `{input}` is {value}, not a probability in (0, 1]: give the share of time the component is up, e.g. 0.999"
            ),
            Self::MaxFailures {
                requested,
                components,
            } => write!(
                f,
                "at most {requested} simultaneous failures is out of range: give 1 to {components} (the component count of the largest site analysed)"
            ),
            Self::CapacityShare { share } => write!(
                f,
                "capacity share {share} is not in (0, 1]: give the share of the site's tunnels that must stay up, e.g. 0.5"
            ),
            Self::FlowSample { requested } => write!(
                f,
                "a flow sample of {requested} flows is out of range: give 1 to {}",
                super::MAX_FLOW_SAMPLE
            ),
            Self::TooManyScenarios {
                site,
                scenarios,
                limit,
            } => write!(
                f,
                "site `{site}` would need {scenarios} scenarios, over the limit of {limit}: allow fewer simultaneous failures or raise the limit"
            ),
            Self::GatewayTooLarge {
                site,
                components,
                limit,
            } => write!(
                f,
                "site `{site}` reaches {components} gateway instances, standbys and zones, over {limit}: an Azure gateway has one instance (active-standby) or two (active-active); fix the `instance-count` finding of `vpnha check`"
            ),
            Self::Ecmp { site, error } => write!(f, "site `{site}`: {error}"),
        }
    }
}

impl std::error::Error for AnalysisError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Ecmp { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn quoted(names: &[String]) -> String {
    let v: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    v.join(", ")
}
