//! Turns a complete raw deflate stream (what libdeflate writes for a chunk)
//! into a piece of a longer stream: its final block made non-final, and an
//! empty stored block after it so that it ends on a byte boundary (the
//! ending zlib gives a full flush). Pieces made so join in any order, and
//! the stream they make is ended with an empty final block.
//!
//! libdeflate writes whole streams only, so where the final block starts
//! and where its last code ends (to the bit) are found by walking the
//! stream's blocks and codes without writing what they decode to: the
//! code tables say how many bits each code and its extra bits take, and
//! an entry that holds several whole literal codes, or a length and the
//! distance after it, skips them at once. A walk is a chain of dependent
//! table lookups, so two streams are walked side by side to keep a core's
//! pipeline busy ([`pair`]). A stream that is not valid deflate, or has
//! bytes after its end, is left alone and reported ([`Invalid`]).

/// The stream is not one this module can make joinable (not valid deflate,
/// or bytes after its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

/// Where a stream's final block starts, and the bit just past its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ends {
    final_header: usize,
    end: usize,
}

/// Makes `stream` joinable ([the module](self)); on error it is unchanged.
pub(crate) fn joinable(stream: &mut Vec<u8>) -> Result<(), Invalid> {
    let ends = {
        let mut walk = Walk::new(stream);
        walk.walk_to_end()?
    };
    finish(stream, ends)
}

/// [`joinable`] for two streams, walked side by side.
pub(crate) fn pair(a: &mut Vec<u8>, b: &mut Vec<u8>) -> (Result<(), Invalid>, Result<(), Invalid>) {
    let (ends_a, ends_b) = {
        let (mut wa, mut wb) = (Walk::new(a), Walk::new(b));
        side_by_side(&mut wa, &mut wb)
    };
    (
        ends_a.and_then(|e| finish(a, e)),
        ends_b.and_then(|e| finish(b, e)),
    )
}

fn finish(stream: &mut Vec<u8>, ends: Ends) -> Result<(), Invalid> {
    if ends.end.div_ceil(8) != stream.len() {
        return Err(Invalid);
    }
    stream[ends.final_header / 8] &= !(1 << (ends.final_header % 8));
    let used = ends.end % 8;
    if used != 0 {
        // The bits after the end are padding: zero, as the block after
        // them needs.
        let last = stream.len() - 1;
        stream[last] &= (1 << used) - 1;
    }
    // An empty stored block: 3 header bits (not final, type 0), then up to
    // the next byte, then LEN 0 and NLEN 0xffff. The header fits in the
    // padding if 3 bits are left, else it takes one more byte.
    if (8 - used) % 8 < 3 {
        stream.push(0);
    }
    stream.extend_from_slice(&[0, 0, 0xff, 0xff]);
    Ok(())
}

/// The most bytes [`joinable`] adds to a stream.
pub(crate) const ADDED: usize = 5;

const MAX_BITS: usize = 15;
/// Bits indexing the literal/length table: 2^11 entries of 4 bytes (larger
/// tables skip more at once, but cost more to build for each block).
const LIT_BITS: usize = 11;
const DIST_BITS: usize = 10;

// A table entry: the bits to skip in its low byte, its kind in the next,
// and (in a distance or single-code entry) the code's own length above.
const SKIP: u32 = 0;
const LENGTH: u32 = 1 << 8;
/// The end-of-block code, a code longer than the table's index, or bits
/// that are no code: decoded bit by bit.
const SLOW: u32 = 2 << 8;
const KIND: u32 = 0xff << 8;
const CODE: u32 = 0xff << 16;

const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// What a decoded literal/length symbol is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Literal,
    End,
    /// A length, with its extra bits.
    Length(u32),
}

fn literal_length(sym: usize) -> Option<Symbol> {
    match sym {
        0..=255 => Some(Symbol::Literal),
        256 => Some(Symbol::End),
        257..=285 => Some(Symbol::Length(u32::from(LENGTH_EXTRA[sym - 257]))),
        _ => None,
    }
}

