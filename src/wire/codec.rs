//! Encoding and decoding of every client-protocol record (zookeeper.jute `proto` and `data` modules).
//! Server direction: decode requests, encode replies/events. Client direction (load generator,
//! tests): encode requests, decode replies — in `codec_client.rs`.

use super::codes::op;
use super::data::{Acl, ClientInfo, Id, Stat};
use super::jute::{begin_frame, end_frame, DecodeError, JuteReader, JuteWriter};
use super::records::*;

/// Smallest encoded sizes, used to bound vector counts before allocating.
const MIN_ACL: usize = 4 + 4 + 4;
const MIN_STRING: usize = 4;

pub fn read_id(r: &mut JuteReader) -> Result<Id, DecodeError> {
    Ok(Id { scheme: r.read_string()?, id: r.read_string()? })
}

pub fn read_acl(r: &mut JuteReader) -> Result<Acl, DecodeError> {
    let perms = r.read_i32()?;
    Ok(Acl { perms, id: read_id(r)? })
}

/// A null ACL vector reads as empty; create/setACL then answer InvalidACL as ZooKeeper does.
pub fn read_acls(r: &mut JuteReader) -> Result<Vec<Acl>, DecodeError> {
    Ok(r.read_vec(MIN_ACL, read_acl)?.unwrap_or_default())
}

