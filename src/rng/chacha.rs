//! The ChaCha keystream, sixteen blocks at a time with AVX-512F or eight with AVX2: the same
//! words as `rand_chacha`'s generators, written straight into the caller's buffer.
//!
//! `rand_chacha` produces four 64-byte blocks per call (AVX2 at best) into its own buffer,
//! which `fill_bytes` then copies out. Here each of the sixteen state words of sixteen (eight)
//! consecutive blocks sits in one 512-bit (256-bit) register, block `j` in lane `j`, so a round
//! is 48 vector operations with no shuffles (with AVX-512F, native rotates); a transpose at the
//! end turns the lanes back into blocks, stored in stream order.
//!
//! The block function is ChaCha as `rand_chacha` defines it: the constants, the 256-bit key
//! (the generator's seed), a 64-bit block counter in words 12–13 and the 64-bit stream id in
//! words 14–15, all little-endian; output word `i` of a block is `x[i] + input[i]`. The tests
//! compare every word of the portable, AVX2 and AVX-512 versions with `rand_chacha` for 8, 12
//! and 20 rounds, several seeds and streams, and counters across the 32- and 64-bit carries.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// 32-bit words in one ChaCha block.
pub const BLOCK_WORDS: usize = 16;
/// Blocks produced per call of the wide block function.
pub const WIDE_BLOCKS: usize = 16;
/// Words produced per call of the wide block function (1,024 bytes).
pub const WIDE_WORDS: usize = BLOCK_WORDS * WIDE_BLOCKS;

/// "expand 32-byte k": ChaCha's first four state words.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// ChaCha's `$n` double rounds on the state `$x` with the quarter-round function `$q`: the
/// four columns, then the four diagonals.
macro_rules! double_rounds {
    ($q:ident, $x:expr, $n:expr) => {
        for _ in 0..$n {
            $q($x, 0, 4, 8, 12);
            $q($x, 1, 5, 9, 13);
            $q($x, 2, 6, 10, 14);
            $q($x, 3, 7, 11, 15);
            $q($x, 0, 5, 10, 15);
            $q($x, 1, 6, 11, 12);
            $q($x, 2, 7, 8, 13);
            $q($x, 3, 4, 9, 14);
        }
    };
}

/// Everything that fixes a ChaCha keystream: key, stream id and number of double rounds
/// (4 for ChaCha8, 6 for ChaCha12, 10 for ChaCha20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cipher {
    /// The 256-bit key as eight little-endian words (the generator's seed).
    pub key: [u32; 8],
    /// The 64-bit stream id (words 14–15).
    pub stream: u64,
    /// Double rounds: half the cipher's round count.
    pub double_rounds: u32,
}

impl Cipher {
    /// The keystream of key `seed` (32 bytes, read as little-endian words), stream `stream`,
    /// with `rounds` rounds (8, 12 or 20).
    pub fn new(seed: [u8; 32], stream: u64, rounds: u32) -> Cipher {
        let mut key = [0u32; 8];
        for (k, b) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        Cipher {
            key,
            stream,
            double_rounds: rounds / 2,
        }
    }

    /// Block `counter` of the keystream, portably (one block; the reference for the wide
    /// version is tested against).
    pub fn block(&self, counter: u64, out: &mut [u32; BLOCK_WORDS]) {
        let input = self.input(counter);
        let mut x = input;
        double_rounds!(quarter, &mut x, self.double_rounds);
        for ((o, a), b) in out.iter_mut().zip(x).zip(input) {
            *o = a.wrapping_add(b);
        }
    }

    fn input(&self, counter: u64) -> [u32; 16] {
        let k = &self.key;
        [
            SIGMA[0],
            SIGMA[1],
            SIGMA[2],
            SIGMA[3],
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            k[5],
            k[6],
            k[7],
            counter as u32,
            (counter >> 32) as u32,
            self.stream as u32,
            (self.stream >> 32) as u32,
        ]
    }

