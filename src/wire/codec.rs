//! Server direction of the client protocol: decode request bodies, encode replies, events and the
//! handshake answer. The client direction (load generator, tests) is in `codec_client.rs`; the
//! shared records are in `records_codec.rs` (re-exported here).

use super::codes::{op, xid};
use super::jute::{begin_frame, end_frame, DecodeError, JuteReader, JuteWriter};
use super::records::*;

pub use super::records_codec::*;

/// CreateMode.CONTAINER's flag value.
const CONTAINER_FLAG: i32 = 4;

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

/// A create op inside a multi, following MultiOperationRecord.deserialize and Op.create:
/// - create/create2/createContainer: a flag outside CreateMode (0..=6) is an IOException, a TTL mode
///   without a ttl fails CreateOptions (IllegalArgumentException, turned into IOException), and a null
///   ACL list fails `requireNonNull`. The container flag turns the op into createContainer.
/// - createTTL: never fails on flags; a non-TTL mode turns it into a plain create (or createContainer)
///   whose ttl is dropped, keeping the raw flags for the prep step to reject.
fn read_multi_create(r: &mut JuteReader, ty: i32) -> Result<MultiOp, DecodeError> {
    if ty == op::CREATE_TTL {
        let mut req = read_create(r, true)?;
        let op = match req.flags {
            5 | 6 => op::CREATE_TTL,
            CONTAINER_FLAG => op::CREATE_CONTAINER,
            _ => op::CREATE,
        };
        if op != op::CREATE_TTL {
            req.ttl = None;
        }
        return Ok(MultiOp::Create { op, req });
    }
    let path = r.read_string()?;
    let data = r.read_buffer()?;
    let acl = read_acls_opt(r)?;
    let flags = r.read_i32()?;
    if !(0..=6).contains(&flags) {
        return Err(DecodeError::Invalid("invalid create flags in multi"));
    }
    if flags == 5 || flags == 6 {
        return Err(DecodeError::Invalid("TTL create mode without a ttl in multi"));
    }
    let Some(acl) = acl else {
        return Err(DecodeError::Invalid("null ACL in multi create"));
    };
    let op = if flags == CONTAINER_FLAG { op::CREATE_CONTAINER } else { ty };
    Ok(MultiOp::Create { op, req: CreateRequest { path, data, acl, flags, ttl: None } })
}

/// MultiOperationRecord: `[MultiHeader][op]…` terminated by a header with done=true. All ops must
/// be of one kind (reads or writes); multi takes writes, multiRead reads.
fn read_multi(r: &mut JuteReader, multi_read: bool) -> Result<Vec<MultiOp>, DecodeError> {
    let mut ops = Vec::new();
    let mut reads: Option<bool> = None;
    loop {
        // Each header consumes 9 bytes, so a hostile stream cannot loop without input.
        let h = read_multi_header(r)?;
        if h.done {
            break;
        }
        let (is_read, op) = match h.op {
            op::CREATE | op::CREATE2 | op::CREATE_CONTAINER | op::CREATE_TTL => (false, read_multi_create(r, h.op)?),
            op::DELETE => (false, MultiOp::Delete(read_path_version(r)?)),
            op::SET_DATA => (false, MultiOp::SetData(read_set_data(r)?)),
            op::CHECK => (false, MultiOp::Check(read_path_version(r)?)),
            // The watch flag of read ops is dropped (Op.getChildren/getData take only the path).
            op::GET_CHILDREN => (true, MultiOp::GetChildren(read_path_watch(r)?.path)),
            op::GET_DATA => (true, MultiOp::GetData(read_path_watch(r)?.path)),
            _ => return Err(DecodeError::Invalid("invalid type of op in multi")),
        };
        if *reads.get_or_insert(is_read) != is_read {
            return Err(DecodeError::Invalid("mixing read and write operations in multi"));
        }
        ops.push(op);
    }
    match reads {
        Some(true) if !multi_read => Err(DecodeError::Invalid("read operations in multi")),
        Some(false) if multi_read => Err(DecodeError::WriteOpInMultiRead),
        _ => Ok(ops),
    }
}

/// setWatches lists must not be null: ZooKeeper iterates them and fails with MarshallingError.
fn read_watch_list(r: &mut JuteReader) -> Result<Vec<String>, DecodeError> {
    read_strings_opt(r)?.ok_or(DecodeError::Invalid("null watch list"))
}

