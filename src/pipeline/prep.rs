//! Write preparation (PrepRequestProcessor.pRequest2Txn): checks in ZooKeeper's exact order against the
//! tree plus outstanding changes, producing the txn and the change records it implies.

use super::overlay::{ChangeRecord, Scratch};
use crate::tree::path::{is_special_path, parent_for_create, sequence_suffix, validate_path};
use crate::tree::{quota, ttl_owner, ttl_valid, DataTree, EphemeralType, StatPersisted, CONTAINER_EPHEMERAL_OWNER};
use crate::txn::Txn;
use crate::wire::{op, perms, Acl, CreateRequest, ErrorCode, Id};

pub type PrepResult = Result<Txn, ErrorCode>;

/// Who is asking, and the txn's zxid/time.
pub struct PrepCtx<'a> {
    pub session: i64,
    /// The caller's auth ids, in ZooKeeper's authInfo order (the `auth` ACL expands in it).
    pub ids: &'a [Id],
    pub providers: &'a crate::auth::Providers,
    /// The session exists and is not closing (checkSession / checkGlobalSession).
    pub session_live: bool,
    pub skip_acl: bool,
    pub extended_types: bool,
    pub enforce_quota: bool,
    pub zxid: i64,
    pub time: i64,
}

impl PrepCtx<'_> {
    fn check_session(&self) -> Result<(), ErrorCode> {
        if self.session_live {
            Ok(())
        } else {
            Err(ErrorCode::SessionExpired)
        }
    }

    fn check_acl(&self, acl: &[Acl], perm: i32) -> Result<(), ErrorCode> {
        if self.skip_acl || crate::auth::check_acl(self.providers, acl, self.ids, perm) {
            Ok(())
        } else {
            Err(ErrorCode::NoAuth)
        }
    }
}

/// checkAndIncVersion (3.8/3.9: plain 32-bit wrap).
fn check_and_inc(current: i32, expected: i32) -> Result<i32, ErrorCode> {
    if expected != -1 && expected != current {
        return Err(ErrorCode::BadVersion);
    }
    Ok(current.wrapping_add(1))
}

fn validate(path: &str) -> Result<(), ErrorCode> {
    validate_path(path).map_err(|_| ErrorCode::BadArguments)
}

/// getParentPathAndValidate (delete/deleteContainer).
fn parent_for_delete(path: &str) -> Result<String, ErrorCode> {
    match path.rfind('/') {
        Some(i) if !path.contains('\0') && !is_special_path(path) => Ok(path[..i].to_string()),
        _ => Err(ErrorCode::BadArguments),
    }
}

struct Mode {
    ephemeral: bool,
    sequential: bool,
    container: bool,
    ttl: bool,
}

fn create_mode(flags: i32) -> Option<Mode> {
    let m = |ephemeral, sequential, container, ttl| Some(Mode { ephemeral, sequential, container, ttl });
    match flags {
        0 => m(false, false, false, false),
        1 => m(true, false, false, false),
        2 => m(false, true, false, false),
        3 => m(true, true, false, false),
        4 => m(false, false, true, false),
        5 => m(false, false, false, true),
        6 => m(false, true, false, true),
        _ => None,
    }
}

/// ZooKeeperServer.checkQuota (only with enforceQuota, only hard limits fail).
fn check_quota(tree: &DataTree, enforce: bool, path: &str, bytes_diff: i64, count_diff: i64) -> Result<(), ErrorCode> {
    if !enforce {
        return Ok(());
    }
    let Some(prefix) = tree.max_prefix_with_quota(path) else { return Ok(()) };
    let Some(limit_node) = tree.get(&quota::limit_path(&prefix)) else { return Ok(()) };
    let limits = quota::StatsTrack::parse(limit_node.data.as_deref());
    let check_count = count_diff != 0 && (limits.count() > -1 || limits.count_hard_limit() > -1);
    let check_bytes = bytes_diff != 0 && (limits.bytes() > -1 || limits.byte_hard_limit() > -1);
    if !check_count && !check_bytes {
        return Ok(());
    }
    let Some(stat_node) = tree.get(&quota::stat_path(&prefix)) else { return Ok(()) };
    let cur = quota::StatsTrack::parse(stat_node.data.as_deref());
    if check_count {
        let hard = limits.count_hard_limit() > -1;
        let limit = if hard { limits.count_hard_limit() } else { limits.count() };
        if cur.count() + count_diff > limit && hard {
            return Err(ErrorCode::QuotaExceeded);
        }
    }
    if check_bytes {
        let hard = limits.byte_hard_limit() > -1;
        let limit = if hard { limits.byte_hard_limit() } else { limits.bytes() };
        if cur.bytes() + bytes_diff > limit && hard {
            return Err(ErrorCode::QuotaExceeded);
        }
    }
    Ok(())
}

