//! The one place random-number streams are made.
//!
//! Chunk `k` of a run with master seed `s` uses `ChaChaXRng::seed_from_u64(s)` switched to
//! stream `k` (`set_stream(k)`): 2⁶⁴ independent, non-overlapping streams per seed. A chunk's
//! numbers therefore depend only on (generator, seed, chunk index), never on which thread runs
//! it, so results are identical for any thread count. ChaCha generators are portable: the same
//! on every platform and endianness.
//!
//! `rand_chacha`'s generators *define* the streams ([`chunk_rng`]; the reference visitor and
//! the tests use them). The engine reads a chunk's numbers in bulk through [`ChunkWords`],
//! which makes the same words with the RustCrypto `chacha20` crate's block function, written
//! straight into the ballot buffer: ChaCha with `rand_chacha`'s key (the generator's seed),
//! block counter in word 12 and nonce `[0, stream]` in words 13–15 — `rand_chacha`'s layout
//! (64-bit counter in words 12–13, stream in 14–15) as long as a chunk uses fewer than 2³²
//! blocks, which [`ChunkWords::fill`] checks. `chacha20` picks its fastest backend for the CPU
//! at run time (SSE2 or AVX2 on x86-64, and AVX-512 when built with `--cfg chacha20_avx512`,
//! which `.cargo/config.toml` sets; NEON on AArch64); every backend gives the same words.

use chacha20::cipher::{Array, KeyIvInit, StreamCipherCore};
use chacha20::variants::Ietf;
use chacha20::{ChaChaCore, R8, R12, R20};
use rand::{Rng, SeedableRng};
use rand_chacha::{ChaCha8Rng, ChaCha12Rng, ChaCha20Rng};

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

/// 32-bit words in one ChaCha block.
const BLOCK_WORDS: usize = 16;
/// Blocks kept for the next fill when a fill ends inside a block: sixteen, the widest group
/// any `chacha20` backend makes in one step.
const CARRY_BLOCKS: usize = 16;
const CARRY_WORDS: usize = CARRY_BLOCKS * BLOCK_WORDS;

/// Which implementation makes a chunk's words. Both give the same words; only the speed
/// differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keystream {
    /// `rand_chacha`'s generator itself (four blocks per call into its own buffer, copied
    /// out): the definition, kept for comparisons.
    Library,
    /// The `chacha20` crate's block function, straight into the caller's buffer (the engine's).
    Cipher,
}

/// Chunk `chunk`'s numbers as 32-bit words, in bulk: exactly the words successive
/// `next_u32` calls on [`chunk_rng`]`(kind, seed, chunk)` return, in order, however the
/// calls to [`ChunkWords::fill`] split them.
pub struct ChunkWords {
    source: Source,
    /// With [`Source::Cipher`], the last blocks made; `carry[used..]` are unread.
    carry: [u32; CARRY_WORDS],
    used: usize,
}

enum Source {
    /// `rand_chacha`'s generator, its bytes read as little-endian words (boxed: it is large).
    Library(Box<ChunkRng>),
    /// `chacha20`'s block function and the number of blocks it has made.
    Cipher(Core, u64),
}

/// `chacha20`'s ChaCha core for each round count.
enum Core {
    ChaCha8(ChaChaCore<R8, Ietf>),
    ChaCha12(ChaChaCore<R12, Ietf>),
    ChaCha20(ChaChaCore<R20, Ietf>),
}

impl Core {
    /// The keystream of `rand_chacha`'s generator `kind` with seed `key`, stream `stream`,
    /// from block 0.
    fn new(kind: RngKind, key: [u8; 32], stream: u64) -> Core {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&stream.to_le_bytes());
        let (key, nonce) = (&Array::from(key), &Array::from(nonce));
        match kind {
            RngKind::ChaCha8 => Core::ChaCha8(ChaChaCore::new(key, nonce)),
            RngKind::ChaCha12 => Core::ChaCha12(ChaChaCore::new(key, nonce)),
            RngKind::ChaCha20 => Core::ChaCha20(ChaChaCore::new(key, nonce)),
        }
    }

    /// The next `words.len() / 16` blocks into `words` (a whole number of blocks), as
    /// native-endian words.
    fn blocks(&mut self, words: &mut [u32]) {
        debug_assert!(words.len().is_multiple_of(BLOCK_WORDS));
        let (blocks, _) = words.as_chunks_mut::<BLOCK_WORDS>();
        // SAFETY: `[u32; 16]` and `[u8; 64]` have the same size, every byte pattern is a
        // valid value of both, and `[u8; 64]` needs no more alignment than `[u32; 16]`.
        let bytes: &mut [[u8; 64]] =
            unsafe { std::slice::from_raw_parts_mut(blocks.as_mut_ptr().cast(), blocks.len()) };
        let blocks = Array::cast_slice_from_core_mut(bytes);
        match self {
            Core::ChaCha8(c) => c.write_keystream_blocks(blocks),
            Core::ChaCha12(c) => c.write_keystream_blocks(blocks),
            Core::ChaCha20(c) => c.write_keystream_blocks(blocks),
        }
        if cfg!(target_endian = "big") {
            for w in words.iter_mut() {
                *w = u32::from_le(*w);
            }
        }
    }
}

