//! Topologies: parse once, then read the tunnels and sites by index.

use std::collections::HashMap;
use std::ffi::c_char;

use vpnha::{Format, Topology};

use crate::ffi::{
    CText, Checked, Out, TextBuf, arg_ref, arg_slice_mut, arg_str, copy_text, ffi_boundary,
    ffi_status,
};
use crate::findings::vpnha_findings;
use crate::status::vpnha_status;

/// A topology file format, one of the VPNHA_FORMAT_ constants.
pub type vpnha_format = u32;

/// YAML 1.2 (JSON is YAML too, but VPNHA_FORMAT_JSON gives JSON's error messages).
pub const VPNHA_FORMAT_YAML: vpnha_format = 0;
/// JSON.
pub const VPNHA_FORMAT_JSON: vpnha_format = 1;
/// TOML.
pub const VPNHA_FORMAT_TOML: vpnha_format = 2;

/// A parsed topology: the gateway, devices, connections, and the tunnels and sites derived from
/// them. Opaque; made by `vpnha_topology_parse`, freed by `vpnha_topology_free`.
///
/// Immutable: every function taking a `const vpnha_topology *` may run on any number of
/// threads at once. Free it only when no call on it is running.
pub struct vpnha_topology {
    pub(crate) topology: Topology,
    /// Every tunnel id, in the stable order (connection name, then instance index).
    tunnels: Vec<CText>,
    /// Every site, sorted by name.
    sites: Vec<SiteEntry>,
}

struct SiteEntry {
    name: CText,
    /// The topology-wide index of each of the site's tunnels, in the site's (and its ECMP
    /// group's) order.
    tunnels: Vec<usize>,
}

impl vpnha_topology {
    fn new(topology: Topology) -> Self {
        let tunnels = topology.tunnels();
        let index: HashMap<(usize, usize), usize> = tunnels
            .iter()
            .enumerate()
            .map(|(i, t)| ((t.connection_index, t.instance), i))
            .collect();
        let sites = topology
            .sites()
            .iter()
            .map(|s| SiteEntry {
                name: CText::new(&s.name),
                tunnels: s
                    .tunnels
                    .iter()
                    .filter_map(|t| index.get(&(t.connection_index, t.instance)).copied())
                    .collect(),
            })
            .collect();
        Self {
            tunnels: tunnels.iter().map(|t| CText::new(&t.id)).collect(),
            sites,
            topology,
        }
    }

    /// The number of tunnels of site `site`, which the ECMP group of the site has.
    pub(crate) fn site_tunnel_count(&self, site: usize) -> Checked<usize> {
        self.site(site).map(|s| s.tunnels.len())
    }

    fn site(&self, site: usize) -> Checked<&SiteEntry> {
        self.sites.get(site).ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)
    }
}

fn format_of(format: vpnha_format) -> Option<Format> {
    match format {
        VPNHA_FORMAT_YAML => Some(Format::Yaml),
        VPNHA_FORMAT_JSON => Some(Format::Json),
        VPNHA_FORMAT_TOML => Some(Format::Toml),
        _ => None,
    }
}

