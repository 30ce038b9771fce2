//! One client connection on a client I/O executor: a reader task (framing, handshake, four-letter
//! words, idle timeouts) and a writer task (encodes core outputs in arrival order, closes on demand).
//! Decoding of request bodies and every protocol rule live in the pure core; this file only moves bytes.

use super::messages::{ToClient, ToPipeline};
use crate::pipeline::{ConnId, Input, Output};
use crate::wire::{codec, frame, RequestHeader};
use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
use futures_lite::{AsyncRead, AsyncWrite};
use glommio::channels::local_channel::LocalReceiver;
use glommio::channels::shared_channel::ConnectedSender;
use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// Limits the edge enforces before anything reaches the core.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// jute.maxbuffer: a frame longer than this closes the connection ("Len error").
    pub max_frame: usize,
    /// zookeeper.nio.sessionlessCnxnTimeout: a connection that never completes a handshake is closed.
    pub sessionless_timeout: Duration,
}

/// State shared by the two halves of a connection.
#[derive(Default)]
pub struct ConnShared {
    /// Negotiated session timeout once the handshake is answered; the reader closes after that long idle.
    pub session_timeout_ms: Cell<u64>,
    pub closed: Cell<bool>,
}

#[derive(Debug)]
enum ReadEnd {
    Eof,
    Io(std::io::Error),
    TimedOut,
    BadLength(i32),
    FourLetterWord,
    PipelineGone,
}

async fn read_timed<R: AsyncRead + Unpin>(r: &mut R, buf: &mut [u8], limit: Duration) -> Result<(), ReadEnd> {
    let read = async { r.read_exact(buf).await.map_err(|e| if e.kind() == std::io::ErrorKind::UnexpectedEof { ReadEnd::Eof } else { ReadEnd::Io(e) }) };
    let timer = async {
        glommio::timer::sleep(limit).await;
        Err(ReadEnd::TimedOut)
    };
    futures_lite::future::or(read, timer).await
}

/// Reads frames and forwards them to the pipeline until the connection ends, then reports `Disconnected`.
pub async fn read_loop<R: AsyncRead + Unpin>(
    conn: ConnId,
    mut rd: R,
    remote: SocketAddr,
    shared: Rc<ConnShared>,
    limits: ConnLimits,
    to_pipeline: Rc<ConnectedSender<ToPipeline>>,
) -> ReaderEnd {
    let end = read_frames(conn, &mut rd, remote, &shared, limits, &to_pipeline).await;
    match &end {
        ReadEnd::Io(e) => tracing::debug!(conn, error = %e, "connection read failed"),
        ReadEnd::BadLength(len) => tracing::debug!(conn, len, "connection closed on a bad frame"),
        other => tracing::debug!(conn, ?other, "connection reader finished"),
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

async fn read_frames<R: AsyncRead + Unpin>(
    conn: ConnId,
    rd: &mut R,
    remote: SocketAddr,
    shared: &ConnShared,
    limits: ConnLimits,
    to_pipeline: &ConnectedSender<ToPipeline>,
) -> ReadEnd {
    let mut len_buf = [0u8; 4];
    if let Err(e) = read_timed(rd, &mut len_buf, limits.sessionless_timeout).await {
        return e;
    }
    if let Some(word) = frame::four_letter_word(len_buf) {
        let mut arg = None;
        if word == "stmk" {
            let mut mask = [0u8; 8];
            if let Err(e) = read_timed(rd, &mut mask, limits.sessionless_timeout).await {
                return e;
            }
            arg = Some(i64::from_be_bytes(mask));
        }
        let _ = to_pipeline.send(ToPipeline::FourLetterWord { conn, word, arg }).await;
        return ReadEnd::FourLetterWord;
    }
    let mut first = true;
    loop {
        if !first {
            let idle = match shared.session_timeout_ms.get() {
                0 => limits.sessionless_timeout,
                ms => Duration::from_millis(ms),
            };
            if let Err(e) = read_timed(rd, &mut len_buf, idle).await {
                return e;
            }
        }
        let len = i32::from_be_bytes(len_buf);
        if len < 0 || len as usize > limits.max_frame {
            tracing::warn!(conn, %remote, len, "Len error: closing connection");
            return ReadEnd::BadLength(len);
        }
        let mut payload = vec![0u8; len as usize];
        // A frame body has no separate idle limit: it is bounded by the same timeout as a frame start.
        let limit = match shared.session_timeout_ms.get() {
            0 => limits.sessionless_timeout,
            ms => Duration::from_millis(ms),
        };
        if let Err(e) = read_timed(rd, &mut payload, limit).await {
            return e;
        }
        let input = if first {
            first = false;
            match codec::decode_connect_request(&payload) {
                Ok(req) => Input::Connect { conn, remote, req },
                Err(e) => {
                    tracing::info!(conn, %remote, error = %e, "bad ConnectRequest: closing connection");
                    return ReadEnd::BadLength(len);
                }
            }
        } else {
            if payload.len() < 8 {
                tracing::info!(conn, %remote, "frame shorter than a request header: closing connection");
                return ReadEnd::BadLength(len);
            }
            let header = RequestHeader {
                xid: i32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]),
                op: i32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]),
            };
            payload.drain(..8);
            Input::Packet { conn, header, body: payload }
        };
        if to_pipeline.send(ToPipeline::Core(input)).await.is_err() {
            return ReadEnd::PipelineGone;
        }
        if shared.closed.get() {
            return ReadEnd::Eof;
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
        ToClient::Core(Output::Append { .. }) | ToClient::Core(Output::Snapshot(_)) => false,
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
