//! Minimal big-endian jute primitives for the txn log records (kept private to `txn` so the log format
//! does not depend on the client codec's choices).

use crate::wire::{Acl, Id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxnDecodeError {
    Eof,
    BadLength(i32),
    BadUtf8,
    UnknownType(i32),
}

pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { buf: Vec::with_capacity(64) }
    }
    pub fn int(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn long(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn boolean(&mut self, v: bool) {
        self.buf.push(v as u8);
    }
    pub fn buffer(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.int(-1),
            Some(b) => {
                self.int(b.len() as i32);
                self.buf.extend_from_slice(b);
            }
        }
    }
    pub fn string(&mut self, s: &str) {
        self.buffer(Some(s.as_bytes()));
    }
    pub fn acls(&mut self, acls: &[Acl]) {
        self.int(acls.len() as i32);
        for a in acls {
            self.int(a.perms);
            self.string(&a.id.scheme);
            self.string(&a.id.id);
        }
    }
    pub fn strings(&mut self, v: &[String]) {
        self.int(v.len() as i32);
        for s in v {
            self.string(s);
        }
    }
}

pub struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], TxnDecodeError> {
        if self.remaining() < n {
            return Err(TxnDecodeError::Eof);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn int(&mut self) -> Result<i32, TxnDecodeError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn long(&mut self) -> Result<i64, TxnDecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }
    pub fn boolean(&mut self) -> Result<bool, TxnDecodeError> {
        Ok(self.take(1)?[0] != 0)
    }
    pub fn buffer(&mut self) -> Result<Option<Vec<u8>>, TxnDecodeError> {
        let n = self.int()?;
        if n == -1 {
            return Ok(None);
        }
        if n < 0 {
            return Err(TxnDecodeError::BadLength(n));
        }
        Ok(Some(self.take(n as usize)?.to_vec()))
    }
    pub fn string(&mut self) -> Result<String, TxnDecodeError> {
        match self.buffer()? {
            None => Ok(String::new()),
            Some(b) => String::from_utf8(b).map_err(|_| TxnDecodeError::BadUtf8),
        }
    }
    fn count(&mut self) -> Result<usize, TxnDecodeError> {
        let n = self.int()?;
        if n == -1 {
            return Ok(0);
        }
        if n < 0 || n as usize > self.remaining() {
            return Err(TxnDecodeError::BadLength(n));
        }
        Ok(n as usize)
    }
    pub fn acls(&mut self) -> Result<Vec<Acl>, TxnDecodeError> {
        let n = self.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let perms = self.int()?;
            let scheme = self.string()?;
            let id = self.string()?;
            v.push(Acl { perms, id: Id { scheme, id } });
        }
        Ok(v)
    }
    pub fn strings(&mut self) -> Result<Vec<String>, TxnDecodeError> {
        let n = self.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.string()?);
        }
        Ok(v)
    }
}
