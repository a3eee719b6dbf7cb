//! What `route` and `simulate` share: the ECMP options, naming the parts that fail, and a
//! deterministic flow generator.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use clap::Args;
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, HashFields};
use vpnha::{Site, Topology};

/// ECMP options common to `route` and `simulate`.
#[derive(Debug, Clone, Args)]
pub(crate) struct EcmpArgs {
    /// The site whose tunnels carry the flow (needed when the topology has several).
    #[arg(long, value_name = "SITE")]
    pub(crate) site: Option<String>,
    /// Selection algorithm: stable, rendezvous, maglev or hash-threshold.
    #[arg(long, default_value = "stable", value_parser = parse_algorithm)]
    pub(crate) algorithm: Algorithm,
    /// Hash seed (decimal or 0x hex); HA peers that share it agree on every flow.
    #[arg(long, default_value = "0", value_parser = parse_u64)]
    pub(crate) seed: u64,
    /// Both directions of a flow choose the same tunnel.
    #[arg(long)]
    pub(crate) symmetric: bool,
    /// Fields that enter the hash: five-tuple, l3, l3-flow-label, or Linux's
    /// fib_multipath_hash_fields bits (e.g. 0x37).
    #[arg(long, default_value = "five-tuple", value_parser = parse_fields)]
    pub(crate) fields: HashFields,
}

/// An algorithm name in any case, for `route`, `simulate` and `analyze`.
pub(crate) fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.to_ascii_lowercase()
        .parse()
        .map_err(|_| "expected stable, rendezvous, maglev or hash-threshold".to_owned())
}

pub(crate) fn parse_u64(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("`{s}` is not a number (decimal or 0x hex, up to 2^64-1)"))
}

fn parse_fields(s: &str) -> Result<HashFields, String> {
    match s.to_ascii_lowercase().as_str() {
        "five-tuple" | "5-tuple" | "l4" => Ok(HashFields::FIVE_TUPLE),
        "l3" => Ok(HashFields::L3),
        "l3-flow-label" => Ok(HashFields::L3.union(HashFields::FLOW_LABEL)),
        other => {
            let bits = parse_u64(other)?;
            u32::try_from(bits)
                .ok()
                .and_then(|b| HashFields::from_bits(b).ok())
                .ok_or_else(|| format!("{s}: unknown hash-field bits (known: 0x3f)"))
        }
    }
}

/// A human name for a hash-field set.
pub(crate) fn fields_name(f: HashFields) -> String {
    if f == HashFields::FIVE_TUPLE {
        "five-tuple".to_owned()
    } else if f == HashFields::L3 {
        "l3".to_owned()
    } else {
        format!("{:#04x}", f.bits())
    }
}

/// Reports a usage error of `command` (an unknown site or part, a bad option value): JSON
/// `{"file", "error"}` on stdout, or one line on stderr; exit code 2.
pub(crate) fn usage_error(
    command: &str,
    file: &str,
    format: crate::OutputFormat,
    out: &mut dyn std::io::Write,
    msg: &str,
) -> std::io::Result<crate::Outcome> {
    match format {
        crate::OutputFormat::Json => {
            writeln!(out, "{}", serde_json::json!({"file": file, "error": msg}))?;
        }
        crate::OutputFormat::Text => {
            use std::io::Write as _;
            writeln!(std::io::stderr(), "vpnha {command}: {msg}")?;
        }
    }
    Ok(crate::Outcome::Unreadable)
}

/// The site, its configured group with every tunnel up, and the tunnels that the parts
/// named on the command line take down.
pub(crate) struct SiteGroup {
    pub(crate) site: Site,
    pub(crate) group: EcmpGroup,
    /// Indices into `site.tunnels`.
    pub(crate) down: BTreeSet<usize>,
}

