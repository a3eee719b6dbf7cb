//! From a topology to flow selection: a site's tunnels as an [`EcmpGroup`].

use std::fmt;

use crate::ecmp::{Algorithm, EcmpError, EcmpGroup};

use super::{Site, Topology};

/// Why a site or its ECMP group could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SiteError {
    /// The topology has no local gateways, hence no site.
    NoSites,
    /// No site was named and the topology has several.
    SiteRequired {
        /// The sites to choose from.
        sites: Vec<String>,
    },
    /// No site has this name.
    UnknownSite {
        /// The name given.
        name: String,
        /// The closest site name, when the given one looks like a typo of it.
        suggestion: Option<String>,
        /// The sites to choose from.
        sites: Vec<String>,
    },
    /// The site has no tunnels: no connection reaches its devices.
    NoTunnels {
        /// The site.
        site: String,
    },
    /// The site's tunnels do not make a valid ECMP group (more than
    /// [`MAX_TUNNELS`](crate::ecmp::MAX_TUNNELS)).
    Ecmp(EcmpError),
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::NoSites => f.write_str("the topology has no local gateways, so no site"),
            SiteError::SiteRequired { sites } => write!(
                f,
                "the topology has {} sites: name one ({})",
                sites.len(),
                sites.join(", ")
            ),
            SiteError::UnknownSite {
                name,
                suggestion: Some(s),
                ..
            } => write!(f, "no site is named `{name}`; did you mean `{s}`?"),
            SiteError::UnknownSite { name, sites, .. } => write!(
                f,
                "no site is named `{name}`; the sites are {}",
                sites.join(", ")
            ),
            SiteError::NoTunnels { site } => write!(
                f,
                "site `{site}` has no tunnels: no connection reaches its devices"
            ),
            SiteError::Ecmp(e) => write!(f, "the site's tunnels make no ECMP group: {e}"),
        }
    }
}

impl std::error::Error for SiteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SiteError::Ecmp(e) => Some(e),
            _ => None,
        }
    }
}

impl Topology {
    /// The named site, or the only site when `site` is `None`.
    ///
    /// # Errors
    ///
    /// [`SiteError::UnknownSite`] (with a suggestion), [`SiteError::SiteRequired`] when the
    /// topology has several sites and none is named, [`SiteError::NoSites`].
    pub fn resolve_site(&self, site: Option<&str>) -> Result<Site, SiteError> {
        let sites = self.sites();
        let names = || sites.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        match site {
            Some(name) => match sites.iter().find(|s| s.name == name) {
                Some(s) => Ok(s.clone()),
                None => Err(SiteError::UnknownSite {
                    name: name.to_owned(),
                    suggestion: crate::format::suggest(name, sites.iter().map(|s| s.name.as_str()))
                        .map(str::to_owned),
                    sites: names(),
                }),
            },
            None => match sites.as_slice() {
                [] => Err(SiteError::NoSites),
                [only] => Ok(only.clone()),
                _ => Err(SiteError::SiteRequired { sites: names() }),
            },
        }
    }

    /// An ECMP group over a site's tunnels in their stable order (connection name, then
    /// instance index): tunnel index `i` of the group is `site.tunnels[i]`. All tunnels up,
    /// equal weights, 5-tuple hash, not symmetric; change those on the group.
    ///
    /// `site` may be `None` when the topology has one site.
    ///
    /// # Examples
    ///
    /// ```
    /// use vpnha::ecmp::{Algorithm, FlowKey};
    /// use vpnha::Topology;
    ///
    /// let t = Topology::load("../../examples/dual-redundancy.yaml")?;
    /// let site = t.resolve_site(Some("hq"))?;
    /// let mut group = t.ecmp_group(Some("hq"), Algorithm::Stable, 0)?;
    /// let flow = FlowKey::v4([10, 1, 0, 4], [192, 168, 1, 10], 6, 51000, 443);
    /// let before = group.select(&flow).unwrap();
    /// group.set_up(usize::from(before), false)?; // its tunnel fails
    /// let after = group.select(&flow).unwrap();
    /// assert_ne!(site.tunnels[usize::from(after)].id, site.tunnels[usize::from(before)].id);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`Topology::resolve_site`], and [`SiteError::NoTunnels`].
    pub fn ecmp_group(
        &self,
        site: Option<&str>,
        algorithm: Algorithm,
        seed: u64,
    ) -> Result<EcmpGroup, SiteError> {
        let site = self.resolve_site(site)?;
        if site.tunnels.is_empty() {
            return Err(SiteError::NoTunnels { site: site.name });
        }
        EcmpGroup::new(site.tunnels.len(), algorithm, seed).map_err(SiteError::Ecmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_SITES: &str = "version: 1\ngateway: {sku: VpnGw2AZ, generation: Generation2, active_active: true, instances: [{public_ip: 192.0.2.1}, {public_ip: 192.0.2.2}]}\nlocal_gateways:\n  - {name: a, site: hq, gateway_ip: 203.0.113.1}\n  - {name: b, site: branch, gateway_ip: 203.0.113.2}\n  - {name: c, site: lonely, gateway_ip: 203.0.113.3}\nconnections: [{name: ca, local_gateway: a}, {name: cb, local_gateway: b}]\n";

    #[test]
    fn a_group_has_one_tunnel_per_site_tunnel() {
        let t = Topology::from_yaml_str(TWO_SITES).unwrap();
        let g = t.ecmp_group(Some("hq"), Algorithm::Stable, 7).unwrap();
        assert_eq!(g.tunnel_count(), 2);
        assert_eq!(g.seed(), 7);
    }

    #[test]
    fn sites_are_resolved_with_clear_errors() {
        let t = Topology::from_yaml_str(TWO_SITES).unwrap();
        assert!(matches!(
            t.ecmp_group(None, Algorithm::Stable, 0),
            Err(SiteError::SiteRequired { .. })
        ));
        let e = t.ecmp_group(Some("hqq"), Algorithm::Stable, 0).unwrap_err();
        assert_eq!(e.to_string(), "no site is named `hqq`; did you mean `hq`?");
        let e = t
            .ecmp_group(Some("lonely"), Algorithm::Stable, 0)
            .unwrap_err();
        assert_eq!(
            e,
            SiteError::NoTunnels {
                site: "lonely".into()
            }
        );
        let mut empty = t.clone();
        empty.local_gateways.clear();
        assert_eq!(empty.resolve_site(None).unwrap_err(), SiteError::NoSites);
    }
}
