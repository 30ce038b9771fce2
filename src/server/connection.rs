//! One client connection on a client I/O executor: a reader task (framing, handshake, four-letter
//! words, idle timeouts) and a writer task (encodes core outputs in arrival order, closes on demand).
//! Decoding of request bodies and every protocol rule live in the pure core; this file only moves bytes.

use super::messages::{ToClient, ToPipeline};
use crate::pipeline::{ConnId, Input, Output};
use crate::wire::{codec, BadFrameLength, FrameSplitter, RequestHeader};
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
use futures_lite::{AsyncRead, AsyncWrite};
use glommio::channels::local_channel::LocalReceiver;
use glommio::channels::shared_channel::ConnectedSender;
use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Limits the edge enforces before anything reaches the core.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// jute.maxbuffer: a frame longer than this closes the connection ("Len error").
    pub max_frame: usize,
    /// zookeeper.nio.sessionlessCnxnTimeout: a connection that never completes a handshake is closed.
    pub sessionless_timeout: Duration,
}

/// State shared by the two halves of a connection.
pub struct ConnShared {
    /// Negotiated session timeout once the handshake is answered; the reader closes after that long idle.
    pub session_timeout_ms: Cell<u64>,
    pub closed: Cell<bool>,
    /// When the reader last got bytes (the idle watchdog's reference).
    pub last_read: Cell<Instant>,
    /// The idle watchdog closed the connection.
    pub timed_out: Cell<bool>,
}

impl Default for ConnShared {
    fn default() -> Self {
        ConnShared {
            session_timeout_ms: Cell::new(0),
            closed: Cell::new(false),
            last_read: Cell::new(Instant::now()),
            timed_out: Cell::new(false),
        }
    }
}

#[derive(Debug)]
enum ReadEnd {
    Eof,
    Io(std::io::Error),
    BadLength(i32),
    FourLetterWord,
    PipelineGone,
}

/// Where a connection's reader hands its inputs: a pipeline on another executor (over a shared
/// channel) or the pipeline on this very executor (a plain call; see `CorePlacement`).
pub enum PipelineLink {
    Remote(ConnectedSender<ToPipeline>),
    Local(Rc<dyn Fn(ToPipeline)>),
}

impl PipelineLink {
    /// Err: the pipeline is gone.
    pub async fn send(&self, msg: ToPipeline) -> Result<(), ()> {
        match self {
            PipelineLink::Remote(tx) => tx.send(msg).await.map_err(|_| ()),
            PipelineLink::Local(deliver) => {
                deliver(msg);
                Ok(())
            }
        }
    }
}

/// Bytes asked of one read: enough for many pipelined small requests at once.
const READ_CHUNK: usize = 16 << 10;

/// Reads frames and forwards them to the pipeline until the connection ends, then reports `Disconnected`.
pub async fn read_loop<R: AsyncRead + Unpin>(
    conn: ConnId,
    mut rd: R,
    remote: SocketAddr,
    shared: Rc<ConnShared>,
    limits: ConnLimits,
    to_pipeline: Rc<PipelineLink>,
    shutdown: impl Fn() + 'static,
) -> ReaderEnd {
    // One idle timer per connection, re-armed only when it fires, instead of one per read.
    let watchdog = glommio::spawn_local(idle_watchdog(shared.clone(), limits, shutdown));
    let end = read_frames(conn, &mut rd, remote, &shared, limits, &to_pipeline).await;
    drop(watchdog); // cancels it
    match &end {
        ReadEnd::Io(e) => tracing::debug!(conn, error = %e, "connection read failed"),
        ReadEnd::BadLength(len) => tracing::debug!(conn, len, "connection closed on a bad frame"),
        other => tracing::debug!(conn, ?other, timed_out = shared.timed_out.get(), "connection reader finished"),
    }
    match end {
        // The answer is still on its way from the pipeline: the writer closes after writing it.
        ReadEnd::FourLetterWord => ReaderEnd::AwaitWriter,
        ReadEnd::PipelineGone => ReaderEnd::Done,
        _ => {
            let _ = to_pipeline.send(ToPipeline::Core(Input::Disconnected { conn })).await;
            ReaderEnd::Done
        }
    }
}

/// What the accept loop must do once the reader has finished.
pub enum ReaderEnd {
    /// Drop the outbox now: the writer flushes what it holds and stops.
    Done,
    /// Let the writer finish on its own (it closes after a four-letter word's answer).
    AwaitWriter,
}

/// The idle limit now: the session timeout once negotiated, the sessionless timeout before.
fn idle_limit(shared: &ConnShared, limits: ConnLimits) -> Duration {
    match shared.session_timeout_ms.get() {
        0 => limits.sessionless_timeout,
        ms => Duration::from_millis(ms),
    }
}

/// Shuts the socket down once nothing was read for the idle limit (the reader then ends).
async fn idle_watchdog(shared: Rc<ConnShared>, limits: ConnLimits, shutdown: impl Fn()) {
    loop {
        let idle = shared.last_read.get().elapsed();
        let limit = idle_limit(&shared, limits);
        if idle >= limit {
            shared.timed_out.set(true);
            shutdown();
            return;
        }
        glommio::timer::sleep(limit - idle).await;
    }
}

