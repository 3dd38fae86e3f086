//! How the kernel lays out the states for the per-state pass: each state's parameters in the
//! f32 form the decision uses ([`Lane`]), sixteen states per [`Block`] (one array per
//! parameter, 64-byte aligned), packed per-state counters, and cache-line-aligned buffers.

use super::UNIFORM_RESOLUTION;
use crate::model::StateModel;
use crate::normal::{APPROX_QUANTILE_ERROR, InvNormalF32};

/// One state's parameters in the f32 form the per-ballot decision uses, on the scale of
/// [`super::uniform_steps`] (`X = u·2²⁴`). The state's `X` is compared with four increasing
/// thresholds (probabilities times 2²⁴, exact): `seg[0]` (end of "still absent"), `seg[1]`
/// (end of mobilised yes), `seg[2]` (end of mobilised abstain) and `seg[3]` (base absence `a`,
/// end of mobilised no). Above `a` the state is present with rescaled uniform
/// `v = (u − a)/(1 − a) = fma(X, scale, offset)` and its complement
/// `1 − v = (1 − u)/(1 − a) = fma(−X, scale, upper)`, idiosyncratic shock
/// `ε = Φ⁻¹(v)` ([`InvNormalF32::inv_split`]) and latent score `z = fma(σ, ε, μ)`, compared
/// with the cut-points: two more "thresholds passed", `z ≥ cut_no` (not no) and
/// `z ≥ cut_yes` (yes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Lane {
    pub(super) seg: [f32; 4],
    pub(super) cut_no: f32,
    pub(super) cut_yes: f32,
    pub(super) sigma: f32,
    /// `2⁻²⁴/(1 − a)` (exactly `upper·2⁻²⁴`).
    pub(super) scale: f32,
    /// `−a/(1 − a)`.
    pub(super) offset: f32,
    /// `1/(1 − a)`.
    pub(super) upper: f32,
}

impl Lane {
    pub(super) fn of(s: &StateModel) -> Lane {
        let [y, _, a] = s.mobilised;
        let steps = 1.0 / UNIFORM_RESOLUTION;
        let mut seg = [
            s.p_absent as f32,
            (s.p_absent + y) as f32,
            (s.p_absent + y + a) as f32,
            s.base_absent as f32,
        ];
        // Rounding must not break the nesting the counting relies on.
        for k in 1..4 {
            if seg[k] < seg[k - 1] {
                seg[k] = seg[k - 1];
            }
        }
        let present = 1.0 - s.base_absent;
        let (upper, offset) = if present > 0.0 {
            ((1.0 / present) as f32, (-s.base_absent / present) as f32)
        } else {
            (0.5, 0.5) // never present: any finite values
        };
        Lane {
            seg: seg.map(|t| t * steps as f32),
            cut_no: s.cut_no as f32,
            cut_yes: s.cut_yes as f32,
            sigma: s.loadings.idio as f32,
            scale: upper * UNIFORM_RESOLUTION as f32,
            offset,
            upper,
        }
    }

    /// A lane that fills a block beyond the last state: its `X` (< 2²⁴) never reaches any
    /// threshold, so it never counts; its rescaled uniform is ¼ (no gather in the quantile).
    const PADDING: Lane = Lane {
        seg: [33_554_432.0; 4],
        cut_no: 0.0,
        cut_yes: 0.0,
        sigma: 0.0,
        scale: 0.0,
        offset: 0.25,
        upper: 0.75,
    };

    /// Outcome index for uniform steps `x` ([`super::uniform_steps`]) and conditional mean `mu`
    /// (scalar path: leaders and the reference visitor; the vectorised pass computes the same
    /// comparisons).
    #[inline]
    pub(super) fn decide(&self, x: f32, mu: f32) -> usize {
        match outcome_bits(self.passes(x, mu)) {
            [1, _, _] => 0,
            [_, 1, _] => 1,
            [_, _, 1] => 2,
            _ => 3,
        }
    }

    /// The increment of the state's packed chunk counter ([`PACKED_INC`]) for uniform steps
    /// `x` and conditional mean `mu`: the exact decision, by [`Lane::passes`].
    #[inline]
    pub(super) fn increment(&self, x: f32, mu: f32) -> u32 {
        let bits = outcome_bits(self.passes(x, mu));
        bits.iter().zip(PACKED_INC).map(|(&b, c)| b * c).sum()
    }

