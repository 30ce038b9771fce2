//! The workloads: their names, the znode layout they use, and the request stream of one session.

use crate::requests;
use zkd::wire::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    Create,
    CreateEphemeralSequential,
    Set,
    Get,
    Exists,
    Getchildren,
    Multi,
    Mix90,
    Mix50,
    WatchFanout,
    SessionChurn,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Create => "create",
            Workload::CreateEphemeralSequential => "create-ephemeral-sequential",
            Workload::Set => "set",
            Workload::Get => "get",
            Workload::Exists => "exists",
            Workload::Getchildren => "getchildren",
            Workload::Multi => "multi",
            Workload::Mix90 => "mix90",
            Workload::Mix50 => "mix50",
            Workload::WatchFanout => "watch-fanout",
            Workload::SessionChurn => "session-churn",
        }
    }

    /// Whether the workload reads or writes the shared key set (which must exist first).
    pub fn uses_keys(self) -> bool {
        matches!(self, Workload::Set | Workload::Get | Workload::Exists | Workload::Multi | Workload::Mix90 | Workload::Mix50)
    }
}

/// Ops in one multi request.
pub const MULTI_OPS: usize = 5;
/// Children of the getchildren workload's node.
pub const CHILDREN: usize = 10_000;

/// Where every workload's znodes live. `run` makes the create workloads' parents unique per run so
/// repeated runs against one server never collide.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: String,
    pub run: String,
}

impl Layout {
    pub fn key(&self, i: usize) -> String {
        format!("{}/keys/k{:07}", self.root, i)
    }
    pub fn keys_parent(&self) -> String {
        format!("{}/keys", self.root)
    }
    pub fn children_parent(&self) -> String {
        format!("{}/children10k", self.root)
    }
    pub fn child(&self, i: usize) -> String {
        format!("{}/children10k/c{:05}", self.root, i)
    }
    /// Parent of this run's create / create-ephemeral-sequential / session-churn nodes.
    pub fn run_parent(&self, w: Workload) -> String {
        format!("{}/{}-{}", self.root, w.name(), self.run)
    }
    pub fn created(&self, session: usize, seq: u64) -> String {
        format!("{}/s{}-{}", self.run_parent(Workload::Create), session, seq)
    }
    pub fn sequential_prefix(&self) -> String {
        format!("{}/e-", self.run_parent(Workload::CreateEphemeralSequential))
    }
    pub fn churned(&self, session: usize, seq: u64) -> String {
        format!("{}/s{}-{}", self.run_parent(Workload::SessionChurn), session, seq)
    }
    pub fn fanout_node(&self) -> String {
        format!("{}/fanout", self.root)
    }
}

/// xorshift64*: enough randomness to spread key choice; no dependency needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The request stream of one session of a request/reply workload.
pub struct OpGen {
    workload: Workload,
    layout: Layout,
    session: usize,
    seq: u64,
    keys: usize,
    value: Vec<u8>,
    rng: Rng,
}

impl OpGen {
    pub fn new(workload: Workload, layout: Layout, session: usize, keys: usize, value_size: usize) -> OpGen {
        OpGen { workload, layout, session, seq: 0, keys: keys.max(1), value: vec![b'v'; value_size], rng: Rng::new(session as u64 + 1) }
    }

    fn random_key(&mut self) -> String {
        let k = self.rng.below(self.keys);
        self.layout.key(k)
    }

    /// The next request. Watch fan-out and session churn are not request streams (see their modules).
    pub fn next_request(&mut self) -> Request {
        let seq = self.seq;
        self.seq += 1;
        match self.workload {
            Workload::Create => requests::create(self.layout.created(self.session, seq), &self.value, requests::PERSISTENT),
            Workload::CreateEphemeralSequential => {
                requests::create(self.layout.sequential_prefix(), &self.value, requests::EPHEMERAL_SEQUENTIAL)
            }
            Workload::Set => requests::set_data(self.random_key(), &self.value),
            Workload::Get => requests::get_data(self.random_key(), false),
            Workload::Exists => requests::exists(self.random_key()),
            Workload::Getchildren => requests::get_children(self.layout.children_parent()),
            Workload::Multi => {
                let paths = (0..MULTI_OPS).map(|_| self.random_key()).collect();
                requests::multi_set(paths, &self.value)
            }
            Workload::Mix90 | Workload::Mix50 => {
                let reads = if self.workload == Workload::Mix90 { 90 } else { 50 };
                if self.rng.below(100) < reads {
                    requests::get_data(self.random_key(), false)
                } else {
                    requests::set_data(self.random_key(), &self.value)
                }
            }
            Workload::WatchFanout | Workload::SessionChurn => {
                panic!("{} is not a request stream", self.workload.name())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkd::wire::MultiOp;

    fn layout() -> Layout {
        Layout { root: "/zkd-bench".into(), run: "r1".into() }
    }

    #[test]
    fn paths_are_unique_per_session_and_run() {
        let l = layout();
        assert_eq!(l.key(42), "/zkd-bench/keys/k0000042");
        assert_eq!(l.child(7), "/zkd-bench/children10k/c00007");
        assert_eq!(l.created(3, 9), "/zkd-bench/create-r1/s3-9");
        assert_eq!(l.sequential_prefix(), "/zkd-bench/create-ephemeral-sequential-r1/e-");
        assert_eq!(l.churned(0, 1), "/zkd-bench/session-churn-r1/s0-1");
        let mut g = OpGen::new(Workload::Create, l, 3, 10, 100);
        let paths: Vec<_> = (0..3)
            .map(|_| match g.next_request() {
                Request::Create { req, .. } => (req.path, req.data.unwrap().len(), req.flags),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            paths,
            [0, 1, 2].map(|s| (format!("/zkd-bench/create-r1/s3-{s}"), 100, requests::PERSISTENT)).to_vec()
        );
    }

    #[test]
    fn keyed_workloads_stay_within_the_key_set_and_multi_has_five_ops() {
        let mut g = OpGen::new(Workload::Multi, layout(), 0, 5, 10);
        for _ in 0..50 {
            let Request::Multi(ops) = g.next_request() else { panic!() };
            assert_eq!(ops.len(), MULTI_OPS);
            for o in ops {
                let MultiOp::SetData(s) = o else { panic!() };
                let k: usize = s.path.strip_prefix("/zkd-bench/keys/k").unwrap().parse().unwrap();
                assert!(k < 5);
            }
        }
    }

    #[test]
    fn mix90_is_about_ninety_percent_reads() {
        let mut g = OpGen::new(Workload::Mix90, layout(), 1, 100, 10);
        let reads = (0..10_000).filter(|_| matches!(g.next_request(), Request::GetData(_))).count();
        assert!((8_700..9_300).contains(&reads), "{reads}");
    }
}
