//! Hostile and broken input: each case is a clear load error with a reason (and a position
//! where one exists), never a panic, a hang or a stack overflow.

use proptest::prelude::*;
use vpnha::{Format, LoadError, Rule, Topology};

fn rules(err: &LoadError) -> Vec<Rule> {
    err.diagnostics().into_iter().map(|d| d.rule).collect()
}

#[test]
fn binary_garbage_is_refused_as_not_utf8() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let err = Topology::from_slice(&garbage, Format::Yaml, "garbage.bin").unwrap_err();
    assert_eq!(rules(&err), [Rule::NotUtf8]);
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

#[test]
fn a_wrong_type_names_the_field_and_the_type() {
    let err = Topology::from_yaml_str(
        "version: 1\ngateway: {sku: VpnGw1AZ, instances: [{public_ip: 192.0.2.1}]}\nlocal_gateways:\n  - {name: d, gateway_ip: 203.0.113.1, bgp: {asn: \"abc\", peering_address: 10.0.0.1}}\n",
    )
    .unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.rule, Rule::InvalidValue);
    assert_eq!(d.path.to_string(), "local_gateways[0].bgp.asn");
    assert_eq!(d.message, "expected an integer, found the string \"abc\"");
    assert_eq!(d.line(), Some(4));
}

#[test]
fn an_invalid_prefix_is_refused_with_its_position() {
    let err = Topology::from_yaml_str(
        "version: 1\ngateway: {sku: VpnGw1AZ, vnet_address_space: [10.0.0.0/8, 10.1.0.0/40], instances: [{public_ip: 192.0.2.1}]}\n",
    )
    .unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.path.to_string(), "gateway.vnet_address_space[1]");
    assert_eq!((d.line(), d.column()), (Some(2), Some(59)));
}

#[test]
fn a_billion_laughs_document_is_refused() {
    let mut doc = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names: Vec<char> = ('b'..='k').collect();
    let mut prev = 'a';
    for n in names {
        doc.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let err = Topology::from_yaml_str(&doc).unwrap_err();
    assert_eq!(rules(&err), [Rule::SyntaxError], "{err}");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let flow = format!(
        "version: 1\nname: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(
        rules(&Topology::from_yaml_str(&flow).unwrap_err()),
        [Rule::SyntaxError]
    );

    let mut block = String::from("version: 1\nname:\n");
    for i in 0..2000 {
        block.push_str(&" ".repeat(2 * (i + 1)));
        block.push_str("a:\n");
    }
    assert_eq!(
        rules(&Topology::from_yaml_str(&block).unwrap_err()),
        [Rule::SyntaxError]
    );

    let json = format!("{{\"name\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(
        rules(&Topology::from_json_str(&json).unwrap_err()),
        [Rule::SyntaxError]
    );

    let toml = format!("name = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(
        rules(&Topology::from_toml_str(&toml).unwrap_err()),
        [Rule::SyntaxError]
    );
}

#[test]
fn a_document_that_is_not_a_mapping_says_what_a_topology_is() {
    for (text, format) in [
        ("- 1\n- 2\n", Format::Yaml),
        ("42", Format::Json),
        ("\"x\"", Format::Json),
    ] {
        let err = Topology::parse(text, format).unwrap_err();
        assert_eq!(rules(&err), [Rule::InvalidValue]);
        assert!(err.to_string().contains("a topology is a mapping"), "{err}");
    }
}

#[test]
fn several_yaml_documents_are_refused() {
    let err = Topology::from_yaml_str("version: 1\n---\nversion: 1\n").unwrap_err();
    assert_eq!(rules(&err), [Rule::SyntaxError]);
}

#[test]
fn negative_and_huge_numbers_are_type_errors_not_panics() {
    for v in [
        "-1",
        "99999999999999999999999999999999999999999",
        "1.5",
        "1e400",
    ] {
        let text = format!(
            "version: 1\ngateway: {{sku: VpnGw1AZ, instances: [{{public_ip: 192.0.2.1}}]}}\nlocal_gateways: [{{name: d, gateway_ip: 203.0.113.1}}]\nconnections: [{{name: c, local_gateway: d, dpd_timeout_seconds: {v}}}]\n"
        );
        let err = Topology::from_yaml_str(&text).unwrap_err();
        assert!(
            matches!(
                rules(&err).as_slice(),
                [Rule::InvalidValue] | [Rule::SyntaxError]
            ),
            "{v}: {err}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let _ = Topology::from_slice(&bytes, format, "fuzz");
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            if let Err(e) = Topology::parse(&text, format) {
                prop_assert!(!e.diagnostics().is_empty());
                let _ = e.to_string();
            }
        }
    }

    #[test]
    fn mutated_valid_documents_never_panic(cut in 0usize..2000, insert in "[ :\\-\\[\\]{}#&*!|>'\"\n]{0,3}") {
        let base = include_str!("../../../examples/dual-redundancy.yaml");
        let cut = cut.min(base.len());
        let cut = (0..=cut).rev().find(|&i| base.is_char_boundary(i)).unwrap_or(0);
        let text = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
        if let Ok(t) = Topology::from_yaml_str(&text) {
            let _ = t.validate();
            let _ = t.sites();
        }
    }
}

#[test]
fn deep_json_is_refused_on_a_small_stack() {
    // serde_json's nesting limit must stop the document before the tree builder recurses:
    // a 256 KiB thread (what the C API documents for loaders) is enough.
    let json = format!("{{\"name\": {}{}}}", "[".repeat(20_000), "]".repeat(20_000));
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || rules(&Topology::from_json_str(&json).unwrap_err()))
        .unwrap();
    assert_eq!(handle.join().unwrap(), [Rule::SyntaxError]);
}