/// Parses a topology (format version 1) from text in memory.
///
/// On success `*out_topology` receives a new handle, to be freed with `vpnha_topology_free`.
/// On `VPNHA_INVALID_TOPOLOGY` (and on `VPNHA_INVALID_INPUT` for an unknown format)
/// `error_buf`, when given, receives a one-line reason with line and column, such as
/// `<input>:3:7: gateway.sku: unknown SKU ...`, NUL-terminated and cut to fit (at a character
/// boundary) as snprintf would; `*out_error_len` (when not NULL) receives the reason's full
/// length without the NUL, so a length at or above `error_buf_len` means it was cut. 512
/// bytes hold nearly every reason whole.
///
/// `text` need not be NUL-terminated; at most 16 MiB are accepted. Parsing allocates, and its
/// YAML reader recurses: give the calling thread at least 256 KiB of stack (see the README).
///
/// # Safety
///
/// `text` must point to `text_len` readable bytes (or be NULL when `text_len` is 0),
/// `out_topology` must be valid for a write, `error_buf` must point to `error_buf_len` writable
/// bytes (or be NULL when `error_buf_len` is 0), and `out_error_len` must be NULL or valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_parse(
    text: *const c_char,
    text_len: usize,
    format: vpnha_format,
    out_topology: *mut *mut vpnha_topology,
    error_buf: *mut c_char,
    error_buf_len: usize,
    out_error_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise on `text`.
        let bytes = unsafe { crate::ffi::arg_slice(text.cast::<u8>(), text_len) }?;
        let out = Out::new(out_topology)?;
        let error = TextBuf::new(error_buf, error_buf_len)?;
        let error_len = Out::optional(out_error_len);
        let report = |message: &str, status: vpnha_status| {
            // SAFETY: the caller's promise on `error_buf` and `out_error_len`; the message is
            // ours, so it overlaps neither.
            unsafe { error.write_reason(message, error_len) };
            Err(status)
        };
        let Some(format) = format_of(format) else {
            return report(
                &format!(
                    "unknown format {format}: expected VPNHA_FORMAT_YAML (0), VPNHA_FORMAT_JSON (1) or VPNHA_FORMAT_TOML (2)"
                ),
                vpnha_status::VPNHA_INVALID_INPUT,
            );
        };
        match Topology::from_slice(bytes, format, "<input>") {
            Ok(topology) => {
                let handle = Box::into_raw(Box::new(vpnha_topology::new(topology)));
                // SAFETY: the caller's promise on `out_topology`.
                unsafe { out.write(handle) };
                Ok(())
            }
            Err(e) => report(&e.to_string(), vpnha_status::VPNHA_INVALID_TOPOLOGY),
        }
    })
}

/// Frees a topology. NULL is a no-op. The handle, and every string borrowed from it, must not
/// be used afterwards; ECMP groups made from it are independent and stay valid.
///
/// # Safety
///
/// `topology` must be NULL or a handle from `vpnha_topology_parse` not freed before, and no
/// other call on it may be running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_free(topology: *mut vpnha_topology) {
    ffi_boundary!((), {
        if !topology.is_null() {
            // SAFETY: the caller's promise: a live handle made by `Box::into_raw`.
            drop(unsafe { Box::from_raw(topology) });
        }
    });
}

/// The number of tunnels. Tunnel indices `0 .. count-1` follow one stable order: connection
/// name, then gateway instance index.
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_tunnel_count(
    topology: *const vpnha_topology,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(t.tunnels.len()) };
        Ok(())
    })
}

/// Copies the id of tunnel `index` (`<connection>/<instance>`, such as `hq-a/1`) and a NUL
/// into `buf`, and its length without the NUL into `*out_len`.
///
/// Returns `VPNHA_BUFFER_TOO_SMALL` when `buf_len` is not above the length, writing nothing to
/// `buf` and the length to `*out_len`: call with `(NULL, 0)` to learn the size.
///
/// # Safety
///
/// `topology` must be NULL or a live handle, `buf` must point to `buf_len` writable bytes (or
/// be NULL when `buf_len` is 0), and `out_len` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_tunnel_id(
    topology: *const vpnha_topology,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise on the handle, the buffer and `out_len`.
        unsafe {
            copy_text(topology, buf, buf_len, out_len, |t| {
                let id = t
                    .tunnels
                    .get(index)
                    .ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
                Ok(id.as_str())
            })
        }
    })
}

/// The index of the tunnel with this id (`id_len` bytes, no NUL needed), or `VPNHA_NOT_FOUND`.
///
/// # Safety
///
/// `topology` must be NULL or a live handle, `id` must point to `id_len` readable bytes (or be
/// NULL when `id_len` is 0), and `out_index` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_tunnel_find(
    topology: *const vpnha_topology,
    id: *const c_char,
    id_len: usize,
    out_index: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        // SAFETY: the caller's promise.
        let id = unsafe { arg_str(id, id_len) }?;
        let out = Out::new(out_index)?;
        let i = t
            .tunnels
            .iter()
            .position(|t| t.as_str() == id)
            .ok_or(vpnha_status::VPNHA_NOT_FOUND)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(i) };
        Ok(())
    })
}