    /// Blocks `counter .. counter + 16` into `out` (256 words, stream order).
    ///
    /// # Safety
    /// The CPU must support AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn wide(&self, counter: u64, out: &mut [u32; WIDE_WORDS]) {
        let lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        let lo0 = _mm512_set1_epi32(counter as u32 as i32);
        let lo = _mm512_add_epi32(lo0, lanes);
        // Lanes whose low counter word wrapped carry into the high word.
        let wrapped = _mm512_cmplt_epu32_mask(lo, lo0);
        let hi0 = _mm512_set1_epi32((counter >> 32) as u32 as i32);
        let hi = _mm512_mask_add_epi32(hi0, wrapped, hi0, _mm512_set1_epi32(1));
        let input = self.input(counter);
        let mut s = [_mm512_setzero_si512(); 16];
        for (v, &w) in s.iter_mut().zip(&input) {
            *v = _mm512_set1_epi32(w as i32);
        }
        s[12] = lo;
        s[13] = hi;
        let mut x = s;
        double_rounds!(quarter16, &mut x, self.double_rounds);
        for (a, b) in x.iter_mut().zip(&s) {
            *a = _mm512_add_epi32(*a, *b);
        }
        let blocks = transpose16(x);
        let out = out.as_mut_ptr();
        for (j, b) in blocks.iter().enumerate() {
            // SAFETY: `out` holds 16 blocks of 16 words.
            unsafe { _mm512_storeu_si512(out.add(BLOCK_WORDS * j).cast(), *b) };
        }
    }

    /// Blocks `counter .. counter + 8` into `out` (128 words, stream order), with AVX2:
    /// the same layout as [`Cipher::wide`] on eight lanes, rotations by byte shuffles (16,
    /// 8) and shift pairs (12, 7).
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub unsafe fn wide8(&self, counter: u64, out: &mut [u32; WIDE_WORDS / 2]) {
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let lo0 = _mm256_set1_epi32(counter as u32 as i32);
        let lo = _mm256_add_epi32(lo0, lanes);
        // Lanes whose low counter word wrapped (lo < lo0, unsigned) carry into the high word:
        // the comparison's all-ones lanes are −1, subtracted.
        let bias = _mm256_set1_epi32(i32::MIN);
        let wrapped = _mm256_cmpgt_epi32(_mm256_xor_si256(lo0, bias), _mm256_xor_si256(lo, bias));
        let hi = _mm256_sub_epi32(_mm256_set1_epi32((counter >> 32) as u32 as i32), wrapped);
        let input = self.input(counter);
        let mut s = [_mm256_setzero_si256(); 16];
        for (v, &w) in s.iter_mut().zip(&input) {
            *v = _mm256_set1_epi32(w as i32);
        }
        s[12] = lo;
        s[13] = hi;
        let mut x = s;
        double_rounds!(quarter8, &mut x, self.double_rounds);
        for (a, b) in x.iter_mut().zip(&s) {
            *a = _mm256_add_epi32(*a, *b);
        }
        let [
            r0,
            r1,
            r2,
            r3,
            r4,
            r5,
            r6,
            r7,
            r8,
            r9,
            r10,
            r11,
            r12,
            r13,
            r14,
            r15,
        ] = x;
        let first = transpose8([r0, r1, r2, r3, r4, r5, r6, r7]);
        let second = transpose8([r8, r9, r10, r11, r12, r13, r14, r15]);
        let out = out.as_mut_ptr();
        for j in 0..8 {
            // SAFETY: `out` holds 8 blocks of 16 words; block j is words 0–7 then 8–15.
            unsafe {
                _mm256_storeu_si256(out.add(BLOCK_WORDS * j).cast(), first[j]);
                _mm256_storeu_si256(out.add(BLOCK_WORDS * j + 8).cast(), second[j]);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn quarter8(x: &mut [__m256i; 16], a: usize, b: usize, c: usize, d: usize) {
    // Byte shuffles rotating every 32-bit word left by 16 and by 8 bits.
    let rot16 = _mm256_setr_epi8(
        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9,
        14, 15, 12, 13,
    );
    let rot8 = _mm256_setr_epi8(
        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10,
        15, 12, 13, 14,
    );
    x[a] = _mm256_add_epi32(x[a], x[b]);
    x[d] = _mm256_shuffle_epi8(_mm256_xor_si256(x[d], x[a]), rot16);
    x[c] = _mm256_add_epi32(x[c], x[d]);
    let t = _mm256_xor_si256(x[b], x[c]);
    x[b] = _mm256_or_si256(_mm256_slli_epi32::<12>(t), _mm256_srli_epi32::<20>(t));
    x[a] = _mm256_add_epi32(x[a], x[b]);
    x[d] = _mm256_shuffle_epi8(_mm256_xor_si256(x[d], x[a]), rot8);
    x[c] = _mm256_add_epi32(x[c], x[d]);
    let t = _mm256_xor_si256(x[b], x[c]);
    x[b] = _mm256_or_si256(_mm256_slli_epi32::<7>(t), _mm256_srli_epi32::<25>(t));
}

/// Transposes 8 × 8 words: `r[i]` lane `j` becomes lane `i` of the result's register `j`.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn transpose8(r: [__m256i; 8]) -> [__m256i; 8] {
    let t0 = _mm256_unpacklo_epi32(r[0], r[1]);
    let t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    let t2 = _mm256_unpacklo_epi32(r[2], r[3]);
    let t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    let t4 = _mm256_unpacklo_epi32(r[4], r[5]);
    let t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    let t6 = _mm256_unpacklo_epi32(r[6], r[7]);
    let t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    // u0: rows 0–3 of columns 0 and 4; u1: columns 1, 5; u2: 2, 6; u3: 3, 7; u4…u7 rows 4–7.
    let u0 = _mm256_unpacklo_epi64(t0, t2);
    let u1 = _mm256_unpackhi_epi64(t0, t2);
    let u2 = _mm256_unpacklo_epi64(t1, t3);
    let u3 = _mm256_unpackhi_epi64(t1, t3);
    let u4 = _mm256_unpacklo_epi64(t4, t6);
    let u5 = _mm256_unpackhi_epi64(t4, t6);
    let u6 = _mm256_unpacklo_epi64(t5, t7);
    let u7 = _mm256_unpackhi_epi64(t5, t7);
    [
        _mm256_permute2x128_si256::<0x20>(u0, u4),
        _mm256_permute2x128_si256::<0x20>(u1, u5),
        _mm256_permute2x128_si256::<0x20>(u2, u6),
        _mm256_permute2x128_si256::<0x20>(u3, u7),
        _mm256_permute2x128_si256::<0x31>(u0, u4),
        _mm256_permute2x128_si256::<0x31>(u1, u5),
        _mm256_permute2x128_si256::<0x31>(u2, u6),
        _mm256_permute2x128_si256::<0x31>(u3, u7),
    ]
}

#[inline(always)]
fn quarter(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
fn quarter16(x: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = _mm512_add_epi32(x[a], x[b]);
    x[d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[d], x[a]));
    x[c] = _mm512_add_epi32(x[c], x[d]);
    x[b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[b], x[c]));
    x[a] = _mm512_add_epi32(x[a], x[b]);
    x[d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[d], x[a]));
    x[c] = _mm512_add_epi32(x[c], x[d]);
    x[b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[b], x[c]));
}

