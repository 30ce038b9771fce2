//! zxid = epoch << 32 | counter, as in ZooKeeper. The counter never wraps: a leader whose counter
//! is exhausted must step down so that a new election starts a new epoch.

/// A transaction id (signed, as ZooKeeper stores it).
pub type Zxid = i64;

/// Largest counter value; a proposal past it needs a new epoch.
pub const MAX_COUNTER: u32 = u32::MAX;

pub fn make(epoch: u32, counter: u32) -> Zxid {
    ((epoch as u64) << 32 | counter as u64) as i64
}

pub fn epoch_of(z: Zxid) -> u32 {
    ((z as u64) >> 32) as u32
}

pub fn counter_of(z: Zxid) -> u32 {
    z as u64 as u32
}

/// The zxid after `last` in `epoch`, or None once the counter is used up (the leader must step down).
/// A new epoch starts at counter 1 (counter 0 names the epoch itself, NEWLEADER's zxid).
pub fn next(last: Zxid, epoch: u32) -> Option<Zxid> {
    if epoch_of(last) != epoch {
        return Some(make(epoch, 1));
    }
    let c = counter_of(last);
    if c == MAX_COUNTER {
        None
    } else {
        Some(make(epoch, c + 1))
    }
}

/// Whether `next` may directly follow `prev` in a log: the next counter of the same epoch, or
/// any zxid of a later epoch.
pub fn follows(prev: Zxid, next: Zxid) -> bool {
    if epoch_of(prev) == epoch_of(next) {
        prev.checked_add(1) == Some(next)
    } else {
        next > prev
    }
}

/// Human form used in failure messages: `0x<epoch>.<counter>`.
pub fn fmt(z: Zxid) -> String {
    format!("{:x}.{:x}", epoch_of(z), counter_of(z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let z = make(7, 0xffff_fffe);
        assert_eq!((epoch_of(z), counter_of(z)), (7, 0xffff_fffe));
        assert_eq!(make(1, 0), 1 << 32);
        assert!(make(2, 0) > make(1, u32::MAX));
    }

    #[test]
    fn next_starts_epochs_at_one_and_refuses_to_wrap() {
        assert_eq!(next(make(3, 9), 4), Some(make(4, 1)));
        assert_eq!(next(make(4, 1), 4), Some(make(4, 2)));
        assert_eq!(next(make(4, u32::MAX - 1), 4), Some(make(4, u32::MAX)));
        assert_eq!(next(make(4, u32::MAX), 4), None);
    }
}
