//! Framing rules: every packet is an `i32` length then that many bytes; before the handshake the
//! first four bytes may instead be a four-letter word (all of whose codes exceed any legal length).

use thiserror::Error;

/// jute.maxbuffer default (0xfffff): the largest accepted frame length.
pub const DEFAULT_MAX_BUFFER: usize = 0xfffff;

/// The four-letter words ZooKeeper recognises, by their first four bytes.
const WORDS: [&str; 18] = [
    "ruok", "srvr", "stat", "mntr", "conf", "cons", "crst", "srst", "envi", "dump", "wchs", "wchc", "wchp", "dirs",
    "isro", "gtmk", "stmk", "hash",
];

/// The four-letter word these bytes spell, if any (only meaningful as a connection's first bytes).
pub fn four_letter_word(first4: [u8; 4]) -> Option<&'static str> {
    WORDS.iter().copied().find(|w| w.as_bytes() == first4)
}

/// Whether a frame length is acceptable: `0 <= len <= max` (ZooKeeper closes otherwise, "Len error").
pub fn length_ok(len: i32, max: usize) -> bool {
    len >= 0 && (len as usize) <= max
}

/// A frame length outside `0..=max`: the connection must be closed without a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("Len error {0}")]
pub struct BadFrameLength(pub i32);

/// Incremental frame splitter: feed bytes as they arrive (or read straight into its buffer with
/// `read_buf` + `commit`), take complete payloads out. Payloads are borrowed from the internal
/// buffer (no copy); consumed bytes are reclaimed lazily.
#[derive(Debug)]
pub struct FrameSplitter {
    /// `buf[start..end]` is received but not yet consumed; `buf[end..]` is spare room.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    max: usize,
}

impl Default for FrameSplitter {
    fn default() -> Self {
        FrameSplitter::new(DEFAULT_MAX_BUFFER)
    }
}

impl FrameSplitter {
    /// `max` is jute.maxbuffer: the largest accepted payload length.
    pub fn new(max: usize) -> Self {
        FrameSplitter { buf: Vec::new(), start: 0, end: 0, max }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.read_buf(bytes.len())[..bytes.len()].copy_from_slice(bytes);
        self.commit(bytes.len());
    }

    /// Spare room of at least `min` bytes to read into; then `commit` how many were read. The room
    /// also covers the rest of a partially received frame, so a big frame is read in few calls.
    pub fn read_buf(&mut self, min: usize) -> &mut [u8] {
        self.reclaim();
        let pending = self.pending_frame_len().unwrap_or(0);
        let want = min.max(pending.saturating_sub(self.buffered()));
        if self.buf.len() - self.end < want {
            // Zeroed once per growth, not per read.
            self.buf.resize(self.end + want, 0);
        }
        &mut self.buf[self.end..]
    }

    /// `n` bytes were written at the start of the last `read_buf`.
    pub fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Bytes received but not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Bytes the frame at the front needs in all (length prefix included), once its length is known.
    fn pending_frame_len(&self) -> Option<usize> {
        let avail = &self.buf[self.start..self.end];
        let len = i32::from_be_bytes(avail.get(..4)?.try_into().ok()?);
        length_ok(len, self.max).then_some(len as usize + 4)
    }

