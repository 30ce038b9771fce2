//! Session id allocation (`SessionTrackerImpl.initializeNextSessionId`, spec §2.3).

/// The ephemeralOwner value that marks container nodes; never handed out as a session id.
pub const CONTAINER_EPHEMERAL_OWNER: i64 = i64::MIN;

/// Hands out session ids: top byte = server id, then 40 bits of a millisecond clock, low 16 bits
/// counting up from 0.
#[derive(Debug, Clone)]
pub struct SessionIdGenerator {
    next: i64,
}

impl SessionIdGenerator {
    /// `mono_ms` is a monotonic millisecond clock reading (Java uses `nanoTime()/10^6`).
    pub fn new(server_id: u8, mono_ms: i64) -> SessionIdGenerator {
        // ((ms << 24) >>> 8) | (sid << 56)
        let mut next = (((mono_ms << 24) as u64) >> 8) as i64 | ((server_id as i64) << 56);
        if next == CONTAINER_EPHEMERAL_OWNER {
            next += 1;
        }
        SessionIdGenerator { next }
    }

    /// The id the next call to `next()` would return (before the container check).
    pub fn peek(&self) -> i64 {
        self.next
    }

    /// Takes the current value and increments it; the container marker is skipped.
    #[allow(clippy::should_implement_trait)] // ZooKeeper's name; never ends, so not an Iterator
    pub fn next(&mut self) -> i64 {
        let mut id = self.next;
        if id == CONTAINER_EPHEMERAL_OWNER {
            id = id.wrapping_add(1);
        }
        self.next = id.wrapping_add(1);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let mut g = SessionIdGenerator::new(1, 0x12_3456_789A);
        assert_eq!(g.next(), 0x0112_3456_789A_0000);
        assert_eq!(g.next(), 0x0112_3456_789A_0001);
    }

    #[test]
    fn clock_keeps_only_low_40_bits() {
        let mut g = SessionIdGenerator::new(3, 0x7F_FF12_3456_789A);
        assert_eq!(g.next(), 0x0312_3456_789A_0000);
    }

    #[test]
    fn high_server_id_is_negative() {
        let mut g = SessionIdGenerator::new(0xFF, 0);
        assert_eq!(g.next(), 0xFF00_0000_0000_0000u64 as i64);
    }

    #[test]
    fn skips_container_marker() {
        let mut g = SessionIdGenerator::new(0x80, 0);
        assert_eq!(g.next(), CONTAINER_EPHEMERAL_OWNER + 1);
        assert_eq!(g.next(), CONTAINER_EPHEMERAL_OWNER + 2);
        let mut g = SessionIdGenerator { next: i64::MAX };
        assert_eq!(g.next(), i64::MAX);
        assert_eq!(g.next(), CONTAINER_EPHEMERAL_OWNER + 1);
    }
}
