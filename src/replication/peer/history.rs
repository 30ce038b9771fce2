//! The replica's history as the core sees it: everything up to `base` is in the host's snapshot,
//! `entries` follow it in zxid order (logged, maybe not yet durable, maybe not committed), and
//! `commit` is how far the replica knows the history is committed.

use super::super::zxid::Zxid;

/// One logged transaction: its zxid and the host's opaque payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub zxid: Zxid,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct History {
    base: Zxid,
    entries: Vec<Entry>,
    commit: Zxid,
}

impl History {
    pub fn new(base: Zxid, entries: Vec<Entry>) -> History {
        History { base, entries, commit: base }
    }

    pub fn base(&self) -> Zxid {
        self.base
    }

    pub fn last(&self) -> Zxid {
        self.entries.last().map_or(self.base, |e| e.zxid)
    }

    pub fn commit(&self) -> Zxid {
        self.commit
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Index of the first entry with zxid > z.
    fn after_idx(&self, z: Zxid) -> usize {
        self.entries.partition_point(|e| e.zxid <= z)
    }

    pub fn after(&self, z: Zxid) -> &[Entry] {
        &self.entries[self.after_idx(z)..]
    }

    /// Entries in (from, to].
    pub fn range(&self, from: Zxid, to: Zxid) -> &[Entry] {
        let a = self.after_idx(from);
        let b = self.after_idx(to).max(a);
        &self.entries[a..b]
    }

    /// The newest zxid we hold that is <= z (`base` counts); None when z is older than `base`
    /// (then only a snapshot can bring that replica up to date).
    pub fn floor(&self, z: Zxid) -> Option<Zxid> {
        if z < self.base {
            return None;
        }
        let i = self.after_idx(z);
        Some(if i == 0 { self.base } else { self.entries[i - 1].zxid })
    }

    pub fn push(&mut self, e: Entry) {
        debug_assert!(e.zxid > self.last());
        self.entries.push(e);
    }

    /// Drops every entry after z; refused (false) when that would drop committed entries.
    pub fn truncate_after(&mut self, z: Zxid) -> bool {
        if z < self.commit || z < self.base {
            return false;
        }
        let i = self.after_idx(z);
        self.entries.truncate(i);
        true
    }

    /// Replaces everything with a snapshot at z.
    pub fn reset(&mut self, z: Zxid) {
        self.base = z;
        self.commit = z;
        self.entries.clear();
    }

    /// Moves the commit point to min(z, last); returns the newly committed entries.
    pub fn commit_to(&mut self, z: Zxid) -> Vec<Entry> {
        let z = z.min(self.last());
        if z <= self.commit {
            return Vec::new();
        }
        let out = self.range(self.commit, z).to_vec();
        self.commit = z;
        out
    }

    /// Keeps at most `window` committed entries in memory; older ones live only in the host's
    /// snapshot and log, so a replica further behind needs SNAP.
    /// Entries after `keep_after` stay whatever the window says: a learner is still owed them.
    pub fn trim(&mut self, window: usize, keep_after: Option<Zxid>) {
        let committed = self.after_idx(self.commit);
        if committed > window {
            let mut drop = committed - window;
            if let Some(k) = keep_after {
                drop = drop.min(self.after_idx(k));
            }
            if drop > 0 {
                self.base = self.entries[drop - 1].zxid;
                self.entries.drain(..drop);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(n: u32) -> History {
        let mut h = History::new(0, Vec::new());
        for c in 1..=n {
            h.push(Entry { zxid: crate::replication::zxid::make(1, c), data: vec![] });
        }
        h
    }

    #[test]
    fn trim_keeps_the_window_and_what_a_learner_is_owed() {
        let z = |c| crate::replication::zxid::make(1, c);
        let mut h = hist(10);
        h.commit_to(z(10));
        h.trim(3, None);
        assert_eq!(h.base(), z(7));
        let mut h = hist(10);
        h.commit_to(z(10));
        h.trim(3, Some(z(2)));
        assert_eq!(h.base(), z(2), "entries after what was sent stay");
        assert_eq!(h.range(z(2), z(10)).first().map(|e| e.zxid), Some(z(3)));
    }
}
