//! The ECMP group: configuration, tunnel state and the per-flow selection.

use core::fmt;

use super::hash::{Hasher, expand_seed, fastrange, neg_log2, score, tunnel_salts};
use super::{Algorithm, EcmpError, FlowKey, HashFields};

/// The largest number of tunnels in one group. Tunnel indices fit in a byte, which keeps the
/// Maglev table at one byte per entry; Azure's largest gateways allow 100 site-to-site
/// connections, two tunnels each when active-active.
pub const MAX_TUNNELS: usize = 256;

/// The number of entries of the Maglev table: a prime, fixed, so that a failure never changes
/// it (Maglev's "M > 100·N" for up to 655 tunnels).
pub const MAGLEV_TABLE_SIZE: usize = 65_537;

/// The `u16` that [`EcmpGroup::select_many`] writes for a flow when every tunnel is down.
pub const NONE: u16 = u16::MAX;

const WORDS: usize = MAX_TUNNELS / 64;
const FILLED_WORDS: usize = MAGLEV_TABLE_SIZE.div_ceil(64);
const M: u64 = MAGLEV_TABLE_SIZE as u64;

/// Working memory of the Maglev table build, kept in the group so a rebuild needs neither a
/// heap nor a large stack frame.
#[derive(Clone)]
struct MaglevScratch {
    /// One bit per table entry: taken already.
    filled: [u64; FILLED_WORDS],
    /// The tunnels taking part, in index order.
    members: [u8; MAX_TUNNELS],
    /// Per member: the next table position of its permutation.
    next: [u32; MAX_TUNNELS],
    /// Per member: the permutation's step.
    skip: [u32; MAX_TUNNELS],
    /// Per member: accumulated weight credit for its turns.
    credit: [u64; MAX_TUNNELS],
}

/// A set of tunnels and the rule that picks one per flow.
///
/// Tunnels are numbered `0..tunnel_count`, in the stable order of the topology. Each is up or
/// down, has a weight (1 unless [`EcmpGroup::with_weights`] says otherwise) and two salts
/// derived from the seed. [`EcmpGroup::select`] hashes a [`FlowKey`] with the group's seed,
/// fields and symmetric mode, then applies the [`Algorithm`].
///
/// A group is one fixed-size value with no heap and no borrowed storage (see
/// [the module documentation](crate::ecmp#memory) for its size). It can be built with
/// [`EcmpGroup::new`] and the `with_` builders, or in place with [`EcmpGroup::EMPTY`],
/// [`EcmpGroup::init`] and the `set_` methods, which never move it.
///
/// # Examples
///
/// ```
/// use vpnha::ecmp::{Algorithm, EcmpGroup, FlowKey};
///
/// // Four tunnels; HA peers that share the seed pick the same tunnel for each flow.
/// let mut group = EcmpGroup::new(4, Algorithm::Stable, 0x5eed)?.with_symmetric(true)?;
/// let flow = FlowKey::v4([192, 0, 2, 10], [198, 51, 100, 7], 6, 40000, 443);
/// let tunnel = group.select(&flow).expect("a tunnel is up");
/// assert!(tunnel < 4);
/// // Symmetric mode: the reply takes the same tunnel.
/// assert_eq!(group.select(&flow.reversed()), Some(tunnel));
///
/// // When the tunnel fails, the flow moves; when it returns, the flow moves back.
/// group.set_up(usize::from(tunnel), false)?;
/// assert_ne!(group.select(&flow), Some(tunnel));
/// group.set_up(usize::from(tunnel), true)?;
/// assert_eq!(group.select(&flow), Some(tunnel));
///
/// // Weight 0 makes a standby tunnel; all tunnels down gives None.
/// let mut group = EcmpGroup::new(2, Algorithm::Rendezvous, 0)?.with_weights(&[1, 0])?;
/// assert_eq!(group.select(&flow), Some(0));
/// group.set_up(0, false)?;
/// assert_eq!(group.select(&flow), Some(1));
/// group.set_up(1, false)?;
/// assert_eq!(group.select(&flow), None);
/// # Ok::<(), vpnha::ecmp::EcmpError>(())
/// ```
#[derive(Clone)]
pub struct EcmpGroup {
    hasher: Hasher,
    seed: u64,
    fields: HashFields,
    algorithm: Algorithm,
    count: u16,
    live: u16,
    /// Every configured weight is the same: the primary is plain fastrange.
    uniform: bool,
    /// `Stable` with uniform weights: the common case, tested first.
    fast_stable: bool,
    /// `fast_stable` and not symmetric: one test selects the shortest path.
    fast_plain: bool,
    /// The non-zero configured weights differ: rendezvous compares weighted scores.
    weighted: bool,
    /// The eligible set is the live tunnels of weight > 0 (rather than the live standbys).
    eligible_positive: bool,
    /// Sum of the configured weights.
    total_weight: u64,
    up: [u64; WORDS],
    /// The same as `up`, a byte per tunnel (1 = up): one load on the per-flow path.
    up_bytes: [u8; MAX_TUNNELS],
    positive: [u64; WORDS],
    eligible: [u64; WORDS],
    weights: [u32; MAX_TUNNELS],
    /// Running sums of the configured weights: tunnel `i` is primary for `cum[i-1] <= r < cum[i]`.
    cum: [u64; MAX_TUNNELS],
    /// Hash-threshold: tunnel `i` takes the 31-bit hashes below `limits[i]` not taken before it.
    limits: [u32; MAX_TUNNELS],
    /// Per tunnel `(s_t, r_t)`.
    salts: [[u64; 2]; MAX_TUNNELS],
    table: [u8; MAGLEV_TABLE_SIZE],
    scratch: MaglevScratch,
}

