//! Request and response records of the client protocol (zookeeper.jute `proto` module).
//! Field order here is the wire order. Codecs live in `codec.rs`.

use super::data::{Acl, ClientInfo, Stat};

/// `ustring`/`buffer` may be null on the wire (length -1); ZooKeeper preserves null vs empty data.
pub type Data = Option<Vec<u8>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRequest {
    pub protocol_version: i32,
    pub last_zxid_seen: i64,
    pub timeout: i32,
    pub session_id: i64,
    pub passwd: Vec<u8>,
    /// `None` when the client omitted the trailing byte (old protocol); the reply mirrors this.
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectResponse {
    pub protocol_version: i32,
    pub timeout: i32,
    pub session_id: i64,
    pub passwd: Vec<u8>,
    /// Written only when `Some` (mirrors the request).
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHeader {
    pub xid: i32,
    pub op: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyHeader {
    pub xid: i32,
    pub zxid: i64,
    pub err: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    pub path: String,
    pub data: Data,
    pub acl: Vec<Acl>,
    pub flags: i32,
    /// Only for createTTL (opcode 21); `None` for the other create opcodes.
    pub ttl: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathVersion {
    pub path: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathWatch {
    pub path: String,
    pub watch: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetDataRequest {
    pub path: String,
    pub data: Data,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAclRequest {
    pub path: String,
    pub acl: Vec<Acl>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconfigRequest {
    pub joining_servers: Option<String>,
    pub leaving_servers: Option<String>,
    pub new_members: Option<String>,
    pub cur_config_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathType {
    pub path: String,
    /// WatcherType for check/removeWatches, AddWatchMode for addWatch.
    pub kind: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetWatches {
    pub relative_zxid: i64,
    pub data_watches: Vec<String>,
    pub exist_watches: Vec<String>,
    pub child_watches: Vec<String>,
    /// Only in setWatches2 (opcode 105).
    pub persistent_watches: Vec<String>,
    pub persistent_recursive_watches: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPacket {
    pub auth_type: i32,
    pub scheme: String,
    pub auth: Vec<u8>,
}

/// One operation of a multi / multiRead, tagged by the opcode it was sent with
/// (the result type mirrors the request opcode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiOp {
    /// opcode is one of create(1), create2(15), createContainer(19), createTTL(21)
    Create { op: i32, req: CreateRequest },
    Delete(PathVersion),
    SetData(SetDataRequest),
    Check(PathVersion),
    GetChildren(String),
    GetData(String),
}

/// A decoded client request body, one variant per opcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// create(1), create2(15), createContainer(19), createTTL(21): `op` keeps which.
    Create { op: i32, req: CreateRequest },
    Delete(PathVersion),
    /// deleteContainer(20)
    DeleteContainer(String),
    Exists(PathWatch),
    GetData(PathWatch),
    SetData(SetDataRequest),
    GetAcl(String),
    SetAcl(SetAclRequest),
    GetChildren(PathWatch),
    GetChildren2(PathWatch),
    GetAllChildrenNumber(String),
    GetEphemerals(String),
    Sync(String),
    Ping,
    /// check(13) sent outside a multi: answered Unimplemented and the connection is closed.
    Check(PathVersion),
    Multi(Vec<MultiOp>),
    MultiRead(Vec<MultiOp>),
    Reconfig(ReconfigRequest),
    CheckWatches(PathType),
    RemoveWatches(PathType),
    AddWatch(PathType),
    /// setWatches(101) or setWatches2(105)
    SetWatches { op: i32, watches: SetWatches },
    Auth(AuthPacket),
    Sasl(Option<Vec<u8>>),
    WhoAmI,
    CloseSession,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherEvent {
    pub event_type: i32,
    pub state: i32,
    pub path: String,
}

/// One result of a multi / multiRead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiResult {
    /// type 1: CreateResponse
    Create(String),
    /// type 15: Create2Response (also for createContainer/createTTL ops)
    Create2(String, Stat),
    Delete,
    SetData(Stat),
    Check,
    GetChildren(Vec<String>),
    GetData(Data, Stat),
    /// type -1: ErrorResponse{err}
    Error(i32),
}

/// A reply body, one variant per response record. `Empty` = header only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Empty,
    Create(String),
    Create2(String, Stat),
    Stat(Stat),
    GetData(Data, Stat),
    GetAcl(Vec<Acl>, Stat),
    GetChildren(Vec<String>),
    GetChildren2(Vec<String>, Stat),
    Path(String),
    Multi(Vec<MultiResult>),
    AllChildrenNumber(i32),
    Ephemerals(Vec<String>),
    /// addWatch answers ErrorResponse{err=0}
    ErrorBody(i32),
    WhoAmI(Vec<ClientInfo>),
    /// A body already jute-encoded as the response record of `op` (large replies are built straight
    /// from the tree, e.g. getChildren of a big node: one buffer instead of a String per child).
    /// Decoding it with `codec_client::decode_response(op, ..)` gives the structured form.
    Encoded { op: i32, body: Vec<u8> },
    Sasl(Option<Vec<u8>>),
}

/// Frames each op of a multi request/response: `{int type; boolean done; int err}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiHeader {
    pub op: i32,
    pub done: bool,
    pub err: i32,
}

impl MultiHeader {
    /// The terminator of both MultiOperationRecord and MultiResponse.
    pub const END: MultiHeader = MultiHeader { op: -1, done: true, err: -1 };
}
