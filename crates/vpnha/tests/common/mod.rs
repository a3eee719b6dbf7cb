//! A naive reference selector, written from the specification in `docs/ecmp.md` for clarity,
//! not speed: the oracle for the fast implementation. It shares no code with the crate beyond
//! the `FlowKey` type; the hash is re-derived here from the written specification too.
#![allow(dead_code, unreachable_pub)]

use vpnha::ecmp::{Algorithm, FlowKey};

/// The first ten 64-bit words of π's fractional part.
pub const P: [u64; 10] = [
    0x243f6a8885a308d3,
    0x13198a2e03707344,
    0xa4093822299f31d0,
    0x082efa98ec4e6c89,
    0x452821e638d01377,
    0xbe5466cf34e90c6c,
    0xc0ac29b7c97c50dd,
    0x3f84d5b5b5470917,
    0x9216d5d98979fb1b,
    0xd1310ba698dfb5ac,
];

pub const M: usize = 65_537;

pub fn mul128(a: u64, b: u64) -> (u64, u64) {
    let p = u128::from(a) * u128::from(b);
    (p as u64, (p >> 64) as u64)
}

pub fn fold(a: u64, b: u64) -> u64 {
    let (lo, hi) = mul128(a, b);
    lo ^ hi
}

pub fn fastrange(x: u64, n: u64) -> u64 {
    ((u128::from(x) * u128::from(n)) >> 64) as u64
}

pub fn expand_seed(seed: u64) -> u64 {
    seed ^ fold(seed ^ P[0], P[1])
}

/// The flow hash, step by step as the specification words it.
pub fn ref_hash(seed: u64, fields: u32, symmetric: bool, key: &FlowKey) -> u64 {
    let k = expand_seed(seed);
    let v6 = key.family == 6;
    let mut src = key.src;
    let mut dst = key.dst;
    let mut sport = key.src_port;
    let mut dport = key.dst_port;
    if symmetric {
        // Endpoint = (address as a big-endian number, port); the larger one goes second.
        let number = |a: &[u8; 16]| {
            if v6 {
                u128::from_be_bytes(*a)
            } else {
                u128::from(u32::from_be_bytes([a[0], a[1], a[2], a[3]]))
            }
        };
        if (number(&src), sport) > (number(&dst), dport) {
            std::mem::swap(&mut src, &mut dst);
            std::mem::swap(&mut sport, &mut dport);
        }
    }
    let has = |bit: u32| fields & bit != 0;
    if !has(0x01) {
        src = [0; 16];
    }
    if !has(0x02) {
        dst = [0; 16];
    }
    let sport = if has(0x10) { u64::from(sport) } else { 0 };
    let dport = if has(0x20) { u64::from(dport) } else { 0 };
    let proto = if has(0x04) {
        u64::from(key.protocol)
    } else {
        0
    };
    let label = if v6 && has(0x08) {
        u64::from(key.flow_label & 0xf_ffff)
    } else {
        0
    };
    let b = sport + (dport << 16) + (proto << 32) + (label << 40);
    if v6 {
        let word = |a: &[u8; 16], at: usize| u64::from_le_bytes(a[at..at + 8].try_into().unwrap());
        let a = fold(word(&src, 0) ^ P[5], word(&src, 8) ^ k);
        let d = fold(word(&dst, 0) ^ P[6], word(&dst, 8) ^ k);
        let (lo, hi) = mul128(a ^ P[2], d ^ b ^ k);
        fold(lo ^ P[7], hi ^ P[4])
    } else {
        let s = u64::from(u32::from_le_bytes([src[0], src[1], src[2], src[3]]));
        let d = u64::from(u32::from_le_bytes([dst[0], dst[1], dst[2], dst[3]]));
        let (lo, hi) = mul128((s | (d << 32)) ^ P[2], b ^ k);
        fold(lo ^ P[3], hi ^ P[4])
    }
}

