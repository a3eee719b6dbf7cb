//! The one status enum, its messages, and the library version.

use std::ffi::c_char;

use crate::ffi::ffi_boundary;

/// What a call did. Every function that can fail returns one.
///
/// The numbers are fixed: a value is never renumbered or reused, and a retired one stays listed
/// here as reserved. Treat any value you do not know as a failure.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
// C names: the constants read VPNHA_OK, VPNHA_NULL_PARAMETER, ... in the header.
#[allow(clippy::enum_variant_names)]
pub enum vpnha_status {
    /// Success: every output was written.
    VPNHA_OK = 0,
    /// A required pointer was NULL (an array or string pointer may be NULL only when its
    /// length is 0). Nothing was written.
    VPNHA_NULL_PARAMETER = 1,
    /// An argument's value is outside its domain: an unknown format, algorithm or severity
    /// number, unknown hash-field bits, a tunnel count of 0 or above VPNHA_MAX_TUNNELS, weights
    /// that are all 0 or not one per tunnel, symmetric mode with the flow label, arrays that
    /// overlap. Nothing was written.
    VPNHA_INVALID_INPUT = 2,
    /// The output buffer or array is too small. Nothing was written to it; its length output
    /// (when the function has one) holds the size needed.
    VPNHA_BUFFER_TOO_SMALL = 3,
    /// The library panicked (a bug in vpnha; please report it). The panic was stopped at the
    /// boundary; handles stay valid and may be freed, but a group being changed by the call may
    /// be left half-updated: initialise it again.
    VPNHA_PANIC = 4,
    /// No site or tunnel has the name given (nor, for `vpnha_topology_analyze_with`, any
    /// component of the sites analysed). Nothing was written but the error text.
    VPNHA_NOT_FOUND = 5,
    /// An index is at or beyond the count it indexes (tunnel, site, finding, scenario, ...).
    VPNHA_OUT_OF_RANGE = 6,
    /// The text is not a valid topology: not UTF-8, empty, over 16 MiB, a syntax error,
    /// unknown fields, values of the wrong type, missing fields. The error buffer, when given,
    /// holds the reason with line and column.
    VPNHA_INVALID_TOPOLOGY = 7,
    /// A string argument (a site name, a tunnel id) is not UTF-8.
    VPNHA_INVALID_UTF8 = 8,
    /// No tunnel to give: every tunnel of the group is down, or the site has no tunnel.
    VPNHA_NO_TUNNEL = 9,
    /// A pointer is not aligned for its type: a group needs the alignment of
    /// `vpnha_ecmp_group`, an array that of its element type.
    VPNHA_MISALIGNED = 10,
    /// The group's memory was never initialised by `vpnha_ecmp_group_init` or
    /// `vpnha_ecmp_group_init_site` (zeroed memory reads as not initialised).
    VPNHA_NOT_INITIALIZED = 11,
    /// The analysis cannot run on this topology with these options: it has no sites,
    /// `max_failures` is 0 or above the component count of its largest site analysed, an
    /// availability (in the file or the options) is not in (0, 1], a capacity share is not in
    /// (0, 1], the flow sample is 0 or too large, a site would need more scenarios than the
    /// limit (a million by default), weights are not one per tunnel of their site, or the
    /// gateway has more instances than Azure allows. `vpnha_topology_analyze_with` writes
    /// which, and what to change, into its error buffer. Nothing else was written.
    VPNHA_ANALYSIS_FAILED = 12,
}

/// Every status, in number order.
const STATUSES: [vpnha_status; 13] = [
    vpnha_status::VPNHA_OK,
    vpnha_status::VPNHA_NULL_PARAMETER,
    vpnha_status::VPNHA_INVALID_INPUT,
    vpnha_status::VPNHA_BUFFER_TOO_SMALL,
    vpnha_status::VPNHA_PANIC,
    vpnha_status::VPNHA_NOT_FOUND,
    vpnha_status::VPNHA_OUT_OF_RANGE,
    vpnha_status::VPNHA_INVALID_TOPOLOGY,
    vpnha_status::VPNHA_INVALID_UTF8,
    vpnha_status::VPNHA_NO_TUNNEL,
    vpnha_status::VPNHA_MISALIGNED,
    vpnha_status::VPNHA_NOT_INITIALIZED,
    vpnha_status::VPNHA_ANALYSIS_FAILED,
];

