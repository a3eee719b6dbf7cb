//! ECMP flow selection in caller-provided memory: the per-packet path.
//!
//! A `vpnha_ecmp_group` is plain memory of a fixed size that C owns (a `static`, a member of
//! its own structure, the heap). `vpnha_ecmp_group_init` writes a group into it without
//! allocating; after that, `vpnha_ecmp_group_select`, `vpnha_ecmp_group_select_many`,
//! `vpnha_ecmp_group_hash` and `vpnha_ecmp_group_set_up` never allocate and never panic.
//!
//! Inside the memory sits a tag word and then the Rust [`EcmpGroup`]. The tag is written last by
//! init, so memory that init never touched (zeroed or not) is refused with
//! `VPNHA_NOT_INITIALIZED` before any of it is read as a group.

use std::mem::{MaybeUninit, align_of, offset_of, size_of};

use vpnha::ecmp::{self, Algorithm, EcmpError, EcmpGroup, FlowKey, HashFields};

use crate::ffi::{Checked, Out, arg_ref, arg_slice, arg_slice_mut, ffi_status, overlaps};
use crate::status::vpnha_status;
use crate::topology::vpnha_topology;

/// A selection algorithm, one of the VPNHA_ALGORITHM_ constants (the same numbers as the Rust
/// and Python APIs).
pub type vpnha_algorithm = u32;

/// A primary tunnel from the hash over the configured tunnels; when it is down, rendezvous
/// among the live ones. A failure moves only the failed tunnel's flows; the default.
pub const VPNHA_ALGORITHM_STABLE: vpnha_algorithm = 0;
/// Highest random weight over the live tunnels.
pub const VPNHA_ALGORITHM_RENDEZVOUS: vpnha_algorithm = 1;
/// A 65537-entry Maglev table over the live tunnels, rebuilt (in the group's memory) when one
/// goes up or down; O(1) lookup.
pub const VPNHA_ALGORITHM_MAGLEV: vpnha_algorithm = 2;
/// RFC 2992 hash-threshold, as Linux's legacy multipath.
pub const VPNHA_ALGORITHM_HASH_THRESHOLD: vpnha_algorithm = 3;

/// The most tunnels a group can have.
pub const VPNHA_MAX_TUNNELS: usize = 256;
/// The tunnel `vpnha_ecmp_group_select_many` writes for a flow when every tunnel is down.
pub const VPNHA_NONE: u16 = 65535;

/// `vpnha_flow_key.family` of an IPv4 flow.
pub const VPNHA_FAMILY_IPV4: u8 = 4;
/// `vpnha_flow_key.family` of an IPv6 flow.
pub const VPNHA_FAMILY_IPV6: u8 = 6;

/// Hash-field bit: source address (bit values of Linux's fib_multipath_hash_fields).
pub const VPNHA_HASH_SRC_IP: u32 = 0x01;
/// Hash-field bit: destination address.
pub const VPNHA_HASH_DST_IP: u32 = 0x02;
/// Hash-field bit: IP protocol.
pub const VPNHA_HASH_PROTOCOL: u32 = 0x04;
/// Hash-field bit: IPv6 flow label (IPv4 flows have none; not with symmetric mode).
pub const VPNHA_HASH_FLOW_LABEL: u32 = 0x08;
/// Hash-field bit: source port.
pub const VPNHA_HASH_SRC_PORT: u32 = 0x10;
/// Hash-field bit: destination port.
pub const VPNHA_HASH_DST_PORT: u32 = 0x20;
/// Addresses only, as Linux's multipath policy 0.
pub const VPNHA_HASH_L3: u32 = 0x03;
/// Addresses, protocol and ports, as Linux's policy 1: the default of a new group.
pub const VPNHA_HASH_FIVE_TUPLE: u32 = 0x37;
/// Every field.
pub const VPNHA_HASH_ALL: u32 = 0x3f;

/// The size in bytes of a `vpnha_ecmp_group`. Fixed for an ABI (it changes only in a release
/// that may break the ABI); it leaves room for the group to grow without such a break.
pub const VPNHA_ECMP_GROUP_SIZE: usize = 90112;
/// The size of a `vpnha_ecmp_group` in 64-bit words.
pub const VPNHA_ECMP_GROUP_WORDS: usize = VPNHA_ECMP_GROUP_SIZE / 8;