impl EcmpGroup {
    /// A group with no tunnels, for in-place initialisation with [`EcmpGroup::init`].
    ///
    /// Every byte of it is zero, so zeroed memory (a C `static`, `calloc`) already holds this
    /// value. Its [`select`](EcmpGroup::select) returns `None`.
    pub const EMPTY: Self = Self {
        hasher: Hasher::EMPTY,
        seed: 0,
        fields: HashFields::NONE,
        algorithm: Algorithm::Stable,
        count: 0,
        live: 0,
        uniform: false,
        fast_stable: false,
        fast_plain: false,
        weighted: false,
        eligible_positive: false,
        total_weight: 0,
        up: [0; WORDS],
        up_bytes: [0; MAX_TUNNELS],
        positive: [0; WORDS],
        eligible: [0; WORDS],
        weights: [0; MAX_TUNNELS],
        cum: [0; MAX_TUNNELS],
        limits: [0; MAX_TUNNELS],
        salts: [[0; 2]; MAX_TUNNELS],
        table: [0; MAGLEV_TABLE_SIZE],
        scratch: MaglevScratch {
            filled: [0; FILLED_WORDS],
            members: [0; MAX_TUNNELS],
            next: [0; MAX_TUNNELS],
            skip: [0; MAX_TUNNELS],
            credit: [0; MAX_TUNNELS],
        },
    };

    /// A group of `tunnel_count` tunnels, all up, weight 1, five-tuple hash, not symmetric.
    ///
    /// # Errors
    ///
    /// [`EcmpError::TunnelCount`] unless `1 <= tunnel_count <= MAX_TUNNELS`.
    pub fn new(tunnel_count: usize, algorithm: Algorithm, seed: u64) -> Result<Self, EcmpError> {
        let mut group = Self::EMPTY;
        group.init(tunnel_count, algorithm, seed)?;
        Ok(group)
    }

    /// (Re)initialises the group in place, as [`EcmpGroup::new`] would build it; every earlier
    /// setting is forgotten. On error the group is left unchanged.
    ///
    /// # Errors
    ///
    /// [`EcmpError::TunnelCount`] unless `1 <= tunnel_count <= MAX_TUNNELS`.
    pub fn init(
        &mut self,
        tunnel_count: usize,
        algorithm: Algorithm,
        seed: u64,
    ) -> Result<(), EcmpError> {
        if tunnel_count == 0 || tunnel_count > MAX_TUNNELS {
            return Err(EcmpError::TunnelCount {
                count: tunnel_count,
            });
        }
        let count = tunnel_count as u16;
        self.seed = seed;
        self.fields = HashFields::FIVE_TUPLE;
        self.hasher = Hasher::new(seed, HashFields::FIVE_TUPLE, false);
        self.algorithm = algorithm;
        self.count = count;
        self.set_up_mask(prefix_mask(tunnel_count));
        let k = expand_seed(seed);
        for (t, salt) in self.salts.iter_mut().enumerate() {
            *salt = if t < tunnel_count {
                let (s, r) = tunnel_salts(k, t as u64);
                [s, r]
            } else {
                [0, 0]
            };
        }
        let mut ones = [0u32; MAX_TUNNELS];
        ones[..tunnel_count].fill(1);
        self.store_weights(&ones);
        self.refresh(true);
        Ok(())
    }

