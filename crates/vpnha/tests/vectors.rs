//! Golden vectors: `testdata/ecmp_vectors.json` pins the flow hash and every algorithm's
//! answers. The Rust, C and Python tests read the same file.
//!
//! `vectors_are_unchanged` regenerates the file's text from the implementation and fails on
//! any difference; `VPNHA_BLESS=1 cargo test -p vpnha --test vectors` rewrites it instead.
//! Every answer written is first checked against the naive reference selector, and
//! `vectors_file_answers_hold` reads the file back the way another language would.

mod common;

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use common::RefGroup;
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey, HashFields};

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/ecmp_vectors.json")
}

/// The flows: documentation addresses (RFC 5737, RFC 3849), IPv4 and IPv6, with and without
/// a flow label, and the pairs that tell symmetric modes apart.
fn flows() -> Vec<FlowKey> {
    let v4 = |s: &str, d: &str, proto, sp, dp| {
        FlowKey::v4(
            s.parse::<std::net::Ipv4Addr>().unwrap(),
            d.parse::<std::net::Ipv4Addr>().unwrap(),
            proto,
            sp,
            dp,
        )
    };
    let v6 = |s: &str, d: &str, proto, sp, dp, label| {
        FlowKey::v6(
            s.parse::<std::net::Ipv6Addr>().unwrap(),
            d.parse::<std::net::Ipv6Addr>().unwrap(),
            proto,
            sp,
            dp,
            label,
        )
    };
    vec![
        v4("192.0.2.1", "198.51.100.10", 6, 49152, 443),
        // the reverse of the first flow
        v4("198.51.100.10", "192.0.2.1", 6, 443, 49152),
        // the first flow with only the ports swapped: Linux's symmetric hash confuses the two
        v4("192.0.2.1", "198.51.100.10", 6, 443, 49152),
        v4("203.0.113.5", "192.0.2.200", 17, 500, 4500),
        // ICMP: no ports
        v4("192.0.2.77", "203.0.113.9", 1, 0, 0),
        // equal ports
        v4("198.51.100.254", "203.0.113.53", 17, 53, 53),
        // one host talking to itself
        v4("192.0.2.10", "192.0.2.10", 6, 1024, 2048),
        v4("203.0.113.99", "198.51.100.1", 6, 65535, 80),
        v6("2001:db8::1", "2001:db8:1::10", 6, 49152, 443, 0),
        // the same flow with a flow label
        v6("2001:db8::1", "2001:db8:1::10", 6, 49152, 443, 0x12345),
        // its reverse
        v6("2001:db8:1::10", "2001:db8::1", 6, 443, 49152, 0),
        v6("2001:db8:ffff::beef", "2001:db8::a", 17, 500, 4500, 0xfffff),
        // ESP: no ports
        v6("2001:db8:0:1::5", "2001:db8:0:2::6", 50, 0, 0, 1),
        // ICMPv6 to itself
        v6("2001:db8::1", "2001:db8::1", 58, 0, 0, 0xabcde),
        v6(
            "2001:db8:85a3::8a2e:370:7334",
            "2001:db8::2",
            6,
            40000,
            443,
            0,
        ),
        // the previous flow with only the ports swapped
        v6(
            "2001:db8:85a3::8a2e:370:7334",
            "2001:db8::2",
            6,
            443,
            40000,
            0,
        ),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    algorithm: Algorithm,
    n: usize,
    seed: u64,
    symmetric: bool,
    fields: HashFields,
    weights: Vec<u32>,
    down: Vec<usize>,
    why: &'static str,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for algorithm in Algorithm::ALL {
        let case = |n: usize, seed: u64, why: &'static str| Case {
            algorithm,
            n,
            seed,
            symmetric: false,
            fields: HashFields::FIVE_TUPLE,
            weights: vec![1; n],
            down: Vec::new(),
            why,
        };
        for n in [1, 2, 3, 4, 8, 16] {
            cases.push(case(n, 0, "all up"));
        }
        cases.push(Case {
            down: vec![2],
            ..case(4, u64::MAX, "one down, largest seed")
        });
        cases.push(Case {
            down: vec![0, 5],
            fields: HashFields::L3,
            ..case(8, 0x0123_4567_89ab_cdef, "two down, addresses only")
        });
        cases.push(Case {
            symmetric: true,
            ..case(4, 42, "symmetric")
        });
        cases.push(Case {
            symmetric: true,
            fields: HashFields::L3,
            ..case(4, 42, "symmetric, addresses only")
        });
        cases.push(Case {
            weights: vec![3, 1, 0, 2],
            ..case(4, 7, "weights with a standby")
        });
        cases.push(Case {
            weights: vec![3, 1, 0, 2],
            down: vec![0],
            ..case(4, 7, "weights, heaviest down")
        });
        cases.push(Case {
            weights: vec![0, 5, 0],
            down: vec![1],
            ..case(3, 7, "only standbys up")
        });
        cases.push(Case {
            down: vec![0, 1, 2, 3],
            ..case(4, 1, "all down")
        });
        cases.push(Case {
            weights: (1..=16).collect(),
            down: vec![3, 8, 15],
            fields: HashFields::ALL,
            ..case(
                16,
                0x9e37_79b9_7f4a_7c15,
                "weights 1..16, three down, every field",
            )
        });
        cases.push(Case {
            fields: HashFields::L3 | HashFields::FLOW_LABEL,
            ..case(2, 0xdead_beef, "addresses and flow label")
        });
    }
    cases
}