impl vpnha_status {
    /// The status with this number, if there is one.
    const fn from_u32(number: u32) -> Option<Self> {
        let i = number as usize;
        if i < STATUSES.len() {
            Some(STATUSES[i])
        } else {
            None
        }
    }

    /// The message of the status, without its NUL.
    pub(crate) fn text(self) -> &'static str {
        let m = self.message();
        &m[..m.len() - 1]
    }

    /// The message of the status, NUL-terminated.
    const fn message(self) -> &'static str {
        match self {
            Self::VPNHA_OK => "ok\0",
            Self::VPNHA_NULL_PARAMETER => "a required pointer argument is NULL\0",
            Self::VPNHA_INVALID_INPUT => "an argument's value is out of its range\0",
            Self::VPNHA_BUFFER_TOO_SMALL => "the output buffer is too small\0",
            Self::VPNHA_PANIC => "internal error: vpnha panicked (please report this)\0",
            Self::VPNHA_NOT_FOUND => "no site, tunnel or component has that name\0",
            Self::VPNHA_OUT_OF_RANGE => "index out of range\0",
            Self::VPNHA_INVALID_TOPOLOGY => "the text is not a valid topology\0",
            Self::VPNHA_INVALID_UTF8 => "a string argument is not UTF-8\0",
            Self::VPNHA_NO_TUNNEL => "no tunnel is up\0",
            Self::VPNHA_MISALIGNED => "a pointer is not aligned for its type\0",
            Self::VPNHA_NOT_INITIALIZED => "the ECMP group memory was never initialised\0",
            Self::VPNHA_ANALYSIS_FAILED => "the analysis cannot run on this topology\0",
        }
    }
}

/// A static, NUL-terminated English sentence for a status; "unknown status" for a number
/// this library does not know. Never NULL; never free it.
///
/// # Safety
///
/// None: any number may be passed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_status_message(status: u32) -> *const c_char {
    ffi_boundary!(c"unknown status".as_ptr(), {
        match vpnha_status::from_u32(status) {
            Some(s) => s.message().as_ptr().cast(),
            None => c"unknown status".as_ptr(),
        }
    })
}

/// The library's version, "MAJOR.MINOR.PATCH", as a static NUL-terminated string; compare it
/// with VPNHA_VERSION to catch a header and library from different releases. Never NULL;
/// never free it.
///
/// # Safety
///
/// None.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_version() -> *const c_char {
    ffi_boundary!(c"".as_ptr(), {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// Panics inside the boundary, so tests can check that a panic comes back as `VPNHA_PANIC`.
/// Built only with the `test-panic` feature; never in a library that ships.
///
/// # Safety
///
/// None.
#[cfg(feature = "test-panic")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vpnha_test_panic() -> vpnha_status {
    crate::ffi::ffi_status!({
        if std::hint::black_box(true) {
            panic!("vpnha_test_panic: a panic forced by a test");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn statuses_keep_their_numbers() {
        for (i, s) in STATUSES.iter().enumerate() {
            assert_eq!(*s as u32 as usize, i);
            assert_eq!(vpnha_status::from_u32(i as u32), Some(*s));
        }
        assert_eq!(vpnha_status::VPNHA_OK as u32, 0);
        assert_eq!(vpnha_status::VPNHA_PANIC as u32, 4);
        assert_eq!(vpnha_status::VPNHA_NOT_INITIALIZED as u32, 11);
        assert_eq!(vpnha_status::VPNHA_ANALYSIS_FAILED as u32, 12);
        assert_eq!(vpnha_status::from_u32(13), None);
    }

    #[test]
    fn every_status_has_a_distinct_message() {
        let mut seen = Vec::new();
        for s in STATUSES {
            // SAFETY: the function returns a static NUL-terminated string.
            let m = unsafe { CStr::from_ptr(vpnha_status_message(s as u32)) };
            let m = m.to_str().unwrap().to_owned();
            assert!(!m.is_empty());
            assert!(!seen.contains(&m), "{m}");
            seen.push(m);
        }
        // SAFETY: as above, for numbers the library does not know.
        for n in [13, 999, u32::MAX] {
            let m = unsafe { CStr::from_ptr(vpnha_status_message(n)) };
            assert_eq!(m.to_str().unwrap(), "unknown status");
        }
    }

    #[test]
    fn the_version_is_the_crate_version() {
        // SAFETY: the function returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(vpnha_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
