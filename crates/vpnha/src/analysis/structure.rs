//! A site as the analysis sees it: its components, the gateway endpoints its tunnels end
//! on, and for each tunnel the components it needs.

use std::collections::BTreeMap;

use super::{AnalysisError, Availabilities, Component, ComponentKind};
use crate::{Site, Topology};

/// The most gateway-side components (instances, standby, zones) a site may have: the
/// exact computation visits every state of them. Azure has at most two instances.
pub(crate) const MAX_GATEWAY_COMPONENTS: usize = 16;

/// One gateway instance a site's tunnels end on, with what keeps it up.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    /// The instance's component.
    pub(crate) instance: usize,
    /// The implicit standby's component (active-standby gateways only).
    pub(crate) standby: Option<usize>,
    /// The instance's zone's component (shared with the standby).
    pub(crate) zone: Option<usize>,
}

/// One tunnel of the site and the components it needs.
#[derive(Clone, Debug)]
pub(crate) struct TunnelNeeds {
    /// The tunnel's own component.
    pub(crate) component: usize,
    /// Its device's component.
    pub(crate) device: usize,
    /// The device's ISP uplink's component, when the device names one.
    pub(crate) isp: Option<usize>,
    /// Index into [`SiteModel::endpoints`].
    pub(crate) endpoint: usize,
    /// Whether BGP runs over the tunnel's connection.
    pub(crate) bgp: bool,
    /// The connection's dead-peer-detection timeout, in seconds.
    pub(crate) dpd_seconds: u64,
}

/// Devices behind one ISP uplink (or one device with no ISP named).
#[derive(Clone, Debug)]
pub(crate) struct IspGroup {
    /// The uplink's component; `None` for a device that names no ISP.
    pub(crate) isp: Option<usize>,
    /// The devices: their component and the indices of their tunnels in the site's order.
    pub(crate) devices: Vec<(usize, Vec<usize>)>,
}

/// The analysis model of one site.
#[derive(Clone, Debug)]
pub(crate) struct SiteModel {
    pub(crate) site: Site,
    pub(crate) components: Vec<Component>,
    pub(crate) endpoints: Vec<Endpoint>,
    /// One per tunnel of `site.tunnels`, in the same order.
    pub(crate) tunnels: Vec<TunnelNeeds>,
    /// The instances, the standby and the zones: the states the exact computation visits.
    pub(crate) gateway_side: Vec<usize>,
    pub(crate) groups: Vec<IspGroup>,
    /// Devices that name no ISP (their uplink is not modelled apart from the device).
    pub(crate) devices_without_isp: Vec<String>,
    /// Whether the gateway is active-standby (the site's instance has a standby).
    pub(crate) active_standby: bool,
    /// Whether the gateway's instances declare zones (else zone failures are not modelled).
    pub(crate) zones_declared: bool,
}

