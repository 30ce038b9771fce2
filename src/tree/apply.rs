//! Applying txns to the tree (DataTree.createNode/deleteNode/setData/setACL/killSession/processTxn),
//! including ZooKeeper's replay tolerance: parent cversion only moves forward, NodeExists on a logged
//! create still bumps the parent, delete fixes the parent's pzxid even when the child is gone.

use super::path::{parent_display, split};
use super::quota::{self, StatsTrack};
use super::{DataTree, Node, NodeRef, StatPersisted, ROOT};
use crate::txn::{Txn, TxnHeader};
use crate::wire::{op, Acl, ErrorCode, Stat};

/// What changed, in order, so the watch manager can fire (DataTree's triggerWatch calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchTrigger {
    /// data@path NodeCreated, child@parent NodeChildrenChanged
    Created { path: String, parent: String, acl: Vec<Acl>, parent_acl: Vec<Acl> },
    /// data@path NodeDeleted, child@path NodeDeleted (suppressed for already-notified), child@parent NodeChildrenChanged
    Deleted { path: String, parent: String, acl: Vec<Acl>, parent_acl: Vec<Acl> },
    /// data@path NodeDataChanged
    DataChanged { path: String, acl: Vec<Acl> },
}

/// ProcessTxnResult
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxnResult {
    pub op: i32,
    pub zxid: i64,
    pub err: i32,
    pub path: String,
    pub stat: Option<Stat>,
    pub multi: Vec<TxnResult>,
}

type Res<T> = Result<T, ErrorCode>;

impl DataTree {
    fn child_path(parent: &str, child: &str) -> String {
        if parent == ROOT || parent.is_empty() {
            format!("/{child}")
        } else {
            format!("{parent}/{child}")
        }
    }

    /// DataTree.createNode. `parent_cversion == -1` means "current + 1" (legacy log records).
    #[allow(clippy::too_many_arguments)]
    pub fn create_node(
        &mut self,
        path: &str,
        data: Option<Vec<u8>>,
        acl: &[Acl],
        owner: i64,
        parent_cversion: i32,
        zxid: i64,
        time: i64,
        triggers: &mut Vec<WatchTrigger>,
    ) -> Res<Stat> {
        let (parent_name, child_name) = split(path);
        let parent_key = Self::key(parent_name).to_string();
        if !self.nodes.contains(&parent_key) {
            return Err(ErrorCode::NoNode);
        }
        let acl_idx = self.acls.intern(acl);
        if self.nodes.contains(path) {
            // ZooKeeper overwrites the existing node's ACL before reporting NodeExists (replay path).
            if let Some((existing, _)) = self.nodes.get_mut(path) {
                let old = std::mem::replace(&mut existing.acl, acl_idx);
                self.acls.release(old);
            }
            return Err(ErrorCode::NodeExists);
        }
        let (parent, base) = self.nodes.get_mut(&parent_key).ok_or(ErrorCode::NoNode)?;
        let pcv = if parent_cversion == -1 { parent.stat.cversion.wrapping_add(1) } else { parent_cversion };
        if pcv > parent.stat.cversion {
            parent.stat.cversion = pcv;
            parent.stat.pzxid = zxid;
        }
        parent.children.insert(base, child_name);
        let parent_acl_idx = parent.acl;
        let bytes = data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
        self.data_size += super::path_size(path, data.as_deref());
        let node = Node::new(data, acl_idx, StatPersisted::new_node(zxid, time, owner));
        let stat = NodeRef::of(&node, None).client_stat(self.extended_types_enabled);
        self.nodes.insert_new(path, node);
        self.index_owner(path, owner);

        if parent_name.starts_with(quota::QUOTA_ROOT) {
            if child_name == quota::LIMIT_NODE {
                self.quotas.add(quota::trim_quota_path(parent_name));
            }
            if child_name == quota::STAT_NODE {
                let real = quota::trim_quota_path(parent_name).to_string();
                self.update_quota_for_path(&real);
            }
        }
        if let Some(prefix) = self.max_prefix_with_quota(path) {
            self.update_quota_stat(&prefix, bytes, 1);
        }
        triggers.push(WatchTrigger::Created {
            path: path.to_string(),
            parent: parent_display(parent_name).to_string(),
            acl: acl.to_vec(),
            parent_acl: self.acls.get(parent_acl_idx),
        });
        Ok(stat)
    }

