//! `vpnha simulate FILE --flows N --fail PART...`: what happens to a site's flows when parts
//! fail and when they come back.
//!
//! N deterministic flows are selected with every tunnel up, again with the failed parts
//! down, and again on the same group after the parts return (so any dependence on history
//! would show). JSON: `{"file", "site", "algorithm", "seed", "flow_seed", "flows", "failed",
//! "failed_tunnels", "tunnels": [{"id", "failed", "before", "after"}], "moved", "moved_share",
//! "moved_from_failed", "moved_other", "unroutable", "restored"}`; shares are fractions,
//! `moved*` and `unroutable` are flow counts, `restored` is the fraction of flows back on their
//! original tunnel. `--compare` gives one such object per algorithm under `"algorithms"`.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{Value, json};
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, NONE};
use vpnha::{Site, Topology};

use crate::selection::{EcmpArgs, FlowGen, fields_name, parse_u64};
use crate::{Outcome, OutputFormat, input};

/// Arguments of `vpnha simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// A topology file; `-` reads YAML from stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// How many flows to generate.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    flows: u64,
    /// A part that fails: a tunnel id, connection, device, instance-N, isp:NAME or zone:N
    /// (repeatable).
    #[arg(long, required = true, value_name = "PART")]
    fail: Vec<String>,
    /// Seed of the flow generator (the same seed gives the same flows).
    #[arg(long, default_value = "1", value_parser = parse_u64)]
    flow_seed: u64,
    /// Run every algorithm on the same flows and compare them.
    #[arg(long)]
    compare: bool,
    #[command(flatten)]
    ecmp: EcmpArgs,
}

/// What one algorithm did with the flows.
struct Tally {
    algorithm: Algorithm,
    before: Vec<u64>,
    after: Vec<u64>,
    moved: u64,
    moved_from_failed: u64,
    unroutable: u64,
    restored: u64,
}

const CHUNK: usize = 1 << 14;

/// Runs `simulate`.
pub(crate) fn run(
    args: &SimulateArgs,
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<Outcome> {
    let name = input::display_name(&args.file);
    let topology = match input::load(Path::new(&args.file)) {
        Ok(t) => t,
        Err(e) => return crate::check::report_load_error(name, e, format, out),
    };
    let fail = |out: &mut dyn Write, msg: String| {
        crate::selection::usage_error("simulate", &name, format, out, &msg)
    };
    if args.flows == 0 {
        return fail(out, "--flows must be at least 1".to_owned());
    }
    let sg = match args.ecmp.group(&topology, &args.fail) {
        Ok(sg) => sg,
        Err(msg) => return fail(out, msg),
    };
    let failed = &sg.down;
    let algorithms: Vec<Algorithm> = if args.compare {
        Algorithm::ALL.to_vec()
    } else {
        vec![sg.group.algorithm()]
    };
    let mut tallies = Vec::new();
    for &algorithm in &algorithms {
        let mut group = sg.group.clone();
        if algorithm != group.algorithm() {
            let fields = group.fields();
            let symmetric = group.symmetric();
            if let Err(e) = group
                .init(sg.site.tunnels.len(), algorithm, args.ecmp.seed)
                .and_then(|()| group.set_fields(fields))
                .and_then(|()| group.set_symmetric(symmetric))
            {
                return fail(out, e.to_string());
            }
        }
        tallies.push(simulate(&topology, &sg.site, group, failed, args));
    }

    let failed_ids: Vec<&str> = failed
        .iter()
        .map(|&i| sg.site.tunnels[i].id.as_str())
        .collect();
    match format {
        OutputFormat::Json => {
            let objects: Vec<Value> = tallies
                .iter()
                .map(|t| to_json(t, &sg.site, failed, args.flows))
                .collect();
            let header = json!({
                "file": name,
                "site": sg.site.name,
                "seed": args.ecmp.seed,
                "fields": fields_name(args.ecmp.fields),
                "symmetric": args.ecmp.symmetric,
                "flow_seed": args.flow_seed,
                "flows": args.flows,
                "failed": args.fail,
                "failed_tunnels": failed_ids,
            });
            let mut v = header.as_object().cloned().unwrap_or_default();
            if args.compare {
                v.insert("algorithms".to_owned(), Value::Array(objects));
            } else if let Some(Value::Object(o)) = objects.into_iter().next() {
                v.extend(o);
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&Value::Object(v))?)?;
        }
        OutputFormat::Text => {
            writeln!(
                out,
                "site {}: {} flows (flow seed {}), ECMP seed {}, {}{}; failing {} ({})\n",
                sg.site.name,
                args.flows,
                args.flow_seed,
                args.ecmp.seed,
                fields_name(args.ecmp.fields),
                if args.ecmp.symmetric {
                    ", symmetric"
                } else {
                    ""
                },
                args.fail.join(", "),
                failed_ids.join(", ")
            )?;
            if args.compare {
                write_comparison(out, &tallies, args.flows)?;
            } else {
                write_text(out, &tallies[0], &sg.site, failed, args.flows)?;
            }
        }
    }
    Ok(Outcome::Ok)
}

