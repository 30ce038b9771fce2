//! A snapshot file opened for serving: validated once, then read in place through the mapping.

use super::format::{home_slot, ArchivedBody, ArchivedNodeRec, Header, SnapAcl, SnapStat, EMPTY, HEADER_LEN, NULL_DATA};
use super::SnapError;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

enum Backing {
    Map(memmap2::Mmap),
    Owned(rkyv::util::AlignedVec),
}

pub struct MappedSnapshot {
    backing: Backing,
    header: Header,
    path: Option<PathBuf>,
}

fn corrupt(file: &str, reason: impl Into<String>) -> SnapError {
    SnapError::Corrupt { file: file.to_string(), reason: reason.into() }
}

/// Header checks + body checksum, from any reader positioned at the start of the file.
fn validate(name: &str, file_len: u64, mut r: impl Read) -> Result<Header, SnapError> {
    let mut h = [0u8; HEADER_LEN];
    r.read_exact(&mut h).map_err(|_| corrupt(name, format!("file too short for a header ({file_len} bytes)")))?;
    let header = Header::decode(&h).map_err(|e| corrupt(name, e))?;
    if header.body_len + HEADER_LEN as u64 != file_len {
        return Err(corrupt(name, format!("header says {} body bytes, file has {}", header.body_len, file_len.saturating_sub(HEADER_LEN as u64))));
    }
    // Streamed through a small buffer, not through the mapping: validating must not make the
    // whole file resident in this process (the page cache keeps it warm anyway).
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = header.body_len;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        r.read_exact(&mut buf[..want]).map_err(|e| corrupt(name, format!("reading the body: {e}")))?;
        hasher.update(&buf[..want]);
        left -= want as u64;
    }
    if hasher.digest() != header.body_xxh3 {
        return Err(corrupt(name, "body checksum mismatch"));
    }
    Ok(header)
}

impl MappedSnapshot {
    /// Maps and validates a snapshot file: header, length, xxh3 of the whole body.
    pub fn open(path: &Path) -> Result<MappedSnapshot, SnapError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| SnapError::io(path, e))?;
        let len = file.metadata().map_err(|e| SnapError::io(path, e))?.len();
        let header = validate(&name, len, std::io::BufReader::with_capacity(1 << 16, &file))?;
        // SAFETY: snapshot files are never modified after their rename (only deleted by purge,
        // which leaves existing mappings intact); the checksum was verified just above.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| SnapError::io(path, e))?;
        if map.len() as u64 != len {
            return Err(corrupt(&name, "file changed while opening"));
        }
        let s = MappedSnapshot { backing: Backing::Map(map), header, path: Some(path.to_path_buf()) };
        s.check_shape(&name)?;
        Ok(s)
    }

    /// The same validation over bytes in memory (tests, tools).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<MappedSnapshot, SnapError> {
        let header = validate("<memory>", bytes.len() as u64, &bytes[..])?;
        let mut v = rkyv::util::AlignedVec::<16>::with_capacity(bytes.len());
        v.extend_from_slice(&bytes);
        let s = MappedSnapshot { backing: Backing::Owned(v), header, path: None };
        s.check_shape("<memory>")?;
        Ok(s)
    }

    /// Cheap structural checks that the archive matches its header.
    fn check_shape(&self, name: &str) -> Result<(), SnapError> {
        let b = self.body();
        if b.nodes.len() as u64 != self.header.node_count || b.nodes.is_empty() || !b.index.len().is_power_of_two() {
            return Err(corrupt(name, "archive does not match its header"));
        }
        Ok(())
    }

    fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Map(m) => m,
            Backing::Owned(v) => v,
        }
    }

    fn body(&self) -> &ArchivedBody {
        let body = &self.bytes()[HEADER_LEN..HEADER_LEN + self.header.body_len as usize];
        // SAFETY: `validate` proved with the xxh3 checksum that these are exactly the bytes our
        // encoder archived (same format version), so they are a valid `ArchivedBody`; bytecheck
        // would walk every node (O(n)) to prove the same. The body starts 64 bytes into a
        // page-aligned mapping or a 16-aligned buffer, which satisfies the archive's alignment.
        unsafe { rkyv::access_unchecked::<ArchivedBody>(body) }
    }

    fn rec(&self, idx: u32) -> &ArchivedNodeRec {
        &self.body().nodes[idx as usize]
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn file_len(&self) -> u64 {
        self.bytes().len() as u64
    }

    pub fn last_zxid(&self) -> i64 {
        self.header.last_zxid
    }

    pub fn node_count(&self) -> u32 {
        self.header.node_count as u32
    }

    pub fn data_size(&self) -> i64 {
        self.body().data_size.to_native()
    }

    pub fn lookup(&self, path: &str) -> Option<u32> {
        let index = self.body().index.as_slice();
        let len = index.len();
        let mut slot = home_slot(path.as_bytes(), len);
        for _ in 0..len {
            let i = index[slot].to_native();
            if i == EMPTY {
                return None;
            }
            if self.path_of(i) == path {
                return Some(i);
            }
            slot = (slot + 1) & (len - 1);
        }
        None
    }

    pub fn path_of(&self, idx: u32) -> &str {
        let r = self.rec(idx);
        let off = r.path_off.to_native() as usize;
        let bytes = &self.body().paths[off..off + r.path_len.to_native() as usize];
        // Paths were &str when encoded and the checksum holds; fall back to "" rather than panic.
        std::str::from_utf8(bytes).unwrap_or("")
    }

    pub fn name_of(&self, idx: u32) -> &str {
        let p = self.path_of(idx);
        p.get(self.rec(idx).name_off.to_native() as usize..).unwrap_or("")
    }

    pub fn data(&self, idx: u32) -> Option<&[u8]> {
        let r = self.rec(idx);
        let len = r.data_len.to_native();
        if len == NULL_DATA {
            return None;
        }
        let off = r.data_off.to_native() as usize;
        Some(&self.body().data[off..off + len as usize])
    }

    pub fn stat(&self, idx: u32) -> SnapStat {
        let s = &self.rec(idx).stat;
        SnapStat {
            czxid: s.czxid.to_native(),
            mzxid: s.mzxid.to_native(),
            ctime: s.ctime.to_native(),
            mtime: s.mtime.to_native(),
            version: s.version.to_native(),
            cversion: s.cversion.to_native(),
            aversion: s.aversion.to_native(),
            ephemeral_owner: s.ephemeral_owner.to_native(),
            pzxid: s.pzxid.to_native(),
        }
    }

    pub fn acl(&self, idx: u32) -> i64 {
        self.rec(idx).acl.to_native()
    }

    pub fn children(&self, idx: u32) -> Range<u32> {
        let r = self.rec(idx);
        let first = r.first_child.to_native();
        first..first + r.child_count.to_native()
    }

    pub fn acls(&self) -> impl Iterator<Item = (i64, u64, Vec<SnapAcl>)> + '_ {
        self.body().acls.iter().map(|e| {
            let list = e
                .list
                .iter()
                .map(|a| SnapAcl { perms: a.perms.to_native(), scheme: a.scheme.as_str().to_string(), id: a.id.as_str().to_string() })
                .collect();
            (e.index.to_native(), e.refs.to_native(), list)
        })
    }

    pub fn sessions(&self) -> impl Iterator<Item = (i64, i32)> + '_ {
        self.body().sessions.iter().map(|t| (t.0.to_native(), t.1.to_native()))
    }

    pub fn special_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.body().special.iter().map(|i| i.to_native())
    }
}