/// A distance symbol's extra bits.
fn distance(sym: usize) -> Option<u32> {
    match sym {
        0..=3 => Some(0),
        4..=29 => Some(sym as u32 / 2 - 1),
        _ => None,
    }
}

/// A prefix code: a lookup table indexed by the next `bits` bits, and the
/// code in canonical form (the count of codes of each length and the
/// symbols in code order) to decode bit by bit what the table does not.
struct Code {
    entries: Vec<u32>,
    bits: usize,
    count: [u16; MAX_BITS + 1],
    symbols: Vec<u16>,
}

impl Code {
    fn new(bits: usize) -> Self {
        Self {
            entries: vec![SLOW; 1 << bits],
            bits,
            count: [0; MAX_BITS + 1],
            symbols: Vec::with_capacity(320),
        }
    }

    /// The code with these code lengths; `skip` gives, for a symbol the
    /// table may skip on its own, its kind and extra bits (`None`: decode
    /// it bit by bit). An over-subscribed code is invalid; an incomplete
    /// one leaves its unused entries to the bit-by-bit decoder, which
    /// rejects them.
    fn build(
        &mut self,
        lens: &[u8],
        skip: impl Fn(usize) -> Option<(u32, u32)>,
    ) -> Result<(), Invalid> {
        self.count = [0; MAX_BITS + 1];
        for &l in lens {
            self.count[usize::from(l)] += 1;
        }
        self.count[0] = 0;
        let mut left: i32 = 1;
        for len in 1..=MAX_BITS {
            left = (left << 1) - i32::from(self.count[len]);
            if left < 0 {
                return Err(Invalid);
            }
        }
        let mut offsets = [0u16; MAX_BITS + 2];
        for len in 1..=MAX_BITS {
            offsets[len + 1] = offsets[len] + self.count[len];
        }
        self.symbols.clear();
        self.symbols.resize(usize::from(offsets[MAX_BITS + 1]), 0);
        // The first code of each length (RFC 1951, 3.2.2).
        let mut next = [0u32; MAX_BITS + 1];
        let mut code = 0u32;
        for (first, count) in next[1..].iter_mut().zip(&self.count) {
            code = (code + u32::from(*count)) << 1;
            *first = code;
        }
        self.entries.fill(SLOW);
        for (sym, &l) in lens.iter().enumerate() {
            let l = usize::from(l);
            if l == 0 {
                continue;
            }
            self.symbols[usize::from(offsets[l])] = sym as u16;
            offsets[l] += 1;
            let code = next[l];
            next[l] += 1;
            if l > self.bits {
                continue;
            }
            let Some((kind, extra)) = skip(sym) else {
                continue;
            };
            // Codes are read from the low bit: the table is indexed by the
            // code reversed, and every index that starts with it.
            let reversed = (code.reverse_bits() >> (32 - l)) as usize;
            let entry = kind | (l as u32 + extra) | ((l as u32) << 16);
            for i in (reversed..self.entries.len()).step_by(1 << l) {
                self.entries[i] = entry;
            }
        }
        Ok(())
    }

    /// Decodes one symbol bit by bit (puff's way).
    fn decode(&self, d: &[u8], pos: &mut usize) -> Result<usize, Invalid> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..=MAX_BITS {
            code |= bits(d, pos, 1)? as i32;
            let count = i32::from(self.count[len]);
            if code - count < first {
                return Ok(usize::from(self.symbols[(index + code - first) as usize]));
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Invalid)
    }
}

