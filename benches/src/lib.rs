//! Shared inputs of the benchmarks and the quality report: flow sets built from documentation
//! address ranges (RFC 5737, RFC 3849) by a fixed pseudo-random sequence.

use vpnha::ecmp::FlowKey;

/// A small fixed pseudo-random sequence (SplitMix64), so every run uses the same flows.
#[derive(Debug, Clone)]
pub struct Flows(u64);

impl Flows {
    /// A sequence starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An IPv4 TCP or UDP flow from 192.0.2.0/24 or 198.51.100.0/24 to 203.0.113.0/24.
    pub fn v4(&mut self) -> FlowKey {
        let r = self.next_u64();
        let src_net = if r & 1 == 0 {
            [192, 0, 2]
        } else {
            [198, 51, 100]
        };
        let src = [src_net[0], src_net[1], src_net[2], (r >> 8) as u8];
        let dst = [203, 0, 113, (r >> 16) as u8];
        let proto = if r & 2 == 0 { 6 } else { 17 };
        FlowKey::v4(
            src,
            dst,
            proto,
            1024 + (r >> 24) as u16 % 60000,
            [443, 53, 4500, 8443][(r >> 40) as usize % 4],
        )
    }

    /// An IPv6 flow within 2001:db8::/32, with a flow label on half of them.
    pub fn v6(&mut self) -> FlowKey {
        let r = self.next_u64();
        let q = self.next_u64();
        let mut src = [0u8; 16];
        let mut dst = [0u8; 16];
        src[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        dst[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        src[4] = 1;
        dst[4] = 2;
        src[8..].copy_from_slice(&r.to_be_bytes());
        dst[8..].copy_from_slice(&q.to_be_bytes());
        let label = if q & 1 == 0 {
            0
        } else {
            (q >> 12) as u32 & 0xf_ffff
        };
        FlowKey::v6(src, dst, 6, 1024 + (q >> 24) as u16 % 60000, 443, label)
    }

    /// `n` flows, IPv4 or IPv6.
    pub fn take(&mut self, n: usize, ipv6: bool) -> Vec<FlowKey> {
        (0..n)
            .map(|_| if ipv6 { self.v6() } else { self.v4() })
            .collect()
    }
}
