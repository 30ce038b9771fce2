//! The session password (`ZooKeeperServer.generatePasswd`, spec §2.4).
//!
//! It is never stored: every server recomputes it from the session id, so it must be bit-for-bit
//! the first 16 bytes of `java.util.Random(id ^ 0xB3415C00).nextBytes`.

const SUPER_SECRET: i64 = 0xB341_5C00;
const MULTIPLIER: i64 = 0x5_DEEC_E66D;
const ADDEND: i64 = 0xB;
const MASK: i64 = (1 << 48) - 1;

/// A minimal `java.util.Random` (48-bit LCG), enough for `nextBytes`.
struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    fn new(seed: i64) -> JavaRandom {
        JavaRandom { seed: (seed ^ MULTIPLIER) & MASK }
    }

    fn next_int(&mut self) -> i32 {
        self.seed = self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        (self.seed >> 16) as i32
    }

    /// One int per 4 bytes, low byte first (as the JDK specifies).
    fn next_bytes(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(4) {
            let mut r = self.next_int();
            for b in chunk.iter_mut() {
                *b = r as u8;
                r >>= 8;
            }
        }
    }
}

/// The 16-byte password a client must present to re-attach to `session_id`.
pub fn session_password(session_id: i64) -> [u8; 16] {
    let mut out = [0u8; 16];
    JavaRandom::new(session_id ^ SUPER_SECRET).next_bytes(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn spec_vector() {
        assert_eq!(hex(&session_password(0x0100_0000_0000_0001)), "054cc74a37327db215e702e20c73f005");
    }

    #[test]
    fn java_random_known_ints() {
        // new java.util.Random(0).nextInt() == -1155484576, second == -723955400 (JDK behaviour).
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next_int(), -1_155_484_576);
        assert_eq!(r.next_int(), -723_955_400);
    }

    #[test]
    fn differs_per_session() {
        assert_ne!(session_password(1), session_password(2));
        assert_eq!(session_password(-5), session_password(-5));
    }
}