/// Makes `lit`'s entries skip all that their bits hold: several whole
/// literal codes, or a length code, its extra bits, and the distance code
/// and extra bits after it when the distance code is within the index.
fn combine(lit: &mut Code, dist: &Code, scratch: &mut Vec<u32>) {
    let n = lit.bits as u32;
    let dist_mask = (1usize << dist.bits) - 1;
    let single = &lit.entries;
    scratch.clear();
    scratch.extend(single.iter().enumerate().map(|(i, &e)| {
        let used = e & 0xff;
        match e & KIND {
            SKIP => {
                let mut total = used;
                while total < n {
                    let next = single[i >> total];
                    if next & KIND != SKIP || (next & CODE) >> 16 > n - total {
                        break;
                    }
                    total += next & 0xff;
                }
                SKIP | total
            }
            LENGTH if used < n => {
                let d = dist.entries[(i >> used) & dist_mask];
                if d & KIND == SKIP && (d & CODE) >> 16 <= n - used {
                    SKIP | (used + (d & 0xff))
                } else {
                    e
                }
            }
            _ => e,
        }
    }));
    std::mem::swap(&mut lit.entries, scratch);
}

/// `d`'s bits from `pos` on, as many as a word holds past the first byte
/// (at least 56); past the end they read as zeros.
#[inline(always)]
fn peek(d: &[u8], pos: usize) -> u64 {
    let b = pos >> 3;
    let word = match d.get(b..b + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().expect("8 bytes")),
        None => {
            let mut w = [0u8; 8];
            let rest = d.get(b..).unwrap_or(&[]);
            w[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(w)
        }
    };
    word >> (pos & 7)
}

/// The next `n` bits (at most 32), which must be in `d`.
fn bits(d: &[u8], pos: &mut usize, n: usize) -> Result<u32, Invalid> {
    if *pos + n > d.len() * 8 {
        return Err(Invalid);
    }
    let v = (peek(d, *pos) & ((1u64 << n) - 1)) as u32;
    *pos += n;
    Ok(v)
}

/// Where a walk is within its stream's codes, with the bits ahead kept in
/// a word: the low `left` bits of `buf` are the next bits; `at` is the
/// next byte not yet in it.
struct Cursor {
    buf: u64,
    left: u32,
    at: usize,
}

impl Cursor {
    fn new(d: &[u8], pos: usize) -> Self {
        Self {
            buf: peek(d, pos),
            left: 56 - (pos as u32 & 7),
            at: (pos >> 3) + 7,
        }
    }

    fn pos(&self) -> usize {
        self.at * 8 - self.left as usize
    }

    /// Skips one table entry's worth (a literal run, or a length and its
    /// distance); false, without moving, at a code the tables leave to the
    /// bit-by-bit decoder.
    #[inline(always)]
    fn step(&mut self, d: &[u8], lit: &Code, dist: &Code) -> bool {
        if self.left < 48 {
            // Whole bytes: the bits already there are the same ones.
            let take = (63 - self.left) >> 3;
            self.buf |= peek(d, self.at * 8) << self.left;
            self.at += take as usize;
            self.left += take * 8;
        }
        let e = lit.entries[(self.buf & ((1 << LIT_BITS) - 1)) as usize];
        let kind = e & KIND;
        if kind > LENGTH {
            return false;
        }
        let n = e & 0xff;
        let rest = self.buf >> n;
        let de = dist.entries[(rest & ((1 << DIST_BITS) - 1)) as usize];
        let is_length = kind >> 8;
        let slow_distance = (de & KIND) >> 9;
        if is_length & slow_distance != 0 {
            // A length whose distance code is left to the slow decoder.
            return false;
        }
        // A run of literals skips no distance: mask its entry's count away.
        let dn = (de & 0xff) & 0u32.wrapping_sub(is_length);
        self.buf = rest >> dn;
        self.left -= n + dn;
        true
    }
}

/// A walk over one stream's blocks.
struct Walk<'d> {
    d: &'d [u8],
    pos: usize,
    lit: Code,
    dist: Code,
    lens: Code,
    scratch: Vec<u32>,
    /// Where the block being walked started, and whether it is the final
    /// one.
    header: usize,
    last: bool,
}