impl EcmpArgs {
    /// The site's ECMP group with these options, every tunnel up, and the tunnels that
    /// `parts` (see [`tunnels_down`]) take down.
    pub(crate) fn group(&self, t: &Topology, parts: &[String]) -> Result<SiteGroup, String> {
        let site = t
            .resolve_site(self.site.as_deref())
            .map_err(|e| e.to_string())?;
        let mut group = t
            .ecmp_group(Some(&site.name), self.algorithm, self.seed)
            .map_err(|e| e.to_string())?;
        group
            .set_fields(self.fields)
            .and_then(|()| group.set_symmetric(self.symmetric))
            .map_err(|e| e.to_string())?;
        let down = tunnels_down(t, &site, parts)?;
        Ok(SiteGroup { site, group, down })
    }
}

/// The site's tunnels (indices) that the named components take down. A component is a
/// tunnel id (`hq-a/0`), a connection (`hq-a`), a device (`hq-fw-a`), a gateway instance
/// (`instance-0`), an ISP (`isp:isp-1`) or a zone (`zone:1`).
fn tunnels_down(
    t: &Topology,
    site: &Site,
    components: &[String],
) -> Result<BTreeSet<usize>, String> {
    let mut down = BTreeSet::new();
    for name in components {
        let hit: Vec<usize> = site
            .tunnels
            .iter()
            .enumerate()
            .filter(|(_, tun)| affects(t, name, tun))
            .map(|(i, _)| i)
            .collect();
        if hit.is_empty() {
            let mut known: Vec<String> = Vec::new();
            for tun in &site.tunnels {
                known.push(tun.id.clone());
                known.push(tun.connection.clone());
                known.push(tun.local_gateway.clone());
                known.push(format!("instance-{}", tun.instance));
                if let Some(isp) = &t.local_gateways[tun.local_gateway_index].isp {
                    known.push(format!("isp:{isp}"));
                }
                if let Some(zone) = t.gateway.instances.get(tun.instance).and_then(|i| i.zone) {
                    known.push(format!("zone:{zone}"));
                }
            }
            known.sort();
            known.dedup();
            let hint = match suggest(name, &known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "name a tunnel, connection, device, instance-N, isp:NAME or zone:N of site `{}`",
                    site.name
                ),
            };
            return Err(format!(
                "`{name}` carries none of site `{}`'s tunnels: {hint}",
                site.name
            ));
        }
        down.extend(hit);
    }
    Ok(down)
}

fn affects(t: &Topology, name: &str, tun: &vpnha::Tunnel) -> bool {
    let device = &t.local_gateways[tun.local_gateway_index];
    let instance = t.gateway.instances.get(tun.instance);
    name == tun.id
        || name == tun.connection
        || name == tun.local_gateway
        || name == format!("instance-{}", tun.instance)
        || name
            .strip_prefix("isp:")
            .is_some_and(|isp| device.isp.as_deref() == Some(isp))
        || name
            .strip_prefix("zone:")
            .and_then(|z| z.parse::<u8>().ok())
            .is_some_and(|z| instance.and_then(|i| i.zone) == Some(z))
}

/// The closest known name (same measure as the core's did-you-mean: shared prefix or one edit).
fn suggest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| {
            let near = strsim::damerau_levenshtein(name, k) <= 1;
            (
                k,
                strsim::jaro_winkler(name, k) + if near { 0.2 } else { 0.0 },
            )
        })
        .filter(|(_, s)| *s >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k.as_str())
}

/// A deterministic stream of flows: splitmix64 from a seed, so a run can be repeated and
/// compared. Sources come from the VNet, destinations from the site's prefixes (BGP
/// advertised, else static, else 192.168.0.0/16); 80% TCP, 20% UDP; well-known
/// destination ports; ephemeral source ports.
pub(crate) struct FlowGen {
    random: SplitMix64,
    sources: Vec<ipnetwork::IpNetwork>,
    destinations: Vec<ipnetwork::IpNetwork>,
}

