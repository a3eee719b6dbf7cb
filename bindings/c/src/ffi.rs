//! The two guards of every exported function: the panic boundary and the argument checks.
//!
//! Every `extern "C"` function of the crate runs its body inside [`ffi_status!`] (functions
//! that return a [`vpnha_status`]) or [`ffi_boundary!`] (the few that return something else),
//! and turns each raw pointer it receives into a Rust reference, slice or string only through
//! the helpers here, which check for NULL, alignment, size and UTF-8 first. No other module
//! dereferences a pointer from C.
//!
//! The rules they implement are the contract written in the crate's README:
//!
//! - a required pointer that is NULL gives [`vpnha_status::VPNHA_NULL_PARAMETER`];
//! - an array or string given as a pointer and a length may be NULL when the length is 0;
//! - a pointer that is not aligned for its type gives [`vpnha_status::VPNHA_MISALIGNED`];
//! - outputs are written only on success, except that a "length" output is also written with
//!   [`vpnha_status::VPNHA_BUFFER_TOO_SMALL`], to say how much room is needed.

use std::ffi::c_char;
use std::mem::size_of;

use crate::status::vpnha_status;

/// Runs a body that returns `Result<(), vpnha_status>` behind the panic boundary, and gives
/// the status C sees: `VPNHA_OK`, the error, or `VPNHA_PANIC` when the body panicked.
///
/// A panic must not unwind into C (that aborts the process); it is caught here, on the
/// caller's thread, and the function returns instead.
macro_rules! ffi_status {
    ($body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::core::result::Result<(), $crate::status::vpnha_status> { $body },
        )) {
            Ok(Ok(())) => $crate::status::vpnha_status::VPNHA_OK,
            Ok(Err(status)) => status,
            Err(_) => $crate::status::vpnha_status::VPNHA_PANIC,
        }
    };
}

/// Runs a body behind the panic boundary and gives its value, or `$on_panic` when it panicked.
/// For the exported functions that return no status.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $on_panic,
        }
    };
}

pub(crate) use {ffi_boundary, ffi_status};

/// The result of the argument checks.
pub(crate) type Checked<T> = Result<T, vpnha_status>;

/// `p` as a shared reference: NULL and misaligned pointers are refused.
///
/// # Safety
///
/// When `p` is non-NULL and aligned it must point to a valid `T` that nothing mutates for `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T) -> Checked<&'a T> {
    if p.is_null() {
        return Err(vpnha_status::VPNHA_NULL_PARAMETER);
    }
    if !p.is_aligned() {
        return Err(vpnha_status::VPNHA_MISALIGNED);
    }
    // SAFETY: non-NULL and aligned, checked above; validity is the caller's promise.
    Ok(unsafe { &*p })
}

/// A C array (pointer and element count) as a slice. A length of 0 is the empty slice, whatever
/// the pointer; otherwise NULL, misaligned pointers and arrays larger than the address space
/// allows are refused.
///
/// # Safety
///
/// When `len > 0` and `p` passes the checks, `p` must point to `len` valid, initialised `T`s
/// that nothing mutates for `'a`.
pub(crate) unsafe fn arg_slice<'a, T>(p: *const T, len: usize) -> Checked<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    check_array(p, len)?;
    // SAFETY: non-NULL, aligned and within isize::MAX bytes (checked); the rest is the
    // caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// [`arg_slice`] for an output array.
///
/// # Safety
///
/// When `len > 0` and `p` passes the checks, `p` must point to `len` writable `T`s that nothing
/// else reads or writes for `'a`. `T` must be a type for which any bit pattern is valid (the
/// integers written here), since the memory may hold anything before it is written.
pub(crate) unsafe fn arg_slice_mut<'a, T>(p: *mut T, len: usize) -> Checked<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    check_array(p.cast_const(), len)?;
    // SAFETY: as `arg_slice`, with exclusivity promised by the caller.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

fn check_array<T>(p: *const T, len: usize) -> Checked<()> {
    if p.is_null() {
        return Err(vpnha_status::VPNHA_NULL_PARAMETER);
    }
    if !p.is_aligned() {
        return Err(vpnha_status::VPNHA_MISALIGNED);
    }
    match len.checked_mul(size_of::<T>()) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(()),
        _ => Err(vpnha_status::VPNHA_INVALID_INPUT),
    }
}

/// A string given as a pointer and a length in bytes (no NUL needed) as `&str`: refused when
/// NULL with a non-zero length, or not UTF-8.
///
/// # Safety
///
/// As [`arg_slice`] for `len` bytes.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, len: usize) -> Checked<&'a str> {
    // SAFETY: forwarded; `c_char` and `u8` have the same size and alignment.
    let bytes = unsafe { arg_slice(p.cast::<u8>(), len) }?;
    std::str::from_utf8(bytes).map_err(|_| vpnha_status::VPNHA_INVALID_UTF8)
}