    /// The group with these weights, one per tunnel (see [`EcmpGroup::set_weights`]).
    ///
    /// # Errors
    ///
    /// As [`EcmpGroup::set_weights`].
    pub fn with_weights(mut self, weights: &[u32]) -> Result<Self, EcmpError> {
        self.set_weights(weights)?;
        Ok(self)
    }

    /// Sets one weight per tunnel. A tunnel's share of the flows is its weight over the sum.
    ///
    /// Weight 0 makes a standby: it is never a primary and never chosen while a live tunnel
    /// of weight above 0 exists. When every live tunnel has weight 0, those standbys carry
    /// the flows with equal shares (selection returns `None` only when every tunnel is down).
    ///
    /// # Errors
    ///
    /// [`EcmpError::WeightCount`] unless there is exactly one weight per tunnel,
    /// [`EcmpError::AllWeightsZero`] when every weight is 0. On error nothing changes.
    pub fn set_weights(&mut self, weights: &[u32]) -> Result<(), EcmpError> {
        let count = self.tunnel_count();
        if weights.len() != count {
            return Err(EcmpError::WeightCount {
                expected: count,
                found: weights.len(),
            });
        }
        if weights.iter().all(|&w| w == 0) {
            return Err(EcmpError::AllWeightsZero);
        }
        let mut all = [0u32; MAX_TUNNELS];
        all[..count].copy_from_slice(weights);
        self.store_weights(&all);
        self.refresh(true);
        Ok(())
    }

    /// The group with symmetric mode on or off (see [`EcmpGroup::set_symmetric`]).
    ///
    /// # Errors
    ///
    /// As [`EcmpGroup::set_symmetric`].
    pub fn with_symmetric(mut self, symmetric: bool) -> Result<Self, EcmpError> {
        self.set_symmetric(symmetric)?;
        Ok(self)
    }

    /// Symmetric mode: both directions of a flow select the same tunnel. The two endpoints
    /// (address, port) are put in a fixed order before hashing; addresses and ports stay
    /// paired, so `A:p -> B:q` and `A:q -> B:p` remain different flows.
    ///
    /// # Errors
    ///
    /// [`EcmpError::SymmetricFlowLabel`] when turning it on while the hash fields include
    /// [`HashFields::FLOW_LABEL`].
    pub fn set_symmetric(&mut self, symmetric: bool) -> Result<(), EcmpError> {
        if symmetric && self.fields.contains(HashFields::FLOW_LABEL) {
            return Err(EcmpError::SymmetricFlowLabel);
        }
        self.hasher = Hasher::new(self.seed, self.fields, symmetric);
        self.fast_plain = self.fast_stable && !symmetric;
        Ok(())
    }

    /// The group hashing these fields (see [`EcmpGroup::set_fields`]).
    ///
    /// # Errors
    ///
    /// As [`EcmpGroup::set_fields`].
    pub fn with_fields(mut self, fields: HashFields) -> Result<Self, EcmpError> {
        self.set_fields(fields)?;
        Ok(self)
    }

    /// Chooses the fields that enter the hash.
    ///
    /// # Errors
    ///
    /// [`EcmpError::SymmetricFlowLabel`] when `fields` include [`HashFields::FLOW_LABEL`] and
    /// symmetric mode is on.
    pub fn set_fields(&mut self, fields: HashFields) -> Result<(), EcmpError> {
        if self.hasher.symmetric && fields.contains(HashFields::FLOW_LABEL) {
            return Err(EcmpError::SymmetricFlowLabel);
        }
        self.fields = fields;
        self.hasher = Hasher::new(self.seed, fields, self.hasher.symmetric);
        Ok(())
    }