impl Case {
    fn name(&self) -> String {
        format!(
            "{} n={} seed={:#x}: {}",
            self.algorithm, self.n, self.seed, self.why
        )
    }

    fn group(&self) -> Box<EcmpGroup> {
        let mut g = Box::new(EcmpGroup::new(self.n, self.algorithm, self.seed).unwrap());
        g.set_weights(&self.weights).unwrap();
        g.set_fields(self.fields).unwrap();
        g.set_symmetric(self.symmetric).unwrap();
        for &t in &self.down {
            g.set_up(t, false).unwrap();
        }
        g
    }

    fn reference(&self) -> RefGroup {
        let mut r = RefGroup::new(self.n, self.algorithm, self.seed);
        r.weights.clone_from(&self.weights);
        r.fields = self.fields.bits();
        r.symmetric = self.symmetric;
        for &t in &self.down {
            r.up[t] = false;
        }
        r
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn render() -> String {
    let flows = flows();
    let mut s = String::new();
    s.push_str("{\n");
    s.push_str(
        "  \"comment\": \"Golden vectors of vpnha's ECMP flow selection; the specification is docs/ecmp.md and the schema testdata/README.md. \
Written by crates/vpnha/tests/vectors.rs from the Rust implementation, every answer first checked against the test's naive reference selector. \
Regenerate with VPNHA_BLESS=1 cargo test -p vpnha --test vectors; a changed answer is a breaking change.\",\n",
    );
    s.push_str("  \"format\": 1,\n");
    s.push_str("  \"flows\": [\n");
    for (i, k) in flows.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {{\"family\": {}, \"src\": \"{}\", \"dst\": \"{}\", \"protocol\": {}, \"src_port\": {}, \"dst_port\": {}, \"flow_label\": {}, \"src_bytes\": \"{}\", \"dst_bytes\": \"{}\"}}{}",
            k.family,
            k.src_addr(),
            k.dst_addr(),
            k.protocol,
            k.src_port,
            k.dst_port,
            k.flow_label,
            hex(&k.src),
            hex(&k.dst),
            if i + 1 < flows.len() { "," } else { "" }
        );
    }
    s.push_str("  ],\n  \"cases\": [\n");
    let cases = cases();
    for (ci, case) in cases.iter().enumerate() {
        let g = case.group();
        let r = case.reference();
        let want = r.select_all(&flows);
        let mut hashes = Vec::new();
        let mut tunnels = Vec::new();
        for (k, w) in flows.iter().zip(&want) {
            let h = g.hash(k);
            let t = g.select(k);
            assert_eq!(h, r.hash(k), "{}: hash of {k}", case.name());
            assert_eq!(t.map(usize::from), *w, "{}: tunnel of {k}", case.name());
            hashes.push(format!("\"{h:#018x}\""));
            tunnels.push(t.map_or_else(|| "null".to_owned(), |t| t.to_string()));
        }
        let list = |v: Vec<String>| v.join(", ");
        let _ = writeln!(
            s,
            "    {{\n      \"name\": \"{}\",\n      \"algorithm\": \"{}\",\n      \"algorithm_id\": {},\n      \"tunnel_count\": {},\n      \"seed\": \"{:#018x}\",\n      \"symmetric\": {},\n      \"fields\": {},\n      \"weights\": [{}],\n      \"up\": [{}],\n      \"hash\": [{}],\n      \"tunnel\": [{}]\n    }}{}",
            case.name(),
            case.algorithm,
            case.algorithm as u8,
            case.n,
            case.seed,
            case.symmetric,
            case.fields.bits(),
            list(case.weights.iter().map(u32::to_string).collect()),
            list(
                (0..case.n)
                    .map(|t| (!case.down.contains(&t)).to_string())
                    .collect()
            ),
            list(hashes),
            list(tunnels),
            if ci + 1 < cases.len() { "," } else { "" }
        );
    }
    s.push_str("  ]\n}\n");
    s
}

#[test]
fn vectors_are_unchanged() {
    let text = render();
    let path = path();
    if std::env::var_os("VPNHA_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with VPNHA_BLESS=1", path.display()));
    if committed != text {
        let line = committed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map_or(committed.lines().count().min(text.lines().count()), |i| {
                i + 1
            });
        panic!(
            "{} differs from what the implementation gives, first at line {line}.\n\
             A changed answer breaks every deployment that relies on the frozen mapping. If the \
             change is intended, rewrite the file with VPNHA_BLESS=1 and say so in the changelog.",
            path.display()
        );
    }
}

#[test]
fn vectors_file_answers_hold() {
    let text = std::fs::read_to_string(path()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let flows: Vec<FlowKey> = doc["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let ip = |name: &str| f[name].as_str().unwrap().parse::<IpAddr>().unwrap();
            let num = |name: &str| f[name].as_u64().unwrap();
            let key = FlowKey::new(
                ip("src"),
                ip("dst"),
                num("protocol") as u8,
                num("src_port") as u16,
                num("dst_port") as u16,
            )
            .unwrap()
            .with_flow_label(num("flow_label") as u32);
            assert_eq!(u64::from(key.family), num("family"));
            assert_eq!(hex(&key.src), f["src_bytes"].as_str().unwrap());
            assert_eq!(hex(&key.dst), f["dst_bytes"].as_str().unwrap());
            key
        })
        .collect();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 64);
    let mut seen = std::collections::BTreeSet::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let algorithm: Algorithm = c["algorithm"].as_str().unwrap().parse().unwrap();
        assert_eq!(algorithm as u64, c["algorithm_id"].as_u64().unwrap());
        let n = c["tunnel_count"].as_u64().unwrap() as usize;
        let seed =
            u64::from_str_radix(c["seed"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        let weights: Vec<u32> = c["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap() as u32)
            .collect();
        let up: Vec<bool> = c["up"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_bool().unwrap())
            .collect();
        let fields = HashFields::from_bits(c["fields"].as_u64().unwrap() as u32).unwrap();
        let symmetric = c["symmetric"].as_bool().unwrap();
        let mut g = Box::new(
            EcmpGroup::new(n, algorithm, seed)
                .unwrap()
                .with_weights(&weights)
                .unwrap()
                .with_fields(fields)
                .unwrap()
                .with_symmetric(symmetric)
                .unwrap(),
        );
        for (t, &u) in up.iter().enumerate() {
            g.set_up(t, u).unwrap();
        }
        let mut r = RefGroup::new(n, algorithm, seed);
        r.weights = weights;
        r.up = up;
        r.fields = fields.bits();
        r.symmetric = symmetric;
        let want = r.select_all(&flows);
        for (i, k) in flows.iter().enumerate() {
            let h =
                u64::from_str_radix(c["hash"][i].as_str().unwrap().trim_start_matches("0x"), 16)
                    .unwrap();
            let t = c["tunnel"][i].as_u64().map(|t| t as u16);
            assert_eq!(g.hash(k), h, "{name}: hash of {k}");
            assert_eq!(g.select(k), t, "{name}: tunnel of {k}");
            assert_eq!(
                want[i].map(|t| t as u16),
                t,
                "{name}: reference tunnel of {k}"
            );
            seen.insert((algorithm, t.is_none()));
        }
    }
    // Every algorithm answers both a tunnel and null somewhere in the file.
    assert_eq!(seen.len(), 8);
}
