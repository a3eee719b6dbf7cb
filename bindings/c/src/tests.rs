//! The binding layer seen from Rust: each export against the core it wraps, and its refusals.
//! The C tests (`tests/*.c`) check the same contract from C, under valgrind and sanitizers.

use std::ffi::{CStr, c_char};
use std::ptr::{null, null_mut};

use vpnha::Topology;
use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey};

use crate::*;

const DUAL: &str = include_str!("../../../examples/dual-redundancy.yaml");
const BROKEN: &str = include_str!("../../../examples/broken-bgp.yaml");

fn parse(text: &str, format: vpnha_format) -> Result<*mut vpnha_topology, (vpnha_status, String)> {
    let mut t = null_mut();
    let mut err = [0 as c_char; 512];
    let mut err_len = 0usize;
    // SAFETY: every pointer is a live local or the text, with its length.
    let s = unsafe {
        vpnha_topology_parse(
            text.as_ptr().cast(),
            text.len(),
            format,
            &mut t,
            err.as_mut_ptr(),
            err.len(),
            &mut err_len,
        )
    };
    if s == vpnha_status::VPNHA_OK {
        Ok(t)
    } else {
        // SAFETY: the error buffer is NUL-terminated on failure.
        let msg = unsafe { CStr::from_ptr(err.as_ptr()) }
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(msg.len(), err_len.min(511));
        Err((s, msg))
    }
}

fn group_memory() -> Box<vpnha_ecmp_group> {
    // SAFETY: all-zero bytes are a valid array of integers.
    unsafe { Box::new_zeroed().assume_init() }
}

fn key(f: FlowKey) -> vpnha_flow_key {
    vpnha_flow_key {
        src: f.src,
        dst: f.dst,
        src_port: f.src_port,
        dst_port: f.dst_port,
        protocol: f.protocol,
        family: f.family,
        reserved: f.reserved,
        flow_label: f.flow_label,
    }
}

/// A fixed pseudo-random sequence of flows, IPv4 and IPv6.
fn flows(n: usize) -> Vec<FlowKey> {
    let mut x = 0x1234_5678_9abc_def0u64;
    (0..n)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let b = x.to_be_bytes();
            if i % 3 == 0 {
                let mut s = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                s[8..].copy_from_slice(&b);
                FlowKey::v6(
                    s,
                    [
                        0x20, 0x01, 0x0d, 0xb8, 1, 0, 0, 0, 0, 0, 0, 0, b[0], b[1], b[2], b[3],
                    ],
                    17,
                    500,
                    4500,
                    (x >> 40) as u32,
                )
            } else {
                FlowKey::v4(
                    [192, 0, 2, b[0]],
                    [198, 51, 100, b[1]],
                    6,
                    u16::from_be_bytes([b[2], b[3]]),
                    443,
                )
            }
        })
        .collect()
}

