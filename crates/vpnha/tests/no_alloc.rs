//! Zero allocation: `select`, `select_many` and `set_up` never touch the heap, for every
//! algorithm. A counting global allocator keeps a count per thread, and counts only while that
//! thread's flag is set, so the harness and tests running in parallel do not count.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::Rng;
use vpnha::ecmp::{Algorithm, EcmpGroup};

struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting has no effect
// on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` with counting on and returns the number of heap calls it made.
fn allocations_in(f: impl FnOnce()) -> usize {
    let start = ALLOCATIONS.with(Cell::get);
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    ALLOCATIONS.with(Cell::get) - start
}

#[test]
fn the_counter_sees_allocations() {
    // A test that could not fail would prove nothing: check the counter works.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

#[test]
fn selection_and_state_changes_never_allocate() {
    const SELECTS: usize = 1_000_000;
    let keys = Rng(21).mixed(4096);
    let mut out = vec![0u16; keys.len()];
    for algorithm in Algorithm::ALL {
        let mut g = Box::new(EcmpGroup::new(8, algorithm, 0x5eed).unwrap());
        let weighted = Box::new(
            EcmpGroup::new(8, algorithm, 1)
                .unwrap()
                .with_weights(&[1, 2, 3, 0, 5, 6, 7, 8])
                .unwrap(),
        );
        // A Maglev toggle rebuilds 65 537 entries; fewer of them keep the test quick.
        let toggles = if algorithm == Algorithm::Maglev {
            64
        } else {
            100_000
        };
        let mut sink = 0usize;
        let count = allocations_in(|| {
            for i in 0..SELECTS {
                let key = &keys[i % keys.len()];
                sink += usize::from(g.select(key).unwrap_or(0));
                sink += usize::from(weighted.select(key).unwrap_or(0));
                if i % 4096 == 0 {
                    // Every tenth pass with one tunnel down, to run the fallback paths.
                    g.set_up(3, i % 40_960 != 0).unwrap();
                }
            }
            for _ in 0..16 {
                g.select_many(&keys, &mut out).unwrap();
            }
            for _ in 0..16 {
                weighted.select_many(&keys, &mut out).unwrap();
            }
            for i in 0..toggles {
                g.set_up(i % 8, i % 3 == 0).unwrap();
                g.set_all_up(true);
            }
            g.set_all_up(false);
            sink += usize::from(g.select(&keys[0]).is_none());
            g.set_weights(&[1, 1, 2, 2, 3, 3, 4, 4]).unwrap();
            g.init(16, algorithm, 9).unwrap();
        });
        assert_eq!(count, 0, "{algorithm}: {count} heap calls");
        std::hint::black_box(sink);
    }
}
