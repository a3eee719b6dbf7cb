//! An inline shared key never appears in any output: not in `Debug`, not in findings or
//! load errors (with their source snippets), not when the topology is written out.

use vpnha::{Format, Report, SharedKey, Topology};

const KEY: &str = "Sup3rS3cretPsk";

fn with_key(key_yaml: &str) -> String {
    format!(
        "version: 1\ngateway: {{sku: VpnGw1AZ, instances: [{{public_ip: 192.0.2.1}}]}}\nlocal_gateways: [{{name: d, gateway_ip: 203.0.113.1}}]\nconnections:\n  - name: c\n    local_gateway: d\n    shared_key: {key_yaml}\n"
    )
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} shows the key:\n{text}");
    assert!(
        !text.contains("S3cret"),
        "{what} shows part of the key:\n{text}"
    );
}

/// Every text a user could see of a loaded topology.
fn everything_shown(t: &Topology) -> Vec<(String, String)> {
    let mut out = vec![
        ("Debug".to_owned(), format!("{t:?}")),
        ("pretty Debug".to_owned(), format!("{t:#?}")),
        (
            "source text".to_owned(),
            t.source_file()
                .map(|f| f.text().to_owned())
                .unwrap_or_default(),
        ),
    ];
    for f in [Format::Yaml, Format::Json, Format::Toml] {
        out.push((format!("{f} output"), t.to_string_as(f).unwrap()));
    }
    for d in t.validate() {
        out.push((format!("finding {}", d.rule), d.to_string()));
        out.push((
            "finding JSON".to_owned(),
            serde_json::to_string(&d).unwrap(),
        ));
        let mut rendered = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut rendered, &Report::new(&d, t.source_file()))
            .unwrap();
        out.push(("rendered finding".to_owned(), rendered));
    }
    out
}

#[test]
fn a_valid_inline_key_is_never_shown() {
    let t = Topology::from_yaml_str(&with_key(KEY)).unwrap();
    match &t.connections[0].shared_key {
        Some(SharedKey::Inline(s)) => assert_eq!(s.expose(), KEY),
        other => panic!("{other:?}"),
    }
    for (what, text) in everything_shown(&t) {
        assert_clean(&what, &text);
    }
}

#[test]
fn an_invalid_inline_key_is_reported_without_being_shown() {
    // A space makes the key invalid; the finding points at it with a snippet.
    let bad = "Sup3rS3cret Psk";
    let t = Topology::from_yaml_str(&with_key(&format!("\"{bad}\""))).unwrap();
    let findings = t.validate();
    assert!(
        findings
            .iter()
            .any(|d| d.rule == vpnha::Rule::SharedKeyInvalid)
    );
    for (what, text) in everything_shown(&t) {
        assert!(!text.contains("S3cret"), "{what}:\n{text}");
    }
}

#[test]
fn a_key_of_the_wrong_type_is_not_echoed_by_the_load_error() {
    for value in [
        "[Sup3rS3cretPsk]",
        "{env: X, other: Sup3rS3cretPsk}",
        "{value: Sup3rS3cretPsk}",
    ] {
        let err = Topology::from_yaml_str(&with_key(value)).unwrap_err();
        assert_clean("load error", &err.to_string());
        assert_clean("load error Debug", &format!("{err:?}"));
        for d in err.diagnostics() {
            assert_clean("load diagnostic", &d.to_string());
        }
        assert_clean("load error source", err.file().unwrap().text());
    }
}

#[test]
fn a_syntax_error_on_the_key_line_does_not_show_the_key() {
    let text = with_key(&format!("\"{KEY}"));
    let err = Topology::from_yaml_str(&text).unwrap_err();
    assert_clean("syntax error", &err.to_string());
    assert_clean("syntax error source", err.file().unwrap().text());
    let json = format!("{{\"connections\": [{{\"sharedKey\": \"{KEY}\",}}]}}");
    let err = Topology::from_json_str(&json).unwrap_err();
    assert_clean("JSON syntax error source", err.file().unwrap().text());
}

#[test]
fn an_unknown_field_next_to_the_key_does_not_show_it() {
    let text = with_key(KEY).replace(
        "    local_gateway: d\n",
        "    local_gateway: d\n    colour: red\n",
    );
    let err = Topology::from_yaml_str(&text).unwrap_err();
    assert_clean("unknown-field error source", err.file().unwrap().text());
    assert_clean("unknown-field error", &format!("{err} {err:?}"));
}

#[test]
fn an_env_key_is_kept_and_written_back() {
    let t = Topology::from_yaml_str(&with_key("{env: VPN_PSK}")).unwrap();
    let yaml = t.to_string_as(Format::Yaml).unwrap();
    assert!(yaml.contains("VPN_PSK"), "{yaml}");
    assert_eq!(Topology::from_yaml_str(&yaml).unwrap(), t);
}
