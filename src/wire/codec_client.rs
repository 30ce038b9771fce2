//! Client direction of the protocol (load generator, tests): encode requests, decode replies.

use super::codes::op;
use super::jute::{begin_frame, end_frame, DecodeError, JuteReader, JuteWriter};
use super::records::*;
use super::records_codec::*;

pub use super::records_codec::{decode_connect_response, encode_connect_request};

/// The opcode a request is sent with.
pub fn request_op(req: &Request) -> i32 {
    match req {
        Request::Create { op, .. } | Request::SetWatches { op, .. } => *op,
        Request::Delete(_) => op::DELETE,
        Request::DeleteContainer(_) => op::DELETE_CONTAINER,
        Request::Exists(_) => op::EXISTS,
        Request::GetData(_) => op::GET_DATA,
        Request::SetData(_) => op::SET_DATA,
        Request::GetAcl(_) => op::GET_ACL,
        Request::SetAcl(_) => op::SET_ACL,
        Request::GetChildren(_) => op::GET_CHILDREN,
        Request::GetChildren2(_) => op::GET_CHILDREN2,
        Request::GetAllChildrenNumber(_) => op::GET_ALL_CHILDREN_NUMBER,
        Request::GetEphemerals(_) => op::GET_EPHEMERALS,
        Request::Sync(_) => op::SYNC,
        Request::Ping => op::PING,
        Request::Check(_) => op::CHECK,
        Request::Multi(_) => op::MULTI,
        Request::MultiRead(_) => op::MULTI_READ,
        Request::Reconfig(_) => op::RECONFIG,
        Request::CheckWatches(_) => op::CHECK_WATCHES,
        Request::RemoveWatches(_) => op::REMOVE_WATCHES,
        Request::AddWatch(_) => op::ADD_WATCH,
        Request::Auth(_) => op::AUTH,
        Request::Sasl(_) => op::SASL,
        Request::WhoAmI => op::WHO_AM_I,
        Request::CloseSession => op::CLOSE_SESSION,
    }
}

fn write_create(w: &mut JuteWriter, req: &CreateRequest) {
    w.write_str(&req.path);
    w.write_buffer(req.data.as_deref());
    write_acls(w, &req.acl);
    w.write_i32(req.flags);
    if let Some(ttl) = req.ttl {
        w.write_i64(ttl);
    }
}

fn write_path_version(w: &mut JuteWriter, pv: &PathVersion) {
    w.write_str(&pv.path);
    w.write_i32(pv.version);
}

fn write_path_watch(w: &mut JuteWriter, pw: &PathWatch) {
    w.write_str(&pw.path);
    w.write_bool(pw.watch);
}

fn write_path_type(w: &mut JuteWriter, pt: &PathType) {
    w.write_str(&pt.path);
    w.write_i32(pt.kind);
}

fn write_set_data(w: &mut JuteWriter, s: &SetDataRequest) {
    w.write_str(&s.path);
    w.write_buffer(s.data.as_deref());
    w.write_i32(s.version);
}

fn write_multi_op(w: &mut JuteWriter, o: &MultiOp) {
    let header = |op| MultiHeader { op, done: false, err: -1 };
    match o {
        MultiOp::Create { op, req } => {
            write_multi_header(w, &header(*op));
            write_create(w, req);
        }
        MultiOp::Delete(pv) => {
            write_multi_header(w, &header(op::DELETE));
            write_path_version(w, pv);
        }
        MultiOp::SetData(s) => {
            write_multi_header(w, &header(op::SET_DATA));
            write_set_data(w, s);
        }
        MultiOp::Check(pv) => {
            write_multi_header(w, &header(op::CHECK));
            write_path_version(w, pv);
        }
        MultiOp::GetChildren(path) => {
            write_multi_header(w, &header(op::GET_CHILDREN));
            w.write_str(path);
            w.write_bool(false);
        }
        MultiOp::GetData(path) => {
            write_multi_header(w, &header(op::GET_DATA));
            w.write_str(path);
            w.write_bool(false);
        }
    }
}

/// Writes a request record (no header, no length). A create's ttl is written when `Some`, which
/// must be exactly when the op is createTTL.
pub fn write_request(w: &mut JuteWriter, req: &Request) {
    match req {
        Request::Create { req, .. } => write_create(w, req),
        Request::Delete(pv) | Request::Check(pv) => write_path_version(w, pv),
        Request::DeleteContainer(p)
        | Request::GetAcl(p)
        | Request::GetAllChildrenNumber(p)
        | Request::GetEphemerals(p)
        | Request::Sync(p) => w.write_str(p),
        Request::Exists(pw) | Request::GetData(pw) | Request::GetChildren(pw) | Request::GetChildren2(pw) => {
            write_path_watch(w, pw)
        }
        Request::SetData(s) => write_set_data(w, s),
        Request::SetAcl(s) => {
            w.write_str(&s.path);
            write_acls(w, &s.acl);
            w.write_i32(s.version);
        }
        Request::Ping | Request::WhoAmI | Request::CloseSession => {}
        Request::Multi(ops) | Request::MultiRead(ops) => {
            for o in ops {
                write_multi_op(w, o);
            }
            write_multi_header(w, &MultiHeader::END);
        }
        Request::Reconfig(rc) => {
            w.write_ustring(rc.joining_servers.as_deref());
            w.write_ustring(rc.leaving_servers.as_deref());
            w.write_ustring(rc.new_members.as_deref());
            w.write_i64(rc.cur_config_id);
        }
        Request::CheckWatches(pt) | Request::RemoveWatches(pt) | Request::AddWatch(pt) => write_path_type(w, pt),
        Request::SetWatches { op: opcode, watches } => {
            w.write_i64(watches.relative_zxid);
            write_strings(w, &watches.data_watches);
            write_strings(w, &watches.exist_watches);
            write_strings(w, &watches.child_watches);
            if *opcode == op::SET_WATCHES2 {
                write_strings(w, &watches.persistent_watches);
                write_strings(w, &watches.persistent_recursive_watches);
            }
        }
        Request::Auth(a) => {
            w.write_i32(a.auth_type);
            w.write_str(&a.scheme);
            w.write_buffer(Some(&a.auth));
        }
        Request::Sasl(token) => w.write_buffer(token.as_deref()),
    }
}

