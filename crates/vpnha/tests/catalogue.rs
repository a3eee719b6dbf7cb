//! `docs/rules.md` is generated from the rule catalogue in the code; this test fails when
//! they differ. `VPNHA_BLESS=1 cargo test -p vpnha --test catalogue` rewrites the file.

use vpnha::{Rule, Severity, Stage};

fn render() -> String {
    let mut out = String::from(
        "# Rule catalogue\n\n\
         <!-- Generated from `vpnha::Rule` by crates/vpnha/tests/catalogue.rs; do not edit by hand. -->\n\n\
         Every finding and every load problem carries one of these names. The names are a \
         public contract: they are never renamed or reused. `vpnha rules` prints this list; \
         `vpnha check` exits 1 when a finding of severity *error* is reported and 2 when the \
         input cannot be read as a topology (a load problem).\n",
    );
    let sections = [
        (
            "Load problems (exit code 2)",
            Stage::Load,
            Severity::Error,
            "The input is not a topology vpnha can read. All such problems of a document are reported together, each with its line and column.",
        ),
        (
            "Errors",
            Stage::Validate,
            Severity::Error,
            "Azure rejects the topology, or it cannot work.",
        ),
        (
            "Warnings",
            Stage::Validate,
            Severity::Warning,
            "It works, but is weaker than it looks.",
        ),
        (
            "Information",
            Stage::Validate,
            Severity::Info,
            "What vpnha recognised, and which checks could not run.",
        ),
    ];
    for (title, stage, severity, intro) in sections {
        out.push_str(&format!(
            "\n## {title}\n\n{intro}\n\n| rule | fires when |\n|---|---|\n"
        ));
        for r in Rule::ALL
            .iter()
            .filter(|r| r.stage() == stage && r.severity() == severity)
        {
            out.push_str(&format!("| `{}` | {} |\n", r.name(), r.fires_when()));
        }
    }
    out
}

#[test]
fn docs_rules_md_matches_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let want = render();
    if std::env::var_os("VPNHA_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date with vpnha::Rule: run `VPNHA_BLESS=1 cargo test -p vpnha --test catalogue`"
    );
}

#[test]
fn every_rule_is_in_a_section() {
    let text = render();
    for r in Rule::ALL {
        assert!(text.contains(&format!("| `{}` |", r.name())), "{r}");
    }
}