/// create / create2 / createContainer / createTTL
pub fn prep_create(ctx: &PrepCtx, s: &mut Scratch, op_code: i32, req: &CreateRequest) -> PrepResult {
    let mode = create_mode(req.flags).ok_or(ErrorCode::BadArguments)?;
    if mode.ttl && !ctx.extended_types {
        return Err(ErrorCode::Unimplemented);
    }
    let ttl = req.ttl.unwrap_or(-1);
    if mode.ttl {
        if !ttl_valid(ttl) {
            return Err(ErrorCode::BadArguments);
        }
    } else if ttl >= 0 {
        return Err(ErrorCode::BadArguments);
    }
    // A createTTL opcode without a TTL mode would make ZooKeeper's apply throw; refuse it up front.
    if op_code == op::CREATE_TTL && !mode.ttl {
        return Err(ErrorCode::BadArguments);
    }
    ctx.check_session()?;
    let parent_path = parent_for_create(&req.path).ok_or(ErrorCode::BadArguments)?.to_string();
    let acl = crate::auth::fixup_acl(ctx.providers, ctx.ids, &req.acl).map_err(|_| ErrorCode::InvalidAcl)?;
    let parent = s.record(&parent_path)?;
    ctx.check_acl(&parent.acl, perms::CREATE)?;
    let pstat = parent.stat.unwrap_or_default();
    let mut path = req.path.clone();
    if mode.sequential {
        path.push_str(&sequence_suffix(pstat.cversion));
    }
    validate(&path)?;
    if s.record(&path).is_ok() {
        return Err(ErrorCode::NodeExists);
    }
    if s.tree.ephemeral_type(pstat.ephemeral_owner) == EphemeralType::Normal {
        return Err(ErrorCode::NoChildrenForEphemerals);
    }
    let new_cversion = pstat.cversion.wrapping_add(1);
    let bytes = req.data.as_ref().map(|d| d.len() as i64).unwrap_or(0);
    check_quota(s.tree, ctx.enforce_quota, &path, bytes, 1)?;
    let txn = match op_code {
        op::CREATE_CONTAINER => Txn::CreateContainer { path: path.clone(), data: req.data.clone(), acl: acl.clone(), parent_cversion: new_cversion },
        op::CREATE_TTL => Txn::CreateTtl { path: path.clone(), data: req.data.clone(), acl: acl.clone(), parent_cversion: new_cversion, ttl },
        _ => Txn::Create {
            path: path.clone(),
            data: req.data.clone(),
            acl: acl.clone(),
            ephemeral: mode.ephemeral,
            parent_cversion: new_cversion,
            create2: op_code != op::CREATE,
        },
    };
    let owner = if mode.container {
        CONTAINER_EPHEMERAL_OWNER
    } else if mode.ttl {
        ttl_owner(ttl)
    } else if mode.ephemeral {
        ctx.session
    } else {
        0
    };
    let mut p = parent;
    p.zxid = ctx.zxid;
    p.child_count += 1;
    if let Some(st) = p.stat.as_mut() {
        st.cversion = new_cversion;
        st.pzxid = ctx.zxid;
    }
    s.add(p);
    s.add(ChangeRecord {
        zxid: ctx.zxid,
        path,
        stat: Some(StatPersisted::new_node(ctx.zxid, ctx.time, owner)),
        child_count: 0,
        acl: acl.into(),
        data_len: bytes as usize,
    });
    Ok(txn)
}

/// A deleted node's record carries no ACL.
fn no_acl() -> std::sync::Arc<[Acl]> {
    std::sync::Arc::from(Vec::new())
}

fn record_delete(ctx: &PrepCtx, s: &mut Scratch, path: &str, parent: ChangeRecord) {
    let mut p = parent;
    p.zxid = ctx.zxid;
    p.child_count -= 1;
    if let Some(st) = p.stat.as_mut() {
        st.pzxid = ctx.zxid;
    }
    s.add(p);
    s.add(ChangeRecord { zxid: ctx.zxid, path: path.to_string(), stat: None, child_count: -1, acl: no_acl(), data_len: 0 });
}