/// One flow: what selects its tunnel. A plain structure of integers, 44 bytes, alignment 4;
/// every bit pattern is a valid key, so a key filled from a packet cannot make selection fail.
///
/// Addresses are in network byte order: IPv4 in the first 4 bytes, the other 12 zero. Ports
/// are numbers in host order. Protocols without ports (ICMP, ESP) have ports 0. Set
/// `reserved` to 0. `flow_label` is read only for IPv6, low 20 bits, 0 = none.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct vpnha_flow_key {
    /// Source address, network byte order.
    pub src: [u8; 16],
    /// Destination address, network byte order.
    pub dst: [u8; 16],
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// IP protocol number (6 TCP, 17 UDP, 50 ESP, ...).
    pub protocol: u8,
    /// VPNHA_FAMILY_IPV4 or VPNHA_FAMILY_IPV6; any value but 6 reads as IPv4.
    pub family: u8,
    /// Zero; never read.
    pub reserved: [u8; 2],
    /// IPv6 flow label (RFC 6437), 0 = none.
    pub flow_label: u32,
}

// The key is the core's `FlowKey`, field for field, so arrays of either are the same memory.
const _: () = {
    assert!(size_of::<vpnha_flow_key>() == size_of::<FlowKey>());
    assert!(align_of::<vpnha_flow_key>() == align_of::<FlowKey>());
    assert!(offset_of!(vpnha_flow_key, src) == offset_of!(FlowKey, src));
    assert!(offset_of!(vpnha_flow_key, dst) == offset_of!(FlowKey, dst));
    assert!(offset_of!(vpnha_flow_key, src_port) == offset_of!(FlowKey, src_port));
    assert!(offset_of!(vpnha_flow_key, dst_port) == offset_of!(FlowKey, dst_port));
    assert!(offset_of!(vpnha_flow_key, protocol) == offset_of!(FlowKey, protocol));
    assert!(offset_of!(vpnha_flow_key, family) == offset_of!(FlowKey, family));
    assert!(offset_of!(vpnha_flow_key, reserved) == offset_of!(FlowKey, reserved));
    assert!(offset_of!(vpnha_flow_key, flow_label) == offset_of!(FlowKey, flow_label));
    assert!(size_of::<vpnha_flow_key>() == 44);
};

impl From<vpnha_flow_key> for FlowKey {
    fn from(k: vpnha_flow_key) -> Self {
        Self {
            src: k.src,
            dst: k.dst,
            src_port: k.src_port,
            dst_port: k.dst_port,
            protocol: k.protocol,
            family: k.family,
            reserved: k.reserved,
            flow_label: k.flow_label,
        }
    }
}

/// Memory for one ECMP group: VPNHA_ECMP_GROUP_SIZE bytes, aligned as a uint64_t. Opaque:
/// never read or write its bytes; initialise it with `vpnha_ecmp_group_init` or
/// `vpnha_ecmp_group_init_site`.
///
/// It holds no pointers: a group may be copied with memcpy or assignment, and the copy is an
/// independent group in the same state (build the next state in a second group, then switch
/// the pointer the packet path reads). Nothing needs freeing.
#[repr(C)]
pub struct vpnha_ecmp_group {
    /// Opaque.
    pub opaque: [u64; VPNHA_ECMP_GROUP_WORDS],
}

/// What the memory of a `vpnha_ecmp_group` holds once initialised.
#[repr(C)]
struct Slot {
    /// [`TAG`] once initialised; anything else before.
    tag: u64,
    group: EcmpGroup,
}

/// Written last by init: the group behind it is valid.
const TAG: u64 = u64::from_le_bytes(*b"vpnhaEG1");

