//! Hash maps keyed by client-supplied paths on the hot path: aHash (randomly keyed, so still
//! resistant to crafted collisions) instead of std's SipHash, which showed at ~5 % of the pipeline
//! in write profiles (PERF.md).

pub type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type FastSet<K> = std::collections::HashSet<K, ahash::RandomState>;