/// What a walk reached.
enum Reached {
    /// Codes of a fixed or dynamic block, to be skipped.
    Codes,
    End(Ends),
}

impl<'d> Walk<'d> {
    fn new(d: &'d [u8]) -> Self {
        Self {
            d,
            pos: 0,
            lit: Code::new(LIT_BITS),
            dist: Code::new(DIST_BITS),
            lens: Code::new(7),
            scratch: Vec::with_capacity(1 << LIT_BITS),
            header: 0,
            last: false,
        }
    }

    fn walk_to_end(&mut self) -> Result<Ends, Invalid> {
        loop {
            if let Reached::End(ends) = self.next_block()? {
                return Ok(ends);
            }
            self.codes()?;
        }
    }

    /// Skips this block's codes to just past its end-of-block code.
    fn codes(&mut self) -> Result<(), Invalid> {
        loop {
            let mut c = Cursor::new(self.d, self.pos);
            while c.step(self.d, &self.lit, &self.dist) {
                if c.at > self.d.len() + 8 {
                    return Err(Invalid);
                }
            }
            self.pos = c.pos();
            if self.slow_symbol()? {
                return Ok(());
            }
        }
    }

    /// Decodes the symbol at `pos` bit by bit (and the distance after a
    /// length); true if it ends the block.
    fn slow_symbol(&mut self) -> Result<bool, Invalid> {
        let sym = self.lit.decode(self.d, &mut self.pos)?;
        match literal_length(sym).ok_or(Invalid)? {
            Symbol::End => return Ok(true),
            Symbol::Literal => {}
            Symbol::Length(extra) => {
                self.pos += extra as usize;
                let sym = self.dist.decode(self.d, &mut self.pos)?;
                self.pos += distance(sym).ok_or(Invalid)? as usize;
            }
        }
        if self.pos > self.d.len() * 8 {
            return Err(Invalid);
        }
        Ok(false)
    }

    /// After a block (or at the start): the end of the stream, or the
    /// next Huffman block's header read and its tables built (stored
    /// blocks are skipped here).
    fn next_block(&mut self) -> Result<Reached, Invalid> {
        if self.last {
            return Ok(Reached::End(Ends {
                final_header: self.header,
                end: self.pos,
            }));
        }
        let d = self.d;
        loop {
            self.header = self.pos;
            self.last = bits(d, &mut self.pos, 1)? == 1;
            match bits(d, &mut self.pos, 2)? {
                0 => {
                    self.pos = self.pos.div_ceil(8) * 8;
                    let len = bits(d, &mut self.pos, 16)?;
                    if bits(d, &mut self.pos, 16)? != !len & 0xffff {
                        return Err(Invalid);
                    }
                    self.pos += len as usize * 8;
                    if self.pos > d.len() * 8 {
                        return Err(Invalid);
                    }
                    if self.last {
                        return Ok(Reached::End(Ends {
                            final_header: self.header,
                            end: self.pos,
                        }));
                    }
                }
                1 => {
                    let mut lens = [0u8; 288 + 30];
                    lens[..144].fill(8);
                    lens[144..256].fill(9);
                    lens[256..280].fill(7);
                    lens[280..288].fill(8);
                    lens[288..].fill(5);
                    self.tables(&lens[..288], &lens[288..])?;
                    return Ok(Reached::Codes);
                }
                2 => {
                    self.dynamic_header()?;
                    return Ok(Reached::Codes);
                }
                _ => return Err(Invalid),
            }
        }
    }