/// splitmix64 (Steele, Lea, Flood 2014).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An address in one of `nets`, host bits random.
    fn address_in(&mut self, nets: &[ipnetwork::IpNetwork]) -> IpAddr {
        let r = self.next();
        let net = nets[(r % nets.len() as u64) as usize];
        let r = self.next();
        match net {
            ipnetwork::IpNetwork::V4(n) => {
                let host = u32::MAX.checked_shr(u32::from(n.prefix())).unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(n.network()) | (r as u32 & host)))
            }
            ipnetwork::IpNetwork::V6(n) => {
                let host = u128::MAX.checked_shr(u32::from(n.prefix())).unwrap_or(0);
                let r = (u128::from(r) << 64) | u128::from(self.next());
                IpAddr::V6(Ipv6Addr::from(u128::from(n.network()) | (r & host)))
            }
        }
    }
}

const PORTS: [u16; 8] = [443, 80, 22, 3389, 53, 445, 1433, 8443];

impl FlowGen {
    pub(crate) fn new(t: &Topology, site: &Site, seed: u64) -> Self {
        let mut destinations = Vec::new();
        for dev in &site.devices {
            if let Some(lg) = t.local_gateway(dev) {
                match &lg.bgp {
                    Some(b) if !b.advertised_prefixes.is_empty() => {
                        destinations.extend(b.advertised_prefixes.iter().copied());
                    }
                    _ => destinations.extend(lg.address_prefixes.iter().copied()),
                }
            }
        }
        let fallback = |s: &str| {
            vec![
                s.parse::<ipnetwork::IpNetwork>()
                    .expect("a valid literal prefix"),
            ]
        };
        let mut sources = t.gateway.vnet_address_space.clone();
        if sources.is_empty() {
            sources = fallback("10.0.0.0/16");
        }
        if destinations.is_empty() {
            destinations = fallback("192.168.0.0/16");
        }
        // Flows need both ends in one family: keep the family of the first destination.
        let v6 = destinations[0].is_ipv6();
        destinations.retain(|p| p.is_ipv6() == v6);
        sources.retain(|p| p.is_ipv6() == v6);
        if sources.is_empty() {
            sources = fallback(if v6 { "fd00::/64" } else { "10.0.0.0/16" });
        }
        FlowGen {
            random: SplitMix64(seed),
            sources,
            destinations,
        }
    }

    /// The next flow.
    pub(crate) fn next_flow(&mut self) -> FlowKey {
        let src = self.random.address_in(&self.sources);
        let dst = self.random.address_in(&self.destinations);
        let r = self.random.next();
        let protocol = if r % 10 < 8 { 6 } else { 17 };
        let dport = PORTS[((r >> 8) % PORTS.len() as u64) as usize];
        let sport = 1024 + ((r >> 32) % (65_536 - 1024)) as u16;
        FlowKey::new(src, dst, protocol, sport, dport).expect("both ends are of one family")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_are_deterministic_and_inside_the_prefixes() {
        let t = Topology::from_yaml_str(crate::demo::EXAMPLE).unwrap();
        let site = t.resolve_site(None).unwrap();
        let a: Vec<FlowKey> = {
            let mut g = FlowGen::new(&t, &site, 1);
            (0..100).map(|_| g.next_flow()).collect()
        };
        let mut g = FlowGen::new(&t, &site, 1);
        let b: Vec<FlowKey> = (0..100).map(|_| g.next_flow()).collect();
        assert_eq!(a, b);
        for f in &a {
            assert_eq!(&f.src[..2], &[10, 1]);
            assert_eq!(&f.dst[..2], &[192, 168]);
        }
    }

    #[test]
    fn components_name_their_tunnels() {
        let t = Topology::from_yaml_str(crate::demo::EXAMPLE).unwrap();
        let site = t.resolve_site(None).unwrap();
        let down = |names: &[&str]| {
            tunnels_down(
                &t,
                &site,
                &names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            down(&["hq-a/1"]).unwrap().into_iter().collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(
            down(&["hq-fw-b"]).unwrap().into_iter().collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(
            down(&["instance-0"])
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(
            down(&["zone:2"]).unwrap().into_iter().collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(
            down(&["isp:isp-1"])
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            [0, 1]
        );
        let e = down(&["hq-fw-c"]).unwrap_err();
        assert!(
            e.contains("did you mean `hq-fw-a`?") || e.contains("did you mean `hq-fw-b`?"),
            "{e}"
        );
    }
}