/// `−log2(u)` in Q32 by the specification's polynomial.
pub fn neg_log2(x: u64) -> u64 {
    const C: [u64; 4] = [3_090_259_139, 1_460_160_507, 699_197_181, 182_031_860];
    let y = x | 1;
    let lz = u64::from(y.leading_zeros());
    let t = (y << lz << 1) >> 32;
    let s = C[3];
    let s = C[2] - ((s * t) >> 32);
    let s = C[1] - ((s * t) >> 32);
    let s = C[0] - ((s * t) >> 32);
    let p = (s * t) >> 31;
    ((lz + 1) << 32).saturating_sub(p)
}

/// A group as plain vectors.
#[derive(Debug, Clone)]
pub struct RefGroup {
    pub algorithm: Algorithm,
    pub seed: u64,
    pub weights: Vec<u32>,
    pub up: Vec<bool>,
    pub fields: u32,
    pub symmetric: bool,
}

impl RefGroup {
    pub fn new(n: usize, algorithm: Algorithm, seed: u64) -> Self {
        Self {
            algorithm,
            seed,
            weights: vec![1; n],
            up: vec![true; n],
            fields: 0x37,
            symmetric: false,
        }
    }

    pub fn n(&self) -> usize {
        self.weights.len()
    }

    pub fn salts(&self, t: usize) -> (u64, u64) {
        let k = expand_seed(self.seed);
        let (a, b) = mul128(k ^ P[8], t as u64 ^ P[9]);
        mul128(a ^ P[0], b ^ P[1])
    }

    /// The tunnels that can carry flows, with the weight each carries, and whether they are
    /// the live tunnels of weight above zero (otherwise: the live standbys, weight 1 each).
    pub fn eligible(&self) -> (Vec<(usize, u64)>, bool) {
        let positive: Vec<(usize, u64)> = (0..self.n())
            .filter(|&t| self.up[t] && self.weights[t] > 0)
            .map(|t| (t, u64::from(self.weights[t])))
            .collect();
        if positive.is_empty() {
            (
                (0..self.n())
                    .filter(|&t| self.up[t])
                    .map(|t| (t, 1))
                    .collect(),
                false,
            )
        } else {
            (positive, true)
        }
    }

    /// The non-zero configured weights are not all equal.
    pub fn weighted(&self) -> bool {
        let mut nonzero = self.weights.iter().filter(|&&w| w > 0);
        let first = nonzero.next();
        nonzero.any(|w| Some(w) != first)
    }

    pub fn hash(&self, key: &FlowKey) -> u64 {
        ref_hash(self.seed, self.fields, self.symmetric, key)
    }

    pub fn rendezvous(&self, h: u64) -> Option<usize> {
        let (members, positive) = self.eligible();
        let score = |t: usize| {
            let (s, r) = self.salts(t);
            fold(h ^ s, h.rotate_left(32) ^ r)
        };
        if self.weighted() && positive {
            // Minimise −log2(u)/w; ties: larger score, then lower index.
            let mut best: Option<(usize, u64, u64, u64)> = None;
            for (t, w) in members {
                let x = score(t);
                let l = neg_log2(x);
                let better = match best {
                    None => true,
                    Some((_, bl, bw, bx)) => {
                        let lhs = u128::from(l) * u128::from(bw);
                        let rhs = u128::from(bl) * u128::from(w);
                        lhs < rhs || (lhs == rhs && x > bx)
                    }
                };
                if better {
                    best = Some((t, l, w, x));
                }
            }
            best.map(|b| b.0)
        } else {
            // Largest score; ties: lower index.
            members
                .iter()
                .map(|&(t, _)| (score(t), std::cmp::Reverse(t)))
                .max()
                .map(|(_, std::cmp::Reverse(t))| t)
        }
    }

    pub fn stable(&self, h: u64) -> Option<usize> {
        let total: u64 = self.weights.iter().map(|&w| u64::from(w)).sum();
        let r = fastrange(h, total);
        let mut cum = 0u64;
        for t in 0..self.n() {
            cum += u64::from(self.weights[t]);
            if r < cum {
                return if self.up[t] {
                    Some(t)
                } else {
                    self.rendezvous(h)
                };
            }
        }
        unreachable!("r < total")
    }