    /// The part of the state's tolerance in the fast pass that depends on it alone:
    /// `σ·(APPROX_QUANTILE_ERROR + 2⁻¹⁹)`, rounded up (see [`super::pass`]).
    pub(super) fn margin(&self) -> f32 {
        let m = f64::from(self.sigma) * (f64::from(APPROX_QUANTILE_ERROR) + 2f64.powi(-19));
        (m * (1.0 + 2f64.powi(-20))) as f32
    }

    /// Which of the six thresholds uniform steps `x` reach in a ballot with conditional mean
    /// `mu` (each 0 or 1, non-increasing). Branch-free; the same operations in scalar code and
    /// in every SIMD lane.
    #[inline(always)]
    pub(super) fn passes(&self, x: f32, mu: f32) -> [u32; 6] {
        let v = x.mul_add(self.scale, self.offset);
        let w = (-x).mul_add(self.scale, self.upper);
        let eps = InvNormalF32.inv_split(v, w);
        let z = self.sigma.mul_add(eps, mu);
        let present = x >= self.seg[3];
        let not_no = present & (z >= self.cut_no);
        let yes = not_no & (z >= self.cut_yes);
        [
            u32::from(x >= self.seg[0]),
            u32::from(x >= self.seg[1]),
            u32::from(x >= self.seg[2]),
            u32::from(present),
            u32::from(not_no),
            u32::from(yes),
        ]
    }
}

/// Yes, no and abstain (each 0 or 1) from a state's [`Lane::passes`]: the u-segments in order
/// are still absent, mobilised yes, mobilised abstain, mobilised no, then present: no,
/// abstain, yes.
#[inline(always)]
pub(super) fn outcome_bits(m: [u32; 6]) -> [u32; 3] {
    let [m0, m1, m2, _, m4, m5] = m;
    [
        (m0 & (m1 ^ 1)) | m5,
        m2 & (m4 ^ 1),
        (m1 & (m2 ^ 1)) | (m4 & (m5 ^ 1)),
    ]
}

/// States per block of the vectorised pass (one AVX-512 register of f32).
pub const BLOCK: usize = 16;

/// A ballot's outcome for one state as an increment of its packed chunk counter: yes adds
/// 1 (bits 0–9), no 2¹⁰ (bits 10–19), abstain 2²⁰ (bits 20–29); absent adds nothing.
pub const PACKED_INC: [u32; 3] = [1, 1 << 10, 1 << 20];
/// The same increment from the thresholds a state's uniform passes (see [`Lane::passes`]),
/// which are nested — `u ≥ seg[0]` ⊇ `u ≥ seg[1]` ⊇ `u ≥ seg[2]` ⊇ present ⊇ not no ⊇ yes —
/// as a sum: passing `seg[0]` adds `NESTED_INC[0]`, then `seg[1]`, `seg[2]`, "not no" and
/// "yes" each add theirs (wrapping u32 arithmetic; "present" adds nothing). Yes is
/// `[seg0] − [seg1] + [yes]`, no `[seg2] − [not no]`, abstain `[seg1] − [seg2] + [not no] − [yes]`:
/// exactly [`outcome_bits`].
pub(super) const NESTED_INC: [u32; 5] = [
    PACKED_INC[0],
    PACKED_INC[2].wrapping_sub(PACKED_INC[0]),
    PACKED_INC[1].wrapping_sub(PACKED_INC[2]),
    PACKED_INC[2].wrapping_sub(PACKED_INC[1]),
    PACKED_INC[0].wrapping_sub(PACKED_INC[2]),
];
/// Bits per field of a packed counter.
pub(super) const FIELD_BITS: u32 = 10;
/// Ballots (for chunk counters) or blocks (for a ballot's lane sums) a packed counter absorbs
/// before a field could overflow; counters are unpacked at least this often.
pub const PACKED_MAX: usize = (1 << FIELD_BITS) - 1;

/// The three fields of a packed counter: yes, no, abstain.
#[inline]
pub(super) fn unpack(c: u32) -> [u32; 3] {
    let mask = (1 << FIELD_BITS) - 1;
    [
        c & mask,
        (c >> FIELD_BITS) & mask,
        (c >> (2 * FIELD_BITS)) & mask,
    ]
}

/// Sixteen states' parameters, one array per field, for the vectorised pass; the last block
/// is completed with [`Lane::PADDING`].
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct Block {
    pub(super) seg: [[f32; BLOCK]; 4],
    pub(super) cut_no: [f32; BLOCK],
    pub(super) cut_yes: [f32; BLOCK],
    pub(super) sigma: [f32; BLOCK],
    pub(super) scale: [f32; BLOCK],
    pub(super) offset: [f32; BLOCK],
    pub(super) upper: [f32; BLOCK],
    /// The part of each state's tolerance that depends on it alone ([`Lane::margin`]).
    pub(super) margin: [f32; BLOCK],
    /// Pattern of each state (index into the per-ballot conditional means).
    pub(super) pattern: [u32; BLOCK],
}