pub fn read_strings(r: &mut JuteReader) -> Result<Vec<String>, DecodeError> {
    Ok(r.read_vec(MIN_STRING, |r| r.read_string())?.unwrap_or_default())
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

pub fn write_id(w: &mut JuteWriter, id: &Id) {
    w.write_str(&id.scheme);
    w.write_str(&id.id);
}

pub fn write_acl(w: &mut JuteWriter, acl: &Acl) {
    w.write_i32(acl.perms);
    write_id(w, &acl.id);
}

pub fn write_acls(w: &mut JuteWriter, acls: &[Acl]) {
    w.write_vec(Some(acls), write_acl);
}

pub fn write_strings(w: &mut JuteWriter, v: &[String]) {
    w.write_vec(Some(v), |w, s| w.write_str(s));
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

// ---------------------------------------------------------------------------------------------
// Handshake

/// Decodes a ConnectRequest payload. The trailing readOnly byte is optional (old clients and Go
/// omit it); `read_only: None` records its absence so the reply can mirror it.
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

/// Writes a length-prefixed ConnectResponse (readOnly byte only when the request carried one).
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

// ---------------------------------------------------------------------------------------------
// Requests (server side)

fn read_create(r: &mut JuteReader, ttl: bool) -> Result<CreateRequest, DecodeError> {
    let path = r.read_string()?;
    let data = r.read_buffer()?;
    let acl = read_acls(r)?;
    let flags = r.read_i32()?;
    let ttl = if ttl { Some(r.read_i64()?) } else { None };
    Ok(CreateRequest { path, data, acl, flags, ttl })
}

fn read_path_version(r: &mut JuteReader) -> Result<PathVersion, DecodeError> {
    Ok(PathVersion { path: r.read_string()?, version: r.read_i32()? })
}

fn read_path_watch(r: &mut JuteReader) -> Result<PathWatch, DecodeError> {
    Ok(PathWatch { path: r.read_string()?, watch: r.read_bool()? })
}

fn read_path_type(r: &mut JuteReader) -> Result<PathType, DecodeError> {
    Ok(PathType { path: r.read_string()?, kind: r.read_i32()? })
}

fn read_set_data(r: &mut JuteReader) -> Result<SetDataRequest, DecodeError> {
    Ok(SetDataRequest { path: r.read_string()?, data: r.read_buffer()?, version: r.read_i32()? })
}

/// CreateMode.fromFlag accepts 0..=6; inside a multi anything else fails deserialization.
fn valid_create_flags(flags: i32) -> bool {
    (0..=6).contains(&flags)
}

/// MultiOperationRecord: `[MultiHeader][op]…` terminated by a header with done=true.
fn read_multi(r: &mut JuteReader, read_only: bool) -> Result<Vec<MultiOp>, DecodeError> {
    let mut ops = Vec::new();
    let mut kind: Option<bool> = None; // Some(true) = reads, Some(false) = writes
    loop {
        let ty = r.read_i32()?;
        let done = r.read_bool()?;
        let _err = r.read_i32()?;
        if done {
            break;
        }
        let (is_read, op) = match ty {
            op::CREATE | op::CREATE2 | op::CREATE_CONTAINER | op::CREATE_TTL => {
                let req = read_create(r, ty == op::CREATE_TTL)?;
                if !valid_create_flags(req.flags) {
                    return Err(DecodeError::Invalid("invalid create flags in multi"));
                }
                (false, MultiOp::Create { op: ty, req })
            }
            op::DELETE => (false, MultiOp::Delete(read_path_version(r)?)),
            op::SET_DATA => (false, MultiOp::SetData(read_set_data(r)?)),
            op::CHECK => (false, MultiOp::Check(read_path_version(r)?)),
            op::GET_CHILDREN => (true, MultiOp::GetChildren(read_path_watch(r)?.path)),
            op::GET_DATA => (true, MultiOp::GetData(read_path_watch(r)?.path)),
            _ => return Err(DecodeError::Invalid("invalid type of op in multi")),
        };
        if *kind.get_or_insert(is_read) != is_read {
            return Err(DecodeError::Invalid("mixing read and write operations in multi"));
        }
        ops.push(op);
        // A hostile stream of empty headers cannot loop forever: each one consumes 9 bytes.
    }
    if let Some(reads) = kind {
        if reads != read_only {
            return Err(DecodeError::Invalid(if read_only { "write op in multiRead" } else { "read op in multi" }));
        }
    }
    Ok(ops)
}

fn read_set_watches(r: &mut JuteReader, v2: bool) -> Result<SetWatches, DecodeError> {
    let mut w = SetWatches {
        relative_zxid: r.read_i64()?,
        data_watches: read_strings(r)?,
        exist_watches: read_strings(r)?,
        child_watches: read_strings(r)?,
        ..SetWatches::default()
    };
    if v2 {
        w.persistent_watches = read_strings(r)?;
        w.persistent_recursive_watches = read_strings(r)?;
    }
    Ok(w)
}

/// Decodes the body of a request (the bytes after its RequestHeader). `max` bounds string and
/// buffer lengths (jute.maxbuffer + extrasize). Trailing bytes are ignored, as ZooKeeper does.
pub fn decode_request(opcode: i32, body: &[u8], max: usize) -> Result<Request, DecodeError> {
    let r = &mut JuteReader::new(body, max);
    Ok(match opcode {
        op::CREATE | op::CREATE2 | op::CREATE_CONTAINER => Request::Create { op: opcode, req: read_create(r, false)? },
        op::CREATE_TTL => Request::Create { op: opcode, req: read_create(r, true)? },
        op::DELETE => Request::Delete(read_path_version(r)?),
        op::DELETE_CONTAINER => Request::DeleteContainer(r.read_string()?),
        op::EXISTS => Request::Exists(read_path_watch(r)?),
        op::GET_DATA => Request::GetData(read_path_watch(r)?),
        op::SET_DATA => Request::SetData(read_set_data(r)?),
        op::GET_ACL => Request::GetAcl(r.read_string()?),
        op::SET_ACL => Request::SetAcl(SetAclRequest { path: r.read_string()?, acl: read_acls(r)?, version: r.read_i32()? }),
        op::GET_CHILDREN => Request::GetChildren(read_path_watch(r)?),
        op::GET_CHILDREN2 => Request::GetChildren2(read_path_watch(r)?),
        op::GET_ALL_CHILDREN_NUMBER => Request::GetAllChildrenNumber(r.read_string()?),
        op::GET_EPHEMERALS => Request::GetEphemerals(r.read_string()?),
        op::SYNC => Request::Sync(r.read_string()?),
        op::PING => Request::Ping,
        op::CHECK => Request::Check(read_path_version(r)?),
        op::MULTI => Request::Multi(read_multi(r, false)?),
        op::MULTI_READ => Request::MultiRead(read_multi(r, true)?),
        op::RECONFIG => Request::Reconfig(ReconfigRequest {
            joining_servers: r.read_ustring()?,
            leaving_servers: r.read_ustring()?,
            new_members: r.read_ustring()?,
            cur_config_id: r.read_i64()?,
        }),
        op::CHECK_WATCHES => Request::CheckWatches(read_path_type(r)?),
        op::REMOVE_WATCHES => Request::RemoveWatches(read_path_type(r)?),
        op::ADD_WATCH => Request::AddWatch(read_path_type(r)?),
        op::SET_WATCHES => Request::SetWatches { op: opcode, watches: read_set_watches(r, false)? },
        op::SET_WATCHES2 => Request::SetWatches { op: opcode, watches: read_set_watches(r, true)? },
        op::AUTH => Request::Auth(AuthPacket {
            auth_type: r.read_i32()?,
            scheme: r.read_string()?,
            auth: r.read_buffer()?.unwrap_or_default(),
        }),
        op::SASL => Request::Sasl(r.read_buffer()?),
        op::WHO_AM_I => Request::WhoAmI,
        op::CLOSE_SESSION => Request::CloseSession,
        other => return Err(DecodeError::UnknownOp(other)),
    })
}

// ---------------------------------------------------------------------------------------------
// Replies and events (server side)

fn write_reply_header(w: &mut JuteWriter, h: &ReplyHeader) {
    w.write_i32(h.xid);
    w.write_i64(h.zxid);
    w.write_i32(h.err);
}

fn write_multi_header(w: &mut JuteWriter, ty: i32, done: bool, err: i32) {
    w.write_i32(ty);
    w.write_bool(done);
    w.write_i32(err);
}

fn write_multi_result(w: &mut JuteWriter, res: &MultiResult) {
    match res {
        MultiResult::Create(path) => {
            write_multi_header(w, op::CREATE, false, 0);
            w.write_str(path);
        }
        MultiResult::Create2(path, stat) => {
            write_multi_header(w, op::CREATE2, false, 0);
            w.write_str(path);
            write_stat(w, stat);
        }
        MultiResult::Delete => write_multi_header(w, op::DELETE, false, 0),
        MultiResult::SetData(stat) => {
            write_multi_header(w, op::SET_DATA, false, 0);
            write_stat(w, stat);
        }
        MultiResult::Check => write_multi_header(w, op::CHECK, false, 0),
        MultiResult::GetChildren(children) => {
            write_multi_header(w, op::GET_CHILDREN, false, 0);
            write_strings(w, children);
        }
        MultiResult::GetData(data, stat) => {
            write_multi_header(w, op::GET_DATA, false, 0);
            w.write_buffer(data.as_deref());
            write_stat(w, stat);
        }
        MultiResult::Error(code) => {
            write_multi_header(w, op::ERROR, false, *code);
            w.write_i32(*code);
        }
    }
}

pub fn write_response(w: &mut JuteWriter, body: &Response) {
    match body {
        Response::Empty => {}
        Response::Create(path) | Response::Path(path) => w.write_str(path),
        Response::Create2(path, stat) => {
            w.write_str(path);
            write_stat(w, stat);
        }
        Response::Stat(stat) => write_stat(w, stat),
        Response::GetData(data, stat) => {
            w.write_buffer(data.as_deref());
            write_stat(w, stat);
        }
        Response::GetAcl(acl, stat) => {
            write_acls(w, acl);
            write_stat(w, stat);
        }
        Response::GetChildren(children) | Response::Ephemerals(children) => write_strings(w, children),
        Response::GetChildren2(children, stat) => {
            write_strings(w, children);
            write_stat(w, stat);
        }
        Response::Multi(results) => {
            for res in results {
                write_multi_result(w, res);
            }
            write_multi_header(w, -1, true, -1);
        }
        Response::AllChildrenNumber(n) | Response::ErrorBody(n) => w.write_i32(*n),
        Response::WhoAmI(infos) => w.write_vec(Some(infos), |w, i: &ClientInfo| {
            w.write_str(&i.auth_scheme);
            w.write_str(&i.user);
        }),
        Response::Sasl(token) => w.write_buffer(token.as_deref()),
    }
}

/// Writes a length-prefixed reply. On error the body is omitted, except for multi (whose header
/// error is 0 anyway) and SASL failures, which ZooKeeper answers with a null token.
pub fn encode_reply(out: &mut Vec<u8>, header: &ReplyHeader, body: &Response) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    write_reply_header(&mut w, header);
    if header.err == 0 || matches!(body, Response::Multi(_) | Response::Sasl(_)) {
        write_response(&mut w, body);
    }
    end_frame(out, at);
}

/// Writes a watch notification (xid -1, err 0).
pub fn encode_event(out: &mut Vec<u8>, zxid: i64, event: &WatcherEvent) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    write_reply_header(&mut w, &ReplyHeader { xid: super::codes::xid::NOTIFICATION, zxid, err: 0 });
    w.write_i32(event.event_type);
    w.write_i32(event.state);
    w.write_str(&event.path);
    end_frame(out, at);
}

pub fn decode_reply_header(r: &mut JuteReader) -> Result<ReplyHeader, DecodeError> {
    Ok(ReplyHeader { xid: r.read_i32()?, zxid: r.read_i64()?, err: r.read_i32()? })
}

pub fn decode_event(r: &mut JuteReader) -> Result<WatcherEvent, DecodeError> {
    Ok(WatcherEvent { event_type: r.read_i32()?, state: r.read_i32()?, path: r.read_string()? })
}
