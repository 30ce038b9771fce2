//! One ZooKeeper session on one TCP connection: the handshake, then framed requests out and
//! replies in. Requests are queued into one buffer and written with one syscall per flush.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::time::timeout;
use zkd::wire::{self, xid, ConnectRequest, FrameSplitter, ReplyHeader, Request};

/// Session timeout asked for; generous so an idle watcher between rounds never expires.
pub const SESSION_TIMEOUT_MS: i32 = 30_000;
/// Bound on connecting, the handshake and on any single synchronous call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The xid the close request goes out with, so a reader can recognise its reply.
pub const CLOSE_XID: i32 = i32::MAX - 1;
/// Replies larger than jute.maxbuffer are possible (getChildren of a big node): accept up to 64 MiB.
const MAX_REPLY: usize = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("server closed the connection")]
    Closed,
    #[error("bad frame length from server: {0}")]
    Frame(#[from] wire::BadFrameLength),
    #[error("undecodable reply: {0}")]
    Decode(#[from] wire::DecodeError),
    #[error("session refused by the server")]
    Refused,
    #[error("timed out: {0}")]
    Timeout(&'static str),
}

pub type Result<T> = std::result::Result<T, ConnError>;

/// An established session; split it to read and write from different tasks.
pub struct Session {
    pub id: i64,
    pub reader: ReplyReader,
    pub writer: RequestWriter,
}

/// Connects and performs the handshake (protocol 0, fresh session, readOnly byte false).
pub async fn connect(server: &str) -> Result<Session> {
    let stream = timeout(CALL_TIMEOUT, TcpStream::connect(server)).await.map_err(|_| ConnError::Timeout("connect"))??;
    stream.set_nodelay(true)?;
    let (r, w) = stream.into_split();
    let mut reader = ReplyReader { half: r, frames: FrameSplitter::new(MAX_REPLY), buf: vec![0; 64 << 10] };
    let mut writer = RequestWriter { half: w, out: Vec::with_capacity(64 << 10), next_xid: 1 };
    let hello = ConnectRequest {
        protocol_version: 0,
        last_zxid_seen: 0,
        timeout: SESSION_TIMEOUT_MS,
        session_id: 0,
        passwd: vec![0; 16],
        read_only: Some(false),
    };
    wire::encode_connect_request(&mut writer.out, &hello);
    writer.flush().await?;
    let payload = timeout(CALL_TIMEOUT, reader.next_payload()).await.map_err(|_| ConnError::Timeout("handshake"))??;
    let resp = wire::decode_connect_response(&payload)?;
    if resp.session_id == 0 || resp.timeout <= 0 {
        return Err(ConnError::Refused);
    }
    Ok(Session { id: resp.session_id, reader, writer })
}

impl Session {
    /// Sends one request and waits for its reply (skipping notifications): for setup, not load.
    pub async fn call(&mut self, req: &Request) -> Result<ReplyHeader> {
        let x = self.writer.queue(req);
        self.writer.flush().await?;
        timeout(CALL_TIMEOUT, async {
            loop {
                let h = self.reader.next_header().await?;
                if h.xid == x {
                    return Ok(h);
                }
            }
        })
        .await
        .map_err(|_| ConnError::Timeout("call"))?
    }

    /// Closes the session (ephemerals go at once) and waits, bounded, for the reply.
    pub async fn close(mut self) -> Result<()> {
        self.writer.queue_with_xid(CLOSE_XID, &Request::CloseSession);
        self.writer.flush().await?;
        self.reader.wait_for(CLOSE_XID).await
    }
}

pub struct ReplyReader {
    half: OwnedReadHalf,
    frames: FrameSplitter,
    buf: Vec<u8>,
}

impl ReplyReader {
    async fn fill(&mut self) -> Result<()> {
        let n = self.half.read(&mut self.buf).await?;
        if n == 0 {
            return Err(ConnError::Closed);
        }
        self.frames.push(&self.buf[..n]);
        Ok(())
    }

    /// The next whole payload (copied out of the frame buffer).
    pub async fn next_payload(&mut self) -> Result<Vec<u8>> {
        loop {
            if let Some(f) = self.frames.next_frame()? {
                return Ok(f.to_vec());
            }
            self.fill().await?;
        }
    }

    /// The header of the next reply or notification; the body is skipped without a copy.
    pub async fn next_header(&mut self) -> Result<ReplyHeader> {
        loop {
            if let Some(f) = self.frames.next_frame()? {
                return Ok(wire::decode_reply_header(f)?.0);
            }
            self.fill().await?;
        }
    }

    /// Reads (bounded in time) until the reply with `want` arrives; a close after it is fine.
    pub async fn wait_for(&mut self, want: i32) -> Result<()> {
        timeout(CALL_TIMEOUT, async {
            loop {
                match self.next_header().await {
                    Ok(h) if h.xid == want => return Ok(()),
                    Ok(_) => {}
                    // Some servers close right after answering closeSession.
                    Err(ConnError::Closed) if want == CLOSE_XID => return Ok(()),
                    Err(e) => return Err(e),
                }
            }
        })
        .await
        .map_err(|_| ConnError::Timeout("reply"))?
    }
}

/// True for the xids the server uses unasked (notifications) or for pings.
pub fn is_unsolicited(h: &ReplyHeader) -> bool {
    h.xid == xid::NOTIFICATION || h.xid == xid::PING
}

pub struct RequestWriter {
    half: OwnedWriteHalf,
    out: Vec<u8>,
    next_xid: i32,
}

impl RequestWriter {
    /// Encodes a request into the outgoing buffer; returns its xid.
    pub fn queue(&mut self, req: &Request) -> i32 {
        let x = self.next_xid;
        self.next_xid = if x >= CLOSE_XID - 1 { 1 } else { x + 1 };
        self.queue_with_xid(x, req);
        x
    }

    pub fn queue_with_xid(&mut self, x: i32, req: &Request) {
        wire::encode_request(&mut self.out, x, req);
    }

    /// Bytes queued and not yet written.
    pub fn buffered(&self) -> usize {
        self.out.len()
    }

    pub async fn flush(&mut self) -> Result<()> {
        if !self.out.is_empty() {
            self.half.write_all(&self.out).await?;
            self.out.clear();
        }
        Ok(())
    }
}