fn simulate(
    t: &Topology,
    site: &Site,
    group: EcmpGroup,
    failed: &BTreeSet<usize>,
    args: &SimulateArgs,
) -> Tally {
    let n = site.tunnels.len();
    let mut tally = Tally {
        algorithm: group.algorithm(),
        before: vec![0; n],
        after: vec![0; n],
        moved: 0,
        moved_from_failed: 0,
        unroutable: 0,
        restored: 0,
    };
    let mut failing = group.clone();
    for &i in failed {
        let _ = failing.set_up(i, false);
    }
    // The failed parts return on the very same group object.
    let mut returned = failing.clone();
    for &i in failed {
        let _ = returned.set_up(i, true);
    }
    let progress = progress_bar(args.flows);
    let mut generator = FlowGen::new(t, site, args.flow_seed);
    let mut keys = vec![FlowKey::v4([0; 4], [0; 4], 0, 0, 0); CHUNK];
    let (mut before, mut after, mut back) =
        (vec![0u16; CHUNK], vec![0u16; CHUNK], vec![0u16; CHUNK]);
    let mut done = 0u64;
    while done < args.flows {
        let len = usize::try_from(args.flows - done)
            .unwrap_or(CHUNK)
            .min(CHUNK);
        for k in &mut keys[..len] {
            *k = generator.next_flow();
        }
        // Lengths match by construction; the calls cannot fail.
        let _ = group.select_many(&keys[..len], &mut before[..len]);
        let _ = failing.select_many(&keys[..len], &mut after[..len]);
        let _ = returned.select_many(&keys[..len], &mut back[..len]);
        for j in 0..len {
            let (b, a) = (before[j], after[j]);
            if b != NONE {
                tally.before[usize::from(b)] += 1;
            }
            if a == NONE {
                tally.unroutable += 1;
            } else {
                tally.after[usize::from(a)] += 1;
            }
            if a != b {
                tally.moved += 1;
                if b != NONE && failed.contains(&usize::from(b)) {
                    tally.moved_from_failed += 1;
                }
            }
            if back[j] == b {
                tally.restored += 1;
            }
        }
        done += len as u64;
        if let Some(p) = &progress {
            p.set_position(done);
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    tally
}

fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    (total >= 2_000_000 && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} flows ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

#[allow(clippy::cast_precision_loss)] // shares of flow counts
fn share(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

fn to_json(t: &Tally, site: &Site, failed: &BTreeSet<usize>, flows: u64) -> Value {
    let tunnels: Vec<Value> = site
        .tunnels
        .iter()
        .enumerate()
        .map(|(i, tun)| {
            json!({
                "id": tun.id,
                "failed": failed.contains(&i),
                "before": share(t.before[i], flows),
                "after": share(t.after[i], flows),
            })
        })
        .collect();
    json!({
        "algorithm": t.algorithm.name(),
        "tunnels": tunnels,
        "moved": t.moved,
        "moved_share": share(t.moved, flows),
        "moved_from_failed": t.moved_from_failed,
        "moved_other": t.moved - t.moved_from_failed,
        "unroutable": t.unroutable,
        "restored": share(t.restored, flows),
    })
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn write_text(
    out: &mut dyn Write,
    t: &Tally,
    site: &Site,
    failed: &BTreeSet<usize>,
    flows: u64,
) -> io::Result<()> {
    writeln!(out, "algorithm {}\n", t.algorithm)?;
    let mut table = crate::render::table(&["TUNNEL", "BEFORE", "AFTER", ""]);
    for (i, tun) in site.tunnels.iter().enumerate() {
        table.add_row([
            tun.id.clone(),
            pct(share(t.before[i], flows)),
            pct(share(t.after[i], flows)),
            if failed.contains(&i) {
                "down".to_owned()
            } else {
                String::new()
            },
        ]);
    }
    crate::render::write_table(out, &table)?;
    let other = t.moved - t.moved_from_failed;
    writeln!(out)?;
    writeln!(
        out,
        "moved              {:>10}  {:>8}  flows whose tunnel changed",
        t.moved,
        pct(share(t.moved, flows))
    )?;
    writeln!(
        out,
        "  from failed      {:>10}  {:>8}  their tunnel went down",
        t.moved_from_failed,
        pct(share(t.moved_from_failed, flows))
    )?;
    writeln!(
        out,
        "  other            {:>10}  {:>8}  moved although their tunnel stayed up (0 is ideal)",
        other,
        pct(share(other, flows))
    )?;
    writeln!(
        out,
        "unroutable         {:>10}  {:>8}  no tunnel left",
        t.unroutable,
        pct(share(t.unroutable, flows))
    )?;
    writeln!(
        out,
        "restored           {:>10}  {:>8}  back on their original tunnel once the failed parts return (100% is ideal)",
        t.restored,
        pct(share(t.restored, flows))
    )
}

fn write_comparison(out: &mut dyn Write, tallies: &[Tally], flows: u64) -> io::Result<()> {
    let mut table = crate::render::table(&[
        "ALGORITHM",
        "MOVED",
        "FROM FAILED",
        "OTHER (0 IDEAL)",
        "UNROUTABLE",
        "RESTORED (100% IDEAL)",
        "MAX/MEAN AFTER",
    ]);
    for t in tallies {
        let live: Vec<u64> = t.after.iter().copied().filter(|&c| c > 0).collect();
        let imbalance = match (live.iter().max(), live.len()) {
            (Some(&max), n) if n > 0 => share(max * n as u64, live.iter().sum()),
            _ => 0.0,
        };
        table.add_row([
            t.algorithm.name().to_owned(),
            pct(share(t.moved, flows)),
            pct(share(t.moved_from_failed, flows)),
            pct(share(t.moved - t.moved_from_failed, flows)),
            pct(share(t.unroutable, flows)),
            pct(share(t.restored, flows)),
            format!("{imbalance:.3}"),
        ]);
    }
    crate::render::write_table(out, &table)
}