const _: () = {
    assert!(size_of::<Slot>() <= size_of::<vpnha_ecmp_group>());
    assert!(align_of::<Slot>() <= align_of::<vpnha_ecmp_group>());
    assert!(size_of::<vpnha_ecmp_group>() == VPNHA_ECMP_GROUP_SIZE);
    assert!(VPNHA_MAX_TUNNELS == ecmp::MAX_TUNNELS);
    assert!(VPNHA_NONE == ecmp::NONE);
    assert!(VPNHA_FAMILY_IPV4 == FlowKey::IPV4 && VPNHA_FAMILY_IPV6 == FlowKey::IPV6);
    assert!(VPNHA_HASH_SRC_IP == HashFields::SRC_IP.bits());
    assert!(VPNHA_HASH_DST_IP == HashFields::DST_IP.bits());
    assert!(VPNHA_HASH_PROTOCOL == HashFields::PROTOCOL.bits());
    assert!(VPNHA_HASH_FLOW_LABEL == HashFields::FLOW_LABEL.bits());
    assert!(VPNHA_HASH_SRC_PORT == HashFields::SRC_PORT.bits());
    assert!(VPNHA_HASH_DST_PORT == HashFields::DST_PORT.bits());
    assert!(VPNHA_HASH_L3 == HashFields::L3.bits());
    assert!(VPNHA_HASH_FIVE_TUPLE == HashFields::FIVE_TUPLE.bits());
    assert!(VPNHA_HASH_ALL == HashFields::ALL.bits());
    assert!(VPNHA_ALGORITHM_STABLE == Algorithm::Stable as u32);
    assert!(VPNHA_ALGORITHM_RENDEZVOUS == Algorithm::Rendezvous as u32);
    assert!(VPNHA_ALGORITHM_MAGLEV == Algorithm::Maglev as u32);
    assert!(VPNHA_ALGORITHM_HASH_THRESHOLD == Algorithm::HashThreshold as u32);
};

fn status_of(e: EcmpError) -> vpnha_status {
    match e {
        EcmpError::TunnelIndex { .. } => vpnha_status::VPNHA_OUT_OF_RANGE,
        EcmpError::LengthMismatch { .. } => vpnha_status::VPNHA_BUFFER_TOO_SMALL,
        _ => vpnha_status::VPNHA_INVALID_INPUT,
    }
}

pub(crate) fn algorithm_of(algorithm: vpnha_algorithm) -> Checked<Algorithm> {
    u8::try_from(algorithm)
        .ok()
        .and_then(Algorithm::from_u8)
        .ok_or(vpnha_status::VPNHA_INVALID_INPUT)
}

/// The initialised group in `p`.
///
/// # Safety
///
/// When `p` is non-NULL and aligned it must point to a `vpnha_ecmp_group`'s worth of readable
/// memory that nothing mutates for `'a`.
#[inline(always)]
unsafe fn group_ref<'a>(p: *const vpnha_ecmp_group) -> Checked<&'a EcmpGroup> {
    check_group_ptr(p)?;
    let slot = p.cast::<Slot>();
    // SAFETY: non-NULL and aligned (for a `Slot` too, asserted at compile time); the tag is an
    // integer at offset 0, read without making a reference to the group, which may not be one
    // yet.
    if unsafe { (&raw const (*slot).tag).read() } != TAG {
        return Err(vpnha_status::VPNHA_NOT_INITIALIZED);
    }
    // SAFETY: the tag says init wrote a valid group there.
    Ok(unsafe { &(*slot).group })
}

/// [`group_ref`] for changing the group.
///
/// # Safety
///
/// As [`group_ref`], with nothing else reading or writing the memory for `'a`.
unsafe fn group_mut<'a>(p: *mut vpnha_ecmp_group) -> Checked<&'a mut EcmpGroup> {
    // SAFETY: forwarded.
    unsafe { group_ref(p) }?;
    // SAFETY: checked by `group_ref`; exclusivity is the caller's promise.
    Ok(unsafe { &mut (*p.cast::<Slot>()).group })
}

/// Writes a group of `count` tunnels into `p`, all of whose arguments were checked.
///
/// # Safety
///
/// `p` must be non-NULL, aligned and point to a `vpnha_ecmp_group`'s worth of writable memory
/// that nothing else reads or writes during the call.
unsafe fn init_at(
    p: *mut vpnha_ecmp_group,
    count: usize,
    algorithm: Algorithm,
    seed: u64,
) -> Checked<()> {
    let slot = p.cast::<Slot>();
    // SAFETY: the caller's promise; all-zero bytes are tag 0 and `EcmpGroup::EMPTY`, a valid
    // group, so the reference below is to a valid `Slot`.
    let slot = unsafe {
        p.cast::<u8>().write_bytes(0, size_of::<vpnha_ecmp_group>());
        &mut *slot
    };
    slot.group.init(count, algorithm, seed).map_err(status_of)?;
    slot.tag = TAG;
    Ok(())
}