impl SiteModel {
    /// Builds the model of `site` with the availabilities of `inputs`.
    pub(crate) fn new(
        t: &Topology,
        site: Site,
        inputs: &Availabilities,
    ) -> Result<SiteModel, AnalysisError> {
        let mut components: Vec<Component> = Vec::new();
        let add = |components: &mut Vec<Component>, name: String, kind, availability| {
            components.push(Component {
                name,
                kind,
                availability,
            });
            components.len() - 1
        };
        let active_standby = !t.gateway.active_active;

        // Gateway side: the instances the site's tunnels reach, in index order.
        let mut instances: Vec<usize> = site.tunnels.iter().map(|x| x.instance).collect();
        instances.sort_unstable();
        instances.dedup();
        let mut instance_component = BTreeMap::new();
        for &i in &instances {
            let c = add(
                &mut components,
                format!("instance-{i}"),
                ComponentKind::Instance,
                inputs.gateway_instance,
            );
            instance_component.insert(i, c);
        }
        let standby = if active_standby && !instances.is_empty() {
            Some(add(
                &mut components,
                "standby".to_owned(),
                ComponentKind::Standby,
                inputs.gateway_instance,
            ))
        } else {
            None
        };
        let mut zones: Vec<u8> = instances
            .iter()
            .filter_map(|&i| t.gateway.instances.get(i).and_then(|x| x.zone))
            .collect();
        zones.sort_unstable();
        zones.dedup();
        let mut zone_component = BTreeMap::new();
        for z in zones {
            let c = add(
                &mut components,
                format!("zone:{z}"),
                ComponentKind::Zone,
                inputs.zone,
            );
            zone_component.insert(z, c);
        }
        let zones_declared = !instances.is_empty()
            && instances
                .iter()
                .all(|&i| t.gateway.instances.get(i).is_some_and(|x| x.zone.is_some()));
        let gateway_side: Vec<usize> = (0..components.len()).collect();
        if gateway_side.len() > MAX_GATEWAY_COMPONENTS {
            return Err(AnalysisError::GatewayTooLarge {
                site: site.name.clone(),
                components: gateway_side.len(),
                limit: MAX_GATEWAY_COMPONENTS,
            });
        }
        let mut endpoint_of = BTreeMap::new();
        let endpoints: Vec<Endpoint> = instances
            .iter()
            .enumerate()
            .map(|(e, &i)| {
                endpoint_of.insert(i, e);
                Endpoint {
                    instance: instance_component[&i],
                    // The standby takes over the one listed instance's tunnels.
                    standby,
                    zone: t
                        .gateway
                        .instances
                        .get(i)
                        .and_then(|x| x.zone)
                        .map(|z| zone_component[&z]),
                }
            })
            .collect();

        // On-premises side: devices in file order, then the ISPs they name.
        // A tunnel's device is always one of the site's devices (`Topology::sites` builds
        // both from the same local gateways); listing the tunnels' devices too keeps every
        // lookup below total.
        let mut devices: Vec<&str> = site.devices.iter().map(String::as_str).collect();
        for x in &site.tunnels {
            if !devices.contains(&x.local_gateway.as_str()) {
                devices.push(&x.local_gateway);
            }
        }
        let mut device_component = BTreeMap::new();
        for &d in &devices {
            let c = add(
                &mut components,
                d.to_owned(),
                ComponentKind::Device,
                inputs.device,
            );
            device_component.insert(d, c);
        }
        let mut isp_component: BTreeMap<&str, usize> = BTreeMap::new();
        let mut devices_without_isp = Vec::new();
        let mut device_isp = BTreeMap::new();
        for &d in &devices {
            match t.local_gateway(d).and_then(|l| l.isp.as_deref()) {
                Some(isp) => {
                    let c = match isp_component.get(isp) {
                        Some(&c) => c,
                        None => {
                            let c = add(
                                &mut components,
                                format!("isp:{isp}"),
                                ComponentKind::Isp,
                                inputs.isp,
                            );
                            isp_component.insert(isp, c);
                            c
                        }
                    };
                    device_isp.insert(d, Some(c));
                }
                None => {
                    devices_without_isp.push(d.to_owned());
                    device_isp.insert(d, None);
                }
            }
        }

        let mut tunnels = Vec::with_capacity(site.tunnels.len());
        for tunnel in &site.tunnels {
            let c = add(
                &mut components,
                tunnel.id.clone(),
                ComponentKind::Tunnel,
                inputs.tunnel,
            );
            let connection = &t.connections[tunnel.connection_index];
            tunnels.push(TunnelNeeds {
                component: c,
                device: device_component[tunnel.local_gateway.as_str()],
                isp: device_isp[tunnel.local_gateway.as_str()],
                endpoint: endpoint_of[&tunnel.instance],
                bgp: connection.enable_bgp,
                dpd_seconds: connection.dpd_timeout_seconds,
            });
        }

        // ISP groups: each ISP's devices together, each ISP-less device alone.
        let mut groups: Vec<IspGroup> = Vec::new();
        for &d in &devices {
            let dc = device_component[d];
            let own: Vec<usize> = tunnels
                .iter()
                .enumerate()
                .filter(|(_, x)| x.device == dc)
                .map(|(i, _)| i)
                .collect();
            let isp = device_isp[d];
            match groups.iter_mut().find(|g| isp.is_some() && g.isp == isp) {
                Some(g) => g.devices.push((dc, own)),
                None => groups.push(IspGroup {
                    isp,
                    devices: vec![(dc, own)],
                }),
            }
        }

        Ok(SiteModel {
            site,
            components,
            endpoints,
            tunnels,
            gateway_side,
            groups,
            devices_without_isp,
            active_standby: standby.is_some(),
            zones_declared,
        })
    }

    /// Whether the gateway endpoint is up when the components marked in `failed` are down.
    #[inline]
    pub(crate) fn endpoint_up(&self, endpoint: usize, failed: &[bool]) -> bool {
        let e = &self.endpoints[endpoint];
        let zone_up = e.zone.is_none_or(|z| !failed[z]);
        zone_up && (!failed[e.instance] || e.standby.is_some_and(|s| !failed[s]))
    }

    /// Whether a tunnel carries traffic when the components marked in `failed` are down.
    #[inline]
    pub(crate) fn tunnel_up(&self, tunnel: usize, failed: &[bool]) -> bool {
        let x = &self.tunnels[tunnel];
        !failed[x.component]
            && !failed[x.device]
            && x.isp.is_none_or(|i| !failed[i])
            && self.endpoint_up(x.endpoint, failed)
    }

    /// Whether any tunnel carries traffic when the components marked in `failed` are down.
    pub(crate) fn reachable(&self, failed: &[bool]) -> bool {
        (0..self.tunnels.len()).any(|t| self.tunnel_up(t, failed))
    }

    /// The index of the component with this name.
    pub(crate) fn component_index(&self, name: &str) -> Option<usize> {
        self.components.iter().position(|c| c.name == name)
    }
}
