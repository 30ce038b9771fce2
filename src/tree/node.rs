//! One znode: data, interned ACL, persisted stat and children; plus ephemeral-owner classification.

pub use crate::wire::StatPersisted;
use super::base::BaseTree;
use super::children::Children;
use crate::wire::Stat;

/// The tree's constructor for the shared (snapshot) record.
impl StatPersisted {
    /// DataTree.createStat
    pub fn new_node(zxid: i64, time: i64, ephemeral_owner: i64) -> StatPersisted {
        StatPersisted {
            czxid: zxid,
            mzxid: zxid,
            ctime: time,
            mtime: time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner,
            pzxid: zxid,
        }
    }
}

pub const CONTAINER_EPHEMERAL_OWNER: i64 = i64::MIN;
const EXTENDED_MASK: i64 = 0xff00_0000_0000_0000u64 as i64;
const RESERVED_BITS_MASK: i64 = 0x00ff_ff00_0000_0000;
const EXTENDED_FEATURE_VALUE_MASK: i64 = !(EXTENDED_MASK | RESERVED_BITS_MASK);
/// Largest TTL in ms (low 40 bits).
pub const MAX_TTL: i64 = EXTENDED_FEATURE_VALUE_MASK;

/// EphemeralType
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EphemeralType {
    Void,
    Normal,
    Container,
    Ttl,
}

impl EphemeralType {
    /// EphemeralType.get: TTL owners are only recognised with extended types enabled (otherwise such a value
    /// reads as a normal session owner, exactly as ZooKeeper does).
    pub fn of(owner: i64, extended_types_enabled: bool) -> EphemeralType {
        if extended_types_enabled && (owner & EXTENDED_MASK) == EXTENDED_MASK {
            // feature id 0 = TTL; other feature ids are invalid in ZooKeeper (it throws); treat as normal.
            if (owner & RESERVED_BITS_MASK) >> 40 == 0 {
                return EphemeralType::Ttl;
            }
            return EphemeralType::Normal;
        }
        if owner == CONTAINER_EPHEMERAL_OWNER {
            EphemeralType::Container
        } else if owner == 0 {
            EphemeralType::Void
        } else {
            EphemeralType::Normal
        }
    }
}

/// The owner value stored for a TTL node.
pub fn ttl_owner(ttl: i64) -> i64 {
    EXTENDED_MASK | (ttl & EXTENDED_FEATURE_VALUE_MASK)
}

/// The TTL carried in a TTL owner value.
pub fn ttl_of_owner(owner: i64) -> i64 {
    owner & EXTENDED_FEATURE_VALUE_MASK
}

/// TTL range check (EphemeralType.TTL.toEphemeralOwner).
pub fn ttl_valid(ttl: i64) -> bool {
    ttl > 0 && ttl <= MAX_TTL
}

/// A node held in memory (changed since the last snapshot). Its children are a delta over the
/// base layer (see `children.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub data: Option<Vec<u8>>,
    pub acl: i64,
    pub stat: StatPersisted,
    pub children: Children,
}

impl Node {
    pub fn new(data: Option<Vec<u8>>, acl: i64, stat: StatPersisted) -> Node {
        Node { data, acl, stat, children: Children::default() }
    }
}

/// A read view of one node, wherever it lives (memory or the mapped snapshot).
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    pub data: Option<&'a [u8]>,
    pub acl: i64,
    pub stat: StatPersisted,
    pub children: ChildrenRef<'a>,
}

/// The child names of a `NodeRef`.
#[derive(Clone, Copy)]
pub enum ChildrenRef<'a> {
    Base { base: &'a dyn BaseTree, idx: u32 },
    Delta { base: Option<&'a dyn BaseTree>, children: &'a Children },
}

impl<'a> ChildrenRef<'a> {
    pub fn len(&self) -> usize {
        match *self {
            ChildrenRef::Base { base, idx } => base.children(idx).len(),
            ChildrenRef::Delta { base, children } => children.len(base),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, name: &str) -> bool {
        match *self {
            ChildrenRef::Base { base, idx } => base.find_child(idx, name).is_some(),
            ChildrenRef::Delta { base, children } => children.contains(base, name),
        }
    }

    /// Child names, in no promised order (ZooKeeper's are unordered too).
    pub fn iter(&self) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match *self {
            ChildrenRef::Base { base, idx } => Box::new(base.children(idx).map(move |c| base.name_of(c))),
            ChildrenRef::Delta { base, children } => children.iter(base),
        }
    }
}

impl<'a> NodeRef<'a> {
    pub fn of(n: &'a Node, base: Option<&'a dyn BaseTree>) -> NodeRef<'a> {
        NodeRef { data: n.data.as_deref(), acl: n.acl, stat: n.stat, children: ChildrenRef::Delta { base, children: &n.children } }
    }

    pub fn of_base(base: &'a dyn BaseTree, idx: u32) -> NodeRef<'a> {
        NodeRef { data: base.data(idx), acl: base.acl(idx), stat: base.stat(idx), children: ChildrenRef::Base { base, idx } }
    }

    pub fn data_len(&self) -> usize {
        self.data.map(|d| d.len()).unwrap_or(0)
    }

    /// DataNode.copyStat: derived fields and the client-visible owner.
    pub fn client_stat(&self, extended_types_enabled: bool) -> Stat {
        let n = self.children.len() as i32;
        let s = &self.stat;
        let owner = if EphemeralType::of(s.ephemeral_owner, extended_types_enabled) == EphemeralType::Normal {
            s.ephemeral_owner
        } else {
            0
        };
        Stat {
            czxid: s.czxid,
            mzxid: s.mzxid,
            ctime: s.ctime,
            mtime: s.mtime,
            version: s.version,
            cversion: s.cversion.wrapping_mul(2).wrapping_sub(n),
            aversion: s.aversion,
            ephemeral_owner: owner,
            data_length: self.data_len() as i32,
            num_children: n,
            pzxid: s.pzxid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_classification() {
        assert_eq!(EphemeralType::of(0, true), EphemeralType::Void);
        assert_eq!(EphemeralType::of(0x0100_0000_0000_0001, true), EphemeralType::Normal);
        assert_eq!(EphemeralType::of(CONTAINER_EPHEMERAL_OWNER, false), EphemeralType::Container);
        assert_eq!(EphemeralType::of(CONTAINER_EPHEMERAL_OWNER, true), EphemeralType::Container);
        let t = ttl_owner(1000);
        assert_eq!(t as u64, 0xff00_0000_0000_03e8);
        assert_eq!(EphemeralType::of(t, true), EphemeralType::Ttl);
        assert_eq!(EphemeralType::of(t, false), EphemeralType::Normal);
        assert_eq!(ttl_of_owner(t), 1000);
        assert!(ttl_valid(1) && ttl_valid(MAX_TTL) && !ttl_valid(0) && !ttl_valid(MAX_TTL + 1));
        assert_eq!(MAX_TTL, 0xff_ffff_ffff);
    }

    #[test]
    fn client_stat_cversion_and_owner() {
        let mut n = Node::new(Some(vec![1, 2]), -1, StatPersisted::new_node(5, 9, CONTAINER_EPHEMERAL_OWNER));
        n.stat.cversion = 3;
        n.children.insert(None, "a");
        let s = NodeRef::of(&n, None).client_stat(false);
        assert_eq!(s.cversion, 5);
        assert_eq!(s.num_children, 1);
        assert_eq!(s.data_length, 2);
        assert_eq!(s.ephemeral_owner, 0);
        assert_eq!((s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime), (5, 5, 5, 9, 9));
    }
}