    fn dynamic_header(&mut self) -> Result<(), Invalid> {
        const ORDER: [usize; 19] = [
            16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
        ];
        let d = self.d;
        let pos = &mut self.pos;
        let nlit = bits(d, pos, 5)? as usize + 257;
        let ndist = bits(d, pos, 5)? as usize + 1;
        let ncode = bits(d, pos, 4)? as usize + 4;
        if nlit > 286 || ndist > 30 {
            return Err(Invalid);
        }
        let mut code_lens = [0u8; 19];
        for &i in &ORDER[..ncode] {
            code_lens[i] = bits(d, pos, 3)? as u8;
        }
        self.lens.build(&code_lens, |_| None)?;
        let mut lens = [0u8; 286 + 30];
        let mut i = 0;
        while i < nlit + ndist {
            let sym = self.lens.decode(d, pos)?;
            let (value, repeat) = match sym {
                0..=15 => (sym as u8, 1),
                16 if i > 0 => (lens[i - 1], 3 + bits(d, pos, 2)? as usize),
                17 => (0, 3 + bits(d, pos, 3)? as usize),
                18 => (0, 11 + bits(d, pos, 7)? as usize),
                _ => return Err(Invalid),
            };
            let to = i + repeat;
            lens.get_mut(i..to).ok_or(Invalid)?.fill(value);
            i = to;
        }
        if lens[256] == 0 {
            return Err(Invalid);
        }
        self.tables(&lens[..nlit], &lens[nlit..nlit + ndist])
    }

    fn tables(&mut self, lit: &[u8], dist: &[u8]) -> Result<(), Invalid> {
        // The end-of-block code is left to the slow decoder, which sees it.
        self.lit.build(lit, |sym| match literal_length(sym)? {
            Symbol::Literal => Some((SKIP, 0)),
            Symbol::Length(extra) => Some((LENGTH, extra)),
            Symbol::End => None,
        })?;
        self.dist.build(dist, |sym| Some((SKIP, distance(sym)?)))?;
        combine(&mut self.lit, &self.dist, &mut self.scratch);
        Ok(())
    }
}