/// A NUL-terminated string (as the fields of `vpnha_analysis_options` hold them) as `&str`:
/// refused when NULL or not UTF-8.
///
/// # Safety
///
/// When non-NULL, `p` must point to a NUL-terminated string that nothing mutates for `'a`.
pub(crate) unsafe fn arg_cstr<'a>(p: *const c_char) -> Checked<&'a str> {
    if p.is_null() {
        return Err(vpnha_status::VPNHA_NULL_PARAMETER);
    }
    // SAFETY: non-NULL (checked); NUL-terminated by the caller's promise.
    let s = unsafe { std::ffi::CStr::from_ptr(p) };
    s.to_str().map_err(|_| vpnha_status::VPNHA_INVALID_UTF8)
}

/// The leading `size_t struct_size` of a versioned structure, read without making a reference
/// to the whole structure (a caller built against an older header has a smaller one): NULL
/// and misaligned pointers are refused.
///
/// # Safety
///
/// `T` must be `#[repr(C)]` with a `usize` as its first field; when `p` is non-NULL and
/// aligned, that field must be readable.
pub(crate) unsafe fn arg_struct_size<T>(p: *const T) -> Checked<usize> {
    if p.is_null() {
        return Err(vpnha_status::VPNHA_NULL_PARAMETER);
    }
    if !p.is_aligned() || !p.cast::<usize>().is_aligned() {
        return Err(vpnha_status::VPNHA_MISALIGNED);
    }
    // SAFETY: non-NULL and aligned (checked); a `usize` at offset 0 by the caller's promise.
    Ok(unsafe { p.cast::<usize>().read() })
}

/// Whether two byte ranges share a byte.
pub(crate) fn overlaps<A, B>(a: *const A, a_len: usize, b: *const B, b_len: usize) -> bool {
    let (a0, b0) = (a as usize, b as usize);
    let (a1, b1) = (
        a0.saturating_add(a_len.saturating_mul(size_of::<A>())),
        b0.saturating_add(b_len.saturating_mul(size_of::<B>())),
    );
    a0 < b1 && b0 < a1
}

/// An output parameter: checked for NULL when the call starts, written (at most once) when it
/// succeeds. Written unaligned, so C may pass any address.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Refuses NULL.
    pub(crate) fn new(p: *mut T) -> Checked<Self> {
        if p.is_null() {
            Err(vpnha_status::VPNHA_NULL_PARAMETER)
        } else {
            Ok(Self(p))
        }
    }

    /// An optional output: NULL means the caller does not want it.
    pub(crate) fn optional(p: *mut T) -> Option<Self> {
        Self::new(p).ok()
    }

    /// Writes the value.
    ///
    /// # Safety
    ///
    /// The pointer given to [`Out::new`] must be valid for a write of a `T` and not overlap
    /// anything the call still reads.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL (checked by `new`); writable by the caller's promise; unaligned
        // writes need no alignment.
        unsafe { self.0.write_unaligned(value) }
    }
}

/// A text buffer given by C: a pointer and its size in bytes, room for the terminating NUL
/// included.
pub(crate) struct TextBuf {
    buf: *mut c_char,
    len: usize,
}

impl TextBuf {
    /// Refuses a NULL buffer with a non-zero size; `(NULL, 0)` is a buffer with no room.
    pub(crate) fn new(buf: *mut c_char, len: usize) -> Checked<Self> {
        if buf.is_null() && len > 0 {
            return Err(vpnha_status::VPNHA_NULL_PARAMETER);
        }
        if len > isize::MAX as usize {
            return Err(vpnha_status::VPNHA_INVALID_INPUT);
        }
        Ok(Self { buf, len })
    }

    /// Copies `text` and a NUL when they fit and writes `text.len()` to `out_len`; otherwise
    /// writes nothing to the buffer, writes the length needed (without the NUL) to `out_len`
    /// and gives `VPNHA_BUFFER_TOO_SMALL`.
    ///
    /// # Safety
    ///
    /// The buffer must be writable for its size, `out_len` valid for a write, and neither may
    /// overlap `text`.
    pub(crate) unsafe fn write_all(self, text: &str, out_len: Out<usize>) -> Checked<()> {
        if text.len() >= self.len {
            // SAFETY: the caller's promise.
            unsafe { out_len.write(text.len()) };
            return Err(vpnha_status::VPNHA_BUFFER_TOO_SMALL);
        }
        // SAFETY: `text.len() + 1 <= self.len` bytes fit in the buffer.
        unsafe { self.copy(text.as_bytes()) };
        // SAFETY: the caller's promise.
        unsafe { out_len.write(text.len()) };
        Ok(())
    }