    /// Marks tunnel `index` up or down. Setting the state it already has does nothing.
    ///
    /// Cost: O(1) for `Stable` and `Rendezvous`, O(n) for `HashThreshold`, and for `Maglev`,
    /// when the set of tunnels that carry flows changes, a table rebuild (O(M log M);
    /// 0.2–0.9 ms for 2–16 tunnels on a 2.6 GHz core).
    ///
    /// # Errors
    ///
    /// [`EcmpError::TunnelIndex`] when `index >= tunnel_count()`; nothing changes.
    pub fn set_up(&mut self, index: usize, up: bool) -> Result<(), EcmpError> {
        if index >= self.tunnel_count() {
            return Err(EcmpError::TunnelIndex {
                index,
                count: self.tunnel_count(),
            });
        }
        let (word, bit) = (index / 64 % WORDS, 1u64 << (index % 64));
        if (self.up[word] & bit != 0) == up {
            return Ok(());
        }
        self.up[word] ^= bit;
        self.up_bytes[index % MAX_TUNNELS] = u8::from(up);
        if up {
            self.live += 1;
        } else {
            self.live -= 1;
        }
        self.refresh(false);
        Ok(())
    }

    /// Marks every tunnel up or down at once (one rebuild at most).
    pub fn set_all_up(&mut self, up: bool) {
        self.set_up_mask(if up {
            prefix_mask(self.tunnel_count())
        } else {
            [0; WORDS]
        });
        self.refresh(false);
    }

    /// Whether tunnel `index` is up; `false` for an index out of range.
    #[must_use]
    pub fn is_up(&self, index: usize) -> bool {
        index < self.tunnel_count() && self.up_bytes[index % MAX_TUNNELS] != 0
    }

    /// The number of tunnels.
    #[must_use]
    pub fn tunnel_count(&self) -> usize {
        usize::from(self.count)
    }

    /// The number of tunnels that are up.
    #[must_use]
    pub fn live_count(&self) -> usize {
        usize::from(self.live)
    }

    /// The algorithm.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The fields that enter the hash.
    #[must_use]
    pub fn fields(&self) -> HashFields {
        self.fields
    }

    /// Whether symmetric mode is on.
    #[must_use]
    pub fn symmetric(&self) -> bool {
        self.hasher.symmetric
    }

    /// The weights, one per tunnel.
    #[must_use]
    pub fn weights(&self) -> &[u32] {
        self.weights.get(..self.tunnel_count()).unwrap_or(&[])
    }

    /// The group's 64-bit hash of a flow: the value the algorithms map onto a tunnel. It
    /// depends on the seed, the hash fields and symmetric mode, never on tunnel state.
    #[must_use]
    #[inline]
    pub fn hash(&self, key: &FlowKey) -> u64 {
        self.hasher.hash(key)
    }

    /// The tunnel for a flow, or `None` when every tunnel is down.
    ///
    /// Never allocates and never panics, whatever the key holds.
    #[must_use]
    #[inline]
    pub fn select(&self, key: &FlowKey) -> Option<u16> {
        if self.fast_plain {
            return self.stable_uniform(self.hasher.hash_in::<false>(key));
        }
        let h = self.hasher.hash(key);
        if self.fast_stable {
            return self.stable_uniform(h);
        }
        match self.algorithm {
            Algorithm::Stable => self.stable(h),
            Algorithm::Rendezvous => self.rendezvous(h),
            Algorithm::Maglev => self.maglev(h),
            Algorithm::HashThreshold => self.hash_threshold(h),
        }
    }

    /// [`EcmpGroup::select`] for a batch: `out[i]` receives the tunnel of `keys[i]`, or
    /// [`NONE`] (`u16::MAX`) when every tunnel is down.
    ///
    /// # Errors
    ///
    /// [`EcmpError::LengthMismatch`] when the slices differ in length; `out` is not written.
    pub fn select_many(&self, keys: &[FlowKey], out: &mut [u16]) -> Result<(), EcmpError> {
        if keys.len() != out.len() {
            return Err(EcmpError::LengthMismatch {
                keys: keys.len(),
                out: out.len(),
            });
        }
        if self.hasher.symmetric {
            self.fill::<true>(keys, out);
        } else {
            self.fill::<false>(keys, out);
        }
        Ok(())
    }