    /// DataTree.deleteNode
    pub fn delete_node(&mut self, path: &str, zxid: i64, triggers: &mut Vec<WatchTrigger>) -> Res<()> {
        let (parent_name, child_name) = split(path);
        let parent_key = Self::key(parent_name).to_string();
        let (parent, base) = self.nodes.get_mut(&parent_key).ok_or(ErrorCode::NoNode)?;
        parent.children.remove(base, child_name);
        if zxid > parent.stat.pzxid {
            parent.stat.pzxid = zxid;
        }
        let parent_acl_idx = parent.acl;
        if path == ROOT || path.is_empty() {
            return Err(ErrorCode::NoNode);
        }
        let (data_len, node_acl, owner) = self.nodes.remove(path).ok_or(ErrorCode::NoNode)?;
        let acl = self.acls.get(node_acl);
        self.acls.release(node_acl);
        self.data_size -= path.chars().count() as i64 + data_len as i64;
        self.unindex_owner(path, owner);
        if parent_name.starts_with(super::PROC_NODE) && child_name == quota::LIMIT_NODE {
            self.quotas.remove(quota::trim_quota_path(parent_name));
        }
        if let Some(prefix) = self.max_prefix_with_quota(path) {
            self.update_quota_stat(&prefix, -(data_len as i64), -1);
        }
        triggers.push(WatchTrigger::Deleted {
            path: path.to_string(),
            parent: parent_display(parent_name).to_string(),
            acl,
            parent_acl: self.acls.get(parent_acl_idx),
        });
        Ok(())
    }

    /// DataTree.setData (`version` is the new version computed at prepare time).
    pub fn set_data(
        &mut self,
        path: &str,
        data: Option<Vec<u8>>,
        version: i32,
        zxid: i64,
        time: i64,
        triggers: &mut Vec<WatchTrigger>,
    ) -> Res<Stat> {
        let key = Self::key(path).to_string();
        let ext = self.extended_types_enabled;
        let (n, base) = self.nodes.get_mut(&key).ok_or(ErrorCode::NoNode)?;
        let old_len = n.data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
        let new_len = data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
        n.data = data;
        n.stat.mtime = time;
        n.stat.mzxid = zxid;
        n.stat.version = version;
        let stat = NodeRef::of(n, base).client_stat(ext);
        let acl_idx = n.acl;
        self.data_size += new_len - old_len;
        if let Some(prefix) = self.max_prefix_with_quota(path) {
            self.update_quota_stat(&prefix, new_len - old_len, 0);
        }
        triggers.push(WatchTrigger::DataChanged { path: path.to_string(), acl: self.acls.get(acl_idx) });
        Ok(stat)
    }

    /// DataTree.setACL (`version` is the new aversion). Fires no watches.
    pub fn set_acl(&mut self, path: &str, acl: &[Acl], version: i32) -> Res<Stat> {
        let key = Self::key(path).to_string();
        if !self.nodes.contains(&key) {
            return Err(ErrorCode::NoNode);
        }
        let idx = self.acls.intern(acl);
        let ext = self.extended_types_enabled;
        let (n, base) = self.nodes.get_mut(&key).ok_or(ErrorCode::NoNode)?;
        let old = std::mem::replace(&mut n.acl, idx);
        n.stat.aversion = version;
        let stat = NodeRef::of(n, base).client_stat(ext);
        self.acls.release(old);
        Ok(stat)
    }

    /// DataTree.setCversionPzxid: only moves cversion forward.
    pub fn set_cversion_pzxid(&mut self, path: &str, new_cversion: i32, zxid: i64) -> Res<()> {
        let p = path.strip_suffix('/').unwrap_or(path);
        let (n, _) = self.nodes.get_mut(Self::key(p)).ok_or(ErrorCode::NoNode)?;
        let cv = if new_cversion == -1 { n.stat.cversion.wrapping_add(1) } else { new_cversion };
        if cv > n.stat.cversion {
            n.stat.cversion = cv;
            n.stat.pzxid = zxid;
        }
        Ok(())
    }

