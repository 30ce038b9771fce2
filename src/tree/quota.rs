//! Quota bookkeeping (Quotas, StatsTrack, PathTrie.findMaxPrefix): which subtrees carry a quota and the
//! `count=..,bytes=..` text format of `zookeeper_limits` / `zookeeper_stats` nodes.

use std::collections::{BTreeMap, BTreeSet};

pub const QUOTA_ROOT: &str = "/zookeeper/quota";
pub const LIMIT_NODE: &str = "zookeeper_limits";
pub const STAT_NODE: &str = "zookeeper_stats";

pub fn limit_path(path: &str) -> String {
    format!("{QUOTA_ROOT}{path}/{LIMIT_NODE}")
}

pub fn stat_path(path: &str) -> String {
    format!("{QUOTA_ROOT}{path}/{STAT_NODE}")
}

/// `/zookeeper/quota/a/b` -> `/a/b`
pub fn trim_quota_path(quota_path: &str) -> &str {
    quota_path.get(QUOTA_ROOT.len()..).unwrap_or("")
}

/// The set of paths that have a limit node (ZooKeeper keeps them in a PathTrie).
#[derive(Debug, Default, Clone)]
pub struct QuotaIndex {
    roots: BTreeSet<String>,
}

fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

impl QuotaIndex {
    pub fn add(&mut self, path: &str) {
        self.roots.insert(normalize(path));
    }

    pub fn remove(&mut self, path: &str) {
        self.roots.remove(&normalize(path));
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// DataTree.getMaxPrefixWithQuota: the deepest quota root that is a component-wise prefix of `path`
    /// (never `/`).
    pub fn max_prefix(&self, path: &str) -> Option<String> {
        if self.roots.is_empty() {
            return None;
        }
        let mut best = None;
        let mut cur = String::new();
        for comp in path.split('/').filter(|s| !s.is_empty()) {
            cur.push('/');
            cur.push_str(comp);
            if self.roots.contains(&cur) {
                best = Some(cur.clone());
            }
        }
        best
    }
}

/// StatsTrack: `count=N,bytes=N` then, when other keys exist, `=` and `;key=value` pairs in key order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StatsTrack {
    values: BTreeMap<String, i64>,
}

impl StatsTrack {
    pub fn parse(data: Option<&[u8]>) -> StatsTrack {
        let mut values = BTreeMap::new();
        let text = match data {
            Some(d) => String::from_utf8_lossy(d).into_owned(),
            None => String::new(),
        };
        for pair in text.split([',', ';']).filter(|s| !s.is_empty()) {
            // Java's split drops trailing empty strings: "bytes=5=" -> ["bytes", "5"].
            let mut kv = pair.split('=');
            let k = kv.next().unwrap_or("");
            let v = kv.next().unwrap_or("");
            let v = if v.is_empty() { Some(-1) } else { v.trim().parse::<i64>().ok() };
            if let Some(v) = v {
                values.insert(k.to_string(), v);
            }
        }
        StatsTrack { values }
    }

    fn get(&self, k: &str) -> i64 {
        self.values.get(k).copied().unwrap_or(-1)
    }
    pub fn count(&self) -> i64 {
        self.get("count")
    }
    pub fn bytes(&self) -> i64 {
        self.get("bytes")
    }
    pub fn count_hard_limit(&self) -> i64 {
        self.get("countHardLimit")
    }
    pub fn byte_hard_limit(&self) -> i64 {
        self.get("byteHardLimit")
    }
    pub fn set_count(&mut self, v: i64) {
        self.values.insert("count".into(), v);
    }
    pub fn set_bytes(&mut self, v: i64) {
        self.values.insert("bytes".into(), v);
    }

    pub fn to_text(&self) -> String {
        let mut s = format!("count={},bytes={}", self.count(), self.bytes());
        let extra: Vec<_> = self.values.iter().filter(|(k, _)| *k != "count" && *k != "bytes").collect();
        if !extra.is_empty() {
            s.push('=');
            for (k, v) in extra {
                s.push_str(&format!(";{k}={v}"));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_track_round_trip() {
        let t = StatsTrack::parse(Some(b"count=5,bytes=10"));
        assert_eq!((t.count(), t.bytes(), t.count_hard_limit()), (5, 10, -1));
        assert_eq!(t.to_text(), "count=5,bytes=10");
        let t = StatsTrack::parse(Some(b"count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2"));
        assert_eq!(t.count_hard_limit(), 2);
        assert_eq!(t.to_text(), "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2");
        assert_eq!(StatsTrack::parse(None).to_text(), "count=-1,bytes=-1");
    }

    #[test]
    fn max_prefix_is_component_wise() {
        let mut q = QuotaIndex::default();
        q.add("/a");
        q.add("/a/b");
        assert_eq!(q.max_prefix("/a/b/c").as_deref(), Some("/a/b"));
        assert_eq!(q.max_prefix("/a/bc").as_deref(), Some("/a"));
        assert_eq!(q.max_prefix("/ab"), None);
        q.remove("/a/b");
        assert_eq!(q.max_prefix("/a/b/c").as_deref(), Some("/a"));
        assert_eq!(trim_quota_path("/zookeeper/quota/a/b"), "/a/b");
    }
}