/// The number of sites. Site indices `0 .. count-1` follow the sites' names, sorted.
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_site_count(
    topology: *const vpnha_topology,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(t.sites.len()) };
        Ok(())
    })
}

/// Copies the name of site `site_index` and a NUL into `buf`, and its length without the NUL
/// into `*out_len`; `VPNHA_BUFFER_TOO_SMALL` as `vpnha_topology_tunnel_id`.
///
/// # Safety
///
/// As `vpnha_topology_tunnel_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_site_name(
    topology: *const vpnha_topology,
    site_index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise on the handle, the buffer and `out_len`.
        unsafe {
            copy_text(topology, buf, buf_len, out_len, |t| {
                t.site(site_index).map(|s| s.name.as_str())
            })
        }
    })
}

/// The index of the site with this name (`name_len` bytes, no NUL needed), or
/// `VPNHA_NOT_FOUND`.
///
/// # Safety
///
/// As `vpnha_topology_tunnel_find`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_site_find(
    topology: *const vpnha_topology,
    name: *const c_char,
    name_len: usize,
    out_site_index: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        // SAFETY: the caller's promise.
        let name = unsafe { arg_str(name, name_len) }?;
        let out = Out::new(out_site_index)?;
        let i = t
            .sites
            .iter()
            .position(|s| s.name.as_str() == name)
            .ok_or(vpnha_status::VPNHA_NOT_FOUND)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(i) };
        Ok(())
    })
}

/// The tunnels of site `site_index`: `out_tunnels[i]` receives the topology-wide tunnel index
/// of tunnel `i` of the site's ECMP group (so `vpnha_topology_tunnel_id` names what
/// `vpnha_ecmp_group_select` picked), and `*out_count` the number of tunnels.
///
/// Returns `VPNHA_BUFFER_TOO_SMALL` when `out_len` is below the count, writing nothing to
/// `out_tunnels` and the count to `*out_count`: call with `(NULL, 0)` to learn it.
///
/// # Safety
///
/// `topology` must be NULL or a live handle, `out_tunnels` must point to `out_len` writable
/// `size_t`s (or be NULL when `out_len` is 0), and `out_count` must be NULL or valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_site_tunnels(
    topology: *const vpnha_topology,
    site_index: usize,
    out_tunnels: *mut usize,
    out_len: usize,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        // SAFETY: the caller's promise; any bit pattern is a valid `usize`.
        let out = unsafe { arg_slice_mut(out_tunnels, out_len) }?;
        let count = Out::new(out_count)?;
        let tunnels = &t.site(site_index)?.tunnels;
        if out.len() < tunnels.len() {
            // SAFETY: the caller's promise.
            unsafe { count.write(tunnels.len()) };
            return Err(vpnha_status::VPNHA_BUFFER_TOO_SMALL);
        }
        out[..tunnels.len()].copy_from_slice(tunnels);
        // SAFETY: the caller's promise.
        unsafe { count.write(tunnels.len()) };
        Ok(())
    })
}

/// Checks the topology against every rule (Azure's limits and what makes it weaker than it
/// looks); `*out_findings` receives a new handle holding every finding, to be freed with
/// `vpnha_findings_free`. A clean topology gives a handle with 0 errors (info findings remain).
///
/// # Safety
///
/// `topology` must be NULL or a live handle; `out_findings` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_topology_validate(
    topology: *const vpnha_topology,
    out_findings: *mut *mut vpnha_findings,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let t = unsafe { arg_ref(topology) }?;
        let out = Out::new(out_findings)?;
        let findings = Box::into_raw(Box::new(vpnha_findings::new(&t.topology.validate())));
        // SAFETY: the caller's promise.
        unsafe { out.write(findings) };
        Ok(())
    })
}