    /// How the reason for a failure reaches C: [`TextBuf::write_truncated`], and the full
    /// length to `out_len` when the caller wants it.
    ///
    /// # Safety
    ///
    /// As [`TextBuf::write_truncated`]; `out_len`, when given, must be valid for a write.
    pub(crate) unsafe fn write_reason(self, text: &str, out_len: Option<Out<usize>>) {
        // SAFETY: the caller's promise.
        unsafe {
            let n = self.write_truncated(text);
            if let Some(len) = out_len {
                len.write(n);
            }
        }
    }

    /// Copies as much of `text` as fits, cut at a character boundary, and a NUL (nothing when
    /// the buffer has no room at all), as `snprintf` does; gives the full length.
    ///
    /// # Safety
    ///
    /// The buffer must be writable for its size and not overlap `text`.
    pub(crate) unsafe fn write_truncated(self, text: &str) -> usize {
        if self.len == 0 {
            return text.len();
        }
        let mut n = text.len().min(self.len - 1);
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: `n + 1 <= self.len`.
        unsafe { self.copy(&text.as_bytes()[..n]) };
        text.len()
    }

    /// # Safety
    ///
    /// `bytes.len() + 1 <= self.len`, and the buffer is writable and disjoint from `bytes`.
    unsafe fn copy(&self, bytes: &[u8]) {
        // SAFETY: the caller's promise; `u8` and `c_char` have the same layout.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.buf.cast::<u8>(), bytes.len());
            self.buf.add(bytes.len()).write(0);
        }
    }
}

/// The body of every function that copies a text of a handle into a C buffer: the handle, the
/// buffer and `out_len` are checked, in that order; then `text` picks the text from the handle
/// (or refuses, such as with `VPNHA_OUT_OF_RANGE`), and it is copied whole or not at all, as
/// [`TextBuf::write_all`] does.
///
/// # Safety
///
/// `handle` must be NULL or point to a live `T` that nothing mutates during the call, `buf`
/// must point to `buf_len` writable bytes (or be NULL when `buf_len` is 0), and `out_len` must
/// be NULL or valid for a write; neither may overlap the text.
pub(crate) unsafe fn copy_text<T>(
    handle: *const T,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    text: impl FnOnce(&T) -> Checked<&str>,
) -> Checked<()> {
    // SAFETY: the caller's promise.
    let h = unsafe { arg_ref(handle) }?;
    let buf = TextBuf::new(buf, buf_len)?;
    let out_len = Out::new(out_len)?;
    let text = text(h)?;
    // SAFETY: the caller's promise on the buffer and `out_len`.
    unsafe { buf.write_all(text, out_len) }
}

/// Text kept with a terminating NUL, so C can borrow it as a C string and as bytes with a
/// length. Text with a NUL inside stays whole: the length covers it all.
#[derive(Debug, Clone)]
pub(crate) struct CText(String);

impl CText {
    pub(crate) fn new(text: &str) -> Self {
        let mut s = String::with_capacity(text.len() + 1);
        s.push_str(text);
        s.push('\0');
        Self(s)
    }

    /// The text, without the NUL.
    pub(crate) fn as_str(&self) -> &str {
        &self.0[..self.0.len() - 1]
    }

    /// The text's length in bytes, without the NUL: the `_len` that C reads beside
    /// [`CText::as_ptr`].
    pub(crate) fn len(&self) -> usize {
        self.0.len() - 1
    }

    /// The text's first byte; a NUL follows its last.
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_panic_status() {
        let status = ffi_status!({
            if std::hint::black_box(true) {
                panic!("forced");
            }
            Ok(())
        });
        assert_eq!(status, vpnha_status::VPNHA_PANIC);
        let value = ffi_boundary!(7, {
            if std::hint::black_box(true) {
                panic!("forced");
            }
            1
        });
        assert_eq!(value, 7);
    }

    #[test]
    fn errors_pass_through_the_boundary() {
        let status = ffi_status!({ Err(vpnha_status::VPNHA_NOT_FOUND) });
        assert_eq!(status, vpnha_status::VPNHA_NOT_FOUND);
        assert_eq!(ffi_status!({ Ok(()) }), vpnha_status::VPNHA_OK);
    }

