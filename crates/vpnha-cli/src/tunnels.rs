//! `vpnha tunnels FILE`: the tunnels a topology derives, in their stable order.
//!
//! JSON: `{"file", "tunnels": [{"id", "site", "connection", "local_gateway", "instance",
//! "azure_endpoint", "device_endpoint", "bgp": {"azure", "device"} | null}]}`.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};
use vpnha::{Topology, Tunnel};

use crate::render;
use crate::{Outcome, OutputFormat, input};

/// One tunnel's endpoints and BGP peering, as shown to users.
struct Row {
    tunnel: Tunnel,
    azure_endpoint: String,
    device_endpoint: String,
    bgp: Option<(String, String)>,
}

fn rows(t: &Topology) -> Vec<Row> {
    t.tunnels()
        .into_iter()
        .map(|tunnel| {
            let inst = t.gateway.instances.get(tunnel.instance);
            let device = &t.local_gateways[tunnel.local_gateway_index];
            let conn = &t.connections[tunnel.connection_index];
            let bgp = match (conn.enable_bgp, &device.bgp) {
                (true, Some(b)) => {
                    // Azure peers from a custom APIPA address when the device's is APIPA.
                    let apipa =
                        matches!(b.peering_address, std::net::IpAddr::V4(v) if v.is_link_local());
                    let azure = inst.and_then(|i| {
                        if apipa {
                            i.custom_bgp_addresses
                                .first()
                                .or(i.bgp_peering_address.as_ref())
                        } else {
                            i.bgp_peering_address.as_ref()
                        }
                    });
                    Some((
                        azure.map_or_else(|| "?".to_owned(), ToString::to_string),
                        b.peering_address.to_string(),
                    ))
                }
                _ => None,
            };
            Row {
                azure_endpoint: inst.map_or_else(|| "?".to_owned(), |i| i.public_ip.to_string()),
                device_endpoint: device.endpoint(),
                bgp,
                tunnel,
            }
        })
        .collect()
}

/// The JSON list of tunnels.
pub(crate) fn to_json(t: &Topology) -> Value {
    let list: Vec<Value> = rows(t)
        .into_iter()
        .map(|r| {
            json!({
                "id": r.tunnel.id,
                "site": r.tunnel.site,
                "connection": r.tunnel.connection,
                "local_gateway": r.tunnel.local_gateway,
                "instance": r.tunnel.instance,
                "azure_endpoint": r.azure_endpoint,
                "device_endpoint": r.device_endpoint,
                "bgp": r.bgp.map(|(a, d)| json!({"azure": a, "device": d})),
            })
        })
        .collect();
    Value::Array(list)
}

/// The readable table of tunnels.
pub(crate) fn write_text(t: &Topology, out: &mut dyn Write) -> io::Result<()> {
    let mut table = render::table(&[
        "TUNNEL",
        "SITE",
        "DEVICE",
        "DEVICE ENDPOINT",
        "INSTANCE",
        "AZURE ENDPOINT",
        "BGP (AZURE ↔ DEVICE)",
    ]);
    for r in rows(t) {
        table.add_row([
            r.tunnel.id,
            r.tunnel.site,
            r.tunnel.local_gateway,
            r.device_endpoint,
            r.tunnel.instance.to_string(),
            r.azure_endpoint,
            r.bgp
                .map_or_else(|| "static".to_owned(), |(a, d)| format!("{a} ↔ {d}")),
        ]);
    }
    render::write_table(out, &table)
}

/// Runs `tunnels`.
pub(crate) fn run(path: &Path, format: OutputFormat, out: &mut dyn Write) -> io::Result<Outcome> {
    let name = input::display_name(path);
    match input::load(path) {
        Ok(t) => {
            match format {
                OutputFormat::Json => {
                    let v = json!({"file": name, "tunnels": to_json(&t)});
                    writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
                }
                OutputFormat::Text => write_text(&t, out)?,
            }
            Ok(Outcome::Ok)
        }
        Err(e) => crate::check::report_load_error(name, e, format, out),
    }
}