    /// One loop per algorithm and symmetric mode, so the per-flow work has no dispatch.
    #[inline(always)]
    fn fill<const SYMMETRIC: bool>(&self, keys: &[FlowKey], out: &mut [u16]) {
        let hash = |k: &FlowKey| self.hasher.hash_in::<SYMMETRIC>(k);
        let pairs = keys.iter().zip(out.iter_mut());
        match self.algorithm {
            _ if self.fast_stable => {
                // `stable_uniform` spelled out: writing the `u16` directly spares the
                // `Option` round trip in this, the hottest loop.
                let n = u64::from(self.count);
                for (k, o) in pairs {
                    let h = hash(k);
                    let p = fastrange(h, n) as usize;
                    *o = if self.up_bytes[p % MAX_TUNNELS] != 0 {
                        p as u16
                    } else {
                        self.fallback(h).unwrap_or(NONE)
                    };
                }
            }
            Algorithm::Stable => pairs.for_each(|(k, o)| *o = self.stable(hash(k)).unwrap_or(NONE)),
            Algorithm::Rendezvous => {
                pairs.for_each(|(k, o)| *o = self.rendezvous(hash(k)).unwrap_or(NONE));
            }
            Algorithm::Maglev => {
                if self.live == 0 {
                    pairs.for_each(|(_, o)| *o = NONE);
                } else {
                    for (k, o) in pairs {
                        let entry = self.table.get(fastrange(hash(k), M) as usize);
                        *o = entry.map_or(NONE, |&t| u16::from(t));
                    }
                }
            }
            Algorithm::HashThreshold => {
                pairs.for_each(|(k, o)| *o = self.hash_threshold(hash(k)).unwrap_or(NONE));
            }
        }
    }

    /// `Stable` with equal weights: the primary is `fastrange(h, n)`.
    #[inline(always)]
    fn stable_uniform(&self, h: u64) -> Option<u16> {
        self.stable_from(h, fastrange(h, u64::from(self.count)) as usize)
    }

    #[inline(always)]
    fn stable(&self, h: u64) -> Option<u16> {
        let primary = if self.uniform {
            fastrange(h, u64::from(self.count)) as usize
        } else {
            first_above(
                &self.cum,
                self.tunnel_count(),
                fastrange(h, self.total_weight),
            )
        };
        self.stable_from(h, primary)
    }

    #[inline(always)]
    fn stable_from(&self, h: u64, primary: usize) -> Option<u16> {
        if self.up_bytes[primary % MAX_TUNNELS] != 0 {
            Some(primary as u16)
        } else {
            self.fallback(h)
        }
    }

    /// The primary is down: rendezvous among the live tunnels, kept out of the hot path.
    #[cold]
    #[inline(never)]
    fn fallback(&self, h: u64) -> Option<u16> {
        self.rendezvous(h)
    }

    #[inline(never)]
    fn rendezvous(&self, h: u64) -> Option<u16> {
        if self.weighted && self.eligible_positive {
            self.rendezvous_weighted(h)
        } else {
            self.rendezvous_equal(h)
        }
    }

    #[inline(always)]
    fn rendezvous_equal(&self, h: u64) -> Option<u16> {
        let mut best: Option<(u64, usize)> = None;
        for_each_member(&self.eligible, |t| {
            let [s, r] = self.salts[t % MAX_TUNNELS];
            let x = score(h, s, r);
            if best.is_none_or(|(bx, _)| x > bx) {
                best = Some((x, t));
            }
        });
        best.map(|(_, t)| t as u16)
    }

    #[inline(never)]
    fn rendezvous_weighted(&self, h: u64) -> Option<u16> {
        // Smallest −log2(u)/w wins (compared exactly by cross-multiplying), then the larger
        // score, then the lower index.
        let mut best: Option<(u64, u64, u64, usize)> = None;
        for_each_member(&self.eligible, |t| {
            let [s, r] = self.salts[t % MAX_TUNNELS];
            let x = score(h, s, r);
            let l = neg_log2(x);
            let w = u64::from(self.weights[t % MAX_TUNNELS]);
            let wins = best.is_none_or(|(bl, bw, bx, _)| {
                let (a, b) = (
                    u128::from(l) * u128::from(bw),
                    u128::from(bl) * u128::from(w),
                );
                a < b || (a == b && x > bx)
            });
            if wins {
                best = Some((l, w, x, t));
            }
        });
        best.map(|(.., t)| t as u16)
    }

