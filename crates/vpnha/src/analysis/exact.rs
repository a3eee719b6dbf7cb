//! The exact availability of a site and the exact distribution of its usable tunnels.
//!
//! The site's mesh is not series-parallel, so the computation conditions on every state of
//! the few gateway-side components (instances, standby, zones): given one, each tunnel's
//! gateway end is known to be up or down. What remains is independent: a device's tunnels
//! fail independently of each other, devices behind one ISP fail independently given the
//! ISP, and ISP groups are independent of each other. So, for one gateway state `g`:
//!
//! ```text
//! P(no path | g) = Π over ISP groups  [ u_isp + a_isp · Π over devices ( u_d + a_d · Π over tunnels of d on up endpoints u_t ) ]
//! U = Σ_g P(g) · P(no path | g)
//! ```
//!
//! with `a` a component's availability and `u = 1 − a` its unavailability. Every term is a
//! sum of products of non-negative numbers, so nothing cancels: the unavailability keeps its
//! full relative precision even at ten nines. The number of usable tunnels is the same
//! structure with convolutions in place of products (a Poisson-binomial per device).

use super::structure::SiteModel;

/// `P(no usable tunnel)`: the site's exact unavailability.
pub(crate) fn unavailability(model: &SiteModel) -> f64 {
    let mut failed = vec![false; model.components.len()];
    let mut up = vec![false; model.endpoints.len()];
    let mut total = 0.0;
    for_each_gateway_state(model, &mut failed, |model, failed, weight| {
        endpoints_up(model, failed, &mut up);
        let mut none = 1.0;
        for g in &model.groups {
            let mut devices_none = 1.0;
            for (device, tunnels) in &g.devices {
                let mut tunnels_none = 1.0;
                for &t in tunnels {
                    if up[model.tunnels[t].endpoint] {
                        tunnels_none *= unav(model, model.tunnels[t].component);
                    }
                }
                let a = avail(model, *device);
                devices_none *= unav(model, *device) + a * tunnels_none;
            }
            none *= match g.isp {
                Some(isp) => unav(model, isp) + avail(model, isp) * devices_none,
                None => devices_none,
            };
        }
        total += weight * none;
    });
    total
}

/// `P(exactly j tunnels usable)` for `j = 0..=n`, with `n` the site's tunnel count.
pub(crate) fn tunnels_up_distribution(model: &SiteModel) -> Vec<f64> {
    let n = model.tunnels.len();
    let mut failed = vec![false; model.components.len()];
    let mut up = vec![false; model.endpoints.len()];
    let mut total = vec![0.0; n + 1];
    let mut site = Vec::with_capacity(n + 1);
    let mut group = Vec::with_capacity(n + 1);
    let mut device = Vec::with_capacity(n + 1);
    let mut scratch = Vec::with_capacity(n + 1);
    for_each_gateway_state(model, &mut failed, |model, failed, weight| {
        endpoints_up(model, failed, &mut up);
        site.clear();
        site.push(1.0);
        for g in &model.groups {
            group.clear();
            group.push(1.0);
            for (d, tunnels) in &g.devices {
                // Poisson-binomial over the device's tunnels on live endpoints.
                device.clear();
                device.push(1.0);
                for &t in tunnels {
                    if up[model.tunnels[t].endpoint] {
                        let c = model.tunnels[t].component;
                        add_bernoulli(&mut device, avail(model, c), unav(model, c));
                    }
                }
                mix_with_zero(&mut device, avail(model, *d), unav(model, *d));
                convolve(&mut group, &device, &mut scratch);
            }
            if let Some(isp) = g.isp {
                mix_with_zero(&mut group, avail(model, isp), unav(model, isp));
            }
            convolve(&mut site, &group, &mut scratch);
        }
        for (acc, p) in total.iter_mut().zip(&site) {
            *acc += weight * p;
        }
    });
    total
}

fn avail(model: &SiteModel, c: usize) -> f64 {
    model.components[c].availability
}

fn unav(model: &SiteModel, c: usize) -> f64 {
    1.0 - model.components[c].availability
}

/// Calls `f` with every state of the gateway-side components and its probability.
fn for_each_gateway_state(
    model: &SiteModel,
    failed: &mut [bool],
    mut f: impl FnMut(&SiteModel, &[bool], f64),
) {
    let g = model.gateway_side.len();
    for mask in 0u32..(1u32 << g) {
        let mut weight = 1.0;
        for (bit, &c) in model.gateway_side.iter().enumerate() {
            let down = mask & (1 << bit) != 0;
            failed[c] = down;
            weight *= if down {
                unav(model, c)
            } else {
                avail(model, c)
            };
        }
        if weight > 0.0 {
            f(model, failed, weight);
        }
    }
    for &c in &model.gateway_side {
        failed[c] = false;
    }
}

fn endpoints_up(model: &SiteModel, failed: &[bool], up: &mut [bool]) {
    for (e, slot) in up.iter_mut().enumerate() {
        *slot = model.endpoint_up(e, failed);
    }
}

/// `dist` ← `dist` ⊛ Bernoulli(a).
fn add_bernoulli(dist: &mut Vec<f64>, a: f64, u: f64) {
    dist.push(0.0);
    for j in (0..dist.len()).rev() {
        let below = if j > 0 { dist[j - 1] } else { 0.0 };
        dist[j] = dist[j] * u + below * a;
    }
}

/// `dist` ← with probability `a` `dist`, else everything at zero (a component in series).
fn mix_with_zero(dist: &mut [f64], a: f64, u: f64) {
    for p in dist.iter_mut() {
        *p *= a;
    }
    if let Some(first) = dist.first_mut() {
        *first += u;
    }
}

/// `acc` ← `acc` ⊛ `other`.
fn convolve(acc: &mut Vec<f64>, other: &[f64], scratch: &mut Vec<f64>) {
    scratch.clear();
    scratch.resize(acc.len() + other.len() - 1, 0.0);
    for (i, &x) in acc.iter().enumerate() {
        if x == 0.0 {
            continue;
        }
        for (j, &y) in other.iter().enumerate() {
            scratch[i + j] += x * y;
        }
    }
    std::mem::swap(acc, scratch);
}
