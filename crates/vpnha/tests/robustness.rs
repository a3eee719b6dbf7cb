//! Edge cases a user can reach: each gives an answer or an error, never a panic.

use core::net::IpAddr;

use vpnha::ecmp::{
    Algorithm, EcmpError, EcmpGroup, FlowKey, HashFields, MAGLEV_TABLE_SIZE, MAX_TUNNELS, NONE,
};

fn flows() -> Vec<FlowKey> {
    (0u16..512)
        .map(|i| {
            if i % 2 == 0 {
                FlowKey::v4([192, 0, 2, i as u8], [203, 0, 113, 7], 6, 1000 + i, 443)
            } else {
                let mut dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                dst[15] = i as u8;
                FlowKey::v6(
                    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                    dst,
                    17,
                    i,
                    4500,
                    u32::from(i),
                )
            }
        })
        .collect()
}

#[test]
fn all_down_gives_none() {
    for algorithm in Algorithm::ALL {
        let mut g = Box::new(EcmpGroup::new(4, algorithm, 1).unwrap());
        for t in 0..4 {
            g.set_up(t, false).unwrap();
        }
        assert_eq!(g.live_count(), 0);
        let keys = flows();
        assert!(keys.iter().all(|k| g.select(k).is_none()), "{algorithm}");
        let mut out = vec![0; keys.len()];
        g.select_many(&keys, &mut out).unwrap();
        assert!(out.iter().all(|&t| t == NONE), "{algorithm}");
        // And back up: every flow has a tunnel again.
        g.set_all_up(true);
        assert!(keys.iter().all(|k| g.select(k).is_some()), "{algorithm}");
    }
}

#[test]
fn one_tunnel_takes_everything() {
    for algorithm in Algorithm::ALL {
        let g = Box::new(EcmpGroup::new(1, algorithm, u64::MAX).unwrap());
        assert!(
            flows().iter().all(|k| g.select(k) == Some(0)),
            "{algorithm}"
        );
    }
}

#[test]
fn the_maximum_tunnel_count_works_and_one_more_is_an_error() {
    for algorithm in Algorithm::ALL {
        let mut g = Box::new(EcmpGroup::new(MAX_TUNNELS, algorithm, 2).unwrap());
        let keys = flows();
        let mut seen = vec![false; MAX_TUNNELS];
        for k in &keys {
            seen[usize::from(g.select(k).unwrap())] = true;
        }
        // 512 flows over 256 tunnels reach most of them, the last index included or not.
        assert!(seen.iter().filter(|&&s| s).count() > 150, "{algorithm}");
        g.set_up(MAX_TUNNELS - 1, false).unwrap();
        assert!(keys.iter().all(|k| g.select(k) != Some(255)), "{algorithm}");
        assert_eq!(
            EcmpGroup::new(MAX_TUNNELS + 1, algorithm, 2).unwrap_err(),
            EcmpError::TunnelCount {
                count: MAX_TUNNELS + 1
            }
        );
        assert_eq!(
            EcmpGroup::new(0, algorithm, 2).unwrap_err(),
            EcmpError::TunnelCount { count: 0 }
        );
    }
}

#[test]
fn out_of_range_indices_are_errors() {
    let mut g = Box::new(EcmpGroup::new(3, Algorithm::Stable, 0).unwrap());
    assert_eq!(
        g.set_up(3, false),
        Err(EcmpError::TunnelIndex { index: 3, count: 3 })
    );
    assert_eq!(
        g.set_up(usize::MAX, true),
        Err(EcmpError::TunnelIndex {
            index: usize::MAX,
            count: 3
        })
    );
    assert!(!g.is_up(3));
    assert!(!g.is_up(usize::MAX));
    assert_eq!(g.live_count(), 3);
}