/// Transposes 16 × 16 words: `r[i]` lane `j` (word `i` of block `j`) becomes lane `i` of
/// the result's register `j`. Four stages of 16 shuffles.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
fn transpose16(r: [__m512i; 16]) -> [__m512i; 16] {
    // Pairs of rows interleaved by 32-bit words, then by 64-bit words: u[4g + c] holds rows
    // 4g..4g+4 of columns c, c + 4, c + 8, c + 12 (one per 128-bit lane).
    let mut u = [_mm512_setzero_si512(); 16];
    for g in 0..4 {
        let r = &r[4 * g..4 * g + 4];
        let t0 = _mm512_unpacklo_epi32(r[0], r[1]);
        let t1 = _mm512_unpackhi_epi32(r[0], r[1]);
        let t2 = _mm512_unpacklo_epi32(r[2], r[3]);
        let t3 = _mm512_unpackhi_epi32(r[2], r[3]);
        u[4 * g] = _mm512_unpacklo_epi64(t0, t2);
        u[4 * g + 1] = _mm512_unpackhi_epi64(t0, t2);
        u[4 * g + 2] = _mm512_unpacklo_epi64(t1, t3);
        u[4 * g + 3] = _mm512_unpackhi_epi64(t1, t3);
    }
    // Then 128-bit lanes across row groups: column c + 4m gathers lane m of u[c], u[4 + c],
    // u[8 + c], u[12 + c].
    let mut out = [_mm512_setzero_si512(); 16];
    for c in 0..4 {
        let v0 = _mm512_shuffle_i32x4::<0x88>(u[c], u[4 + c]);
        let v1 = _mm512_shuffle_i32x4::<0xDD>(u[c], u[4 + c]);
        let w0 = _mm512_shuffle_i32x4::<0x88>(u[8 + c], u[12 + c]);
        let w1 = _mm512_shuffle_i32x4::<0xDD>(u[8 + c], u[12 + c]);
        out[c] = _mm512_shuffle_i32x4::<0x88>(v0, w0);
        out[c + 8] = _mm512_shuffle_i32x4::<0xDD>(v0, w0);
        out[c + 4] = _mm512_shuffle_i32x4::<0x88>(v1, w1);
        out[c + 12] = _mm512_shuffle_i32x4::<0xDD>(v1, w1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::{ChaCha8Rng, ChaCha12Rng, ChaCha20Rng};

    /// `rand_chacha`'s words from block `counter` on, for key `seed`, stream `stream`.
    fn library(rounds: u32, seed: u64, stream: u64, counter: u64, n: usize) -> (Cipher, Vec<u32>) {
        macro_rules! words {
            ($T:ty) => {{
                let mut r = <$T>::seed_from_u64(seed);
                r.set_stream(stream);
                r.set_word_pos(u128::from(counter) * BLOCK_WORDS as u128);
                (r.get_seed(), (0..n).map(|_| r.next_u32()).collect())
            }};
        }
        let (key, words): ([u8; 32], Vec<u32>) = match rounds {
            8 => words!(ChaCha8Rng),
            12 => words!(ChaCha12Rng),
            _ => words!(ChaCha20Rng),
        };
        (Cipher::new(key, stream, rounds), words)
    }

    /// Counters to start from: the beginning, an arbitrary block, and blocks whose sixteen
    /// lanes cross the carry from word 12 into word 13 (and the 64-bit wrap).
    const COUNTERS: [u64; 5] = [0, 977, (1 << 32) - 5, (7 << 32) - 16, u64::MAX - 3];

    /// Compares a block function making `n` blocks per call — `f(cipher, first block,
    /// output)` — with `rand_chacha` over two calls, for 8, 12 and 20 rounds, several seeds
    /// and streams, and every counter in [`COUNTERS`].
    fn check(n: usize, f: impl Fn(&Cipher, u64, &mut [u32])) {
        for rounds in [8, 12, 20] {
            for (seed, stream) in [(0, 0), (7, 3), (20221012, 1 << 40), (u64::MAX, u64::MAX)] {
                for counter in COUNTERS {
                    let (c, want) = library(rounds, seed, stream, counter, 2 * n * BLOCK_WORDS);
                    let mut got = vec![0; want.len()];
                    for (g, out) in got.chunks_exact_mut(n * BLOCK_WORDS).enumerate() {
                        f(&c, counter.wrapping_add((g * n) as u64), out);
                    }
                    assert_eq!(got, want, "rounds {rounds}, seed {seed}, counter {counter}");
                }
            }
        }
    }

    /// The portable block function equals `rand_chacha` word for word.
    #[test]
    fn block_equals_rand_chacha() {
        check(1, |c, first, out| c.block(first, out.try_into().unwrap()));
    }

    /// The eight-block AVX2 function equals `rand_chacha` (skipped, with a message, on CPUs
    /// without AVX2).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn wide8_equals_rand_chacha() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            println!("no AVX2: eight-block keystream not checked");
            return;
        }
        // SAFETY: AVX2 detected above.
        check(8, |c, first, out| unsafe {
            c.wide8(first, out.try_into().unwrap())
        });
    }

    /// The sixteen-block AVX-512 function equals `rand_chacha` (skipped, with a message, on
    /// CPUs without AVX-512F).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn wide_equals_rand_chacha() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            println!("no AVX-512F: sixteen-block keystream not checked");
            return;
        }
        // SAFETY: AVX-512F detected above.
        check(16, |c, first, out| unsafe {
            c.wide(first, out.try_into().unwrap())
        });
    }
}
