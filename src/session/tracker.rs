//! Session expiry tracking, as `SessionTrackerImpl` over an `ExpiryQueue`.
//!
//! Expiry times are bucketed: `now + timeout` rounded up to the next multiple of tickTime
//! (strictly greater, so a time already on a multiple still moves to the next one). Buckets
//! that a touch empties stay listed until their time passes, as ZooKeeper's `dump` shows them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `ExpiryQueue.roundToNextInterval`.
pub fn round_to_next_interval(time: i64, interval: i64) -> i64 {
    let interval = interval.max(1);
    time.div_euclid(interval).saturating_add(1).saturating_mul(interval)
}

/// Why a session may not be used (`SessionTrackerImpl.checkSession`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// Not tracked (ZooKeeper: UnknownSession; globally checked ops map it to SessionExpired).
    Unknown,
    /// Tracked but closing (expired or closeSession submitted): SessionExpired.
    Closing,
}

#[derive(Debug, Clone)]
struct Session {
    /// The timeout the session was created (or restored) with.
    timeout: i32,
    /// Bucket the session currently sits in.
    expires_at: i64,
    closing: bool,
}

/// Live sessions and their expiry buckets.
#[derive(Debug, Clone)]
pub struct SessionTracker {
    tick_ms: i64,
    sessions: HashMap<i64, Session>,
    buckets: BTreeMap<i64, BTreeSet<i64>>,
}

impl SessionTracker {
    pub fn new(tick_ms: i64) -> SessionTracker {
        SessionTracker { tick_ms: tick_ms.max(1), sessions: HashMap::new(), buckets: BTreeMap::new() }
    }

    pub fn tick_ms(&self) -> i64 {
        self.tick_ms
    }

    /// `trackSession`: registers `id` (keeping its first timeout if already known) and touches it
    /// with `timeout_ms`. Returns true when the session was new.
    pub fn add(&mut self, id: i64, timeout_ms: i32, now: i64) -> bool {
        let added = !self.sessions.contains_key(&id);
        if added {
            self.sessions.insert(id, Session { timeout: timeout_ms, expires_at: i64::MIN, closing: false });
        }
        self.update_expiry(id, timeout_ms, now);
        added
    }

    /// `touchSession(id, timeout)`: pushes expiry to `now + timeout_ms` (rounded). ZooKeeper touches
    /// with the connection's negotiated timeout, which may differ from the creation timeout after
    /// a reconnect. False when the session is unknown or closing.
    pub fn touch(&mut self, id: i64, timeout_ms: i32, now: i64) -> bool {
        match self.sessions.get(&id) {
            Some(s) if !s.closing => {
                self.update_expiry(id, timeout_ms, now);
                true
            }
            _ => false,
        }
    }

    fn update_expiry(&mut self, id: i64, timeout_ms: i32, now: i64) {
        let new_time = round_to_next_interval(now.saturating_add(timeout_ms as i64), self.tick_ms);
        let Some(s) = self.sessions.get_mut(&id) else { return };
        if s.expires_at == new_time {
            return;
        }
        let old = std::mem::replace(&mut s.expires_at, new_time);
        // The old bucket keeps existing even when emptied (ExpiryQueue does not prune on update).
        if let Some(set) = self.buckets.get_mut(&old) {
            set.remove(&id);
        }
        self.buckets.entry(new_time).or_default().insert(id);
    }

