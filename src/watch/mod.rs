//! Server-side watches: a data table and a child table (DataTree.dataWatches/childWatches), the trigger
//! rules of spec §6.8, setWatches catch-up (§6.9), check/remove by WatcherType, and 4lw listings.

mod table;

pub use table::{ConnId, Table, WatchMode};

use crate::tree::{DataTree, WatchTrigger};
use crate::wire::{event_type, watcher_type, Acl, SetWatches};

/// One notification to deliver (the pipeline turns it into an `Output::Event`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub conn: ConnId,
    /// Triggering txn's zxid; -1 for events synthesised by setWatches.
    pub zxid: i64,
    pub event_type: i32,
    pub path: String,
}

#[derive(Debug, Default, Clone)]
pub struct WatchManager {
    pub data: Table,
    pub child: Table,
}

impl WatchManager {
    pub fn new() -> WatchManager {
        WatchManager::default()
    }

    /// exists(watch) / getData(watch): standard data watch.
    pub fn add_data_watch(&mut self, path: &str, conn: ConnId) {
        self.data.add(path, conn, WatchMode::Standard);
    }

    /// getChildren(watch): standard child watch.
    pub fn add_child_watch(&mut self, path: &str, conn: ConnId) {
        self.child.add(path, conn, WatchMode::Standard);
    }

    /// addWatch: PERSISTENT goes in both tables, PERSISTENT_RECURSIVE in the data table only.
    pub fn add_persistent(&mut self, path: &str, conn: ConnId, recursive: bool) {
        if recursive {
            self.data.add(path, conn, WatchMode::PersistentRecursive);
        } else {
            self.data.add(path, conn, WatchMode::Persistent);
            self.child.add(path, conn, WatchMode::Persistent);
        }
    }

    /// The connection closed: drop all its watches.
    pub fn remove_conn(&mut self, conn: ConnId) {
        self.data.remove_conn(conn);
        self.child.remove_conn(conn);
    }

    /// Fires the watches for one tree change. `can_read(conn, acl)` is the delivery-time READ check
    /// (3.8.4+); watches are consumed even when the event is then filtered out.
    pub fn fire(
        &mut self,
        trigger: &WatchTrigger,
        zxid: i64,
        can_read: &mut dyn FnMut(ConnId, &[Acl]) -> bool,
        out: &mut Vec<Notification>,
    ) {
        let mut emit = |conns: Vec<ConnId>, et: i32, path: &str, acl: &[Acl], out: &mut Vec<Notification>| {
            for c in conns {
                if can_read(c, acl) {
                    out.push(Notification { conn: c, zxid, event_type: et, path: path.to_string() });
                }
            }
        };
        match trigger {
            WatchTrigger::Created { path, parent, acl, parent_acl } => {
                let d = self.data.trigger(path);
                emit(d, event_type::NODE_CREATED, path, acl, out);
                let c = self.child.trigger(parent);
                emit(c, event_type::NODE_CHILDREN_CHANGED, parent, parent_acl, out);
            }
            WatchTrigger::Deleted { path, parent, acl, parent_acl } => {
                let d = self.data.trigger(path);
                let c: Vec<ConnId> = self.child.trigger(path).into_iter().filter(|x| !d.contains(x)).collect();
                emit(d, event_type::NODE_DELETED, path, acl, out);
                emit(c, event_type::NODE_DELETED, path, acl, out);
                let p = self.child.trigger(parent);
                emit(p, event_type::NODE_CHILDREN_CHANGED, parent, parent_acl, out);
            }
            WatchTrigger::DataChanged { path, acl } => {
                let d = self.data.trigger(path);
                emit(d, event_type::NODE_DATA_CHANGED, path, acl, out);
            }
        }
    }

    /// DataTree.setWatches: catch-up events (zxid -1, no ACL filter) or registration.
    pub fn set_watches(&mut self, tree: &DataTree, conn: ConnId, sw: &SetWatches, out: &mut Vec<Notification>) {
        let rel = sw.relative_zxid;
        let ev = |et: i32, path: &str, out: &mut Vec<Notification>| {
            out.push(Notification { conn, zxid: -1, event_type: et, path: path.to_string() });
        };
        for p in &sw.data_watches {
            match tree.get(p) {
                None => ev(event_type::NODE_DELETED, p, out),
                Some(n) if n.stat.mzxid > rel => ev(event_type::NODE_DATA_CHANGED, p, out),
                Some(_) => {
                    self.data.add(p, conn, WatchMode::Standard);
                }
            }
        }
        for p in &sw.exist_watches {
            if tree.get(p).is_some() {
                ev(event_type::NODE_CREATED, p, out);
            } else {
                self.data.add(p, conn, WatchMode::Standard);
            }
        }
        for p in &sw.child_watches {
            match tree.get(p) {
                None => ev(event_type::NODE_DELETED, p, out),
                Some(n) if n.stat.pzxid > rel => ev(event_type::NODE_CHILDREN_CHANGED, p, out),
                Some(_) => {
                    self.child.add(p, conn, WatchMode::Standard);
                }
            }
        }
        for p in &sw.persistent_watches {
            self.child.add(p, conn, WatchMode::Persistent);
            self.data.add(p, conn, WatchMode::Persistent);
        }
        for p in &sw.persistent_recursive_watches {
            self.data.add(p, conn, WatchMode::PersistentRecursive);
        }
    }

    /// checkWatches (DataTree.containsWatcher). `None` for an unknown WatcherType value.
    pub fn contains(&self, path: &str, conn: ConnId, wtype: i32) -> Option<bool> {
        Some(match wtype {
            watcher_type::CHILDREN => self.child.contains(path, conn, Some(WatchMode::Standard)),
            watcher_type::DATA => self.data.contains(path, conn, Some(WatchMode::Standard)),
            watcher_type::PERSISTENT => self.data.contains(path, conn, Some(WatchMode::Persistent)),
            watcher_type::PERSISTENT_RECURSIVE => self.data.contains(path, conn, Some(WatchMode::PersistentRecursive)),
            watcher_type::ANY => self.child.contains(path, conn, None) || self.data.contains(path, conn, None),
            _ => return None,
        })
    }

    /// removeWatches (DataTree.removeWatch). `None` for an unknown WatcherType value.
    pub fn remove(&mut self, path: &str, conn: ConnId, wtype: i32) -> Option<bool> {
        Some(match wtype {
            watcher_type::CHILDREN => self.child.remove(path, conn, Some(WatchMode::Standard)),
            watcher_type::DATA => self.data.remove(path, conn, Some(WatchMode::Standard)),
            watcher_type::PERSISTENT => {
                let a = self.child.remove(path, conn, Some(WatchMode::Persistent));
                let b = self.data.remove(path, conn, Some(WatchMode::Persistent));
                a || b
            }
            watcher_type::PERSISTENT_RECURSIVE => self.data.remove(path, conn, Some(WatchMode::PersistentRecursive)),
            watcher_type::ANY => {
                let a = self.child.remove(path, conn, None);
                let b = self.data.remove(path, conn, None);
                a || b
            }
            _ => return None,
        })
    }

    /// DataTree.getWatchCount: watchers summed over both tables.
    pub fn watch_count(&self) -> usize {
        self.data.size() + self.child.size()
    }
}

#[cfg(test)]
mod tests;
