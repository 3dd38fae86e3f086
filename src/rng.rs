//! The one place random-number streams are made.
//!
//! Chunk `k` of a run with master seed `s` uses `ChaChaXRng::seed_from_u64(s)` switched to
//! stream `k` (`set_stream(k)`): 2⁶⁴ independent, non-overlapping streams per seed. A chunk's
//! numbers therefore depend only on (generator, seed, chunk index), never on which thread runs
//! it, so results are identical for any thread count. ChaCha generators are portable: the same
//! on every platform and endianness.
//!
//! The engine reads a chunk's numbers in bulk through [`ChunkWords`]: the same words, made by
//! the wide keystream of [`chacha`] (sixteen blocks at a time with AVX-512F, eight with AVX2)
//! where the CPU has it, else by the `rand_chacha` generator itself.

pub mod chacha;

use rand::{Rng, SeedableRng};
use rand_chacha::{ChaCha8Rng, ChaCha12Rng, ChaCha20Rng};

use chacha::{Cipher, WIDE_WORDS};

use crate::scenario::RngKind;

/// The generator of one chunk, of the kind the scenario chose.
pub enum ChunkRng {
    /// ChaCha8.
    ChaCha8(ChaCha8Rng),
    /// ChaCha12.
    ChaCha12(ChaCha12Rng),
    /// ChaCha20.
    ChaCha20(ChaCha20Rng),
}

/// The generator for chunk `chunk` of a run with master seed `seed`.
pub fn chunk_rng(kind: RngKind, seed: u64, chunk: u64) -> ChunkRng {
    match kind {
        RngKind::ChaCha8 => {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(chunk);
            ChunkRng::ChaCha8(r)
        }
        RngKind::ChaCha12 => {
            let mut r = ChaCha12Rng::seed_from_u64(seed);
            r.set_stream(chunk);
            ChunkRng::ChaCha12(r)
        }
        RngKind::ChaCha20 => {
            let mut r = ChaCha20Rng::seed_from_u64(seed);
            r.set_stream(chunk);
            ChunkRng::ChaCha20(r)
        }
    }
}

/// Calls `$body` with `$r` bound to the concrete generator inside a [`ChunkRng`], so the
/// per-ballot loop is monomorphised for each generator (no dynamic dispatch per number).
#[macro_export]
macro_rules! with_chunk_rng {
    ($rng:expr, |$r:ident| $body:expr) => {
        match $rng {
            $crate::rng::ChunkRng::ChaCha8(mut $r) => $body,
            $crate::rng::ChunkRng::ChaCha12(mut $r) => $body,
            $crate::rng::ChunkRng::ChaCha20(mut $r) => $body,
        }
    };
}

/// Chunk `chunk`'s numbers as 32-bit words, in bulk: exactly the words successive
/// `next_u32` calls on [`chunk_rng`]`(kind, seed, chunk)` return, in order, however the
/// calls to [`ChunkWords::fill`] split them.
pub struct ChunkWords {
    source: Source,
    /// With [`Source::Wide`], the last sixteen blocks made; `carry[used..]` are unread.
    carry: [u32; WIDE_WORDS],
    used: usize,
}

enum Source {
    /// `rand_chacha`'s generator, its bytes read as little-endian words (boxed: one
    /// allocation per chunk, where the CPU lacks AVX2).
    Library(Box<ChunkRng>),
    /// The wide keystream and the next block it makes.
    Wide {
        cipher: Cipher,
        block: u64,
        avx512: bool,
    },
}

/// Which implementation of the ChaCha block function makes a chunk's words. All give the
/// same words; only the speed differs. Ordered from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Keystream {
    /// `rand_chacha`'s generator (portable; four blocks per call, into its own buffer).
    Library,
    /// [`Cipher::wide8`]: eight blocks per call, AVX2.
    Avx2,
    /// [`Cipher::wide`]: sixteen blocks per call, AVX-512F.
    Avx512,
}

impl Keystream {
    /// The widest implementation the running CPU supports.
    pub fn widest() -> Keystream {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Keystream::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Keystream::Avx2;
            }
        }
        Keystream::Library
    }
}

impl ChunkWords {
    /// The words of chunk `chunk` of a run with master seed `seed`, made by `how` — or by the
    /// widest implementation below it that the CPU supports.
    pub fn new(kind: RngKind, seed: u64, chunk: u64, how: Keystream) -> ChunkWords {
        let rng = chunk_rng(kind, seed, chunk);
        let how = how.min(Keystream::widest());
        let source = if how != Keystream::Library {
            let (key, rounds) = match &rng {
                ChunkRng::ChaCha8(r) => (r.get_seed(), 8),
                ChunkRng::ChaCha12(r) => (r.get_seed(), 12),
                ChunkRng::ChaCha20(r) => (r.get_seed(), 20),
            };
            Source::Wide {
                cipher: Cipher::new(key, chunk, rounds),
                block: 0,
                avx512: how == Keystream::Avx512,
            }
        } else {
            Source::Library(Box::new(rng))
        };
        ChunkWords {
            source,
            carry: [0; WIDE_WORDS],
            used: WIDE_WORDS,
        }
    }