fn read_set_watches(r: &mut JuteReader, v2: bool) -> Result<SetWatches, DecodeError> {
    let mut w = SetWatches {
        relative_zxid: r.read_i64()?,
        data_watches: read_watch_list(r)?,
        exist_watches: read_watch_list(r)?,
        child_watches: read_watch_list(r)?,
        ..SetWatches::default()
    };
    if v2 {
        w.persistent_watches = read_watch_list(r)?;
        w.persistent_recursive_watches = read_watch_list(r)?;
    }
    Ok(w)
}

/// Decodes the body of a request (the bytes after its RequestHeader). `max` bounds string and
/// buffer lengths (jute.maxbuffer + extrasize). Trailing bytes are ignored, as ZooKeeper does
/// (it deserializes from the packet's ByteBuffer and never checks that it was consumed).
/// Bodies of ping, whoAmI and closeSession are not read at all.
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
        // ZooKeeper answers a standalone check with Unimplemented before looking at its body; the
        // caller must test the opcode first (Request.isValid). Decoded here for the client side.
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
// Replies and events

fn write_multi_result(w: &mut JuteWriter, res: &MultiResult) {
    let header = |op| MultiHeader { op, done: false, err: 0 };
    match res {
        MultiResult::Create(path) => {
            write_multi_header(w, &header(op::CREATE));
            w.write_str(path);
        }
        MultiResult::Create2(path, stat) => {
            write_multi_header(w, &header(op::CREATE2));
            w.write_str(path);
            write_stat(w, stat);
        }
        MultiResult::Delete => write_multi_header(w, &header(op::DELETE)),
        MultiResult::SetData(stat) => {
            write_multi_header(w, &header(op::SET_DATA));
            write_stat(w, stat);
        }
        MultiResult::Check => write_multi_header(w, &header(op::CHECK)),
        MultiResult::GetChildren(children) => {
            write_multi_header(w, &header(op::GET_CHILDREN));
            write_strings(w, children);
        }
        MultiResult::GetData(data, stat) => {
            write_multi_header(w, &header(op::GET_DATA));
            w.write_buffer(data.as_deref());
            write_stat(w, stat);
        }
        MultiResult::Error(code) => {
            write_multi_header(w, &MultiHeader { op: op::ERROR, done: false, err: *code });
            w.write_i32(*code);
        }
    }
}

/// Writes a response record (no header, no length).
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
        Response::Encoded { body, .. } => w.out.extend_from_slice(body),
        Response::GetChildren2(children, stat) => {
            write_strings(w, children);
            write_stat(w, stat);
        }
        Response::Multi(results) => {
            for res in results {
                write_multi_result(w, res);
            }
            write_multi_header(w, &MultiHeader::END);
        }
        Response::AllChildrenNumber(n) | Response::ErrorBody(n) => w.write_i32(*n),
        Response::WhoAmI(infos) => w.write_vec(Some(infos), write_client_info),
        Response::Sasl(token) => w.write_buffer(token.as_deref()),
    }
}

/// Whether a reply with this header carries `body`. ZooKeeper serializes whatever response record
/// it holds; on errors that is none, except multi (header err 0 anyway, or -5 with an empty list
/// for a multiRead of writes) and a failed SASL exchange (`SetSASLResponse(null)` with AuthFailed).
fn body_written(header: &ReplyHeader, body: &Response) -> bool {
    // A pre-encoded body (e.g. relayed by a follower from its leader) counts as its op's record.
    header.err == 0 || matches!(body, Response::Multi(_) | Response::Sasl(_) | Response::Encoded { op: op::MULTI | op::MULTI_READ | op::SASL, .. })
}

/// Appends a length-prefixed reply (header + body) to `out`.
pub fn encode_reply(out: &mut Vec<u8>, header: &ReplyHeader, body: &Response) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    write_reply_header(&mut w, header);
    if body_written(header, body) {
        write_response(&mut w, body);
    }
    end_frame(out, at);
}

/// Appends a length-prefixed watch notification (xid -1, err 0).
pub fn encode_event(out: &mut Vec<u8>, zxid: i64, event: &WatcherEvent) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    write_reply_header(&mut w, &ReplyHeader { xid: xid::NOTIFICATION, zxid, err: 0 });
    write_watcher_event(&mut w, event);
    end_frame(out, at);
}