    /// DataTree.killSession: delete the listed paths, then whatever ephemerals of the session remain.
    pub fn kill_session(&mut self, session: i64, zxid: i64, paths: &[String], triggers: &mut Vec<WatchTrigger>) {
        let local = self.ephemerals.remove(&session).unwrap_or_default();
        for p in paths {
            let _ = self.delete_node(p, zxid, triggers);
        }
        // The txn's list is usually the whole set; a hash set keeps the leftover check linear.
        let listed: crate::fast_map::FastSet<&str> = paths.iter().map(String::as_str).collect();
        for p in local.iter().filter(|p| !listed.contains(p.as_str())) {
            let _ = self.delete_node(p, zxid, triggers);
        }
    }

    /// DataTree.processTxn: applies one logged txn, never fails as a whole (errors land in the result).
    pub fn process_txn(&mut self, h: &TxnHeader, txn: &Txn, triggers: &mut Vec<WatchTrigger>) -> TxnResult {
        self.process_txn_taking_data(h, &mut txn.clone(), triggers)
    }

    /// process_txn that moves node data out of `txn` into the tree instead of copying it (the
    /// pipeline's txns are logged already and only their paths are needed afterwards).
    pub fn process_txn_taking_data(&mut self, h: &TxnHeader, txn: &mut Txn, triggers: &mut Vec<WatchTrigger>) -> TxnResult {
        let r = self.process_inner(h, h.op, txn, triggers);
        if h.zxid > self.last_processed_zxid {
            self.last_processed_zxid = h.zxid;
        }
        r
    }

    fn process_inner(&mut self, h: &TxnHeader, op_code: i32, txn: &mut Txn, triggers: &mut Vec<WatchTrigger>) -> TxnResult {
        let mut rc = TxnResult { op: op_code, zxid: h.zxid, ..Default::default() };
        let outcome: Res<()> = match txn {
            Txn::CreateSession { timeout } => {
                self.sessions.insert(h.client_id, *timeout);
                Ok(())
            }
            Txn::CloseSession { paths } => {
                self.kill_session(h.client_id, h.zxid, paths, triggers);
                self.sessions.remove(&h.client_id);
                Ok(())
            }
            Txn::Create { path, data, acl, ephemeral, parent_cversion, .. } => {
                rc.path = path.clone();
                let owner = if *ephemeral { h.client_id } else { 0 };
                self.create_node(path, data.take(), acl, owner, *parent_cversion, h.zxid, h.time, triggers)
                    .map(|s| rc.stat = Some(s))
            }
            Txn::CreateContainer { path, data, acl, parent_cversion } => {
                rc.path = path.clone();
                self.create_node(path, data.take(), acl, super::CONTAINER_EPHEMERAL_OWNER, *parent_cversion, h.zxid, h.time, triggers)
                    .map(|s| rc.stat = Some(s))
            }
            Txn::CreateTtl { path, data, acl, parent_cversion, ttl } => {
                rc.path = path.clone();
                let owner = super::ttl_owner(*ttl);
                self.create_node(path, data.take(), acl, owner, *parent_cversion, h.zxid, h.time, triggers)
                    .map(|s| rc.stat = Some(s))
            }
            Txn::Delete { path } | Txn::DeleteContainer { path } => {
                rc.path = path.clone();
                self.delete_node(path, h.zxid, triggers)
            }
            Txn::SetData { path, data, version } => {
                rc.path = path.clone();
                self.set_data(path, data.take(), *version, h.zxid, h.time, triggers).map(|s| rc.stat = Some(s))
            }
            Txn::SetAcl { path, acl, version } => {
                rc.path = path.clone();
                self.set_acl(path, acl, *version).map(|s| rc.stat = Some(s))
            }
            Txn::Check { path, .. } => {
                rc.path = path.clone();
                Ok(())
            }
            Txn::Error { err } => {
                rc.err = *err;
                Ok(())
            }
            Txn::Multi(subs) => {
                let failed = subs.iter().any(|t| matches!(t, Txn::Error { .. }));
                let mut post_failed = false;
                for sub in subs.iter_mut() {
                    let sub_res = if failed {
                        let err = match &*sub {
                            Txn::Error { err } => {
                                post_failed = true;
                                *err
                            }
                            _ if post_failed => ErrorCode::RuntimeInconsistency.code(),
                            _ => 0,
                        };
                        TxnResult { op: op::ERROR, zxid: h.zxid, err, ..Default::default() }
                    } else {
                        let code = sub.op_code();
                        self.process_inner(h, code, sub, triggers)
                    };
                    if sub_res.err != 0 && rc.err == 0 {
                        rc.err = sub_res.err;
                    }
                    rc.multi.push(sub_res);
                }
                Ok(())
            }
        };
        if let Err(e) = outcome {
            rc.err = e.code();
        }
        // A logged create that meets an existing node (fuzzy snapshot replay) still advances the parent.
        if op_code == op::CREATE && rc.err == ErrorCode::NodeExists.code() {
            if let Txn::Create { path, parent_cversion, .. } = txn {
                let (parent, _) = split(path);
                if self.set_cversion_pzxid(parent, *parent_cversion, h.zxid).is_err() {
                    rc.err = ErrorCode::NoNode.code();
                }
            }
        }
        rc
    }