fn check_count(count: usize) -> Checked<()> {
    if count == 0 {
        Err(vpnha_status::VPNHA_NO_TUNNEL)
    } else if count > VPNHA_MAX_TUNNELS {
        Err(vpnha_status::VPNHA_INVALID_INPUT)
    } else {
        Ok(())
    }
}

/// Refuses NULL and misaligned group memory. A pointer aligned for a `vpnha_ecmp_group` is
/// aligned for the `Slot` inside (asserted at compile time).
#[inline(always)]
fn check_group_ptr(p: *const vpnha_ecmp_group) -> Checked<()> {
    if p.is_null() {
        Err(vpnha_status::VPNHA_NULL_PARAMETER)
    } else if !p.is_aligned() {
        Err(vpnha_status::VPNHA_MISALIGNED)
    } else {
        Ok(())
    }
}

/// Initialises a group of `tunnel_count` tunnels (1 to VPNHA_MAX_TUNNELS) in caller memory:
/// all up, weight 1, five-tuple hash, not symmetric, with this algorithm and seed. Tunnels are
/// numbered `0 .. tunnel_count-1`. HA peers given the same count, algorithm, seed and settings
/// pick the same tunnel for every flow.
///
/// Any earlier content of the memory is overwritten: no free is needed, before or after.
/// Nothing is allocated. On failure the memory is untouched. A tunnel count of 0 gives
/// `VPNHA_NO_TUNNEL`; above VPNHA_MAX_TUNNELS, or an unknown algorithm, `VPNHA_INVALID_INPUT`.
///
/// # Safety
///
/// `out_group` must be NULL or point to a `vpnha_ecmp_group` that no other call uses during
/// this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_init(
    tunnel_count: usize,
    algorithm: vpnha_algorithm,
    seed: u64,
    out_group: *mut vpnha_ecmp_group,
) -> vpnha_status {
    ffi_status!({
        check_group_ptr(out_group)?;
        let algorithm = algorithm_of(algorithm)?;
        check_count(tunnel_count)?;
        // SAFETY: checked non-NULL and aligned; the rest is the caller's promise.
        unsafe { init_at(out_group, tunnel_count, algorithm, seed) }
    })
}