    /// Before the handshake: the four-letter word the unconsumed bytes start with, if any.
    /// (`stmk` is followed by an 8-byte mask the caller reads itself.)
    pub fn four_letter_word(&self) -> Option<&'static str> {
        let avail = &self.buf[self.start..self.end];
        let first4: [u8; 4] = avail.get(..4)?.try_into().ok()?;
        four_letter_word(first4)
    }

    /// Takes `n` raw bytes (e.g. the `stmk` argument) if that many are buffered.
    pub fn take_raw(&mut self, n: usize) -> Option<&[u8]> {
        if self.buffered() < n {
            return None;
        }
        let begin = self.start;
        self.start += n;
        Some(&self.buf[begin..begin + n])
    }

    /// The next complete payload, if any. A bad length is reported every time it is asked for;
    /// the caller closes the connection.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, BadFrameLength> {
        let avail = &self.buf[self.start..self.end];
        if avail.len() < 4 {
            return Ok(None);
        }
        let len = i32::from_be_bytes([avail[0], avail[1], avail[2], avail[3]]);
        if !length_ok(len, self.max) {
            return Err(BadFrameLength(len));
        }
        let len = len as usize;
        if avail.len() - 4 < len {
            return Ok(None);
        }
        let begin = self.start + 4;
        self.start = begin + len;
        Ok(Some(&self.buf[begin..begin + len]))
    }

    /// Drops consumed bytes: free when everything was consumed, otherwise only once they are at
    /// least half the buffer, so a stream of small frames is not moved byte by byte.
    fn reclaim(&mut self) {
        if self.start == 0 {
            return;
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start >= self.buf.len() / 2 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_letter_words_are_recognised_and_never_legal_lengths() {
        for w in WORDS {
            let b: [u8; 4] = w.as_bytes().try_into().unwrap();
            assert_eq!(four_letter_word(b), Some(w));
            assert!(i32::from_be_bytes(b) >= 0x6300_0000);
            assert!(!length_ok(i32::from_be_bytes(b), DEFAULT_MAX_BUFFER));
        }
        assert_eq!(four_letter_word(*b"nope"), None);
        assert_eq!(four_letter_word(*b"RUOK"), None);
        assert_eq!(four_letter_word([0, 0, 0, 45]), None);
    }

    #[test]
    fn lengths_follow_jute_maxbuffer() {
        assert!(length_ok(0, 10));
        assert!(length_ok(10, 10));
        assert!(!length_ok(11, 10));
        assert!(!length_ok(-1, 10));
        assert!(!length_ok(i32::MIN, 10));
        assert!(length_ok(0xfffff, DEFAULT_MAX_BUFFER));
        assert!(!length_ok(0x100000, DEFAULT_MAX_BUFFER));
    }

    #[test]
    fn splitter_reassembles_frames_across_pushes() {
        let mut s = FrameSplitter::new(100);
        s.push(&[0, 0, 0, 3, b'a']);
        assert_eq!(s.next_frame().unwrap(), None);
        s.push(&[b'b', b'c', 0, 0, 0, 1, b'd', 0]);
        assert_eq!(s.next_frame().unwrap(), Some(&b"abc"[..]));
        assert_eq!(s.next_frame().unwrap(), Some(&b"d"[..]));
        assert_eq!(s.next_frame().unwrap(), None);
        assert_eq!(s.buffered(), 1);
        s.push(&[0, 0, 0]);
        assert_eq!(s.next_frame().unwrap(), Some(&b""[..]));
        assert_eq!(s.buffered(), 0);
    }

    #[test]
    fn splitter_byte_by_byte() {
        let mut stream = Vec::new();
        for n in 0..20u8 {
            stream.extend_from_slice(&(n as i32).to_be_bytes());
            stream.extend(std::iter::repeat(n).take(n as usize));
        }
        let mut s = FrameSplitter::new(100);
        let mut got = Vec::new();
        for b in stream {
            s.push(&[b]);
            while let Some(f) = s.next_frame().unwrap() {
                got.push(f.to_vec());
            }
        }
        assert_eq!(got.len(), 20);
        for (n, f) in got.iter().enumerate() {
            assert_eq!(f, &vec![n as u8; n]);
        }
    }

    #[test]
    fn splitter_reads_in_place_and_grows_for_a_big_frame() {
        let mut s = FrameSplitter::new(100_000);
        let mut stream = Vec::new();
        stream.extend_from_slice(&70_000i32.to_be_bytes());
        stream.extend((0..70_000u32).map(|i| i as u8));
        stream.extend_from_slice(&[0, 0, 0, 2, 9, 9]);
        let mut fed = 0;
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut reads = 0;
        while fed < stream.len() {
            let room = s.read_buf(16);
            assert!(room.len() >= 16);
            let n = room.len().min(stream.len() - fed);
            room[..n].copy_from_slice(&stream[fed..fed + n]);
            s.commit(n);
            fed += n;
            reads += 1;
            while let Some(f) = s.next_frame().unwrap() {
                got.push(f.to_vec());
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], stream[4..70_004]);
        assert_eq!(got[1], vec![9, 9]);
        assert!(reads <= 3, "the room grows to the announced frame length, took {reads} reads");
        assert_eq!(s.buffered(), 0);
    }

    #[test]
    fn splitter_length_limits() {
        let mut s = FrameSplitter::new(10);
        s.push(&10i32.to_be_bytes());
        s.push(&[7; 10]);
        assert_eq!(s.next_frame().unwrap(), Some(&[7u8; 10][..]), "len == max is accepted");
        s.push(&11i32.to_be_bytes());
        assert_eq!(s.next_frame(), Err(BadFrameLength(11)));
        assert_eq!(s.next_frame(), Err(BadFrameLength(11)), "stays failed");
        assert_eq!(BadFrameLength(11).to_string(), "Len error 11");

        let mut s = FrameSplitter::new(10);
        s.push(&(-1i32).to_be_bytes());
        assert_eq!(s.next_frame(), Err(BadFrameLength(-1)));
    }

    #[test]
    fn splitter_four_letter_word_before_handshake() {
        let mut s = FrameSplitter::default();
        s.push(b"stm");
        assert_eq!(s.four_letter_word(), None);
        s.push(b"k");
        assert_eq!(s.four_letter_word(), Some("stmk"));
        assert_eq!(s.take_raw(4), Some(&b"stmk"[..]));
        assert_eq!(s.take_raw(8), None);
        s.push(&5i64.to_be_bytes());
        assert_eq!(s.take_raw(8), Some(&5i64.to_be_bytes()[..]));

        let mut s = FrameSplitter::default();
        s.push(&[0, 0, 0, 45]);
        assert_eq!(s.four_letter_word(), None);
    }
}