    #[inline(always)]
    fn maglev(&self, h: u64) -> Option<u16> {
        if self.live == 0 {
            return None;
        }
        self.table
            .get(fastrange(h, M) as usize)
            .map(|&t| u16::from(t))
    }

    #[inline(always)]
    fn hash_threshold(&self, h: u64) -> Option<u16> {
        if self.live == 0 {
            return None;
        }
        Some(first_above(&self.limits, self.tunnel_count(), (h >> 33) as u32) as u16)
    }

    fn store_weights(&mut self, weights: &[u32; MAX_TUNNELS]) {
        let count = self.tunnel_count();
        self.weights = *weights;
        let mut acc = 0u64;
        self.positive = [0; WORDS];
        for (t, (&w, c)) in weights.iter().zip(self.cum.iter_mut()).enumerate() {
            acc += u64::from(w);
            *c = acc;
            if w > 0 {
                self.positive[t / 64 % WORDS] |= 1 << (t % 64);
            }
        }
        self.total_weight = acc;
        let configured = &weights[..count];
        self.uniform = configured.iter().all(|&w| w == configured[0]);
        self.fast_stable = self.uniform && self.algorithm == Algorithm::Stable;
        self.fast_plain = self.fast_stable && !self.hasher.symmetric;
        let mut nonzero = configured.iter().filter(|&&w| w > 0);
        let first = nonzero.next().copied();
        self.weighted = nonzero.any(|&w| Some(w) != first);
    }

    /// Sets the live set: the bit set, its byte copy and the count.
    fn set_up_mask(&mut self, mask: [u64; WORDS]) {
        self.up = mask;
        for (t, b) in self.up_bytes.iter_mut().enumerate() {
            *b = u8::from(mask[t / 64 % WORDS] & (1 << (t % 64)) != 0);
        }
        self.live = mask.iter().map(|w| w.count_ones() as u16).sum();
    }

    /// Recomputes the eligible set from the live set and, when it changed (or `force`), what
    /// the algorithm derives from it.
    fn refresh(&mut self, force: bool) {
        let mut positive_live = [0; WORDS];
        for (p, (u, w)) in positive_live
            .iter_mut()
            .zip(self.up.iter().zip(self.positive.iter()))
        {
            *p = u & w;
        }
        let eligible_positive = positive_live.iter().any(|&w| w != 0);
        let eligible = if eligible_positive {
            positive_live
        } else {
            self.up
        };
        if !force && eligible == self.eligible && eligible_positive == self.eligible_positive {
            return;
        }
        self.eligible = eligible;
        self.eligible_positive = eligible_positive;
        match self.algorithm {
            Algorithm::HashThreshold => self.build_limits(),
            Algorithm::Maglev => self.build_table(),
            Algorithm::Stable | Algorithm::Rendezvous => {}
        }
    }

    /// The weight a tunnel of the eligible set carries: its own, or 1 among standbys.
    fn eligible_weight(&self, t: usize) -> u64 {
        if self.eligible_positive {
            u64::from(self.weights[t % MAX_TUNNELS])
        } else {
            1
        }
    }

    /// Linux's `fib_rebalance()`: upper bound `DIV_ROUND_CLOSEST(cumulative << 31, total) - 1`
    /// per live next hop; stored here as the bound plus one, carried over dead entries.
    fn build_limits(&mut self) {
        let mut total = 0u128;
        for_each_member(&self.eligible, |t| {
            total += u128::from(self.eligible_weight(t))
        });
        let mut acc = 0u128;
        let mut last = 0u32;
        for t in 0..self.tunnel_count() {
            if self.eligible[t / 64 % WORDS] & (1 << (t % 64)) != 0 {
                acc += u128::from(self.eligible_weight(t));
                last = ((((acc << 31) + total / 2) / total.max(1)) as u32).min(1 << 31);
            }
            self.limits[t % MAX_TUNNELS] = last;
        }
    }

