//! Data records shared by the wire protocol, the tree and the log (zookeeper.jute `data` module).

/// An authentication identity: `scheme:id`, e.g. `world:anyone`, `digest:user:hash`, `ip:127.0.0.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id {
    pub scheme: String,
    pub id: String,
}

impl Id {
    pub fn new(scheme: impl Into<String>, id: impl Into<String>) -> Self {
        Id { scheme: scheme.into(), id: id.into() }
    }
}

/// One ACL entry: permission bits granted to an identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Acl {
    pub perms: i32,
    pub id: Id,
}

/// Permission bits (ZooDefs.Perms).
pub mod perms {
    pub const READ: i32 = 1;
    pub const WRITE: i32 = 2;
    pub const CREATE: i32 = 4;
    pub const DELETE: i32 = 8;
    pub const ADMIN: i32 = 16;
    pub const ALL: i32 = 31;
}

impl Acl {
    /// `world:anyone` with all permissions (ZooDefs.Ids.OPEN_ACL_UNSAFE).
    pub fn open_unsafe() -> Vec<Acl> {
        vec![Acl { perms: perms::ALL, id: Id::new("world", "anyone") }]
    }
    /// `world:anyone` read only (ZooDefs.Ids.READ_ACL_UNSAFE).
    pub fn read_unsafe() -> Vec<Acl> {
        vec![Acl { perms: perms::READ, id: Id::new("world", "anyone") }]
    }
}

/// The client-visible stat of a znode (68 bytes on the wire; note `pzxid` is last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Stat {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeral_owner: i64,
    pub data_length: i32,
    pub num_children: i32,
    pub pzxid: i64,
}

/// A client identity as reported by whoAmI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub auth_scheme: String,
    pub user: String,
}

/// The stat as persisted in snapshots (60 bytes: no dataLength/numChildren, which are derived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct StatPersisted {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    /// Counts creates of children only (clients see `cversion * 2 - numChildren`, DataNode.copyStat).
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeral_owner: i64,
    pub pzxid: i64,
}
