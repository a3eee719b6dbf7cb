//! `vpnha route FILE --flow "SRC:PORT -> DST:PORT PROTO"`: which tunnel carries a flow.
//!
//! JSON: `{"file", "site", "flow": {"text", "src", "dst", "protocol", "src_port",
//! "dst_port", "flow_label"}, "algorithm", "seed", "symmetric", "fields", "hash", "down": [..],
//! "tunnel", "index", "device", "instance"}` (`tunnel`, `index`, `device`, `instance` null when
//! every tunnel is down). Exit 0 with a tunnel, 1 when every tunnel is down, 2 on bad input.

use std::io::{self, Write};
use std::path::Path;

use clap::Args;
use serde_json::json;
use vpnha::ecmp::FlowKey;

use crate::selection::{EcmpArgs, fields_name, usage_error};
use crate::{Outcome, OutputFormat, input};

/// Arguments of `vpnha route`.
#[derive(Debug, Args)]
pub(crate) struct RouteArgs {
    /// A topology file; `-` reads YAML from stdin.
    #[arg(value_name = "FILE")]
    file: std::path::PathBuf,
    /// The flow: `SRC[:PORT] -> DST[:PORT] PROTOCOL [flow-label N]`; IPv6 in brackets:
    /// `[2001:db8::1]:500 -> [2001:db8::2]:4500 udp`.
    #[arg(long, value_name = "FLOW", value_parser = parse_flow)]
    flow: FlowKey,
    /// A part that is down: a tunnel id, connection, device, instance-N, isp:NAME or zone:N
    /// (repeatable).
    #[arg(long, value_name = "PART")]
    down: Vec<String>,
    #[command(flatten)]
    ecmp: EcmpArgs,
}

fn parse_flow(s: &str) -> Result<FlowKey, String> {
    s.parse()
        .map_err(|e: vpnha::ecmp::ParseFlowError| e.to_string())
}

/// Runs `route`.
pub(crate) fn run(
    args: &RouteArgs,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let name = input::display_name(&args.file);
    let topology = match input::load(Path::new(&args.file)) {
        Ok(t) => t,
        Err(e) => return crate::check::report_load_error(name, e, format, out),
    };
    let mut sg = match args.ecmp.group(&topology, &args.down) {
        Ok(sg) => sg,
        Err(msg) => return usage_error("route", &name, format, out, &msg),
    };
    for &i in &sg.down {
        // Indices come from the site's own tunnel list, which sized the group.
        let _ = sg.group.set_up(i, false);
    }
    let chosen = sg.group.select(&args.flow).map(usize::from);
    let tunnel = chosen.map(|i| &sg.site.tunnels[i]);
    let hash = format!("{:#018x}", sg.group.hash(&args.flow));
    let down_ids: Vec<&str> = sg
        .down
        .iter()
        .map(|&i| sg.site.tunnels[i].id.as_str())
        .collect();
    match format {
        OutputFormat::Json => {
            let f = &args.flow;
            let v = json!({
                "file": name,
                "site": sg.site.name,
                "flow": {
                    "text": f.to_string(),
                    "src": f.src_addr().to_string(),
                    "dst": f.dst_addr().to_string(),
                    "protocol": f.protocol,
                    "src_port": f.src_port,
                    "dst_port": f.dst_port,
                    "flow_label": f.flow_label,
                },
                "algorithm": sg.group.algorithm().name(),
                "seed": sg.group.seed(),
                "symmetric": sg.group.symmetric(),
                "fields": fields_name(sg.group.fields()),
                "hash": hash,
                "down": down_ids,
                "tunnel": tunnel.map(|t| t.id.as_str()),
                "index": chosen,
                "device": tunnel.map(|t| t.local_gateway.as_str()),
                "instance": tunnel.map(|t| t.instance),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        OutputFormat::Text => {
            writeln!(out, "flow    {}", args.flow)?;
            match tunnel {
                Some(t) => {
                    let device = &topology.local_gateways[t.local_gateway_index];
                    let azure = topology
                        .gateway
                        .instances
                        .get(t.instance)
                        .map_or_else(String::new, |i| i.public_ip.to_string());
                    writeln!(
                        out,
                        "tunnel  {}  (site {}, index {} of {}: device {} {} ↔ instance {} {})",
                        t.id,
                        sg.site.name,
                        chosen.unwrap_or_default(),
                        sg.site.tunnels.len(),
                        t.local_gateway,
                        device.endpoint(),
                        t.instance,
                        azure
                    )?;
                }
                None => writeln!(
                    out,
                    "tunnel  none: every tunnel of site {} is down",
                    sg.site.name
                )?,
            }
            writeln!(
                out,
                "by      {}, seed {}, {}{}, hash {hash}",
                sg.group.algorithm(),
                sg.group.seed(),
                fields_name(sg.group.fields()),
                if sg.group.symmetric() {
                    ", symmetric"
                } else {
                    ""
                },
            )?;
            if !down_ids.is_empty() {
                writeln!(out, "down    {}", down_ids.join(", "))?;
            }
        }
    }
    Ok(if tunnel.is_some() {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}