    /// Maglev's table fill (Eisenbud et al., NSDI 2016) over the eligible tunnels, with turns
    /// weighted by credit: each round every member gains its weight, and takes one entry
    /// whenever its credit reaches the largest weight.
    fn build_table(&mut self) {
        let mut n = 0usize;
        let mut wmax = 0u64;
        let mut members = [0u8; MAX_TUNNELS];
        for_each_member(&self.eligible, |t| {
            members[n % MAX_TUNNELS] = t as u8;
            n += 1;
            wmax = wmax.max(self.eligible_weight(t));
        });
        if n == 0 || wmax == 0 {
            return;
        }
        let s = &mut self.scratch;
        s.members = members;
        for i in 0..n {
            let [offset, skip] = self.salts[usize::from(s.members[i])];
            s.next[i] = (offset % M) as u32;
            s.skip[i] = (skip % (M - 1) + 1) as u32;
            s.credit[i] = 0;
        }
        s.filled = [0; FILLED_WORDS];
        let mut placed = 0u64;
        'fill: loop {
            for i in 0..n {
                let t = usize::from(s.members[i]);
                let w = if self.eligible_positive {
                    u64::from(self.weights[t])
                } else {
                    1
                };
                s.credit[i] += w;
                if s.credit[i] < wmax {
                    continue;
                }
                s.credit[i] -= wmax;
                let skip = s.skip[i];
                // `c < M` always, so `get` never misses; it only spares a panic path.
                let taken = |c: u32| {
                    s.filled
                        .get((c / 64) as usize)
                        .is_some_and(|w| w & (1 << (c % 64)) != 0)
                };
                // Walk the permutation to its next free entry, two positions per step so the
                // loop-carried addition is half as long.
                let skip2 = step(skip, skip);
                let mut c = s.next[i];
                while taken(c) {
                    let c1 = step(c, skip);
                    if !taken(c1) {
                        c = c1;
                        break;
                    }
                    c = step(c, skip2);
                }
                if let Some(w) = s.filled.get_mut((c / 64) as usize) {
                    *w |= 1 << (c % 64);
                }
                if let Some(e) = self.table.get_mut(c as usize) {
                    *e = t as u8;
                }
                s.next[i] = step(c, skip);
                placed += 1;
                if placed == M {
                    break 'fill;
                }
            }
        }
    }
}

/// The next position of a Maglev permutation: `(c + skip) mod M`, for `c, skip < M`.
#[inline(always)]
fn step(c: u32, skip: u32) -> u32 {
    let next = c + skip;
    if next >= M as u32 {
        next - M as u32
    } else {
        next
    }
}

/// The bit set of tunnels `0..count`.
fn prefix_mask(count: usize) -> [u64; WORDS] {
    let mut m = [0u64; WORDS];
    for (w, word) in m.iter_mut().enumerate() {
        let bits = count.saturating_sub(w * 64).min(64);
        *word = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
    }
    m
}