/// Walks two streams to their ends, their codes side by side: each step
/// of one is independent of the other's, so a core overlaps their lookups.
fn side_by_side<'d>(
    a: &mut Walk<'d>,
    b: &mut Walk<'d>,
) -> (Result<Ends, Invalid>, Result<Ends, Invalid>) {
    let (mut ra, mut rb) = (a.next_block(), b.next_block());
    while let (Ok(Reached::Codes), Ok(Reached::Codes)) = (&ra, &rb) {
        let (mut ca, mut cb) = (Cursor::new(a.d, a.pos), Cursor::new(b.d, b.pos));
        let (mut go_a, mut go_b) = (true, true);
        while go_a && go_b && ca.at <= a.d.len() + 8 && cb.at <= b.d.len() + 8 {
            go_a = ca.step(a.d, &a.lit, &a.dist);
            go_b = cb.step(b.d, &b.lit, &b.dist);
        }
        // Each that stopped at a code left to the slow decoder decodes it,
        // and goes to its next block if that code ended this one; one that
        // ran past its stream's end is invalid.
        for (go, c, w, r) in [(go_a, ca, &mut *a, &mut ra), (go_b, cb, &mut *b, &mut rb)] {
            w.pos = c.pos();
            if c.at > w.d.len() + 8 {
                *r = Err(Invalid);
            } else if !go {
                *r = match w.slow_symbol() {
                    Ok(true) => w.next_block(),
                    Ok(false) => Ok(Reached::Codes),
                    Err(e) => Err(e),
                };
            }
        }
    }
    // Either has ended (or failed): the other goes on alone.
    let finish = |r: Result<Reached, Invalid>, w: &mut Walk<'d>| match r? {
        Reached::End(ends) => Ok(ends),
        Reached::Codes => {
            w.codes()?;
            w.walk_to_end()
        }
    };
    (finish(ra, a), finish(rb, b))
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use proptest::prelude::*;

    use super::*;

    fn compress(data: &[u8], level: i32) -> Vec<u8> {
        let mut c =
            libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level).expect("a level"));
        let mut out = vec![0; c.deflate_compress_bound(data.len())];
        let n = c.deflate_compress(data, &mut out).expect("room enough");
        out.truncate(n);
        out
    }

    fn inflate(stream: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(stream)
            .read_to_end(&mut out)
            .expect("valid deflate");
        out
    }

    /// Text-like bytes: words from a small vocabulary, with runs and
    /// noise, so that every kind of block and code shows up.
    fn sample(seed: u64, len: usize, noise: u8) -> Vec<u8> {
        let words: [&[u8]; 8] = [
            b"the ",
            b"<span class=\"k\">",
            b"def ",
            b"return ",
            b"\n    ",
            b"0123",
            b"; ",
            b"x",
        ];
        let mut state = seed | 1;
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if (state >> 56) as u8 <= noise {
                out.push((state >> 8) as u8);
            } else {
                out.extend_from_slice(words[(state % 8) as usize]);
            }
        }
        out.truncate(len);
        out
    }

    /// Pieces made joinable, joined and ended, decompress to their inputs
    /// joined, whatever the level and whether walked alone or in pairs.
    fn joins(inputs: &[Vec<u8>], level: i32) {
        let mut pieces: Vec<Vec<u8>> = inputs.iter().map(|i| compress(i, level)).collect();
        let mut alone = pieces.clone();
        for p in &mut alone {
            joinable(p).expect("libdeflate's output");
        }
        for two in pieces.chunks_mut(2) {
            match two {
                [a, b] => {
                    let (ra, rb) = pair(a, b);
                    ra.expect("libdeflate's output");
                    rb.expect("libdeflate's output");
                }
                [a] => joinable(a).expect("libdeflate's output"),
                _ => unreachable!(),
            }
        }
        assert_eq!(alone, pieces, "a pair is made joinable as each alone");
        let mut stream = pieces.concat();
        stream.extend_from_slice(&[0x03, 0x00]);
        assert_eq!(inflate(&stream), inputs.concat());
    }

    #[test]
    fn pieces_of_every_kind_join() {
        let inputs = vec![
            Vec::new(),
            b"a".to_vec(),
            sample(1, 100, 10),
            sample(2, 300_000, 5),
            // Incompressible: stored blocks.
            sample(3, 70_000, 255),
            vec![0; 100_000],
            sample(4, 200_000, 60),
            sample(5, 5, 255),
        ];
        for level in [1, 2, 3, 6, 9, 12] {
            joins(&inputs, level);
        }
    }

    #[test]
    fn what_is_not_a_whole_stream_is_refused_and_left_alone() {
        let mut stream = compress(&sample(6, 50_000, 20), 1);
        let whole = stream.clone();
        let mut longer = whole.clone();
        longer.push(0);
        assert_eq!(joinable(&mut longer), Err(Invalid));
        assert_eq!(longer[..whole.len()], whole[..]);
        let mut shorter = whole[..whole.len() - 1].to_vec();
        assert_eq!(joinable(&mut shorter), Err(Invalid));
        assert_eq!(joinable(&mut Vec::new()), Err(Invalid));
        // A reserved block type.
        assert_eq!(joinable(&mut vec![0b111, 0, 0, 0]), Err(Invalid));
        // A stored block whose NLEN is wrong.
        assert_eq!(joinable(&mut vec![1, 4, 0, 0, 0, 1, 2, 3, 4]), Err(Invalid));
        joinable(&mut stream).expect("whole");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_pieces_join(
            sizes in prop::collection::vec((0usize..40_000, 0u8..=255, any::<u64>()), 1..5),
            level in 1i32..=12,
        ) {
            let inputs: Vec<Vec<u8>> = sizes.iter().map(|&(n, noise, seed)| sample(seed, n, noise)).collect();
            joins(&inputs, level);
        }

        /// Garbage never panics or hangs the walk.
        #[test]
        fn garbage_is_refused_or_walked(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let mut a = bytes.clone();
            let mut b = bytes.iter().rev().copied().collect::<Vec<u8>>();
            let _ = joinable(&mut a);
            let _ = pair(&mut a, &mut b);
        }
    }
}
