//! The import code table in `docs/import.md` is generated from `vpnha::import::Code`; this
//! test fails when they differ. `VPNHA_BLESS=1 cargo test -p vpnha --test import_docs`
//! rewrites the table (the rest of the page is written by hand).

use vpnha::Severity;
use vpnha::import::Code;

const BEGIN: &str = "<!-- codes:begin";
const END: &str = "<!-- codes:end -->";

fn table() -> String {
    let mut out = String::new();
    for (title, severity) in [
        ("Errors", Severity::Error),
        ("Warnings", Severity::Warning),
        ("Information", Severity::Info),
    ] {
        out.push_str(&format!(
            "\n### {title}\n\n| code | fires when |\n|---|---|\n"
        ));
        for c in Code::ALL.iter().filter(|c| c.severity() == severity) {
            out.push_str(&format!("| `{}` | {} |\n", c.name(), c.fires_when()));
        }
    }
    out.push('\n');
    out
}

#[test]
fn docs_import_md_lists_every_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/import.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .find(BEGIN)
        .expect("docs/import.md has the codes:begin marker");
    let body = start + text[start..].find("-->").unwrap() + "-->".len();
    let end = text
        .find(END)
        .expect("docs/import.md has the codes:end marker");
    let want = format!("{}{}{}", &text[..body], table(), &text[end..]);
    if std::env::var_os("VPNHA_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    assert!(
        text == want,
        "the code table of docs/import.md is out of date: run `VPNHA_BLESS=1 cargo test -p vpnha --test import_docs`"
    );
    for c in Code::ALL {
        assert!(text.contains(&format!("| `{}` |", c.name())), "{c}");
    }
}