#[test]
fn a_topology_parses_and_lists_its_tunnels_and_sites_in_the_core_order() {
    let t = parse(DUAL, VPNHA_FORMAT_YAML).unwrap();
    let core = Topology::from_yaml_str(DUAL).unwrap();
    let mut n = 0usize;
    // SAFETY: `t` is a live handle; the outputs are live locals.
    unsafe {
        assert_eq!(
            vpnha_topology_tunnel_count(t, &mut n),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(n, core.tunnels().len());
        for (i, tunnel) in core.tunnels().iter().enumerate() {
            let mut buf = [0 as c_char; 64];
            let mut len = 0;
            assert_eq!(
                vpnha_topology_tunnel_id(t, i, buf.as_mut_ptr(), buf.len(), &mut len),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(CStr::from_ptr(buf.as_ptr()).to_str().unwrap(), tunnel.id);
            assert_eq!(len, tunnel.id.len());
            let mut found = usize::MAX;
            assert_eq!(
                vpnha_topology_tunnel_find(
                    t,
                    tunnel.id.as_ptr().cast(),
                    tunnel.id.len(),
                    &mut found
                ),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(found, i);
        }
        assert_eq!(vpnha_topology_site_count(t, &mut n), vpnha_status::VPNHA_OK);
        let sites = core.sites();
        assert_eq!(n, sites.len());
        for (si, site) in sites.iter().enumerate() {
            let mut found = usize::MAX;
            assert_eq!(
                vpnha_topology_site_find(t, site.name.as_ptr().cast(), site.name.len(), &mut found),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(found, si);
            let mut tunnels = [0usize; 16];
            let mut count = 0;
            assert_eq!(
                vpnha_topology_site_tunnels(t, si, tunnels.as_mut_ptr(), tunnels.len(), &mut count),
                vpnha_status::VPNHA_OK
            );
            let ids: Vec<String> = tunnels[..count]
                .iter()
                .map(|&i| core.tunnels()[i].id.clone())
                .collect();
            let want: Vec<String> = site.tunnels.iter().map(|t| t.id.clone()).collect();
            assert_eq!(ids, want);
        }
        vpnha_topology_free(t);
    }
}

#[test]
fn bad_text_gives_a_located_reason() {
    let (s, msg) = parse("version: 1\ngateway: {sku: VpnGw9}\n", VPNHA_FORMAT_YAML).unwrap_err();
    assert_eq!(s, vpnha_status::VPNHA_INVALID_TOPOLOGY);
    let core = Topology::parse("version: 1\ngateway: {sku: VpnGw9}\n", vpnha::Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(core.starts_with("<input>:2:"), "{core}");
    assert_eq!(msg, core.get(..511).unwrap_or(&core));
    let (s, msg) = parse("{}", 7).unwrap_err();
    assert_eq!(s, vpnha_status::VPNHA_INVALID_INPUT);
    assert!(msg.contains("unknown format 7"), "{msg}");
    let (s, _) = parse("", VPNHA_FORMAT_TOML).unwrap_err();
    assert_eq!(s, vpnha_status::VPNHA_INVALID_TOPOLOGY);
}

#[test]
fn text_that_is_not_utf8_is_an_invalid_topology() {
    let bytes = b"version: 1\nname: \xff\n";
    let mut t = null_mut();
    // SAFETY: the text and output are live locals; no error buffer.
    let s = unsafe {
        vpnha_topology_parse(
            bytes.as_ptr().cast(),
            bytes.len(),
            VPNHA_FORMAT_YAML,
            &mut t,
            null_mut(),
            0,
            null_mut(),
        )
    };
    assert_eq!(s, vpnha_status::VPNHA_INVALID_TOPOLOGY);
    assert!(t.is_null());
}

#[test]
fn validation_gives_the_core_findings() {
    let t = parse(BROKEN, VPNHA_FORMAT_YAML).unwrap();
    let core = Topology::from_yaml_str(BROKEN).unwrap().validate();
    let mut f = null_mut();
    // SAFETY: live handles and locals throughout.
    unsafe {
        assert_eq!(vpnha_topology_validate(t, &mut f), vpnha_status::VPNHA_OK);
        let mut n = 0;
        assert_eq!(vpnha_findings_count(f, &mut n), vpnha_status::VPNHA_OK);
        assert_eq!(n, core.len());
        let mut errors = 0;
        assert_eq!(
            vpnha_findings_count_severity(f, VPNHA_SEVERITY_ERROR, &mut errors),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            errors,
            core.iter()
                .filter(|d| d.severity == vpnha::Severity::Error)
                .count()
        );
        assert!(errors > 0);
        for (i, d) in core.iter().enumerate() {
            let mut out = std::mem::MaybeUninit::<vpnha_finding>::uninit();
            assert_eq!(
                vpnha_findings_get(f, i, out.as_mut_ptr()),
                vpnha_status::VPNHA_OK
            );
            let out = out.assume_init();
            assert_eq!(CStr::from_ptr(out.rule).to_str().unwrap(), d.rule.name());
            assert_eq!(out.rule_len, d.rule.name().len());
            assert_eq!(CStr::from_ptr(out.message).to_str().unwrap(), d.message);
            assert_eq!(
                CStr::from_ptr(out.path).to_str().unwrap(),
                d.path.to_string()
            );
            assert_eq!(out.line, d.line().unwrap_or(0));
            assert_eq!(out.column, d.column().unwrap_or(0));
        }
        let mut out = std::mem::MaybeUninit::<vpnha_finding>::uninit();
        assert_eq!(
            vpnha_findings_get(f, n, out.as_mut_ptr()),
            vpnha_status::VPNHA_OUT_OF_RANGE
        );
        let mut len = 0;
        assert_eq!(
            vpnha_findings_write_text(f, null_mut(), 0, &mut len),
            vpnha_status::VPNHA_BUFFER_TOO_SMALL
        );
        let mut buf = vec![0 as c_char; len + 1];
        assert_eq!(
            vpnha_findings_write_text(f, buf.as_mut_ptr(), buf.len(), &mut len),
            vpnha_status::VPNHA_OK
        );
        let text = CStr::from_ptr(buf.as_ptr()).to_str().unwrap();
        assert_eq!(text.lines().count(), core.len());
        assert_eq!(text.lines().next().unwrap(), core[0].to_string());
        assert_eq!(
            vpnha_findings_count_severity(f, 3, &mut errors),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        vpnha_findings_free(f);
        vpnha_topology_free(t);
    }
}

#[test]
fn a_site_group_selects_as_the_core_group_does() {
    let t = parse(DUAL, VPNHA_FORMAT_YAML).unwrap();
    let core = Topology::from_yaml_str(DUAL).unwrap();
    let mut mem = group_memory();
    let keys = flows(500);
    for algorithm in Algorithm::ALL {
        for (si, site) in core.sites().iter().enumerate() {
            let mut rust = core
                .ecmp_group(Some(&site.name), algorithm, 0xfeed)
                .unwrap();
            // SAFETY: live handle and memory.
            unsafe {
                assert_eq!(
                    vpnha_ecmp_group_init_site(t, si, algorithm as u32, 0xfeed, &mut *mem),
                    vpnha_status::VPNHA_OK
                );
                for down in [None, Some(1usize)] {
                    if let Some(d) = down {
                        rust.set_up(d, false).unwrap();
                        assert_eq!(
                            vpnha_ecmp_group_set_up(&mut *mem, d, false),
                            vpnha_status::VPNHA_OK
                        );
                    }
                    for k in &keys {
                        let mut got = u16::MAX;
                        assert_eq!(
                            vpnha_ecmp_group_select(&*mem, &key(*k), &mut got),
                            vpnha_status::VPNHA_OK
                        );
                        assert_eq!(Some(got), rust.select(k));
                        let mut h = 0;
                        assert_eq!(
                            vpnha_ecmp_group_hash(&*mem, &key(*k), &mut h),
                            vpnha_status::VPNHA_OK
                        );
                        assert_eq!(h, rust.hash(k));
                    }
                }
            }
        }
    }
    // SAFETY: a live handle.
    unsafe { vpnha_topology_free(t) };
}

#[test]
fn every_setting_reaches_the_core_group() {
    let keys = flows(300);
    let c_keys: Vec<vpnha_flow_key> = keys.iter().map(|k| key(*k)).collect();
    let mut mem = group_memory();
    for algorithm in Algorithm::ALL {
        let mut rust = Box::new(EcmpGroup::new(5, algorithm, 42).unwrap());
        rust.set_weights(&[3, 1, 0, 2, 1]).unwrap();
        rust.set_fields(vpnha::ecmp::HashFields::L3).unwrap();
        rust.set_symmetric(true).unwrap();
        rust.set_up(3, false).unwrap();
        let mut out = vec![0u16; keys.len()];
        // SAFETY: live memory and locals.
        unsafe {
            assert_eq!(
                vpnha_ecmp_group_init(5, algorithm as u32, 42, &mut *mem),
                vpnha_status::VPNHA_OK
            );
            let w = [3u32, 1, 0, 2, 1];
            assert_eq!(
                vpnha_ecmp_group_set_weights(&mut *mem, w.as_ptr(), w.len()),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(
                vpnha_ecmp_group_set_fields(&mut *mem, VPNHA_HASH_L3),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(
                vpnha_ecmp_group_set_symmetric(&mut *mem, true),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(
                vpnha_ecmp_group_set_up(&mut *mem, 3, false),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(
                vpnha_ecmp_group_select_many(
                    &*mem,
                    c_keys.as_ptr(),
                    c_keys.len(),
                    out.as_mut_ptr(),
                    out.len()
                ),
                vpnha_status::VPNHA_OK
            );
            let mut live = 0;
            assert_eq!(
                vpnha_ecmp_group_live_count(&*mem, &mut live),
                vpnha_status::VPNHA_OK
            );
            assert_eq!(live, 4);
            let mut up = true;
            assert_eq!(
                vpnha_ecmp_group_is_up(&*mem, 3, &mut up),
                vpnha_status::VPNHA_OK
            );
            assert!(!up);
        }
        let mut want = vec![0u16; keys.len()];
        rust.select_many(&keys, &mut want).unwrap();
        assert_eq!(out, want, "{algorithm}");
    }
}

#[test]
fn memory_never_initialised_is_refused_before_it_is_read() {
    let mut mem = group_memory();
    let k = key(flows(1)[0]);
    let mut t = 7u16;
    // SAFETY: live memory and locals.
    unsafe {
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, &k, &mut t),
            vpnha_status::VPNHA_NOT_INITIALIZED
        );
        assert_eq!(
            vpnha_ecmp_group_set_up(&mut *mem, 0, false),
            vpnha_status::VPNHA_NOT_INITIALIZED
        );
        mem.opaque.fill(0xdead_beef_dead_beef);
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, &k, &mut t),
            vpnha_status::VPNHA_NOT_INITIALIZED
        );
        // Init over garbage works: the memory is cleared first.
        assert_eq!(
            vpnha_ecmp_group_init(3, VPNHA_ALGORITHM_MAGLEV, 1, &mut *mem),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, &k, &mut t),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            Some(t),
            EcmpGroup::new(3, Algorithm::Maglev, 1)
                .unwrap()
                .select(&FlowKey::from(k))
        );
    }
    assert!(t < 3, "tunnel {t} is not one of the group's 3");
}

#[test]
fn failed_calls_write_nothing() {
    let mut mem = group_memory();
    let k = key(flows(1)[0]);
    // SAFETY: live memory and locals; the NULL and misaligned pointers are what is tested.
    unsafe {
        assert_eq!(
            vpnha_ecmp_group_init(0, 0, 0, &mut *mem),
            vpnha_status::VPNHA_NO_TUNNEL
        );
        assert_eq!(
            vpnha_ecmp_group_init(257, 0, 0, &mut *mem),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        assert_eq!(
            vpnha_ecmp_group_init(2, 4, 0, &mut *mem),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        assert_eq!(
            vpnha_ecmp_group_init(2, 0, 0, null_mut()),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert!(mem.opaque.iter().all(|&w| w == 0));
        let odd = mem
            .opaque
            .as_mut_ptr()
            .cast::<u8>()
            .add(4)
            .cast::<vpnha_ecmp_group>();
        assert_eq!(
            vpnha_ecmp_group_init(2, 0, 0, odd),
            vpnha_status::VPNHA_MISALIGNED
        );
        assert_eq!(
            vpnha_ecmp_group_init(2, 0, 0, &mut *mem),
            vpnha_status::VPNHA_OK
        );
        let mut t = 99u16;
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, null(), &mut t),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, &k, null_mut()),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert_eq!(
            vpnha_ecmp_group_set_all_up(&mut *mem, false),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            vpnha_ecmp_group_select(&*mem, &k, &mut t),
            vpnha_status::VPNHA_NO_TUNNEL
        );
        assert_eq!(t, 99);
        let mut out = [1u16; 2];
        assert_eq!(
            vpnha_ecmp_group_select_many(&*mem, &k, 1, out.as_mut_ptr(), 2),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(out, [VPNHA_NONE, 1]);
        assert_eq!(
            vpnha_ecmp_group_select_many(&*mem, &k, 1, out.as_mut_ptr(), 0),
            vpnha_status::VPNHA_BUFFER_TOO_SMALL
        );
        assert_eq!(
            vpnha_ecmp_group_select_many(&*mem, null(), 0, null_mut(), 0),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            vpnha_ecmp_group_set_up(&mut *mem, 2, true),
            vpnha_status::VPNHA_OUT_OF_RANGE
        );
        assert_eq!(
            vpnha_ecmp_group_set_fields(&mut *mem, 0x40),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        let w = [0u32, 0];
        assert_eq!(
            vpnha_ecmp_group_set_weights(&mut *mem, w.as_ptr(), 2),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        assert_eq!(
            vpnha_ecmp_group_set_weights(&mut *mem, w.as_ptr(), 1),
            vpnha_status::VPNHA_INVALID_INPUT
        );
        assert_eq!(
            vpnha_ecmp_group_set_fields(&mut *mem, VPNHA_HASH_ALL),
            vpnha_status::VPNHA_OK
        );
        assert_eq!(
            vpnha_ecmp_group_set_symmetric(&mut *mem, true),
            vpnha_status::VPNHA_INVALID_INPUT
        );
    }
}

#[test]
fn handles_refuse_null_and_free_null_is_a_no_op() {
    let mut n = 0;
    let mut buf = [0 as c_char; 8];
    // SAFETY: NULL handles are what is tested; the outputs are live locals.
    unsafe {
        vpnha_topology_free(null_mut());
        vpnha_findings_free(null_mut());
        assert_eq!(
            vpnha_topology_tunnel_count(null(), &mut n),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert_eq!(
            vpnha_topology_site_name(null(), 0, buf.as_mut_ptr(), 8, &mut n),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert_eq!(
            vpnha_findings_count(null(), &mut n),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
        assert_eq!(
            vpnha_ecmp_group_tunnel_count(null(), &mut n),
            vpnha_status::VPNHA_NULL_PARAMETER
        );
    }
}