/// Appends a length-prefixed request packet (RequestHeader{xid, op} + body) to `out`.
pub fn encode_request(out: &mut Vec<u8>, xid: i32, req: &Request) {
    let at = begin_frame(out);
    let mut w = JuteWriter::new(out);
    write_request_header(&mut w, &RequestHeader { xid, op: request_op(req) });
    write_request(&mut w, req);
    end_frame(out, at);
}

/// Splits a reply payload (no length prefix) into its header and the body bytes.
pub fn decode_reply_header(payload: &[u8]) -> Result<(ReplyHeader, &[u8]), DecodeError> {
    let mut r = JuteReader::new(payload, 0);
    let h = read_reply_header(&mut r)?;
    Ok((h, r.rest()))
}

/// Decodes a notification body (after a header with xid -1).
pub fn decode_event(body: &[u8]) -> Result<WatcherEvent, DecodeError> {
    read_watcher_event(&mut JuteReader::new(body, body.len()))
}

fn read_multi_results(r: &mut JuteReader) -> Result<Vec<MultiResult>, DecodeError> {
    let mut out = Vec::new();
    loop {
        let h = read_multi_header(r)?;
        if h.done {
            return Ok(out);
        }
        out.push(match h.op {
            op::CREATE => MultiResult::Create(r.read_string()?),
            op::CREATE2 => MultiResult::Create2(r.read_string()?, read_stat(r)?),
            op::DELETE => MultiResult::Delete,
            op::SET_DATA => MultiResult::SetData(read_stat(r)?),
            op::CHECK => MultiResult::Check,
            op::GET_CHILDREN => MultiResult::GetChildren(read_strings(r)?),
            op::GET_DATA => MultiResult::GetData(r.read_buffer()?, read_stat(r)?),
            // The code is taken from the ErrorResponse body, as the Java client does.
            op::ERROR => MultiResult::Error(r.read_i32()?),
            _ => return Err(DecodeError::Invalid("invalid type in multi response")),
        });
    }
}

/// Decodes the success body of a reply to a request sent with opcode `opcode`.
pub fn decode_response(opcode: i32, body: &[u8]) -> Result<Response, DecodeError> {
    let r = &mut JuteReader::new(body, body.len());
    Ok(match opcode {
        op::CREATE => Response::Create(r.read_string()?),
        op::CREATE2 | op::CREATE_CONTAINER | op::CREATE_TTL => Response::Create2(r.read_string()?, read_stat(r)?),
        op::EXISTS | op::SET_DATA | op::SET_ACL => Response::Stat(read_stat(r)?),
        op::GET_DATA | op::RECONFIG => Response::GetData(r.read_buffer()?, read_stat(r)?),
        op::GET_ACL => Response::GetAcl(read_acls(r)?, read_stat(r)?),
        op::GET_CHILDREN => Response::GetChildren(read_strings(r)?),
        op::GET_CHILDREN2 => Response::GetChildren2(read_strings(r)?, read_stat(r)?),
        op::SYNC => Response::Path(r.read_string()?),
        op::MULTI | op::MULTI_READ => Response::Multi(read_multi_results(r)?),
        op::GET_ALL_CHILDREN_NUMBER => Response::AllChildrenNumber(r.read_i32()?),
        op::GET_EPHEMERALS => Response::Ephemerals(read_strings(r)?),
        op::ADD_WATCH => Response::ErrorBody(r.read_i32()?),
        op::WHO_AM_I => Response::WhoAmI(r.read_vec(MIN_CLIENT_INFO, read_client_info)?.unwrap_or_default()),
        op::SASL => Response::Sasl(r.read_buffer()?),
        op::DELETE
        | op::DELETE_CONTAINER
        | op::PING
        | op::CHECK
        | op::CHECK_WATCHES
        | op::REMOVE_WATCHES
        | op::SET_WATCHES
        | op::SET_WATCHES2
        | op::AUTH
        | op::CLOSE_SESSION => Response::Empty,
        other => return Err(DecodeError::UnknownOp(other)),
    })
}

/// Decodes a whole reply payload (no length prefix) to a request sent with `opcode`. An error
/// reply without a body is `Response::Empty`; bodies sent with errors (multi, SASL) are decoded.
pub fn decode_reply(opcode: i32, payload: &[u8]) -> Result<(ReplyHeader, Response), DecodeError> {
    let (h, body) = decode_reply_header(payload)?;
    if h.err != 0 && body.is_empty() {
        return Ok((h, Response::Empty));
    }
    Ok((h, decode_response(opcode, body)?))
}
