//! Validation findings: a handle holding them, read by index or as text.

use std::ffi::c_char;
use std::fmt::Write as _;

use vpnha::{Diagnostic, Severity};

use crate::ffi::{CText, Out, arg_ref, copy_text, ffi_boundary, ffi_status};
use crate::status::vpnha_status;

/// How serious a finding is, one of the VPNHA_SEVERITY_ constants.
pub type vpnha_severity = u32;

/// Information: what vpnha recognised (a site's pattern), or which checks could not run.
pub const VPNHA_SEVERITY_INFO: vpnha_severity = 0;
/// Works, but weaker than it looks (a single device, an active-standby gateway).
pub const VPNHA_SEVERITY_WARNING: vpnha_severity = 1;
/// Azure rejects it, or the topology cannot work.
pub const VPNHA_SEVERITY_ERROR: vpnha_severity = 2;

/// One finding, as `vpnha_findings_get` gives it. The strings are borrowed from the findings
/// handle: valid, unchanged, until `vpnha_findings_free`. Each is NUL-terminated and also
/// given with its length in bytes (without the NUL).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vpnha_finding {
    /// The rule's stable kebab-case name, such as `reserved-asn` (never renamed).
    pub rule: *const c_char,
    /// Length of `rule` in bytes.
    pub rule_len: usize,
    /// What is wrong and what to do, one line of English.
    pub message: *const c_char,
    /// Length of `message` in bytes.
    pub message_len: usize,
    /// The offending field, such as `local_gateways[1].bgp.asn`; empty for the whole document.
    pub path: *const c_char,
    /// Length of `path` in bytes.
    pub path_len: usize,
    /// One of the VPNHA_SEVERITY_ constants.
    pub severity: vpnha_severity,
    /// 1-based line of the field in the parsed text; 0 when unknown.
    pub line: u32,
    /// 1-based column (in characters) of the field in the parsed text; 0 when unknown.
    pub column: u32,
}

/// The findings of one `vpnha_topology_validate` call, in a stable order. Opaque; freed by
/// `vpnha_findings_free`. Immutable: may be read from any number of threads at once.
pub struct vpnha_findings {
    items: Vec<Item>,
    /// Every finding as a line of text, each ending in a newline.
    text: String,
}

struct Item {
    rule: CText,
    message: CText,
    path: CText,
    severity: vpnha_severity,
    line: u32,
    column: u32,
}

fn severity_number(severity: Severity) -> vpnha_severity {
    match severity {
        Severity::Info => VPNHA_SEVERITY_INFO,
        Severity::Warning => VPNHA_SEVERITY_WARNING,
        Severity::Error => VPNHA_SEVERITY_ERROR,
    }
}

impl vpnha_findings {
    pub(crate) fn new(diagnostics: &[Diagnostic]) -> Self {
        let mut text = String::new();
        let items = diagnostics
            .iter()
            .map(|d| {
                // Writing to a String cannot fail.
                let _ = writeln!(text, "{d}");
                Item {
                    rule: CText::new(d.rule.name()),
                    message: CText::new(&d.message),
                    path: CText::new(&d.path.to_string()),
                    severity: severity_number(d.severity),
                    line: d.line().unwrap_or(0),
                    column: d.column().unwrap_or(0),
                }
            })
            .collect();
        Self { items, text }
    }
}

/// Frees a findings handle. NULL is a no-op. Strings borrowed from it must not be used
/// afterwards.
///
/// # Safety
///
/// `findings` must be NULL or a handle from `vpnha_topology_validate` not freed before, and no
/// other call on it may be running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_findings_free(findings: *mut vpnha_findings) {
    ffi_boundary!((), {
        if !findings.is_null() {
            // SAFETY: the caller's promise: a live handle made by `Box::into_raw`.
            drop(unsafe { Box::from_raw(findings) });
        }
    });
}

/// The number of findings.
///
/// # Safety
///
/// `findings` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_findings_count(
    findings: *const vpnha_findings,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let f = unsafe { arg_ref(findings) }?;
        let out = Out::new(out_count)?;
        // SAFETY: the caller's promise.
        unsafe { out.write(f.items.len()) };
        Ok(())
    })
}

/// The number of findings of one severity (one of the VPNHA_SEVERITY_ constants, else
/// `VPNHA_INVALID_INPUT`): a firmware that refuses a topology with errors asks for
/// VPNHA_SEVERITY_ERROR.
///
/// # Safety
///
/// `findings` must be NULL or a live handle; `out_count` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_findings_count_severity(
    findings: *const vpnha_findings,
    severity: vpnha_severity,
    out_count: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let f = unsafe { arg_ref(findings) }?;
        let out = Out::new(out_count)?;
        if severity > VPNHA_SEVERITY_ERROR {
            return Err(vpnha_status::VPNHA_INVALID_INPUT);
        }
        let n = f.items.iter().filter(|i| i.severity == severity).count();
        // SAFETY: the caller's promise.
        unsafe { out.write(n) };
        Ok(())
    })
}

/// Finding `index` (`0 .. count-1`) into `*out_finding`; its strings are borrowed from the
/// handle.
///
/// # Safety
///
/// `findings` must be NULL or a live handle; `out_finding` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_findings_get(
    findings: *const vpnha_findings,
    index: usize,
    out_finding: *mut vpnha_finding,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise.
        let f = unsafe { arg_ref(findings) }?;
        let out = Out::new(out_finding)?;
        let i = f.items.get(index).ok_or(vpnha_status::VPNHA_OUT_OF_RANGE)?;
        let finding = vpnha_finding {
            rule: i.rule.as_ptr(),
            rule_len: i.rule.len(),
            message: i.message.as_ptr(),
            message_len: i.message.len(),
            path: i.path.as_ptr(),
            path_len: i.path.len(),
            severity: i.severity,
            line: i.line,
            column: i.column,
        };
        // SAFETY: the caller's promise.
        unsafe { out.write(finding) };
        Ok(())
    })
}

/// Every finding as text, one line each (`line:column: severity[rule] path: message`, each
/// ending in a newline), for a log: copies it and a NUL into `buf` and its length without the
/// NUL into `*out_len`.
///
/// Returns `VPNHA_BUFFER_TOO_SMALL` when `buf_len` is not above the length, writing nothing to
/// `buf` and the length to `*out_len`: call with `(NULL, 0)` to learn the size.
///
/// # Safety
///
/// `findings` must be NULL or a live handle, `buf` must point to `buf_len` writable bytes (or
/// be NULL when `buf_len` is 0), and `out_len` must be NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_findings_write_text(
    findings: *const vpnha_findings,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> vpnha_status {
    ffi_status!({
        // SAFETY: the caller's promise on the handle, the buffer and `out_len`.
        unsafe { copy_text(findings, buf, buf_len, out_len, |f| Ok(&f.text)) }
    })
}