    /// `setSessionClosing`: later touches fail and checks report `Closing`.
    pub fn set_closing(&mut self, id: i64) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.closing = true;
        }
    }

    pub fn is_closing(&self, id: i64) -> bool {
        self.sessions.get(&id).map(|s| s.closing).unwrap_or(false)
    }

    pub fn contains(&self, id: i64) -> bool {
        self.sessions.contains_key(&id)
    }

    /// Tracked and not closing.
    pub fn is_live(&self, id: i64) -> bool {
        self.sessions.get(&id).map(|s| !s.closing).unwrap_or(false)
    }

    /// `checkSession` without the owner part.
    pub fn check(&self, id: i64) -> Result<(), SessionCheck> {
        match self.sessions.get(&id) {
            None => Err(SessionCheck::Unknown),
            Some(s) if s.closing => Err(SessionCheck::Closing),
            Some(_) => Ok(()),
        }
    }

    /// `removeSession` (after its closeSession txn is applied). Returns whether it was tracked.
    pub fn remove(&mut self, id: i64) -> bool {
        match self.sessions.remove(&id) {
            Some(s) => {
                if let Some(set) = self.buckets.get_mut(&s.expires_at) {
                    set.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// The timeout the session was created with (`getSessionTimeout`).
    pub fn timeout(&self, id: i64) -> Option<i32> {
        self.sessions.get(&id).map(|s| s.timeout)
    }

    /// The bucket time the session will expire at, if tracked.
    pub fn expires_at(&self, id: i64) -> Option<i64> {
        self.sessions.get(&id).map(|s| s.expires_at)
    }

    /// Sessions whose bucket time is `<= now`, in id order. Their buckets are dropped and the
    /// sessions are marked closing (as the tracker thread does before asking for their close);
    /// they stay tracked until `remove`.
    pub fn expired(&mut self, now: i64) -> Vec<i64> {
        let later = self.buckets.split_off(&now.saturating_add(1));
        let due = std::mem::replace(&mut self.buckets, later);
        let mut out = Vec::new();
        for id in due.into_values().flatten() {
            if let Some(s) = self.sessions.get_mut(&id) {
                if !s.closing {
                    s.closing = true;
                    out.push(id);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Number of tracked sessions (closing ones included).
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// `(id, creation timeout)` of every tracked session, in id order (snapshots, `cons`, `dump`).
    pub fn sessions_with_timeout(&self) -> Vec<(i64, i32)> {
        let mut v: Vec<(i64, i32)> = self.sessions.iter().map(|(id, s)| (*id, s.timeout)).collect();
        v.sort_unstable();
        v
    }

    /// Expiry buckets in time order, each with its session ids in id order; emptied buckets that
    /// have not yet come due are included (ZooKeeper's `dump`: "Sets (buckets)/(sessions)").
    pub fn buckets(&self) -> impl Iterator<Item = (i64, &BTreeSet<i64>)> + '_ {
        self.buckets.iter().map(|(t, s)| (*t, s))
    }

    /// Number of buckets, as counted by `dump`.
    pub fn bucket_count(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_strictly_up() {
        assert_eq!(round_to_next_interval(5000, 2000), 6000);
        assert_eq!(round_to_next_interval(4000, 2000), 6000);
        assert_eq!(round_to_next_interval(3999, 2000), 4000);
        assert_eq!(round_to_next_interval(0, 2000), 2000);
        assert_eq!(round_to_next_interval(7, 0), 8);
        assert_eq!(round_to_next_interval(i64::MAX, 2000), i64::MAX, "saturates instead of panicking");
    }

    #[test]
    fn add_touch_expire() {
        let mut t = SessionTracker::new(2000);
        assert!(t.add(1, 4000, 1000)); // 5000 -> 6000
        assert!(!t.add(1, 9000, 1000)); // existing: creation timeout kept, expiry moves
        assert_eq!(t.timeout(1), Some(4000));
        assert_eq!(t.expires_at(1), Some(12000));
        assert!(t.touch(1, 4000, 1500)); // 5500 -> 6000
        assert_eq!(t.expires_at(1), Some(6000));
        assert!(t.expired(5999).is_empty());
        assert_eq!(t.expired(6000), vec![1]);
        assert!(t.is_closing(1));
        assert!(t.contains(1));
        assert!(!t.touch(1, 4000, 6001));
        assert_eq!(t.check(1), Err(SessionCheck::Closing));
        assert!(t.expired(100_000).is_empty(), "reported once");
        assert!(t.remove(1));
        assert_eq!(t.check(1), Err(SessionCheck::Unknown));
        assert!(!t.touch(1, 4000, 0));
    }

    #[test]
    fn touch_unknown_fails() {
        let mut t = SessionTracker::new(2000);
        assert!(!t.touch(42, 4000, 0));
        assert_eq!(t.check(42), Err(SessionCheck::Unknown));
    }

    #[test]
    fn closing_session_is_not_expired_again() {
        let mut t = SessionTracker::new(1000);
        t.add(7, 2000, 0);
        t.set_closing(7);
        assert!(t.expired(10_000).is_empty());
        assert!(!t.is_live(7));
    }

    #[test]
    fn buckets_keep_emptied_sets_until_due() {
        let mut t = SessionTracker::new(2000);
        t.add(1, 4000, 0); // 6000
        t.add(2, 4000, 0); // 6000
        t.touch(2, 4000, 2500); // 8000
        let b: Vec<(i64, Vec<i64>)> = t.buckets().map(|(k, v)| (k, v.iter().copied().collect())).collect();
        assert_eq!(b, vec![(6000, vec![1]), (8000, vec![2])]);
        t.touch(1, 4000, 2500); // 6000 bucket now empty but listed
        let b: Vec<(i64, usize)> = t.buckets().map(|(k, v)| (k, v.len())).collect();
        assert_eq!(b, vec![(6000, 0), (8000, 2)]);
        assert_eq!(t.bucket_count(), 2);
        assert!(t.expired(6000).is_empty());
        assert_eq!(t.bucket_count(), 1);
        assert_eq!(t.expired(9000), vec![1, 2]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.sessions_with_timeout(), vec![(1, 4000), (2, 4000)]);
    }

    #[test]
    fn remove_drops_from_bucket() {
        let mut t = SessionTracker::new(2000);
        t.add(1, 4000, 0);
        t.remove(1);
        assert!(t.expired(1_000_000).is_empty());
        assert!(t.is_empty());
    }
}