async fn fill<R: AsyncRead + Unpin>(rd: &mut R, frames: &mut FrameSplitter, shared: &ConnShared) -> Result<(), ReadEnd> {
    let n = rd.read(frames.read_buf(READ_CHUNK)).await.map_err(ReadEnd::Io)?;
    if n == 0 {
        return Err(ReadEnd::Eof);
    }
    frames.commit(n);
    shared.last_read.set(Instant::now());
    Ok(())
}

async fn read_frames<R: AsyncRead + Unpin>(
    conn: ConnId,
    rd: &mut R,
    remote: SocketAddr,
    shared: &ConnShared,
    limits: ConnLimits,
    to_pipeline: &PipelineLink,
) -> ReadEnd {
    let mut frames = FrameSplitter::new(limits.max_frame);
    while frames.buffered() < 4 {
        if let Err(e) = fill(rd, &mut frames, shared).await {
            return e;
        }
    }
    if let Some(word) = frames.four_letter_word() {
        let mut arg = None;
        if word == "stmk" {
            while frames.buffered() < 12 {
                if let Err(e) = fill(rd, &mut frames, shared).await {
                    return e;
                }
            }
            let raw = frames.take_raw(12).expect("12 bytes are buffered");
            arg = Some(i64::from_be_bytes(raw[4..12].try_into().expect("8 bytes")));
        }
        let _ = to_pipeline.send(ToPipeline::FourLetterWord { conn, word, arg }).await;
        return ReadEnd::FourLetterWord;
    }
    let mut first = true;
    loop {
        loop {
            let payload = match frames.next_frame() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(BadFrameLength(len)) => {
                    tracing::warn!(conn, %remote, len, "Len error: closing connection");
                    return ReadEnd::BadLength(len);
                }
            };
            let input = if first {
                first = false;
                match codec::decode_connect_request(payload) {
                    Ok(req) => Input::Connect { conn, remote, req },
                    Err(e) => {
                        tracing::info!(conn, %remote, error = %e, "bad ConnectRequest: closing connection");
                        return ReadEnd::BadLength(payload.len() as i32);
                    }
                }
            } else {
                if payload.len() < 8 {
                    tracing::info!(conn, %remote, "frame shorter than a request header: closing connection");
                    return ReadEnd::BadLength(payload.len() as i32);
                }
                let header = RequestHeader {
                    xid: i32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]),
                    op: i32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]),
                };
                Input::Packet { conn, header, body: payload[8..].to_vec() }
            };
            if to_pipeline.send(ToPipeline::Core(input)).await.is_err() {
                return ReadEnd::PipelineGone;
            }
            if shared.closed.get() {
                return ReadEnd::Eof;
            }
        }
        if let Err(e) = fill(rd, &mut frames, shared).await {
            return e;
        }
    }
}

/// Writes what the pipeline sends for this connection, coalescing whatever is already queued into one
/// write. Ends on `Close`, on a four-letter-word answer, when the reader drops the sender, or on a write error.
pub async fn write_loop<W: AsyncWrite + Unpin>(
    conn: ConnId,
    mut wr: W,
    outbox: LocalReceiver<ToClient>,
    shared: Rc<ConnShared>,
    shutdown: impl FnOnce(),
) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut close = false;
    while let Some(first) = outbox.recv().await {
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            close |= encode(&mut buf, msg, &shared);
            if close {
                break;
            }
            // Drain what is already queued so one write carries many replies.
            if let Some(Some(m)) = futures_lite::future::poll_once(outbox.recv()).await {
                next = Some(m);
            }
        }
        if !buf.is_empty() {
            if let Err(e) = wr.write_all(&buf).await {
                tracing::debug!(conn, error = %e, "write failed");
                break;
            }
            buf.clear();
        }
        if close {
            break;
        }
    }
    let _ = wr.flush().await;
    shared.closed.set(true);
    shutdown();
}

/// Encodes one message into `buf`; returns true when the connection must close after it.
fn encode(buf: &mut Vec<u8>, msg: ToClient, shared: &ConnShared) -> bool {
    match msg {
        ToClient::Core(Output::Connected { resp, close_after, .. }) => {
            if !close_after {
                shared.session_timeout_ms.set(resp.timeout.max(0) as u64);
            }
            codec::encode_connect_response(buf, &resp);
            close_after
        }
        ToClient::Core(Output::Reply { header, body, .. }) => {
            codec::encode_reply(buf, &header, &body);
            false
        }
        ToClient::Core(Output::Event { zxid, event, .. }) => {
            codec::encode_event(buf, zxid, &event);
            false
        }
        ToClient::Core(Output::Close { .. }) => true,
        ToClient::Core(Output::Append { .. })
        | ToClient::Core(Output::Snapshot(_))
        | ToClient::Core(Output::Forward(_))
        | ToClient::Core(Output::Touched(_))
        | ToClient::Core(Output::Answer { .. }) => false,
        ToClient::Text { text, .. } => {
            buf.extend_from_slice(text.as_bytes());
            true
        }
    }
}

/// Shuts the socket down in both directions so the reader wakes up and reports the disconnect.
pub fn shutdown_fd(fd: std::os::fd::RawFd) {
    // SAFETY: shutdown(2) on a descriptor we own; it does not close or invalidate it.
    unsafe {
        libc::shutdown(fd, libc::SHUT_RDWR);
    }
}
