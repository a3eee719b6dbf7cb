//! `vpnha demo`: the main job end to end on a built-in dual-redundancy topology, so a
//! newcomer sees what vpnha does with no file at hand.

use std::io::{self, Write};

use serde_json::json;
use vpnha::{Format, Topology};

use crate::check::check_topology;
use crate::{Outcome, OutputFormat, analyze, tunnels};

/// The example compiled into the binary (the same file as `examples/dual-redundancy.yaml`).
pub(crate) const EXAMPLE: &str = include_str!("../../../examples/dual-redundancy.yaml");
const NAME: &str = "dual-redundancy.yaml (built in)";

/// Runs the demo.
pub(crate) fn run(format: OutputFormat, out: &mut dyn Write) -> io::Result<Outcome> {
    let topology = match Topology::parse_named(EXAMPLE, Format::Yaml, NAME) {
        Ok(t) => t,
        Err(e) => {
            writeln!(out, "the built-in example does not load: {e}")?;
            return Ok(Outcome::Unreadable);
        }
    };
    let checked = check_topology(NAME.to_owned(), topology.clone());
    let analysis = match topology.analyze() {
        Ok(a) => a,
        Err(e) => {
            writeln!(out, "the built-in example cannot be analysed: {e}")?;
            return Ok(Outcome::Unreadable);
        }
    };
    match format {
        OutputFormat::Json => {
            let v = json!({
                "topology": EXAMPLE,
                "check": checked.to_json(),
                "tunnels": tunnels::to_json(&topology),
                "analysis": analyze::to_json(NAME, 0, &analysis),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        OutputFormat::Text => {
            writeln!(
                out,
                "# The topology: an active-active Azure gateway and two on-premises devices"
            )?;
            writeln!(
                out,
                "# (every device to every gateway instance: four tunnels, BGP, ECMP)\n"
            )?;
            for line in EXAMPLE.lines().filter(|l| !l.starts_with('#')) {
                writeln!(out, "    {line}")?;
            }
            writeln!(
                out,
                "\n# vpnha check: Azure's rules, the sites and their HA pattern\n"
            )?;
            checked.write_text(out)?;
            writeln!(
                out,
                "\n# vpnha tunnels: the tunnels it derives, in their stable order\n"
            )?;
            tunnels::write_text(&topology, out)?;
            writeln!(
                out,
                "\n# vpnha analyze: what breaks when a component fails, for how long, and how\n# available the site is (exact, from per-component availabilities)\n"
            )?;
            write!(out, "{}", analysis.text_report(NAME).with_worst(6))?;
            writeln!(
                out,
                "\nTry it on your own topology: vpnha check FILE, vpnha analyze FILE  (examples/ has more)"
            )?;
        }
    }
    Ok(checked.outcome)
}