/// Initialises the group of site `site_index` in caller memory: one tunnel per tunnel of the
/// site, in the order `vpnha_topology_site_tunnels` gives, otherwise as
/// `vpnha_ecmp_group_init`. The group is independent of the topology, which may be freed.
///
/// A site without tunnels gives `VPNHA_NO_TUNNEL`; a site index out of range
/// `VPNHA_OUT_OF_RANGE`.
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `out_group` as for `vpnha_ecmp_group_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_init_site(
    topology: *const vpnha_topology,
    site_index: usize,
    algorithm: vpnha_algorithm,
    seed: u64,
    out_group: *mut vpnha_ecmp_group,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        check_group_ptr(out_group)?;
        let algorithm = algorithm_of(algorithm)?;
        let count = t.site_tunnel_count(site_index)?;
        check_count(count)?;
        // SAFETY: checked non-NULL and aligned; the rest is the caller's promise.
        unsafe { init_at(out_group, count, algorithm, seed) }
    })
}

/// Sets one weight per tunnel (`weights_len` must equal the tunnel count). A tunnel's share of
/// the flows is its weight over the sum; weight 0 makes a standby, used only when no tunnel of
/// weight above 0 is up. All weights 0 gives `VPNHA_INVALID_INPUT`. On failure nothing changes.
///
/// # Safety
///
/// `group` must be NULL or point to a group no other call uses during this one; `weights` must
/// point to `weights_len` readable `uint32_t`s (or be NULL when `weights_len` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_set_weights(
    group: *mut vpnha_ecmp_group,
    weights: *const u32,
    weights_len: usize,
) -> vpnha_status {
    ffi_status!({
        if overlaps(group, 1, weights, weights_len) {
            return Err(vpnha_status::VPNHA_INVALID_INPUT);
        }
        // SAFETY: the caller's promise.
        let g = unsafe { group_mut(group) }?;
        // SAFETY: the caller's promise; disjoint from the group (checked).
        let weights = unsafe { arg_slice(weights, weights_len) }?;
        g.set_weights(weights).map_err(status_of)
    })
}

/// Symmetric mode on or off: both directions of a flow (endpoints swapped) pick the same
/// tunnel. Refused with `VPNHA_INVALID_INPUT` while the hash fields include the flow label.
///
/// # Safety
///
/// `group` must be NULL or point to a group no other call uses during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_set_symmetric(
    group: *mut vpnha_ecmp_group,
    symmetric: bool,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_mut(group) }?;
        g.set_symmetric(symmetric).map_err(status_of)
    })
}

/// Chooses the fields that enter the hash: VPNHA_HASH_ bits, such as VPNHA_HASH_L3 or
/// VPNHA_HASH_FIVE_TUPLE (the default). Unknown bits, or the flow label in symmetric mode, give
/// `VPNHA_INVALID_INPUT`; nothing changes then.
///
/// # Safety
///
/// `group` must be NULL or point to a group no other call uses during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_set_fields(
    group: *mut vpnha_ecmp_group,
    fields: u32,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_mut(group) }?;
        let fields = HashFields::from_bits(fields).map_err(status_of)?;
        g.set_fields(fields).map_err(status_of)
    })
}

/// Marks tunnel `tunnel` up or down (as BFD, DPD or BGP tell). Only the flows of a failed tunnel
/// move (Stable, Rendezvous); on its return they move back. Never allocates; O(1) except for
/// Maglev, whose table is rebuilt in the group's memory (under a millisecond), and
/// hash-threshold (O(n)). `VPNHA_OUT_OF_RANGE` for a tunnel at or beyond the count.
///
/// # Safety
///
/// `group` must be NULL or point to a group no other call uses during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_set_up(
    group: *mut vpnha_ecmp_group,
    tunnel: usize,
    up: bool,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_mut(group) }?;
        g.set_up(tunnel, up).map_err(status_of)
    })
}

/// Marks every tunnel up or down at once (one Maglev rebuild at most).
///
/// # Safety
///
/// `group` must be NULL or point to a group no other call uses during this one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_set_all_up(
    group: *mut vpnha_ecmp_group,
    up: bool,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_mut(group) }?;
        g.set_all_up(up);
        Ok(())
    })
}

/// Whether tunnel `tunnel` is up.
///
/// # Safety
///
/// `group` must be NULL or point to a group no call changes during this one; `out_up` must be
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_is_up(
    group: *const vpnha_ecmp_group,
    tunnel: usize,
    out_up: *mut bool,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        let out = Out::new(out_up)?;
        if tunnel >= g.tunnel_count() {
            return Err(vpnha_status::VPNHA_OUT_OF_RANGE);
        }
        // SAFETY: the caller's promise.
        unsafe { out.write(g.is_up(tunnel)) };
        Ok(())
    })
}

/// The number of tunnels of the group.
///
/// # Safety
///
/// As `vpnha_ecmp_group_is_up`, for `out_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_tunnel_count(
    group: *const vpnha_ecmp_group,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(g.tunnel_count()) };
        Ok(())
    })
}

/// The number of tunnels that are up.
///
/// # Safety
///
/// As `vpnha_ecmp_group_is_up`, for `out_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_live_count(
    group: *const vpnha_ecmp_group,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(g.live_count()) };
        Ok(())
    })
}

/// The per-packet call: the tunnel for one flow into `*out_tunnel`, or `VPNHA_NO_TUNNEL` when
/// every tunnel is down. Never allocates, never blocks, bounded time; the same answer as the
/// Rust and Python APIs for the same configuration, tunnel states and key. `key` and
/// `out_tunnel` need no alignment (a key may sit inside a packet buffer).
///
/// # Safety
///
/// `group` must be NULL or point to a group no call changes during this one; `key` must be NULL
/// or point to 44 readable bytes; `out_tunnel` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_select(
    group: *const vpnha_ecmp_group,
    key: *const vpnha_flow_key,
    out_tunnel: *mut u16,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        let out = Out::new(out_tunnel)?;
        let mut copy = MaybeUninit::uninit();
        // SAFETY: the caller's promise on `key`.
        let key = unsafe { key_ref(key, &mut copy) }?;
        match g.select(key) {
            Some(t) => {
                // SAFETY: the caller's promise.
                unsafe { out.write(t) };
                Ok(())
            }
            None => Err(vpnha_status::VPNHA_NO_TUNNEL),
        }
    })
}

