//! On-disk layout: a 64-byte header, then the rkyv archive of `Body` (columnar: fixed-size node
//! records, with all path bytes and all data bytes in two blobs).

use rkyv::{Archive, Serialize};

pub const MAGIC: &[u8; 8] = b"ZKDSNAP\0";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 64;
/// `index` slot value for "empty".
pub const EMPTY: u32 = u32::MAX;
/// `data_len` value for null data (distinct from empty).
pub const NULL_DATA: u32 = u32::MAX;

#[derive(Archive, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SnapStat {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeral_owner: i64,
    pub pzxid: i64,
}

#[derive(Archive, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SnapAcl {
    pub perms: i32,
    pub scheme: String,
    pub id: String,
}

/// One node: where its path and data live in the blobs, and its children's index run.
#[derive(Archive, Serialize, Clone, Copy, Debug)]
pub struct NodeRec {
    pub path_off: u64,
    pub path_len: u32,
    /// Byte offset of the last path component within the path.
    pub name_off: u32,
    pub data_off: u64,
    pub data_len: u32,
    pub first_child: u32,
    pub child_count: u32,
    pub acl: i64,
    pub stat: SnapStat,
}

#[derive(Archive, Serialize, Clone, Debug)]
pub struct AclEntry {
    pub index: i64,
    pub refs: u64,
    pub list: Vec<SnapAcl>,
}

#[derive(Archive, Serialize, Clone, Debug)]
pub struct Body {
    pub last_zxid: i64,
    pub data_size: i64,
    /// Sorted by (parent path, name), root first: each node's children are one run.
    pub nodes: Vec<NodeRec>,
    pub paths: Vec<u8>,
    pub data: Vec<u8>,
    /// Open addressing over xxh3(path), power-of-two length, linear probing; EMPTY = free slot.
    pub index: Vec<u32>,
    /// Nodes with a non-zero ephemeral owner.
    pub special: Vec<u32>,
    pub acls: Vec<AclEntry>,
    /// (session id, timeout ms)
    pub sessions: Vec<(i64, i32)>,
}

/// The fixed header (little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub last_zxid: i64,
    pub node_count: u64,
    pub body_len: u64,
    pub body_xxh3: u64,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(MAGIC);
        h[8..12].copy_from_slice(&VERSION.to_le_bytes());
        h[16..24].copy_from_slice(&self.last_zxid.to_le_bytes());
        h[24..32].copy_from_slice(&self.node_count.to_le_bytes());
        h[32..40].copy_from_slice(&self.body_len.to_le_bytes());
        h[40..48].copy_from_slice(&self.body_xxh3.to_le_bytes());
        let sum = xxhash_rust::xxh3::xxh3_64(&h[0..56]);
        h[56..64].copy_from_slice(&sum.to_le_bytes());
        h
    }

    pub fn decode(h: &[u8]) -> Result<Header, String> {
        if h.len() < HEADER_LEN {
            return Err(format!("file too short for a header ({} bytes)", h.len()));
        }
        if &h[0..8] != MAGIC {
            return Err("bad magic".into());
        }
        let u64_at = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().unwrap_or([0; 8]));
        if u64_at(56) != xxhash_rust::xxh3::xxh3_64(&h[0..56]) {
            return Err("header checksum mismatch".into());
        }
        let version = u32::from_le_bytes(h[8..12].try_into().unwrap_or([0; 4]));
        if version != VERSION {
            return Err(format!("format version {version}, this zkd reads {VERSION}"));
        }
        Ok(Header { last_zxid: u64_at(16) as i64, node_count: u64_at(24), body_len: u64_at(32), body_xxh3: u64_at(40) })
    }
}

/// Slot of `path` in an index of `len` (a power of two) slots.
pub fn home_slot(path: &[u8], len: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(path) as usize) & (len - 1)
}