    /// Linux `fib_rebalance` + `fib_select_multipath`, with signed bounds as the kernel has.
    pub fn hash_threshold(&self, h: u64) -> Option<usize> {
        let (members, _) = self.eligible();
        let total: u128 = members.iter().map(|&(_, w)| u128::from(w)).sum();
        let h31 = (h >> 33) as i64;
        let mut acc = 0u128;
        for (t, w) in members {
            acc += u128::from(w);
            let bound = (((acc << 31) + total / 2) / total) as i64 - 1;
            if h31 <= bound {
                return Some(t);
            }
        }
        None
    }

    /// Maglev's table, filled with explicit permutations and weighted turns.
    pub fn maglev_table(&self) -> Option<Vec<usize>> {
        let (members, _) = self.eligible();
        if members.is_empty() {
            return None;
        }
        let m = M as u64;
        let wmax = members.iter().map(|&(_, w)| w).max().unwrap();
        let perm: Vec<(u64, u64)> = members
            .iter()
            .map(|&(t, _)| {
                let (s, r) = self.salts(t);
                (s % m, r % (m - 1) + 1)
            })
            .collect();
        let mut next = vec![0u64; members.len()];
        let mut credit = vec![0u64; members.len()];
        let mut table: Vec<Option<usize>> = vec![None; M];
        let mut placed = 0;
        'fill: loop {
            for (i, &(t, w)) in members.iter().enumerate() {
                credit[i] += w;
                if credit[i] < wmax {
                    continue;
                }
                credit[i] -= wmax;
                let (offset, skip) = perm[i];
                loop {
                    let c = ((offset + next[i] * skip) % m) as usize;
                    next[i] += 1;
                    if table[c].is_none() {
                        table[c] = Some(t);
                        break;
                    }
                }
                placed += 1;
                if placed == M {
                    break 'fill;
                }
            }
        }
        Some(table.into_iter().map(Option::unwrap).collect())
    }

    /// The tunnel for every flow (the Maglev table is built once).
    pub fn select_all(&self, keys: &[FlowKey]) -> Vec<Option<usize>> {
        let table = if self.algorithm == Algorithm::Maglev {
            self.maglev_table()
        } else {
            None
        };
        keys.iter()
            .map(|key| {
                let h = self.hash(key);
                match self.algorithm {
                    Algorithm::Stable => self.stable(h),
                    Algorithm::Rendezvous => self.rendezvous(h),
                    Algorithm::HashThreshold => self.hash_threshold(h),
                    Algorithm::Maglev => table.as_ref().map(|t| t[fastrange(h, M as u64) as usize]),
                }
            })
            .collect()
    }

    pub fn select(&self, key: &FlowKey) -> Option<usize> {
        self.select_all(std::slice::from_ref(key))[0]
    }
}

/// A fixed pseudo-random sequence (SplitMix64) for test inputs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An IPv4 or IPv6 flow within the documentation ranges.
    pub fn flow(&mut self, v6: bool) -> FlowKey {
        let r = self.next_u64();
        let q = self.next_u64();
        if v6 {
            let mut s = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            let mut d = s;
            s[8..].copy_from_slice(&r.to_be_bytes());
            d[8..].copy_from_slice(&q.to_be_bytes());
            FlowKey::v6(
                s,
                d,
                [6, 17][(r >> 7) as usize & 1],
                q as u16,
                (q >> 16) as u16,
                (r >> 40) as u32,
            )
        } else {
            let nets = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
            let s = nets[(r % 3) as usize];
            let d = nets[((r >> 2) % 3) as usize];
            FlowKey::v4(
                [s[0], s[1], s[2], (r >> 8) as u8],
                [d[0], d[1], d[2], (r >> 16) as u8],
                [6, 17][(r >> 24) as usize & 1],
                q as u16,
                (q >> 16) as u16,
            )
        }
    }

    pub fn flows(&mut self, n: usize, v6: bool) -> Vec<FlowKey> {
        (0..n).map(|_| self.flow(v6)).collect()
    }

    /// Half IPv4, half IPv6, interleaved.
    pub fn mixed(&mut self, n: usize) -> Vec<FlowKey> {
        (0..n).map(|i| self.flow(i % 2 == 1)).collect()
    }
}
