//! SASL packets (op 102), as ZooKeeperServer.processSasl answers them: on arrival, outside the txn
//! pipeline, reply zxid 0. Each connection gets its own DIGEST-MD5 server on its first SASL packet.

use super::connection::Slot;
use super::deps;
use super::{ConnId, Core, Output};
use crate::auth::sasl::{SaslServer, SaslStep, RAW_NONCE_LEN};
use crate::wire::{op, ErrorCode, ReplyHeader, Request, Response};
use sha1::{Digest, Sha1};

/// The nonce of `conn`'s SASL server: derived from the edge-supplied secret seed and the connection id
/// (unique for the process lifetime), so the core stays deterministic and every connection differs.
fn nonce_for(seed: &[u8; 32], conn: ConnId) -> [u8; RAW_NONCE_LEN] {
    let mut out = [0u8; RAW_NONCE_LEN];
    for (block, chunk) in out.chunks_mut(20).enumerate() {
        let mut h = Sha1::new();
        h.update(seed);
        h.update(conn.to_be_bytes());
        h.update([block as u8]);
        let d = h.finalize();
        chunk.copy_from_slice(&d[..chunk.len()]);
    }
    out
}

impl Core {
    pub(super) fn handle_sasl(&mut self, conn: ConnId, xid: i32, body: &[u8], out: &mut Vec<Output>) {
        // An undecodable record or a null token makes ZooKeeper throw out of processPacket: the
        // connection is dropped without an answer.
        let token = match deps::decode_request(op::SASL, body, self.cfg.max_buffer) {
            Ok(Request::Sasl(Some(t))) => t,
            _ => {
                self.close_conn(conn, out);
                return;
            }
        };
        let ok = |token: Option<Vec<u8>>| Slot::Ready { header: ReplyHeader { xid, zxid: 0, err: 0 }, body: Response::Sasl(token), close: false };
        if !self.cfg.sasl_enabled {
            // No JAAS server section, so no SASL server: ZooKeeper swallows the NullPointerException
            // and answers success with a null token.
            self.push_sasl_slot(conn, ok(None), out);
            return;
        }
        let Some(c) = self.conns.get_mut(&conn) else { return };
        let server = c.sasl.get_or_insert_with(|| {
            let mut users = self.cfg.sasl_users.clone();
            // SaslServerCallbackHandler: superPassword replaces the password of a listed `super` only.
            if let Some(pw) = &self.cfg.sasl_super_password {
                users.iter_mut().filter(|(u, _)| u == "super").for_each(|(_, p)| *p = pw.clone());
            }
            SaslServer::new(&users, nonce_for(&self.cfg.random_seed, conn))
        });
        let slot = match server.step(&token) {
            Ok(SaslStep::Challenge(t)) => ok(Some(t)),
            Ok(SaslStep::Complete { token, authorization_id }) => {
                // ZooKeeperServer.isSaslSuperUser: `zookeeper.superUser[.*]` also grants `super`.
                c.add_ids(crate::auth::sasl_ids(&authorization_id, &self.cfg.sasl_super_users));
                ok(Some(token))
            }
            Err(_) => Slot::Ready {
                header: ReplyHeader { xid, zxid: 0, err: ErrorCode::AuthFailed.code() },
                body: Response::Sasl(None),
                close: true,
            },
        };
        self.push_sasl_slot(conn, slot, out);
    }

    fn push_sasl_slot(&mut self, conn: ConnId, slot: Slot, out: &mut Vec<Output>) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.queue.push_back(slot);
        }
        self.drain(conn, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_differ_per_connection_and_seed() {
        let a = nonce_for(&[1; 32], 1);
        assert_eq!(a, nonce_for(&[1; 32], 1));
        assert_ne!(a, nonce_for(&[1; 32], 2));
        assert_ne!(a, nonce_for(&[2; 32], 1));
    }
}