impl ChunkWords {
    /// The words of chunk `chunk` of a run with master seed `seed`, made by `how`.
    pub fn new(kind: RngKind, seed: u64, chunk: u64, how: Keystream) -> ChunkWords {
        let rng = chunk_rng(kind, seed, chunk);
        let source = match how {
            Keystream::Cipher => {
                let key = match &rng {
                    ChunkRng::ChaCha8(r) => r.get_seed(),
                    ChunkRng::ChaCha12(r) => r.get_seed(),
                    ChunkRng::ChaCha20(r) => r.get_seed(),
                };
                Source::Cipher(Core::new(kind, key, chunk), 0)
            }
            Keystream::Library => Source::Library(Box::new(rng)),
        };
        ChunkWords {
            source,
            carry: [0; CARRY_WORDS],
            used: CARRY_WORDS,
        }
    }

    /// Fills `words` with the stream's next words.
    ///
    /// # Panics
    /// If the chunk's stream would pass 2³² blocks (2³⁶ words; a chunk of the largest
    /// scenario the validator accepts uses less than 2²⁶).
    pub fn fill(&mut self, words: &mut [u32]) {
        match &mut self.source {
            Source::Library(rng) => match &mut **rng {
                ChunkRng::ChaCha8(r) => fill_le_words(r, words),
                ChunkRng::ChaCha12(r) => fill_le_words(r, words),
                ChunkRng::ChaCha20(r) => fill_le_words(r, words),
            },
            Source::Cipher(core, made) => {
                // The unread carry first, then whole blocks straight into `words`, then one
                // more group of blocks into the carry for the tail.
                let take = (CARRY_WORDS - self.used).min(words.len());
                let (head, rest) = words.split_at_mut(take);
                head.copy_from_slice(&self.carry[self.used..self.used + take]);
                self.used += take;
                let whole = rest.len() / BLOCK_WORDS * BLOCK_WORDS;
                let (body, tail) = rest.split_at_mut(whole);
                let new = whole / BLOCK_WORDS + if tail.is_empty() { 0 } else { CARRY_BLOCKS };
                *made += new as u64;
                assert!(
                    *made <= 1 << 32,
                    "a chunk's stream passed 2^32 ChaCha blocks"
                );
                core.blocks(body);
                if !tail.is_empty() {
                    core.blocks(&mut self.carry);
                    tail.copy_from_slice(&self.carry[..tail.len()]);
                    self.used = tail.len();
                }
            }
        }
    }
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

    /// `ChunkWords` gives `rand_chacha`'s `next_u32` words whatever the fill lengths, with
    /// both keystreams and all three round counts: fills shorter and longer than a carry
    /// group, empty fills, fills that end exactly on a block or a group, and streams whose
    /// 64-bit id uses both halves.
    #[test]
    fn chunk_words_equal_next_u32() {
        let lengths = [
            0, 1, 255, 256, 257, 3296, 17, 0, 512, 4000, 3, 1024, 1, 16, 4096,
        ];
        let total: usize = lengths.iter().sum();
        for kind in [RngKind::ChaCha8, RngKind::ChaCha12, RngKind::ChaCha20] {
            for (seed, chunk) in [(20221012, 0), (7, 31), (1, 1 << 50), (u64::MAX, u64::MAX)] {
                let want: Vec<u32> = with_chunk_rng!(chunk_rng(kind, seed, chunk), |r| {
                    (0..total).map(|_| r.next_u32()).collect()
                });
                for how in [Keystream::Library, Keystream::Cipher] {
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

    /// Value stability: the first words of fixed streams are part of the reproducibility
    /// contract (any change of generator, seeding or stream selection changes every output).
    #[test]
    fn streams_are_stable() {
        let first = |kind, seed, chunk| -> [u32; 3] {
            let mut w = ChunkWords::new(kind, seed, chunk, Keystream::Cipher);
            let mut out = [0; 3];
            w.fill(&mut out);
            out
        };
        let got = [
            first(RngKind::ChaCha8, 42, 0),
            first(RngKind::ChaCha8, 42, 1),
            first(RngKind::ChaCha8, 43, 0),
            first(RngKind::ChaCha12, 42, 0),
            first(RngKind::ChaCha20, 42, 0),
        ];
        assert_eq!(
            got,
            [
                [962419617, 2928721845, 628724104],
                [2378819728, 3078596705, 2774545821],
                [1507114997, 343037544, 1530653747],
                [572990626, 2261546851, 1068323197],
                [3618982008, 2207824913, 2736219033],
            ]
        );
    }
}