    #[test]
    fn pointers_are_checked_before_use() {
        // SAFETY: every pointer given is NULL, misaligned or points to a live local.
        unsafe {
            assert_eq!(
                arg_ref::<u32>(std::ptr::null()).err(),
                Some(vpnha_status::VPNHA_NULL_PARAMETER)
            );
            let words = [0u32; 2];
            let odd = words.as_ptr().cast::<u8>().add(1).cast::<u32>();
            assert_eq!(arg_ref(odd).err(), Some(vpnha_status::VPNHA_MISALIGNED));
            assert_eq!(
                arg_slice(odd, 1).err(),
                Some(vpnha_status::VPNHA_MISALIGNED)
            );
            assert_eq!(
                arg_slice::<u32>(std::ptr::null(), 0).unwrap(),
                &[] as &[u32]
            );
            assert_eq!(
                arg_slice::<u32>(std::ptr::null(), 1).err(),
                Some(vpnha_status::VPNHA_NULL_PARAMETER)
            );
            assert_eq!(
                arg_slice(words.as_ptr(), usize::MAX / 2).err(),
                Some(vpnha_status::VPNHA_INVALID_INPUT)
            );
            let bad = [0x66u8, 0xff];
            assert_eq!(
                arg_str(bad.as_ptr().cast(), 2).err(),
                Some(vpnha_status::VPNHA_INVALID_UTF8)
            );
            assert_eq!(arg_str(bad.as_ptr().cast(), 1).unwrap(), "f");
        }
    }

    #[test]
    fn c_strings_and_struct_sizes_are_checked_before_use() {
        // SAFETY: every pointer given is NULL or points to a live local.
        unsafe {
            assert_eq!(
                arg_cstr(std::ptr::null()).err(),
                Some(vpnha_status::VPNHA_NULL_PARAMETER)
            );
            assert_eq!(arg_cstr(c"hq".as_ptr()).unwrap(), "hq");
            let bad = [0x66u8, 0xff, 0];
            assert_eq!(
                arg_cstr(bad.as_ptr().cast()).err(),
                Some(vpnha_status::VPNHA_INVALID_UTF8)
            );
            #[repr(C)]
            struct Sized {
                size: usize,
                rest: u64,
            }
            let s = Sized { size: 16, rest: 0 };
            assert_eq!(arg_struct_size(&s).unwrap(), 16);
            assert_eq!(s.rest, 0);
            assert_eq!(
                arg_struct_size::<Sized>(std::ptr::null()).err(),
                Some(vpnha_status::VPNHA_NULL_PARAMETER)
            );
            let words = [0usize; 3];
            let odd = words.as_ptr().cast::<u8>().add(1).cast::<Sized>();
            assert_eq!(
                arg_struct_size(odd).err(),
                Some(vpnha_status::VPNHA_MISALIGNED)
            );
        }
    }

    #[test]
    fn text_is_copied_whole_or_not_at_all() {
        let mut buf = [0x55 as c_char; 6];
        let mut len = 0usize;
        // SAFETY: the buffer and the length are live locals of the sizes given.
        unsafe {
            let b = TextBuf::new(buf.as_mut_ptr(), 5).unwrap();
            let r = b.write_all("hello", Out::new(&mut len).unwrap());
            assert_eq!(r, Err(vpnha_status::VPNHA_BUFFER_TOO_SMALL));
            assert_eq!(len, 5);
            assert_eq!(buf[0], 0x55);
            let b = TextBuf::new(buf.as_mut_ptr(), 6).unwrap();
            b.write_all("hello", Out::new(&mut len).unwrap()).unwrap();
            assert_eq!(&buf.map(|c| c as u8), b"hello\0");
        }
    }

    #[test]
    fn truncated_text_stops_at_a_character_boundary() {
        let mut buf = [0x55 as c_char; 4];
        let full = TextBuf::new(buf.as_mut_ptr(), 4).unwrap();
        // SAFETY: the buffer is a live local of the size given.
        let n = unsafe { full.write_truncated("ab\u{e9}") };
        assert_eq!(n, 4);
        assert_eq!(buf.map(|c| c as u8), [b'a', b'b', 0, 0x55]);
        // SAFETY: a buffer with no room is never written.
        let none = unsafe {
            TextBuf::new(std::ptr::null_mut(), 0)
                .unwrap()
                .write_truncated("x")
        };
        assert_eq!(none, 1);
    }

    #[test]
    fn ranges_overlap_when_they_share_a_byte() {
        let a = [0u16; 8];
        let p = a.as_ptr();
        // SAFETY: offsets within the array.
        let q = unsafe { p.add(4) };
        assert!(overlaps(p, 5, q, 1));
        assert!(!overlaps(p, 4, q, 4));
        assert!(!overlaps(p, 0, p, 4));
    }

    #[test]
    fn c_text_keeps_a_nul_after_the_text() {
        let t = CText::new("a\0b");
        assert_eq!(t.as_str(), "a\0b");
        assert_eq!(t.len(), 3);
        // SAFETY: CText keeps len + 1 bytes behind its pointer.
        let last = unsafe { *t.as_ptr().add(3) };
        assert_eq!(last, 0);
    }
}