/// Calls `f` with every member of a tunnel bit set, in increasing order.
#[inline(always)]
fn for_each_member(set: &[u64; WORDS], mut f: impl FnMut(usize)) {
    for (w, &word) in set.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

/// The smallest `i < n` with `x < sorted[i]`, for a non-decreasing `sorted` whose entry
/// `n - 1` exceeds `x` (branch-free binary search).
#[inline(always)]
fn first_above<T: Copy + PartialOrd>(sorted: &[T; MAX_TUNNELS], n: usize, x: T) -> usize {
    let mut base = 0usize;
    let mut len = n;
    while len > 1 {
        let half = len / 2;
        if sorted[(base + half - 1) % MAX_TUNNELS] <= x {
            base += half;
        }
        len -= half;
    }
    base
}

impl Default for EcmpGroup {
    /// [`EcmpGroup::EMPTY`].
    fn default() -> Self {
        Self::EMPTY
    }
}

impl fmt::Debug for EcmpGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Up<'a>(&'a EcmpGroup);
        impl fmt::Debug for Up<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries((0..self.0.tunnel_count()).filter(|&t| self.0.is_up(t)))
                    .finish()
            }
        }
        f.debug_struct("EcmpGroup")
            .field("algorithm", &self.algorithm)
            .field("tunnel_count", &self.count)
            .field("up", &Up(self))
            .field("weights", &self.weights())
            .field("seed", &self.seed)
            .field("fields", &self.fields)
            .field("symmetric", &self.hasher.symmetric)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_above_matches_a_linear_scan() {
        let mut sorted = [0u64; MAX_TUNNELS];
        // Runs of equal values stand for tunnels with weight 0 or down.
        let steps = [3u64, 0, 0, 5, 1, 0, 7, 2, 2, 0, 9];
        let mut acc = 0;
        for (i, s) in steps.iter().enumerate() {
            acc += s;
            sorted[i] = acc;
        }
        let n = steps.len();
        for x in 0..acc {
            let linear = (0..n).find(|&i| x < sorted[i]).unwrap();
            assert_eq!(first_above(&sorted, n, x), linear, "x={x}");
        }
        for n in 1..=n {
            assert!(first_above(&sorted, n, 0) < n);
        }
    }

    #[test]
    fn hash_threshold_limits_are_linux_bounds_plus_one() {
        // fib_rebalance: upper_bound = DIV_ROUND_CLOSEST(w_cum << 31, w_total) - 1.
        let linux = |cum: u64, total: u64| ((cum << 31) + total / 2) / total;
        let mut g = EcmpGroup::new(3, Algorithm::HashThreshold, 0).unwrap();
        assert_eq!(g.limits[..3], [715_827_883, 1_431_655_765, 1 << 31]);
        g.set_weights(&[2, 3, 9]).unwrap();
        let want: [u64; 3] = [linux(2, 14), linux(5, 14), linux(14, 14)];
        assert_eq!(
            g.limits[..3]
                .iter()
                .map(|&l| u64::from(l))
                .collect::<Vec<_>>(),
            want
        );
        // A dead next hop takes no range; the others share the total of the live ones.
        g.set_up(1, false).unwrap();
        assert_eq!(u64::from(g.limits[0]), linux(2, 11));
        assert_eq!(g.limits[1], g.limits[0]);
        assert_eq!(g.limits[2], 1 << 31);
    }

    #[test]
    fn maglev_table_shares_follow_weights() {
        let mut g = EcmpGroup::new(4, Algorithm::Maglev, 5).unwrap();
        let count = |g: &EcmpGroup| {
            let mut c = [0usize; 4];
            for &t in &g.table {
                c[usize::from(t)] += 1;
            }
            c
        };
        // Equal turns: every tunnel holds within one entry of M / 4.
        for c in count(&g) {
            assert!(c.abs_diff(MAGLEV_TABLE_SIZE / 4) <= 1, "{c}");
        }
        g.set_weights(&[1, 3, 0, 4]).unwrap();
        let c = count(&g);
        assert_eq!(c[2], 0);
        assert!(
            c[1].abs_diff(3 * c[0]) <= 3 && c[3].abs_diff(4 * c[0]) <= 4,
            "{c:?}"
        );
        assert_eq!(c.iter().sum::<usize>(), MAGLEV_TABLE_SIZE);
    }

    #[test]
    fn setting_the_same_state_twice_changes_nothing() {
        let mut g = EcmpGroup::new(4, Algorithm::Maglev, 5).unwrap();
        g.set_up(1, false).unwrap();
        let table = g.table;
        g.set_up(1, false).unwrap();
        assert_eq!(g.live_count(), 3);
        assert!(g.table == table);
        // Standbys going up or down while weighted tunnels live change no table entry.
        g.set_weights(&[1, 1, 0, 1]).unwrap();
        let table = g.table;
        g.set_up(2, false).unwrap();
        assert!(g.table == table);
    }

    #[test]
    fn up_state_has_one_truth() {
        let mut g = EcmpGroup::new(130, Algorithm::Stable, 0).unwrap();
        for t in [0, 63, 64, 127, 128, 129] {
            g.set_up(t, false).unwrap();
        }
        for t in 0..130 {
            let bit = g.up[t / 64] & (1 << (t % 64)) != 0;
            assert_eq!(bit, g.up_bytes[t] == 1, "{t}");
        }
        assert_eq!(g.live_count(), 124);
        assert_eq!(prefix_mask(130), [u64::MAX, u64::MAX, 3, 0]);
        assert_eq!(prefix_mask(256), [u64::MAX; 4]);
    }
}
