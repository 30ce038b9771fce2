//! Readers and writers of the shared records (zookeeper.jute `data` module, headers, handshake),
//! used by both directions of the codec.

use super::data::{Acl, ClientInfo, Id, Stat, StatPersisted};
use super::jute::{begin_frame, end_frame, DecodeError, JuteReader, JuteWriter};
use super::records::{ConnectRequest, ConnectResponse, MultiHeader, ReplyHeader, RequestHeader, WatcherEvent};

/// Smallest encoded sizes, used to bound vector counts before allocating.
pub const MIN_ACL: usize = 4 + 4 + 4;
pub const MIN_STRING: usize = 4;
pub const MIN_CLIENT_INFO: usize = 4 + 4;

pub const STAT_LEN: usize = 68;
pub const STAT_PERSISTED_LEN: usize = 60;
pub const REQUEST_HEADER_LEN: usize = 8;
pub const REPLY_HEADER_LEN: usize = 16;

pub fn read_id(r: &mut JuteReader) -> Result<Id, DecodeError> {
    Ok(Id { scheme: r.read_string()?, id: r.read_string()? })
}

pub fn write_id(w: &mut JuteWriter, id: &Id) {
    w.write_str(&id.scheme);
    w.write_str(&id.id);
}

pub fn read_acl(r: &mut JuteReader) -> Result<Acl, DecodeError> {
    let perms = r.read_i32()?;
    Ok(Acl { perms, id: read_id(r)? })
}

pub fn write_acl(w: &mut JuteWriter, acl: &Acl) {
    w.write_i32(acl.perms);
    write_id(w, &acl.id);
}

/// An ACL vector keeping null (count -1) apart from empty.
pub fn read_acls_opt(r: &mut JuteReader) -> Result<Option<Vec<Acl>>, DecodeError> {
    r.read_vec(MIN_ACL, read_acl)
}

/// A null ACL vector reads as empty; create/setACL then answer InvalidACL as ZooKeeper does
/// (its `removeDuplicates` maps null to an empty list).
pub fn read_acls(r: &mut JuteReader) -> Result<Vec<Acl>, DecodeError> {
    Ok(read_acls_opt(r)?.unwrap_or_default())
}

pub fn write_acls(w: &mut JuteWriter, acls: &[Acl]) {
    w.write_vec(Some(acls), write_acl);
}

pub fn read_strings_opt(r: &mut JuteReader) -> Result<Option<Vec<String>>, DecodeError> {
    r.read_vec(MIN_STRING, |r| r.read_string())
}

/// A string vector where null reads as empty.
pub fn read_strings(r: &mut JuteReader) -> Result<Vec<String>, DecodeError> {
    Ok(read_strings_opt(r)?.unwrap_or_default())
}

pub fn write_strings(w: &mut JuteWriter, v: &[String]) {
    w.write_vec(Some(v), |w, s| w.write_str(s));
}

pub fn read_stat(r: &mut JuteReader) -> Result<Stat, DecodeError> {
    Ok(Stat {
        czxid: r.read_i64()?,
        mzxid: r.read_i64()?,
        ctime: r.read_i64()?,
        mtime: r.read_i64()?,
        version: r.read_i32()?,
        cversion: r.read_i32()?,
        aversion: r.read_i32()?,
        ephemeral_owner: r.read_i64()?,
        data_length: r.read_i32()?,
        num_children: r.read_i32()?,
        pzxid: r.read_i64()?,
    })
}

pub fn write_stat(w: &mut JuteWriter, s: &Stat) {
    w.write_i64(s.czxid);
    w.write_i64(s.mzxid);
    w.write_i64(s.ctime);
    w.write_i64(s.mtime);
    w.write_i32(s.version);
    w.write_i32(s.cversion);
    w.write_i32(s.aversion);
    w.write_i64(s.ephemeral_owner);
    w.write_i32(s.data_length);
    w.write_i32(s.num_children);
    w.write_i64(s.pzxid);
}

pub fn read_stat_persisted(r: &mut JuteReader) -> Result<StatPersisted, DecodeError> {
    Ok(StatPersisted {
        czxid: r.read_i64()?,
        mzxid: r.read_i64()?,
        ctime: r.read_i64()?,
        mtime: r.read_i64()?,
        version: r.read_i32()?,
        cversion: r.read_i32()?,
        aversion: r.read_i32()?,
        ephemeral_owner: r.read_i64()?,
        pzxid: r.read_i64()?,
    })
}

pub fn write_stat_persisted(w: &mut JuteWriter, s: &StatPersisted) {
    w.write_i64(s.czxid);
    w.write_i64(s.mzxid);
    w.write_i64(s.ctime);
    w.write_i64(s.mtime);
    w.write_i32(s.version);
    w.write_i32(s.cversion);
    w.write_i32(s.aversion);
    w.write_i64(s.ephemeral_owner);
    w.write_i64(s.pzxid);
}

