//! Builders for the request records the workloads send (encoded later by `zkd::wire`).

use zkd::wire::{op, Acl, CreateRequest, MultiOp, PathWatch, Request, SetDataRequest};

/// CreateMode flag bits.
pub const PERSISTENT: i32 = 0;
pub const EPHEMERAL: i32 = 1;
pub const EPHEMERAL_SEQUENTIAL: i32 = 3;

pub fn create(path: String, data: &[u8], flags: i32) -> Request {
    Request::Create {
        op: op::CREATE,
        req: CreateRequest { path, data: Some(data.to_vec()), acl: Acl::open_unsafe(), flags, ttl: None },
    }
}

pub fn set_data(path: String, data: &[u8]) -> Request {
    Request::SetData(SetDataRequest { path, data: Some(data.to_vec()), version: -1 })
}

pub fn get_data(path: String, watch: bool) -> Request {
    Request::GetData(PathWatch { path, watch })
}

pub fn exists(path: String) -> Request {
    Request::Exists(PathWatch { path, watch: false })
}

pub fn get_children(path: String) -> Request {
    Request::GetChildren(PathWatch { path, watch: false })
}

/// A multi of one setData per path (any version).
pub fn multi_set(paths: Vec<String>, data: &[u8]) -> Request {
    Request::Multi(
        paths
            .into_iter()
            .map(|path| MultiOp::SetData(SetDataRequest { path, data: Some(data.to_vec()), version: -1 }))
            .collect(),
    )
}