impl Block {
    fn set(&mut self, j: usize, l: &Lane, pattern: u32) {
        for (s, &v) in self.seg.iter_mut().zip(&l.seg) {
            s[j] = v;
        }
        self.cut_no[j] = l.cut_no;
        self.cut_yes[j] = l.cut_yes;
        self.sigma[j] = l.sigma;
        self.scale[j] = l.scale;
        self.offset[j] = l.offset;
        self.upper[j] = l.upper;
        self.margin[j] = l.margin();
        self.pattern[j] = pattern;
    }

    /// State `j`'s parameters.
    #[inline(always)]
    pub(super) fn lane(&self, j: usize) -> Lane {
        Lane {
            seg: std::array::from_fn(|k| self.seg[k][j]),
            cut_no: self.cut_no[j],
            cut_yes: self.cut_yes[j],
            sigma: self.sigma[j],
            scale: self.scale[j],
            offset: self.offset[j],
            upper: self.upper[j],
        }
    }
}

/// Every state's parameters in simulation order, in blocks of [`BLOCK`].
#[derive(Debug, Default)]
pub(super) struct Blocks {
    pub(super) blocks: Vec<Block>,
    /// Number of states (the rest of the last block is padding).
    pub(super) n: usize,
    /// One more than the largest pattern index.
    pub(super) n_patterns: usize,
}

impl Blocks {
    pub(super) fn push(&mut self, l: &Lane, pattern: usize) {
        let j = self.n % BLOCK;
        if j == 0 {
            let mut b = Block {
                seg: [[0.0; BLOCK]; 4],
                cut_no: [0.0; BLOCK],
                cut_yes: [0.0; BLOCK],
                sigma: [0.0; BLOCK],
                scale: [0.0; BLOCK],
                offset: [0.0; BLOCK],
                upper: [0.0; BLOCK],
                margin: [0.0; BLOCK],
                pattern: [0; BLOCK],
            };
            for j in 0..BLOCK {
                b.set(j, &Lane::PADDING, 0);
            }
            self.blocks.push(b);
        }
        let last = self.blocks.len() - 1;
        self.blocks[last].set(j, l, pattern as u32);
        self.n += 1;
        self.n_patterns = self.n_patterns.max(pattern + 1);
    }

    /// States including the padding: the length of the uniforms and counters a pass reads.
    pub(super) fn padded(&self) -> usize {
        self.blocks.len() * BLOCK
    }

    /// The pattern of the state at simulation position `p`.
    pub(super) fn pattern(&self, p: usize) -> usize {
        self.blocks[p / BLOCK].pattern[p % BLOCK] as usize
    }
}

/// Outcome counts `[yes, no, abstain, absent]` from yes, no and abstain counts out of
/// `total`.
#[inline]
pub(super) fn with_absent(c: [u32; 3], total: u32) -> [u32; 4] {
    [c[0], c[1], c[2], total - c[0] - c[1] - c[2]]
}

/// Sixteen values on one 64-byte cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct Line<T: Copy>([T; 16]);

/// A buffer of `u32` or `f32` that starts on a cache line and spans whole lines, so that the
/// SIMD loads and stores of 16 values at multiples of 16 never straddle two lines.
#[derive(Debug, Clone)]
pub(super) struct Lines<T: Copy>(Vec<Line<T>>);

impl<T: Copy + Default> Lines<T> {
    /// At least `n` default values (rounded up to whole lines).
    pub(super) fn new(n: usize) -> Lines<T> {
        Lines(vec![Line([T::default(); 16]); n.div_ceil(16)])
    }
}

impl<T: Copy> std::ops::Deref for Lines<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        const { assert!(size_of::<Line<T>>() == 16 * size_of::<T>()) };
        // SAFETY: `Line<T>` is `[T; 16]` plus alignment, without padding (asserted above),
        // so the lines are `16·len` contiguous, initialised `T`s.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast::<T>(), 16 * self.0.len()) }
    }
}

impl<T: Copy> std::ops::DerefMut for Lines<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        const { assert!(size_of::<Line<T>>() == 16 * size_of::<T>()) };
        // SAFETY: as in `deref`, with unique access.
        unsafe {
            std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<T>(), 16 * self.0.len())
        }
    }
}