pub fn read_client_info(r: &mut JuteReader) -> Result<ClientInfo, DecodeError> {
    Ok(ClientInfo { auth_scheme: r.read_string()?, user: r.read_string()? })
}

pub fn write_client_info(w: &mut JuteWriter, c: &ClientInfo) {
    w.write_str(&c.auth_scheme);
    w.write_str(&c.user);
}

pub fn read_request_header(r: &mut JuteReader) -> Result<RequestHeader, DecodeError> {
    Ok(RequestHeader { xid: r.read_i32()?, op: r.read_i32()? })
}

pub fn write_request_header(w: &mut JuteWriter, h: &RequestHeader) {
    w.write_i32(h.xid);
    w.write_i32(h.op);
}

/// Splits a request payload into its header and body (the server's view of a framed packet).
pub fn split_request(payload: &[u8]) -> Result<(RequestHeader, &[u8]), DecodeError> {
    let mut r = JuteReader::new(payload, 0);
    let h = read_request_header(&mut r)?;
    Ok((h, r.rest()))
}

pub fn read_reply_header(r: &mut JuteReader) -> Result<ReplyHeader, DecodeError> {
    Ok(ReplyHeader { xid: r.read_i32()?, zxid: r.read_i64()?, err: r.read_i32()? })
}

pub fn write_reply_header(w: &mut JuteWriter, h: &ReplyHeader) {
    w.write_i32(h.xid);
    w.write_i64(h.zxid);
    w.write_i32(h.err);
}

pub fn read_multi_header(r: &mut JuteReader) -> Result<MultiHeader, DecodeError> {
    Ok(MultiHeader { op: r.read_i32()?, done: r.read_bool()?, err: r.read_i32()? })
}

pub fn write_multi_header(w: &mut JuteWriter, h: &MultiHeader) {
    w.write_i32(h.op);
    w.write_bool(h.done);
    w.write_i32(h.err);
}

pub fn read_watcher_event(r: &mut JuteReader) -> Result<WatcherEvent, DecodeError> {
    Ok(WatcherEvent { event_type: r.read_i32()?, state: r.read_i32()?, path: r.read_string()? })
}

pub fn write_watcher_event(w: &mut JuteWriter, e: &WatcherEvent) {
    w.write_i32(e.event_type);
    w.write_i32(e.state);
    w.write_str(&e.path);
}

// ---------------------------------------------------------------------------------------------
// Handshake. The trailing readOnly byte is optional in both directions (old clients, Go).

/// Decodes a ConnectRequest payload (no length prefix). `read_only: None` records that the
/// payload ended after `passwd`, so the reply can omit the byte too (ProtocolManager). A null
/// password reads as empty, which never matches a session's password, as in ZooKeeper.
pub fn decode_connect_request(payload: &[u8]) -> Result<ConnectRequest, DecodeError> {
    let mut r = JuteReader::new(payload, payload.len());
    let protocol_version = r.read_i32()?;
    let last_zxid_seen = r.read_i64()?;
    let timeout = r.read_i32()?;
    let session_id = r.read_i64()?;
    let passwd = r.read_buffer()?.unwrap_or_default();
    let read_only = if r.is_empty() { None } else { Some(r.read_bool()?) };
    Ok(ConnectRequest { protocol_version, last_zxid_seen, timeout, session_id, passwd, read_only })
}

/// Writes a length-prefixed ConnectRequest (readOnly byte only when `Some`).
pub fn encode_connect_request(out: &mut Vec<u8>, req: &ConnectRequest) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    w.write_i32(req.protocol_version);
    w.write_i64(req.last_zxid_seen);
    w.write_i32(req.timeout);
    w.write_i64(req.session_id);
    w.write_buffer(Some(&req.passwd));
    if let Some(ro) = req.read_only {
        w.write_bool(ro);
    }
    end_frame(out, at);
}

/// Writes a length-prefixed ConnectResponse (readOnly byte only when `Some`, i.e. when the request
/// carried one).
pub fn encode_connect_response(out: &mut Vec<u8>, resp: &ConnectResponse) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    w.write_i32(resp.protocol_version);
    w.write_i32(resp.timeout);
    w.write_i64(resp.session_id);
    w.write_buffer(Some(&resp.passwd));
    if let Some(ro) = resp.read_only {
        w.write_bool(ro);
    }
    end_frame(out, at);
}

/// Decodes a ConnectResponse payload (no length prefix); the readOnly byte is optional.
pub fn decode_connect_response(payload: &[u8]) -> Result<ConnectResponse, DecodeError> {
    let mut r = JuteReader::new(payload, payload.len());
    let protocol_version = r.read_i32()?;
    let timeout = r.read_i32()?;
    let session_id = r.read_i64()?;
    let passwd = r.read_buffer()?.unwrap_or_default();
    let read_only = if r.is_empty() { None } else { Some(r.read_bool()?) };
    Ok(ConnectResponse { protocol_version, timeout, session_id, passwd, read_only })
}
