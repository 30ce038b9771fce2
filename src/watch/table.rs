//! One watch table (ZooKeeper's WatchManager): path -> connections, connection -> (path -> modes).

use std::collections::{HashMap, HashSet};

/// Connection id as assigned by the edge (same type as `pipeline::ConnId`).
pub type ConnId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchMode {
    Standard,
    Persistent,
    PersistentRecursive,
}

impl WatchMode {
    fn bit(self) -> u8 {
        match self {
            WatchMode::Standard => 1,
            WatchMode::Persistent => 2,
            WatchMode::PersistentRecursive => 4,
        }
    }
}

const RECURSIVE: u8 = 4;
const STANDARD: u8 = 1;

#[derive(Debug, Default, Clone)]
pub struct Table {
    by_path: crate::fast_map::FastMap<String, Vec<ConnId>>,
    by_conn: HashMap<ConnId, HashMap<String, u8>>,
    recursive_qty: usize,
}

/// `/a/b` -> [`/a/b`, `/a`, `/`]
fn path_and_ancestors(path: &str) -> Vec<&str> {
    let mut v = vec![path];
    let mut p = path;
    while let Some(i) = p.rfind('/') {
        if i == 0 {
            if p != "/" {
                v.push("/");
            }
            break;
        }
        p = &p[..i];
        v.push(p);
    }
    v
}

impl Table {
    pub fn add(&mut self, path: &str, conn: ConnId, mode: WatchMode) -> bool {
        let list = self.by_path.entry(path.to_string()).or_default();
        if !list.contains(&conn) {
            list.push(conn);
        }
        let paths = self.by_conn.entry(conn).or_default();
        let old = paths.get(path).copied().unwrap_or(0);
        let new = old | mode.bit();
        if new != old {
            paths.insert(path.to_string(), new);
            if mode == WatchMode::PersistentRecursive {
                self.recursive_qty += 1;
            }
            return true;
        }
        false
    }

    pub fn remove_conn(&mut self, conn: ConnId) {
        let Some(paths) = self.by_conn.remove(&conn) else { return };
        for (p, bits) in paths {
            if let Some(list) = self.by_path.get_mut(&p) {
                list.retain(|c| *c != conn);
                if list.is_empty() {
                    self.by_path.remove(&p);
                }
            }
            if bits & RECURSIVE != 0 {
                self.recursive_qty -= 1;
            }
        }
    }