pub fn prep_delete(ctx: &PrepCtx, s: &mut Scratch, path: &str, version: i32) -> PrepResult {
    ctx.check_session()?;
    let parent_path = parent_for_delete(path)?;
    let parent = s.record(&parent_path)?;
    ctx.check_acl(&parent.acl, perms::DELETE)?;
    let node = s.record(path)?;
    check_and_inc(node.stat.map(|st| st.version).unwrap_or(0), version)?;
    if node.child_count > 0 {
        return Err(ErrorCode::NotEmpty);
    }
    record_delete(ctx, s, path, parent);
    Ok(Txn::Delete { path: path.to_string() })
}

/// deleteContainer: no session or ACL check (the reaper and clients both use it).
pub fn prep_delete_container(ctx: &PrepCtx, s: &mut Scratch, path: &str) -> PrepResult {
    let parent_path = parent_for_delete(path)?;
    let node = s.record(path)?;
    if node.child_count > 0 {
        return Err(ErrorCode::NotEmpty);
    }
    if s.tree.ephemeral_type(node.stat.map(|st| st.ephemeral_owner).unwrap_or(0)) == EphemeralType::Normal {
        return Err(ErrorCode::BadVersion);
    }
    let parent = s.record(&parent_path)?;
    record_delete(ctx, s, path, parent);
    Ok(Txn::DeleteContainer { path: path.to_string() })
}

pub fn prep_set_data(ctx: &PrepCtx, s: &mut Scratch, path: &str, data: &Option<Vec<u8>>, version: i32) -> PrepResult {
    ctx.check_session()?;
    validate(path)?;
    let node = s.record(path)?;
    ctx.check_acl(&node.acl, perms::WRITE)?;
    let new_len = data.as_ref().map(|d| d.len()).unwrap_or(0);
    check_quota(s.tree, ctx.enforce_quota, path, new_len as i64 - node.data_len as i64, 0)?;
    let st = node.stat.unwrap_or_default();
    let new_version = check_and_inc(st.version, version)?;
    let mut rec = node;
    rec.zxid = ctx.zxid;
    rec.data_len = new_len;
    if let Some(st) = rec.stat.as_mut() {
        st.version = new_version;
        st.mtime = ctx.time;
        st.mzxid = ctx.zxid;
    }
    s.add(rec);
    Ok(Txn::SetData { path: path.to_string(), data: data.clone(), version: new_version })
}

pub fn prep_set_acl(ctx: &PrepCtx, s: &mut Scratch, path: &str, acl: &[Acl], version: i32) -> PrepResult {
    ctx.check_session()?;
    validate(path)?;
    let acl = crate::auth::fixup_acl(ctx.providers, ctx.ids, acl).map_err(|_| ErrorCode::InvalidAcl)?;
    let node = s.record(path)?;
    ctx.check_acl(&node.acl, perms::ADMIN)?;
    let new_version = check_and_inc(node.stat.map(|st| st.aversion).unwrap_or(0), version)?;
    let mut rec = node;
    rec.zxid = ctx.zxid;
    rec.acl = acl.as_slice().into();
    if let Some(st) = rec.stat.as_mut() {
        st.aversion = new_version;
    }
    s.add(rec);
    Ok(Txn::SetAcl { path: path.to_string(), acl, version: new_version })
}

/// check (only inside multi): the logged version is current + 1, as ZooKeeper writes it.
pub fn prep_check(ctx: &PrepCtx, s: &mut Scratch, path: &str, version: i32) -> PrepResult {
    ctx.check_session()?;
    validate(path)?;
    let node = s.record(path)?;
    ctx.check_acl(&node.acl, perms::READ)?;
    let v = check_and_inc(node.stat.map(|st| st.version).unwrap_or(0), version)?;
    Ok(Txn::Check { path: path.to_string(), version: v })
}

/// closeSession: the session's ephemerals as of the tree plus outstanding changes; each gets a delete record
/// and its parent a pzxid bump (ZooKeeper does not decrement the parent's child count here).
pub fn prep_close_session(ctx: &PrepCtx, s: &mut Scratch, es: std::collections::BTreeSet<String>) -> Txn {
    for p in &es {
        if let Ok(parent_path) = parent_for_delete(p) {
            if let Ok(mut parent) = s.record(&parent_path) {
                parent.zxid = ctx.zxid;
                if let Some(st) = parent.stat.as_mut() {
                    st.pzxid = ctx.zxid;
                }
                s.add(parent);
            }
        }
        s.add(ChangeRecord { zxid: ctx.zxid, path: p.clone(), stat: None, child_count: 0, acl: no_acl(), data_len: 0 });
    }
    Txn::CloseSession { paths: es.into_iter().collect() }
}