    /// DataTree.updateQuotaStat: rewrites the stats node's data in place (no version/mzxid change).
    fn update_quota_stat(&mut self, prefix: &str, bytes_diff: i64, count_diff: i64) {
        let sp = quota::stat_path(prefix);
        if let Some((n, _)) = self.nodes.get_mut(&sp) {
            let mut st = StatsTrack::parse(n.data.as_deref());
            st.set_count(st.count() + count_diff);
            st.set_bytes(st.bytes() + bytes_diff);
            let new = st.to_text().into_bytes();
            let delta = new.len() as i64 - n.data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
            n.data = Some(new);
            self.data_size += delta;
        }
    }

    /// DataTree.updateQuotaForPath: recount the subtree and store it in the stats node.
    fn update_quota_for_path(&mut self, path: &str) {
        let (mut count, mut bytes) = (0i64, 0i64);
        let mut stack = vec![path.to_string()];
        while let Some(p) = stack.pop() {
            if let Some(n) = self.get(&p) {
                count += 1;
                bytes += n.data_len() as i64;
                for c in n.children.iter() {
                    stack.push(Self::child_path(&p, c));
                }
            }
        }
        let sp = quota::stat_path(path);
        if let Some((n, _)) = self.nodes.get_mut(&sp) {
            let mut st = StatsTrack::parse(None);
            st.set_count(count);
            st.set_bytes(bytes);
            let new = st.to_text().into_bytes();
            let delta = new.len() as i64 - n.data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
            n.data = Some(new);
            self.data_size += delta;
        }
    }

    /// DataTree.setupQuota after a snapshot load: every `.../zookeeper_limits` leaf registers its subtree.
    pub(super) fn setup_quota(&mut self) {
        // Walk only the /zookeeper/quota subtree: a snapshot load must not visit every node.
        let mut limits: Vec<String> = Vec::new();
        let mut stack = vec![quota::QUOTA_ROOT.to_string()];
        while let Some(p) = stack.pop() {
            if let Some(n) = self.get(&p) {
                if p.ends_with("/zookeeper_limits") && n.children.is_empty() {
                    limits.push(p.clone());
                }
                for c in n.children.iter() {
                    stack.push(Self::child_path(&p, c));
                }
            }
        }
        limits.sort();
        for p in limits {
            let end = p.len() - "/zookeeper_limits".len();
            let real = p[quota::QUOTA_ROOT.len()..end].to_string();
            self.update_quota_for_path(&real);
            self.quotas.add(&real);
        }
    }
}