    /// Fills `words` with the stream's next words.
    pub fn fill(&mut self, words: &mut [u32]) {
        match &mut self.source {
            Source::Library(rng) => match &mut **rng {
                ChunkRng::ChaCha8(r) => fill_le_words(r, words),
                ChunkRng::ChaCha12(r) => fill_le_words(r, words),
                ChunkRng::ChaCha20(r) => fill_le_words(r, words),
            },
            Source::Wide {
                cipher,
                block,
                avx512,
            } => {
                let avx512 = *avx512;
                // The unread carry first, then whole groups of sixteen blocks straight into
                // `words`, then one more group into the carry for the tail.
                let take = (WIDE_WORDS - self.used).min(words.len());
                let (head, rest) = words.split_at_mut(take);
                head.copy_from_slice(&self.carry[self.used..self.used + take]);
                self.used += take;
                let mut groups = rest.chunks_exact_mut(WIDE_WORDS);
                for out in &mut groups {
                    let out = out.try_into().expect("chunks of WIDE_WORDS");
                    wide(cipher, block, avx512, out);
                }
                let tail = groups.into_remainder();
                if !tail.is_empty() {
                    wide(cipher, block, avx512, &mut self.carry);
                    tail.copy_from_slice(&self.carry[..tail.len()]);
                    self.used = tail.len();
                }
            }
        }
    }
}

/// Sixteen blocks `*block ..` of `cipher` into `out` (with AVX-512F, else two calls of the
/// eight-block AVX2 function), and advances `*block` past them.
#[inline]
fn wide(cipher: &Cipher, block: &mut u64, avx512: bool, out: &mut [u32; WIDE_WORDS]) {
    // SAFETY: `Source::Wide` is only built when `Keystream::widest` found AVX2 and, with
    // `avx512`, AVX-512F.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        if avx512 {
            cipher.wide(*block, out)
        } else {
            let (a, b) = out.split_at_mut(WIDE_WORDS / 2);
            cipher.wide8(*block, a.try_into().expect("half"));
            cipher.wide8(block.wrapping_add(8), b.try_into().expect("half"));
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (cipher, avx512, out);
    *block = block.wrapping_add(chacha::WIDE_BLOCKS as u64);
}

/// Fills `words` with `rng`'s next 32-bit numbers, as `next_u32` would return them: its
/// bytes read as little-endian words on every platform (what `RngExt::fill` does, without
/// its per-word loop on little-endian machines).
fn fill_le_words<R: Rng>(rng: &mut R, words: &mut [u32]) {
    let len = std::mem::size_of_val(words);
    // SAFETY: `words` is `len` initialised, writable bytes; any byte pattern is a valid u32.
    rng.fill_bytes(unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), len) });
    if cfg!(target_endian = "big") {
        for w in words.iter_mut() {
            *w = u32::from_le(*w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(kind: RngKind, seed: u64, chunk: u64) -> u32 {
        with_chunk_rng!(chunk_rng(kind, seed, chunk), |r| r.next_u32())
    }

    /// `ChunkWords` gives `next_u32`'s words whatever the fill lengths, on both sources:
    /// fills shorter and longer than the sixteen-block groups, empty fills, and fills that
    /// end exactly on a group.
    #[test]
    fn chunk_words_equal_next_u32() {
        let how: Vec<Keystream> = [Keystream::Library, Keystream::Avx2, Keystream::Avx512]
            .into_iter()
            .filter(|&k| k <= Keystream::widest())
            .collect();
        println!("keystreams checked: {how:?}");
        let lengths = [0, 1, 255, 256, 257, 3296, 17, 0, 512, 4000, 3, 1024, 1];
        let total: usize = lengths.iter().sum();
        for kind in [RngKind::ChaCha8, RngKind::ChaCha12, RngKind::ChaCha20] {
            for (seed, chunk) in [(20221012, 0), (7, 31), (1, 1 << 50)] {
                let want: Vec<u32> = with_chunk_rng!(chunk_rng(kind, seed, chunk), |r| {
                    (0..total).map(|_| r.next_u32()).collect()
                });
                for &how in &how {
                    let mut w = ChunkWords::new(kind, seed, chunk, how);
                    let mut got = vec![0; total];
                    let mut at = 0;
                    for n in lengths {
                        w.fill(&mut got[at..at + n]);
                        at += n;
                    }
                    assert_eq!(got, want, "{kind:?}, seed {seed}, chunk {chunk}, {how:?}");
                }
            }
        }
    }

    /// Value stability: these numbers are part of the reproducibility contract.
    #[test]
    fn streams_are_stable_and_distinct() {
        let a = first(RngKind::ChaCha8, 42, 0);
        let b = first(RngKind::ChaCha8, 42, 1);
        let c = first(RngKind::ChaCha8, 43, 0);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, first(RngKind::ChaCha8, 42, 0));
        assert_ne!(a, first(RngKind::ChaCha20, 42, 0));
    }
}
