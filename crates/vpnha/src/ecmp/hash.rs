//! The frozen flow hash and the per-tunnel values derived from the seed.
//!
//! Everything here is part of the specification in the module documentation (and in
//! `docs/ecmp.md`): changing any constant, shift or order changes which tunnel flows take and
//! breaks the golden vectors on purpose.

use super::flow::{FLOW_LABEL_MASK, FlowKey, HashFields};

/// The first ten 64-bit words of the fractional part of π (nothing-up-my-sleeve numbers).
pub(crate) const P: [u64; 10] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
    0xc0ac_29b7_c97c_50dd,
    0x3f84_d5b5_b547_0917,
    0x9216_d5d9_8979_fb1b,
    0xd131_0ba6_98df_b5ac,
];

/// The full 128-bit product of two words, as (low, high) words.
#[inline(always)]
pub(crate) const fn mul128(a: u64, b: u64) -> (u64, u64) {
    let p = (a as u128) * (b as u128);
    (p as u64, (p >> 64) as u64)
}

/// The folded multiply: low and high words of the 128-bit product, xored.
#[inline(always)]
pub(crate) const fn fold(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul128(a, b);
    lo ^ hi
}

/// `floor(x * n / 2^64)`: maps a uniform 64-bit value onto `0..n` (Lemire's fastrange).
#[inline(always)]
pub(crate) const fn fastrange(x: u64, n: u64) -> u64 {
    mul128(x, n).1
}

/// The seed as the hash uses it.
pub(crate) const fn expand_seed(seed: u64) -> u64 {
    seed ^ fold(seed ^ P[0], P[1])
}

/// Field masks and the expanded seed: everything about a group that the hash reads,
/// computed once when the group is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hasher {
    /// The expanded seed `k`.
    pub(crate) k: u64,
    /// Mask of the IPv4 address word `A = S | D << 32`.
    pub(crate) a4: u64,
    /// Mask of the IPv6 source words.
    pub(crate) s6: u64,
    /// Mask of the IPv6 destination words.
    pub(crate) d6: u64,
    /// Mask of the ports and protocol in `B`.
    pub(crate) b: u64,
    /// Mask of the flow label in `B` (IPv6 only).
    pub(crate) label: u64,
    /// Order the endpoints before hashing.
    pub(crate) symmetric: bool,
}

impl Hasher {
    /// The all-zero state of an empty group.
    pub(crate) const EMPTY: Self = Self {
        k: 0,
        a4: 0,
        s6: 0,
        d6: 0,
        b: 0,
        label: 0,
        symmetric: false,
    };

    pub(crate) const fn new(seed: u64, fields: HashFields, symmetric: bool) -> Self {
        const fn all(on: bool) -> u64 {
            if on { u64::MAX } else { 0 }
        }
        let src = all(fields.contains(HashFields::SRC_IP));
        let dst = all(fields.contains(HashFields::DST_IP));
        let b = (all(fields.contains(HashFields::SRC_PORT)) & 0xffff)
            | (all(fields.contains(HashFields::DST_PORT)) & 0xffff_0000)
            | (all(fields.contains(HashFields::PROTOCOL)) & 0xff_0000_0000);
        let label = all(fields.contains(HashFields::FLOW_LABEL)) & ((FLOW_LABEL_MASK as u64) << 40);
        Self {
            k: expand_seed(seed),
            a4: (src & 0xffff_ffff) | (dst & 0xffff_ffff_0000_0000),
            s6: src,
            d6: dst,
            b,
            label,
            symmetric,
        }
    }

    /// The 64-bit flow hash `h` of the specification.
    #[inline(always)]
    pub(crate) fn hash(&self, key: &FlowKey) -> u64 {
        if self.symmetric {
            self.hash_in::<true>(key)
        } else {
            self.hash_in::<false>(key)
        }
    }

    /// [`Hasher::hash`] with the symmetric flag known at compile time (batch loops).
    #[inline(always)]
    pub(crate) fn hash_in<const SYMMETRIC: bool>(&self, key: &FlowKey) -> u64 {
        let v6 = key.family == FlowKey::IPV6;
        // Bytes 32..40 of the key as one word: ports, protocol, and `family` and `reserved`
        // in bits 40..64, which the mask always clears. Written so the compiler makes it a
        // single load.
        let raw = u64::from(key.src_port)
            | (u64::from(key.dst_port) << 16)
            | (u64::from(key.protocol) << 32)
            | (u64::from(key.family) << 40)
            | (u64::from(key.reserved[0]) << 48)
            | (u64::from(key.reserved[1]) << 56);
        if !SYMMETRIC {
            return self.words(v6, &key.src, &key.dst, raw, key);
        }
        let swap = if v6 {
            (u128::from_be_bytes(key.src), key.src_port)
                > (u128::from_be_bytes(key.dst), key.dst_port)
        } else {
            (be32(&key.src), key.src_port) > (be32(&key.dst), key.dst_port)
        };
        if swap {
            // The two ports trade places: the low two 16-bit halves swap.
            let swapped = (raw & !0xffff_ffff) | u64::from((raw as u32).rotate_left(16));
            self.words(v6, &key.dst, &key.src, swapped, key)
        } else {
            self.words(v6, &key.src, &key.dst, raw, key)
        }
    }

