//! A memory-mapped snapshot serves as the tree's base layer, read in place.

use crate::tree::{BaseTree, StatPersisted};
use std::ops::Range;
use zkd_storage::snapshot::{MappedSnapshot, SnapStat};

pub(super) fn to_stat(s: SnapStat) -> StatPersisted {
    StatPersisted {
        czxid: s.czxid,
        mzxid: s.mzxid,
        ctime: s.ctime,
        mtime: s.mtime,
        version: s.version,
        cversion: s.cversion,
        aversion: s.aversion,
        ephemeral_owner: s.ephemeral_owner,
        pzxid: s.pzxid,
    }
}

pub(super) fn from_stat(s: StatPersisted) -> SnapStat {
    SnapStat {
        czxid: s.czxid,
        mzxid: s.mzxid,
        ctime: s.ctime,
        mtime: s.mtime,
        version: s.version,
        cversion: s.cversion,
        aversion: s.aversion,
        ephemeral_owner: s.ephemeral_owner,
        pzxid: s.pzxid,
    }
}

impl BaseTree for MappedSnapshot {
    fn last_zxid(&self) -> i64 {
        MappedSnapshot::last_zxid(self)
    }
    fn node_count(&self) -> u32 {
        MappedSnapshot::node_count(self)
    }
    fn lookup(&self, path: &str) -> Option<u32> {
        MappedSnapshot::lookup(self, path)
    }
    fn path_of(&self, idx: u32) -> &str {
        MappedSnapshot::path_of(self, idx)
    }
    fn name_of(&self, idx: u32) -> &str {
        MappedSnapshot::name_of(self, idx)
    }
    fn data(&self, idx: u32) -> Option<&[u8]> {
        MappedSnapshot::data(self, idx)
    }
    fn stat(&self, idx: u32) -> StatPersisted {
        to_stat(MappedSnapshot::stat(self, idx))
    }
    fn acl(&self, idx: u32) -> i64 {
        MappedSnapshot::acl(self, idx)
    }
    fn children(&self, idx: u32) -> Range<u32> {
        MappedSnapshot::children(self, idx)
    }
}
