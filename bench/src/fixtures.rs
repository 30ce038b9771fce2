//! Shared fixtures for the criterion benches: realistic request and reply records.

use zkd::wire::{codec, op, Acl, CreateRequest, ReplyHeader, Response, Stat};

/// A create request body as a client sends it: 100-byte value, open ACL.
pub fn create_body(path: &str) -> Vec<u8> {
    let req = CreateRequest { path: path.to_string(), data: Some(vec![b'x'; 100]), acl: Acl::open_unsafe(), flags: 0, ttl: None };
    let mut out = Vec::new();
    let mut w = zkd::wire::jute::JuteWriter::new(&mut out);
    w.write_str(&req.path);
    w.write_buffer(req.data.as_deref());
    codec::write_acls(&mut w, &req.acl);
    w.write_i32(req.flags);
    out
}

/// A getData request body.
pub fn get_data_body(path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = zkd::wire::jute::JuteWriter::new(&mut out);
    w.write_str(path);
    w.write_bool(true);
    out
}

pub const CREATE: i32 = op::CREATE;
pub const GET_DATA: i32 = op::GET_DATA;

/// A getData reply: header, 100-byte value and a stat.
pub fn get_data_reply() -> (ReplyHeader, Response) {
    (ReplyHeader { xid: 7, zxid: 0x1_0000_0042, err: 0 }, Response::GetData(Some(vec![b'y'; 100]), Stat::default()))
}
