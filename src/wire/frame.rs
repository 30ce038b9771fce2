//! Framing rules: every packet is an `i32` length then that many bytes; before the handshake the
//! first four bytes may instead be a four-letter word (all of whose codes exceed any legal length).

/// The four-letter words ZooKeeper recognises, by their first four bytes.
const WORDS: [&str; 18] = [
    "ruok", "srvr", "stat", "mntr", "conf", "cons", "crst", "srst", "envi", "dump", "wchs", "wchc", "wchp", "dirs",
    "isro", "gtmk", "stmk", "hash",
];

pub fn four_letter_word(first4: [u8; 4]) -> Option<&'static str> {
    WORDS.iter().copied().find(|w| w.as_bytes() == first4)
}

/// Whether a frame length is acceptable: `0 <= len <= max` (ZooKeeper closes otherwise, "Len error").
pub fn length_ok(len: i32, max: usize) -> bool {
    len >= 0 && (len as usize) <= max
}

/// Splits a byte stream into frames. Used by clients of the protocol (load generator, tests); the
/// server reads frames directly off the socket with the same `length_ok` rule.
#[derive(Debug, Default)]
pub struct FrameSplitter {
    buf: Vec<u8>,
    start: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadFrameLength(pub i32);

impl FrameSplitter {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete payload, if any.
    pub fn next_frame(&mut self, max: usize) -> Result<Option<&[u8]>, BadFrameLength> {
        let avail = &self.buf[self.start..];
        if avail.len() < 4 {
            self.compact();
            return Ok(None);
        }
        let len = i32::from_be_bytes([avail[0], avail[1], avail[2], avail[3]]);
        if !length_ok(len, max) {
            return Err(BadFrameLength(len));
        }
        let len = len as usize;
        if avail.len() < 4 + len {
            self.compact();
            return Ok(None);
        }
        let begin = self.start + 4;
        self.start = begin + len;
        Ok(Some(&self.buf[begin..begin + len]))
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
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
            assert!(!length_ok(i32::from_be_bytes(b), 0xfffff));
        }
        assert_eq!(four_letter_word(*b"nope"), None);
        assert_eq!(four_letter_word([0, 0, 0, 45]), None);
    }

    #[test]
    fn lengths_follow_jute_maxbuffer() {
        assert!(length_ok(0, 10));
        assert!(length_ok(10, 10));
        assert!(!length_ok(11, 10));
        assert!(!length_ok(-1, 10));
    }

    #[test]
    fn splitter_reassembles_frames_across_pushes() {
        let mut s = FrameSplitter::default();
        s.push(&[0, 0, 0, 3, b'a']);
        assert_eq!(s.next_frame(100).unwrap(), None);
        s.push(&[b'b', b'c', 0, 0, 0, 1, b'd', 0]);
        assert_eq!(s.next_frame(100).unwrap(), Some(&b"abc"[..]));
        assert_eq!(s.next_frame(100).unwrap(), Some(&b"d"[..]));
        assert_eq!(s.next_frame(100).unwrap(), None);
        s.push(&[0, 0, 200]);
        assert_eq!(s.next_frame(100), Err(BadFrameLength(200)));
    }
}
