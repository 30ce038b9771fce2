//! Jute binary archive primitives (BinaryInputArchive / BinaryOutputArchive): big-endian integers,
//! length-prefixed strings and buffers where length -1 means null.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("record truncated: needed {needed} bytes, {left} left")]
    Truncated { needed: usize, left: usize },
    #[error("unreasonable length {0}")]
    BadLength(i64),
    #[error("unknown opcode {0}")]
    UnknownOp(i32),
    #[error("invalid record: {0}")]
    Invalid(&'static str),
    /// A multiRead (22) whose ops are all writes. It decodes in ZooKeeper, which then fails the first
    /// op and answers MarshallingError *with* an empty MultiResponse body (`ffffffff 01 ffffffff`).
    /// Mixed read/write lists fail earlier and get no body (`Invalid`).
    #[error("write operation in multiRead")]
    WriteOpInMultiRead,
}

/// Reads jute primitives from a borrowed slice. Lengths are checked against the bytes that are
/// actually left, so a hostile length can never make it allocate more than the frame holds.
pub struct JuteReader<'a> {
    buf: &'a [u8],
    pos: usize,
    max_len: usize,
}

impl<'a> JuteReader<'a> {
    /// `max_len` bounds every string/buffer length (jute.maxbuffer + extrasize).
    pub fn new(buf: &'a [u8], max_len: usize) -> Self {
        JuteReader { buf, pos: 0, max_len }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The unread rest of the input.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated { needed: n, left: self.remaining() });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// Jute `byte` is signed (Java byte).
    pub fn read_byte(&mut self) -> Result<i8, DecodeError> {
        Ok(self.read_u8()? as i8)
    }

    /// Any non-zero byte is true, as in Java's readBoolean.
    pub fn read_bool(&mut self) -> Result<bool, DecodeError> {
        Ok(self.read_u8()? != 0)
    }

    pub fn read_i32(&mut self) -> Result<i32, DecodeError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn read_i64(&mut self) -> Result<i64, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    /// A string/buffer length: -1 is null, otherwise `0 <= n <= max_len` (Java's checkLength).
    fn read_len(&mut self) -> Result<Option<usize>, DecodeError> {
        let n = self.read_i32()?;
        if n == -1 {
            return Ok(None);
        }
        if n < 0 || n as usize > self.max_len {
            return Err(DecodeError::BadLength(n as i64));
        }
        Ok(Some(n as usize))
    }

    /// A buffer borrowed from the input; `None` for null.
    pub fn read_buffer_ref(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        match self.read_len()? {
            None => Ok(None),
            Some(n) => Ok(Some(self.take(n)?)),
        }
    }

    pub fn read_buffer(&mut self) -> Result<Option<Vec<u8>>, DecodeError> {
        Ok(self.read_buffer_ref()?.map(|b| b.to_vec()))
    }

    /// UTF-8 with replacement of malformed bytes, as Java's `new String(b, UTF_8)` does.
    pub fn read_ustring(&mut self) -> Result<Option<String>, DecodeError> {
        Ok(self.read_buffer_ref()?.map(|b| String::from_utf8_lossy(b).into_owned()))
    }

    /// A string where null reads as empty. Every path-like rule ZooKeeper applies to a null string
    /// (validation, lookups) gives the same answer as for "".
    pub fn read_string(&mut self) -> Result<String, DecodeError> {
        Ok(self.read_ustring()?.unwrap_or_default())
    }

    /// A vector: count -1 reads as `None`; any other negative count is an empty vector (Java's
    /// BinaryIndex is simply "done" when the count is <= 0). Each element costs at least `min_elem`
    /// bytes, so a count the remaining bytes cannot hold fails before anything is allocated.
    pub fn read_vec<T>(
        &mut self,
        min_elem: usize,
        mut f: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<Vec<T>>, DecodeError> {
        let n = self.read_i32()?;
        if n == -1 {
            return Ok(None);
        }
        if n <= 0 {
            return Ok(Some(Vec::new()));
        }
        let n = n as usize;
        if n.saturating_mul(min_elem.max(1)) > self.remaining() {
            return Err(DecodeError::BadLength(n as i64));
        }
        // Reserve no more memory than the input holds; real elements grow it further.
        let cap = n.min(self.remaining() / std::mem::size_of::<T>().max(1));
        let mut v = Vec::with_capacity(cap);
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(Some(v))
    }
}

/// Writes jute primitives into a growable (reusable) buffer.
pub struct JuteWriter<'a> {
    pub out: &'a mut Vec<u8>,
}

impl<'a> JuteWriter<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        JuteWriter { out }
    }
    pub fn write_u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub fn write_byte(&mut self, v: i8) {
        self.out.push(v as u8);
    }
    pub fn write_bool(&mut self, v: bool) {
        self.out.push(v as u8);
    }
    pub fn write_i32(&mut self, v: i32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }
    pub fn write_i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }
    /// `None` writes length -1 (null).
    pub fn write_buffer(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.write_i32(-1),
            Some(b) => {
                self.write_i32(b.len() as i32);
                self.out.extend_from_slice(b);
            }
        }
    }
    pub fn write_str(&mut self, s: &str) {
        self.write_buffer(Some(s.as_bytes()));
    }
    /// `None` writes length -1 (null).
    pub fn write_ustring(&mut self, s: Option<&str>) {
        self.write_buffer(s.map(str::as_bytes));
    }
    /// `None` writes count -1 (null).
    pub fn write_vec<T>(&mut self, v: Option<&[T]>, mut f: impl FnMut(&mut Self, &T)) {
        match v {
            None => self.write_i32(-1),
            Some(items) => {
                self.write_i32(items.len() as i32);
                for it in items {
                    f(self, it);
                }
            }
        }
    }
}

/// Starts a length-prefixed frame in `out`; returns the offset to patch with `end_frame`.
pub fn begin_frame(out: &mut Vec<u8>) -> usize {
    let at = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    at
}

/// Writes the frame length (bytes after the 4-byte prefix) at `at`.
pub fn end_frame(out: &mut [u8], at: usize) {
    let len = (out.len() - at - 4) as i32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
}