/// The key at `key`: read in place when aligned (the fast path), or copied into `copy` when
/// not (a key inside a packet buffer), out of line so the aligned path stays short.
///
/// # Safety
///
/// `key` must be NULL or point to 44 readable bytes that nothing mutates while the result
/// is used.
#[inline(always)]
unsafe fn key_ref(
    key: *const vpnha_flow_key,
    copy: &mut MaybeUninit<FlowKey>,
) -> Checked<&FlowKey> {
    if key.is_null() {
        return Err(vpnha_status::VPNHA_NULL_PARAMETER);
    }
    if key.is_aligned() {
        // SAFETY: non-NULL and aligned; `vpnha_flow_key` and `FlowKey` have one layout
        // (asserted at compile time), and every bit pattern is a valid key.
        Ok(unsafe { &*key.cast::<FlowKey>() })
    } else {
        // SAFETY: the caller's promise.
        Ok(copy.write(unsafe { read_unaligned_key(key) }))
    }
}

/// # Safety
///
/// `key` must point to 44 readable bytes.
#[cold]
#[inline(never)]
unsafe fn read_unaligned_key(key: *const vpnha_flow_key) -> FlowKey {
    // SAFETY: the caller's promise; read unaligned, any address will do.
    FlowKey::from(unsafe { key.read_unaligned() })
}

/// Selects for a batch: `out_tunnels[i]` receives the tunnel of `keys[i]`, or VPNHA_NONE when
/// every tunnel is down, for `i < keys_len`. `out_len` must be at least `keys_len`
/// (`VPNHA_BUFFER_TOO_SMALL` otherwise; nothing written); entries beyond `keys_len` are left
/// alone. Never allocates. The arrays must be aligned for their types and must not overlap each
/// other or the group (`VPNHA_INVALID_INPUT`).
///
/// # Safety
///
/// `group` as for `vpnha_ecmp_group_select`; `keys` must point to `keys_len` readable keys and
/// `out_tunnels` to `out_len` writable `uint16_t`s (each may be NULL when its length is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_select_many(
    group: *const vpnha_ecmp_group,
    keys: *const vpnha_flow_key,
    keys_len: usize,
    out_tunnels: *mut u16,
    out_len: usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        // SAFETY: the caller's promise; `vpnha_flow_key` and `FlowKey` have one layout
        // (asserted at compile time).
        let keys = unsafe { arg_slice(keys.cast::<FlowKey>(), keys_len) }?;
        if out_tunnels.is_null() && out_len > 0 {
            return Err(vpnha_status::VPNHA_NULL_PARAMETER);
        }
        if out_len < keys.len() {
            return Err(vpnha_status::VPNHA_BUFFER_TOO_SMALL);
        }
        let n = keys.len();
        if overlaps(out_tunnels, n, keys.as_ptr(), n) || overlaps(out_tunnels, n, group, 1) {
            return Err(vpnha_status::VPNHA_INVALID_INPUT);
        }
        // SAFETY: the caller's promise; disjoint from the keys and the group (checked).
        let out = unsafe { arg_slice_mut(out_tunnels, n) }?;
        g.select_many(keys, out).map_err(status_of)
    })
}

/// The group's 64-bit hash of a flow: what the algorithms map onto a tunnel. It depends on the
/// seed, hash fields and symmetric mode only, never on tunnel state; the golden vectors pin it.
///
/// # Safety
///
/// As `vpnha_ecmp_group_select`, with `out_hash` for `out_tunnel`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_ecmp_group_hash(
    group: *const vpnha_ecmp_group,
    key: *const vpnha_flow_key,
    out_hash: *mut u64,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let g = unsafe { group_ref(group) }?;
        let out = Out::new(out_hash)?;
        let mut copy = MaybeUninit::uninit();
        // SAFETY: the caller's promise on `key`.
        let key = unsafe { key_ref(key, &mut copy) }?;
        // SAFETY: the caller's promise.
        unsafe { out.write(g.hash(key)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_group_fits_its_memory_with_room_to_grow() {
        // The README gives these figures.
        assert_eq!(size_of::<Slot>(), 86_728);
        assert_eq!(VPNHA_ECMP_GROUP_SIZE, 90_112);
        assert_eq!(align_of::<vpnha_ecmp_group>(), align_of::<u64>());
    }
}
