//! Sessions: id generation, the reconnect password, and expiry tracking
//! (ZooKeeper's `SessionTrackerImpl` + `ExpiryQueue`). Pure: time comes in as `now` (monotonic ms).
//!
//! The auth ids of a session are not kept here: ZooKeeper keeps them per connection.

mod id_gen;
mod password;
mod tracker;

pub use id_gen::{SessionIdGenerator, CONTAINER_EPHEMERAL_OWNER};
pub use password::session_password;
pub use tracker::{round_to_next_interval, SessionCheck, SessionTracker};