    /// The hash of endpoints already in hashing order; `raw` is the port word before
    /// masking, `key` gives the flow label.
    #[inline(always)]
    fn words(&self, v6: bool, src: &[u8; 16], dst: &[u8; 16], raw: u64, key: &FlowKey) -> u64 {
        let b = raw & self.b;
        if !v6 {
            let a = (u64::from(le32(src)) | (u64::from(le32(dst)) << 32)) & self.a4;
            let (lo, hi) = mul128(a ^ P[2], b ^ self.k);
            fold(lo ^ P[3], hi ^ P[4])
        } else {
            let (s0, s1) = le64x2(src);
            let (d0, d1) = le64x2(dst);
            let a = fold((s0 & self.s6) ^ P[5], (s1 & self.s6) ^ self.k);
            let d = fold((d0 & self.d6) ^ P[6], (d1 & self.d6) ^ self.k);
            let b = b | ((u64::from(key.flow_label) << 40) & self.label);
            let (lo, hi) = mul128(a ^ P[2], d ^ b ^ self.k);
            fold(lo ^ P[7], hi ^ P[4])
        }
    }
}

#[inline(always)]
fn be32(a: &[u8; 16]) -> u32 {
    u32::from_be_bytes([a[0], a[1], a[2], a[3]])
}

#[inline(always)]
fn le32(a: &[u8; 16]) -> u32 {
    u32::from_le_bytes([a[0], a[1], a[2], a[3]])
}

/// The two little-endian words of a 16-byte address: bytes 0..8 and bytes 8..16.
#[inline(always)]
fn le64x2(a: &[u8; 16]) -> (u64, u64) {
    let w = u128::from_le_bytes(*a);
    (w as u64, (w >> 64) as u64)
}

/// The two per-tunnel salts `(s_t, r_t)` of tunnel `t`, from the expanded seed `k`.
pub(crate) const fn tunnel_salts(k: u64, t: u64) -> (u64, u64) {
    let (a, b) = mul128(k ^ P[8], t ^ P[9]);
    mul128(a ^ P[0], b ^ P[1])
}

/// The rendezvous score of a flow hash `h` for a tunnel with salts `(s, r)`.
#[inline(always)]
pub(crate) const fn score(h: u64, s: u64, r: u64) -> u64 {
    fold(h ^ s, h.rotate_left(32) ^ r)
}

/// Coefficients (Q31) of `log2(1 + t) ≈ t·(C1 − t·(C2 − t·(C3 − t·C4)))` on `0 ≤ t < 1`.
const LOG2_C: [u64; 4] = [3_090_259_139, 1_460_160_507, 699_197_181, 182_031_860];

/// `−log2(u)` in Q32 fixed point for `u = (x | 1) / 2^64`, saturating at 0: the
/// "exponential clock" of weighted rendezvous, in integers only so every platform agrees.
#[inline(always)]
pub(crate) const fn neg_log2(x: u64) -> u64 {
    let y = x | 1;
    let lz = y.leading_zeros() as u64;
    // The 32 bits after the leading one: t in Q32.
    let t = ((y << lz) << 1) >> 32;
    let mut s = LOG2_C[3];
    s = LOG2_C[2] - ((s * t) >> 32);
    s = LOG2_C[1] - ((s * t) >> 32);
    s = LOG2_C[0] - ((s * t) >> 32);
    let p = (s * t) >> 31;
    ((lz + 1) << 32).saturating_sub(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn neg_log2_tracks_the_real_logarithm() {
        // Spot values across the range, including both ends.
        for x in [
            1u64,
            2,
            3,
            1 << 20,
            1 << 40,
            1 << 63,
            (1 << 63) + 12345,
            u64::MAX / 3,
            u64::MAX,
        ] {
            let want = -((x | 1) as f64 / 18_446_744_073_709_551_616.0).log2();
            let got = neg_log2(x) as f64 / 4_294_967_296.0;
            assert!((want - got).abs() < 2e-4, "x={x}: {got} vs {want}");
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn log2_coefficients_are_the_documented_reals_in_q31() {
        let reals = [
            1.439_014_048_754_26,
            0.679_940_221_554_896_8,
            0.325_589_059_380_991_9,
            0.084_765_190_327_419,
        ];
        for (c, r) in LOG2_C.iter().zip(reals) {
            assert_eq!(*c, (r * 2_147_483_648.0_f64).round() as u64);
        }
    }

    #[test]
    fn fastrange_stays_in_range() {
        for n in [1u64, 2, 3, 16, 65_537] {
            assert_eq!(fastrange(u64::MAX, n), n - 1);
            assert_eq!(fastrange(0, n), 0);
        }
    }
}