    /// WatchManager.triggerWatch: the connections to notify (each once), consuming standard watches at
    /// `path`; ancestors only count through recursive watches.
    pub fn trigger(&mut self, path: &str) -> Vec<ConnId> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let candidates = if self.recursive_qty == 0 { vec![path] } else { path_and_ancestors(path) };
        for (i, local) in candidates.into_iter().enumerate() {
            let at_parent = i > 0;
            let Some(list) = self.by_path.get_mut(local) else { continue };
            let mut keep = Vec::with_capacity(list.len());
            for &conn in list.iter() {
                let Some(paths) = self.by_conn.get_mut(&conn) else { continue };
                let Some(&bits) = paths.get(local) else { continue };
                if !at_parent {
                    if seen.insert(conn) {
                        out.push(conn);
                    }
                    let new = bits & !STANDARD;
                    if new == 0 {
                        paths.remove(local);
                        if paths.is_empty() {
                            self.by_conn.remove(&conn);
                        }
                        continue;
                    }
                    paths.insert(local.to_string(), new);
                } else if bits & RECURSIVE != 0 && seen.insert(conn) {
                    out.push(conn);
                }
                keep.push(conn);
            }
            if keep.is_empty() {
                self.by_path.remove(local);
            } else {
                *list = keep;
            }
        }
        out
    }

    pub fn contains(&self, path: &str, conn: ConnId, mode: Option<WatchMode>) -> bool {
        match self.by_conn.get(&conn).and_then(|p| p.get(path)) {
            None => false,
            Some(bits) => mode.map(|m| bits & m.bit() != 0).unwrap_or(true),
        }
    }

    /// WatchManager.removeWatcher(path, watcher, mode); `None` removes every mode.
    pub fn remove(&mut self, path: &str, conn: ConnId, mode: Option<WatchMode>) -> bool {
        if !self.by_path.contains_key(path) {
            return false;
        }
        let Some(paths) = self.by_conn.get_mut(&conn) else { return false };
        let old = paths.get(path).copied().unwrap_or(0);
        let new = match mode {
            Some(m) => old & !m.bit(),
            None => 0,
        };
        if new != 0 {
            if new != old {
                paths.insert(path.to_string(), new);
            }
        } else if old != 0 {
            paths.remove(path);
            if paths.is_empty() {
                self.by_conn.remove(&conn);
            }
            if let Some(list) = self.by_path.get_mut(path) {
                list.retain(|c| *c != conn);
                if list.is_empty() {
                    self.by_path.remove(path);
                }
            }
        }
        if old & RECURSIVE != 0 && new & RECURSIVE == 0 {
            self.recursive_qty -= 1;
        }
        old != new
    }

    /// WatchManager.size(): sum of watchers over paths.
    pub fn size(&self) -> usize {
        self.by_path.values().map(|v| v.len()).sum()
    }

    /// (connections, paths, total watches) as wchs prints them.
    pub fn summary(&self) -> (usize, usize, usize) {
        (self.by_conn.len(), self.by_path.len(), self.by_conn.values().map(|p| p.len()).sum())
    }

    pub fn by_conn(&self) -> Vec<(ConnId, Vec<String>)> {
        let mut v: Vec<_> = self.by_conn.iter().map(|(c, p)| (*c, p.keys().cloned().collect())).collect();
        v.sort();
        v
    }

    pub fn by_path(&self) -> Vec<(String, Vec<ConnId>)> {
        let mut v: Vec<_> = self.by_path.iter().map(|(p, c)| (p.clone(), c.clone())).collect();
        v.sort();
        v
    }

    pub fn paths_of(&self, conn: ConnId) -> Vec<String> {
        self.by_conn.get(&conn).map(|p| p.keys().cloned().collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors() {
        assert_eq!(path_and_ancestors("/a/b"), vec!["/a/b", "/a", "/"]);
        assert_eq!(path_and_ancestors("/"), vec!["/"]);
        assert_eq!(path_and_ancestors("/a"), vec!["/a", "/"]);
    }

    #[test]
    fn standard_fires_once_persistent_stays() {
        let mut t = Table::default();
        t.add("/a", 1, WatchMode::Standard);
        t.add("/a", 2, WatchMode::Persistent);
        t.add("/a", 2, WatchMode::Standard);
        assert_eq!(t.trigger("/a"), vec![1, 2]);
        assert!(!t.contains("/a", 1, None));
        assert!(t.contains("/a", 2, Some(WatchMode::Persistent)));
        assert!(!t.contains("/a", 2, Some(WatchMode::Standard)));
        assert_eq!(t.trigger("/a"), vec![2]);
        assert_eq!(t.size(), 1);
    }

    #[test]
    fn recursive_covers_descendants_only_via_recursive_mode() {
        let mut t = Table::default();
        t.add("/", 1, WatchMode::PersistentRecursive);
        t.add("/a", 2, WatchMode::Standard);
        t.add("/a", 3, WatchMode::Persistent);
        assert_eq!(t.trigger("/a/b"), vec![1]);
        let mut got = t.trigger("/a");
        got.sort();
        assert_eq!(got, vec![1, 2, 3]);
        t.remove_conn(1);
        assert_eq!(t.trigger("/a/b"), Vec::<ConnId>::new());
    }

    #[test]
    fn remove_by_mode() {
        let mut t = Table::default();
        t.add("/a", 1, WatchMode::Standard);
        t.add("/a", 1, WatchMode::PersistentRecursive);
        assert!(!t.remove("/a", 1, Some(WatchMode::Persistent)));
        assert!(t.remove("/a", 1, Some(WatchMode::Standard)));
        assert!(t.contains("/a", 1, None));
        assert!(t.remove("/a", 1, None));
        assert!(!t.contains("/a", 1, None));
        assert_eq!(t.summary(), (0, 0, 0));
        assert_eq!(t.recursive_qty, 0);
    }
}