#[test]
fn weight_errors_leave_the_group_unchanged() {
    let mut g = Box::new(EcmpGroup::new(3, Algorithm::Maglev, 0).unwrap());
    let k = flows()[0];
    let before = g.select(&k);
    assert_eq!(
        g.set_weights(&[1, 2]),
        Err(EcmpError::WeightCount {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(g.set_weights(&[0, 0, 0]), Err(EcmpError::AllWeightsZero));
    assert_eq!(g.weights(), &[1, 1, 1]);
    assert_eq!(g.select(&k), before);
    // Extreme weights are fine.
    g.set_weights(&[u32::MAX, 1, u32::MAX]).unwrap();
    assert!(flows().iter().all(|k| g.select(k).is_some()));
}

#[test]
fn mixed_families_are_an_error() {
    let v4: IpAddr = "192.0.2.1".parse().unwrap();
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    assert_eq!(FlowKey::new(v4, v6, 6, 1, 2), Err(EcmpError::MixedFamilies));
    assert_eq!(FlowKey::new(v6, v4, 6, 1, 2), Err(EcmpError::MixedFamilies));
    let k = FlowKey::new(v6, v6, 6, 1, 2).unwrap();
    assert!(k.is_ipv6());
    assert_eq!(k.src_addr(), v6);
    // A group selects for IPv4 and IPv6 flows alike, interleaved.
    let g = Box::new(EcmpGroup::new(4, Algorithm::Stable, 0).unwrap());
    assert!(flows().iter().all(|k| g.select(k).is_some()));
}

#[test]
fn a_key_with_any_family_byte_selects_a_tunnel() {
    let g = Box::new(EcmpGroup::new(4, Algorithm::Rendezvous, 0).unwrap());
    let k = FlowKey::v4([192, 0, 2, 1], [198, 51, 100, 2], 6, 1, 2);
    for family in [0, 4, 5, 6, 255] {
        assert!(g.select(&FlowKey { family, ..k }).is_some());
    }
    // Any family other than 6 reads as IPv4.
    assert_eq!(g.hash(&FlowKey { family: 0, ..k }), g.hash(&k));
}

#[test]
fn the_empty_group_selects_nothing() {
    let mut g = Box::new(EcmpGroup::EMPTY);
    assert_eq!(g.tunnel_count(), 0);
    assert_eq!(g.select(&flows()[0]), None);
    assert!(g.set_up(0, true).is_err());
    g.set_all_up(true);
    assert_eq!(g.select(&flows()[1]), None);
    let mut out = [7u16; 2];
    g.select_many(&flows()[..2], &mut out).unwrap();
    assert_eq!(out, [NONE; 2]);
    assert_eq!(g.set_weights(&[]), Err(EcmpError::AllWeightsZero));
}

#[test]
fn init_in_place_equals_new() {
    let keys = flows();
    for algorithm in Algorithm::ALL {
        let fresh = Box::new(EcmpGroup::new(5, algorithm, 77).unwrap());
        // A group reused after other settings forgets them on init.
        let mut reused = Box::new(
            EcmpGroup::new(9, Algorithm::Maglev, 1)
                .unwrap()
                .with_weights(&[1, 2, 3, 4, 5, 6, 7, 8, 9])
                .unwrap(),
        );
        reused.set_up(2, false).unwrap();
        reused.set_symmetric(true).unwrap();
        reused.init(5, algorithm, 77).unwrap();
        assert!(
            keys.iter().all(|k| fresh.select(k) == reused.select(k)),
            "{algorithm}"
        );
        assert_eq!(reused.weights(), &[1; 5]);
        assert!(!reused.symmetric());
        assert_eq!(reused.fields(), HashFields::FIVE_TUPLE);
        // A failed init changes nothing.
        assert!(reused.init(0, algorithm, 1).is_err());
        assert_eq!(reused.tunnel_count(), 5);
    }
}

#[test]
fn zeroed_memory_is_an_empty_group() {
    // The C binding places groups in zeroed caller memory and calls `init`.
    let layout = std::alloc::Layout::new::<EcmpGroup>();
    // SAFETY: the layout is EcmpGroup's, non-zero in size; the memory is zeroed, which
    // `EcmpGroup::EMPTY` documents as a valid group, and freed with the same layout.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout).cast::<EcmpGroup>();
        assert!(!p.is_null());
        let g = &mut *p;
        assert_eq!(g.tunnel_count(), 0);
        assert_eq!(g.select(&flows()[0]), None);
        g.init(4, Algorithm::Maglev, 3).unwrap();
        let fresh = Box::new(EcmpGroup::new(4, Algorithm::Maglev, 3).unwrap());
        assert!(flows().iter().all(|k| g.select(k) == fresh.select(k)));
        std::alloc::dealloc(p.cast(), layout);
    }
}

#[test]
fn symmetric_mode_and_the_flow_label_exclude_each_other() {
    let g = EcmpGroup::new(2, Algorithm::Stable, 0).unwrap();
    let labelled = HashFields::FIVE_TUPLE | HashFields::FLOW_LABEL;
    let sym = g.clone().with_symmetric(true).unwrap();
    assert_eq!(
        sym.with_fields(labelled).unwrap_err(),
        EcmpError::SymmetricFlowLabel
    );
    let lab = g.with_fields(labelled).unwrap();
    assert_eq!(
        lab.clone().with_symmetric(true).unwrap_err(),
        EcmpError::SymmetricFlowLabel
    );
    assert!(lab.with_symmetric(false).is_ok());
}

#[test]
fn batch_lengths_must_match() {
    let g = Box::new(EcmpGroup::new(2, Algorithm::Stable, 0).unwrap());
    let keys = flows();
    let mut out = vec![0u16; 3];
    assert_eq!(
        g.select_many(&keys[..2], &mut out),
        Err(EcmpError::LengthMismatch { keys: 2, out: 3 })
    );
    assert_eq!(out, [0, 0, 0], "nothing written on error");
}

#[test]
fn names_and_numbers_round_trip() {
    for a in Algorithm::ALL {
        assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
        assert_eq!(Algorithm::try_from(a as u8), Ok(a));
        assert_eq!(a.to_string(), a.name());
    }
    assert_eq!(Algorithm::from_u8(4), None);
    assert_eq!(
        "Stable".parse::<Algorithm>(),
        Err(EcmpError::UnknownAlgorithm)
    );
    assert_eq!(HashFields::from_bits(0x37), Ok(HashFields::FIVE_TUPLE));
    assert_eq!(
        HashFields::from_bits(0x80),
        Err(EcmpError::UnknownHashFields { bits: 0x80 })
    );
    assert_eq!(MAGLEV_TABLE_SIZE, 65_537);
}

#[test]
fn errors_say_what_to_change() {
    let msg = EcmpError::TunnelIndex { index: 9, count: 4 }.to_string();
    assert!(msg.contains('9') && msg.contains('4'), "{msg}");
    assert!(
        EcmpError::SymmetricFlowLabel
            .to_string()
            .contains("FLOW_LABEL")
    );
    let e: Box<dyn std::error::Error> = Box::new(EcmpError::MixedFamilies);
    assert!(e.to_string().contains("IPv4"));
}

#[test]
fn the_group_size_is_documented() {
    // docs/ecmp.md and the module documentation state these numbers for the C binding.
    assert_eq!(size_of::<EcmpGroup>(), 86_720);
    assert_eq!(align_of::<EcmpGroup>(), 8);
    assert_eq!(size_of::<FlowKey>(), 44);
    assert_eq!(align_of::<FlowKey>(), 4);
}

#[test]
fn the_written_specification_matches_the_rustdoc() {
    // docs/ecmp.md carries the specification of the module documentation word for word.
    let docs = include_str!("../../../docs/ecmp.md");
    let spec = include_str!("../src/ecmp/spec.md");
    assert!(
        docs.contains(spec),
        "docs/ecmp.md must contain crates/vpnha/src/ecmp/spec.md verbatim"
    );
}

#[test]
fn groups_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<EcmpGroup>();
    send_sync::<FlowKey>();
}
