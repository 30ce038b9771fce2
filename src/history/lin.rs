//! The linearizability checker: a Wing & Gong depth-first search for a linearization, with Lowe's
//! memoization of (set of linearized ops, model state), run separately on independent partitions
//! of the history (P-compositionality).
//!
//! An op may be linearized next when every op that must precede it already is: ops that returned
//! before it was invoked (real time) and, with `fifo`, earlier ops of its session (issue order).
//! In [`ReadMode::Sequential`] a read (get/exists/getChildren) need not follow other sessions' ops
//! in real time — only its own session's — so it may return a stale state, as a ZooKeeper
//! follower's reads may; it still cannot see a write invoked after it returned.
//! An unknown-outcome op is either applied (at any point after its invoke) or dropped.

use super::model::{PEvent, State, Universe, View};
use super::types::{History, Outcome};
use std::collections::HashSet;

/// What reads must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Every op, reads included, is linearizable (a standalone server; a read after `sync`).
    Linearizable,
    /// Writes are linearizable; reads are sequentially consistent per session (ZooKeeper's guarantee).
    Sequential,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Search steps (one candidate tried = one step) for the whole history; shrinking a witness
    /// gets as many again. Exhausted: the verdict is Unknown.
    pub budget: u64,
    pub reads: ReadMode,
    /// Per-session FIFO: a session's ops take effect in issue order.
    pub fifo: bool,
    /// Check independent partitions separately. In Sequential mode partitions that share a
    /// session are merged (a read is ordered by its session's ops on any path).
    pub partition: bool,
    /// Shrink the witness of a violation.
    pub shrink: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { budget: 5_000_000, reads: ReadMode::Linearizable, fifo: true, partition: true, shrink: true }
    }
}

/// Why a history is not linearizable: a sub-history that is already not linearizable on its own
/// (a prefix of one partition, cut at some time — ops pending then count as unknown — from which
/// reads and failed ops were removed while it stayed non-linearizable), so it proves the violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The paths of the partition.
    pub paths: Vec<String>,
    /// Event ids of the sub-history, in invoke order.
    pub events: Vec<u64>,
    /// Event ids whose outcome the cut made unknown (still pending at the cut).
    pub cut_pending: Vec<u64>,
    /// The longest partial linearization the search found in the sub-history.
    pub linearized: Vec<u64>,
    /// The ops that could come next after it (by real time and session order), none of which fits.
    pub stuck: Vec<u64>,
    /// A 1-minimal subset of `events` with no linearization on its own: removing any one op of
    /// it makes it linearizable. The shortest explanation of the conflict — but unlike `events`
    /// not a proof by itself, since ops left out of it are taken as never having happened.
    pub core: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    NotLinearizable(Witness),
    /// Budget exceeded (or the history is malformed): no verdict.
    Unknown { reason: String },
}

/// A verdict and what it cost.
#[derive(Debug, Clone)]
pub struct LinReport {
    pub verdict: Verdict,
    pub partitions: usize,
    pub steps: u64,
}

/// Checks `h`. The search runs at most `opts.budget` steps; shrinking a witness at most
/// `opts.budget` more per refinement level (a few levels).
pub fn check(h: &History, opts: &Options) -> Verdict {
    check_report(h, opts).verdict
}

pub fn check_report(h: &History, opts: &Options) -> LinReport {
    check_level(h, opts, 0)
}

/// How many times a witness is re-partitioned and shrunk again.
const REFINE_LEVELS: usize = 3;

fn check_level(h: &History, opts: &Options, level: usize) -> LinReport {
    if let Err(reason) = h.validate() {
        return LinReport { verdict: Verdict::Unknown { reason: format!("invalid history: {reason}") }, partitions: 0, steps: 0 };
    }
    let (u, evs) = Universe::build(h);
    let parts = partitions(&u, &evs, opts);
    let mut part_of = vec![u32::MAX; u.paths.len()];
    let mut local = vec![u32::MAX; u.paths.len()];
    for (pi, (paths, _)) in parts.iter().enumerate() {
        for (li, &p) in paths.iter().enumerate() {
            part_of[p as usize] = pi as u32;
            local[p as usize] = li as u32;
        }
    }
    let mut budget = opts.budget;
    let mut unknown: Option<String> = None;
    for (pi, (paths, members)) in parts.iter().enumerate() {
        let part = Part { u: &u, part_of: &part_of, local: &local, part: pi as u32, paths };
        let sub: Vec<&PEvent> = members.iter().map(|&i| &evs[i]).collect();
        match part.search(&sub, opts, &mut budget) {
            Search::Ok => {}
            Search::Budget => {
                unknown.get_or_insert_with(|| format!("step budget of {} exhausted, or the search stack outgrew 1 GiB (partition of {} ops on {})", opts.budget, sub.len(), part.describe_paths()));
            }
            Search::Fail { .. } => {
                let mut witness = part.witness(&sub, opts);
                if opts.shrink && level < REFINE_LEVELS {
                    witness = refine(h, witness, opts, level);
                }
                return LinReport { verdict: Verdict::NotLinearizable(witness), partitions: parts.len(), steps: opts.budget - budget };
            }
        }
    }
    let verdict = match unknown {
        Some(reason) => Verdict::Unknown { reason },
        None => Verdict::Linearizable,
    };
    LinReport { verdict, partitions: parts.len(), steps: opts.budget - budget }
}

/// The shrunk witness may fall apart into independent partitions (its reads were what joined
/// them): check it as a history of its own and keep the smaller witness found there.
fn refine(h: &History, w: Witness, opts: &Options, level: usize) -> Witness {
    let events = h
        .events
        .iter()
        .filter(|e| w.events.contains(&e.id))
        .map(|e| {
            let mut e = e.clone();
            if w.cut_pending.contains(&e.id) {
                e.outcome = Outcome::Unknown;
            }
            e
        })
        .collect();
    let sub = History { init: h.init.clone(), events };
    match check_level(&sub, opts, level + 1).verdict {
        Verdict::NotLinearizable(mut w2) if w2.events.len() < w.events.len() => {
            w2.cut_pending.extend(w.cut_pending.iter().copied().filter(|id| w2.events.contains(id)));
            w2.cut_pending.sort_unstable();
            w2.cut_pending.dedup();
            w2
        }
        _ => w,
    }
}

struct Dsu(Vec<u32>);

impl Dsu {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b) as usize] = a.min(b);
        }
    }
}

/// Partitions: (paths, member event indices in invoke order), smallest first. Paths are joined when
/// one op's footprint covers both, and (with fifo) when two ops of one session overlap in time — a
/// FIFO constraint between them is then not implied by real time. A sync joins every partition that
/// has an op of its session.
fn partitions(u: &Universe, evs: &[PEvent], opts: &Options) -> Vec<(Vec<u32>, Vec<usize>)> {
    let n = u.paths.len() as u32;
    let mut dsu = Dsu((0..n).collect());
    let mut fp = Vec::new();
    let mut anchor: Vec<Option<u32>> = vec![None; evs.len()];
    for (i, e) in evs.iter().enumerate() {
        fp.clear();
        u.footprint(&e.op, &mut fp);
        if let Some(&first) = fp.first() {
            anchor[i] = Some(first);
            for &p in &fp[1..] {
                dsu.union(first, p);
            }
        }
    }
    if !opts.partition {
        for p in 1..n {
            dsu.union(0, p);
        }
    }
    if opts.reads == ReadMode::Sequential {
        // A relaxed read is bound by its own session's order only, and that order may run
        // through other paths: keep each session's ops in one partition.
        let mut first_of: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        for (i, e) in evs.iter().enumerate() {
            if let Some(a) = anchor[i] {
                let f = *first_of.entry(e.session).or_insert(a);
                dsu.union(f, a);
            }
        }
    }
    if opts.fifo {
        let mut by_session: Vec<usize> = (0..evs.len()).filter(|&i| anchor[i].is_some()).collect();
        by_session.sort_by_key(|&i| (evs[i].session, evs[i].seq));
        let mut open: Vec<(u64, u32)> = Vec::new();
        let mut cur_session = u32::MAX;
        for i in by_session {
            let e = &evs[i];
            if e.session != cur_session {
                cur_session = e.session;
                open.clear();
            }
            let a = anchor[i].unwrap_or(0);
            open.retain(|&(deadline, _)| deadline >= e.invoke);
            for &(_, p) in &open {
                dsu.union(a, p);
            }
            // After the unions every open op shares one partition: keep one entry, the latest deadline.
            let latest = open.iter().map(|&(d, _)| d).max().unwrap_or(0).max(e.deadline);
            open.clear();
            open.push((latest, a));
        }
    }
    let mut root_part: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut parts: Vec<(Vec<u32>, Vec<usize>)> = Vec::new();
    let mut touched = vec![false; n as usize];
    for a in anchor.iter().flatten() {
        touched[*a as usize] = true;
    }
    for e in evs {
        fp.clear();
        u.footprint(&e.op, &mut fp);
        for &p in &fp {
            touched[p as usize] = true;
        }
    }
    for p in 0..n {
        if !touched[p as usize] {
            continue;
        }
        let r = dsu.find(p);
        let k = *root_part.entry(r).or_insert_with(|| {
            parts.push((Vec::new(), Vec::new()));
            parts.len() - 1
        });
        parts[k].0.push(p);
    }
    let mut sessions_of: Vec<HashSet<u32>> = vec![HashSet::new(); parts.len()];
    for (i, a) in anchor.iter().enumerate() {
        if let Some(a) = a {
            let k = root_part[&dsu.find(*a)];
            parts[k].1.push(i);
            sessions_of[k].insert(evs[i].session);
        }
    }
    for (i, e) in evs.iter().enumerate() {
        if e.is_sync {
            for (k, s) in sessions_of.iter().enumerate() {
                if s.contains(&e.session) {
                    parts[k].1.push(i);
                }
            }
        }
    }
    for (_, members) in parts.iter_mut() {
        members.sort_by_key(|&i| (evs[i].invoke, i));
    }
    parts.retain(|(_, m)| !m.is_empty());
    parts.sort_by_key(|(_, m)| m.len());
    parts
}

enum Search {
    Ok,
    Budget,
    /// The deepest partial linearization and the ops that could follow it (indices into the input).
    Fail { linearized: Vec<usize>, stuck: Vec<usize> },
}

struct Part<'a> {
    u: &'a Universe,
    part_of: &'a [u32],
    local: &'a [u32],
    part: u32,
    paths: &'a [u32],
}

type Bits = Vec<u64>;

/// Bound on the search stack (in 8-byte words, about 1 GiB): a deeper search gives up as Unknown.
const MAX_STACK_WORDS: usize = 1 << 27;

fn config_hash(done: &Bits, state: &State) -> u128 {
    let mut buf: Vec<u8> = Vec::with_capacity(done.len() * 8 + state.len() * 13);
    for w in done {
        buf.extend_from_slice(&w.to_le_bytes());
    }
    for n in state {
        match n {
            None => buf.push(0),
            Some(n) => {
                buf.push(1 | (n.data.is_some() as u8) << 1 | (n.version.is_some() as u8) << 2);
                buf.extend_from_slice(&n.data.unwrap_or(0).to_le_bytes());
                buf.extend_from_slice(&n.version.unwrap_or(0).to_le_bytes());
            }
        }
    }
    xxhash_rust::xxh3::xxh3_128(&buf)
}

fn bit(b: &Bits, i: usize) -> bool {
    b[i / 64] >> (i % 64) & 1 == 1
}

fn set_bit(b: &mut Bits, i: usize) {
    b[i / 64] |= 1 << (i % 64);
}

struct Frame {
    state: State,
    done: Bits,
    /// Ops that may be linearized next.
    cands: Vec<(u32, bool)>,
    /// Next (candidate, action) to try: action 0 applies, 1 drops (unknown outcomes only).
    cursor: usize,
    /// First op (invoke order) not linearized yet.
    lo: usize,
    /// The ops linearized to reach this frame from its parent, in order.
    path: Vec<u32>,
    /// Ops linearized on the way to this frame beyond one per frame (absorbed ones): the frame's
    /// depth in ops is its index in the stack plus this.
    total: usize,
}

impl Part<'_> {
    fn describe_paths(&self) -> String {
        let mut names: Vec<&str> = self.paths.iter().map(|&p| self.u.path(p)).collect();
        if names.len() > 4 {
            let more = names.len() - 4;
            names.truncate(4);
            return format!("{} and {more} more paths", names.join(", "));
        }
        names.join(", ")
    }

    fn initial(&self) -> State {
        self.paths.iter().map(|&p| self.u.init[p as usize]).collect()
    }

    fn view(&self) -> PartView<'_> {
        PartView { part: self }
    }

    /// `evs` must be in invoke order.
    fn search(&self, evs: &[&PEvent], opts: &Options, budget: &mut u64) -> Search {
        let n = evs.len();
        if n == 0 {
            return Search::Ok;
        }
        let words = n.div_ceil(64);
        // Dense session numbers within this partition.
        let mut session_ids: Vec<u32> = evs.iter().map(|e| e.session).collect();
        session_ids.sort_unstable();
        session_ids.dedup();
        let sess: Vec<usize> = evs.iter().map(|e| session_ids.binary_search(&e.session).unwrap_or(0)).collect();
        let nsess = session_ids.len();
        let strict = opts.reads == ReadMode::Linearizable;
        let view = self.view();
        // The ops that may be linearized next. f must precede e when f returned before e was
        // invoked (for a read in sequential mode: only if f is of e's session) or, with fifo, when
        // f is an earlier op of e's session. Scanning in invoke order, an op f that returned
        // before e was invoked is scanned before e, and a session's earliest undone op is its
        // first one scanned — so prefix minima of deadlines and "first of its session" decide.
        // An unknown-outcome op may also be dropped: it never happened, so nothing orders it; it
        // is offered for dropping once it is first of its session (its successors wait for it).
        // Entries: (op, may be applied now).
        let cands = |done: &Bits, lo: usize| -> Vec<(u32, bool)> {
            let mut out = Vec::new();
            let mut min_all = u64::MAX;
            let mut min_sess = vec![u64::MAX; nsess];
            let mut seen = vec![false; nsess];
            let mut unseen = nsess;
            for (i, e) in evs.iter().enumerate().skip(lo) {
                if bit(done, i) {
                    continue;
                }
                let s = sess[i];
                if e.invoke > min_all {
                    // Only relaxed reads can still qualify, and with fifo only each session's first.
                    if strict || (opts.fifo && unseen == 0) {
                        break;
                    }
                }
                let first = !seen[s];
                if first {
                    seen[s] = true;
                    unseen -= 1;
                }
                let relaxed = !strict && e.is_read;
                let real_time = if relaxed { min_sess[s] >= e.invoke } else { min_all >= e.invoke };
                let fifo = !opts.fifo || first;
                if real_time && fifo {
                    out.push((i as u32, true));
                } else if e.unknown() && fifo {
                    out.push((i as u32, false));
                }
                min_all = min_all.min(e.deadline);
                min_sess[s] = min_sess[s].min(e.deadline);
            }
            out.sort_by_key(|&(c, _)| (evs[c as usize].hint, c));
            out
        };
        // Linearizes at once every candidate with a known outcome that fits the state without
        // changing it (reads, failed writes): if any linearization exists, one does with it here
        // (it has no effect, all its predecessors are done, and moving it earlier only satisfies
        // more of the constraints on it). This keeps the 2^k orders of k concurrent reads out of
        // the search. Returns false when the budget ran out.
        type Cands = Vec<(u32, bool)>;
        let absorb = |state: &State, done: &mut Bits, lo: &mut usize, absorbed: &mut Vec<u32>, budget: &mut u64| -> (Cands, bool) {
            loop {
                while *lo < n && bit(done, *lo) {
                    *lo += 1;
                }
                if *lo == n {
                    return (Vec::new(), true);
                }
                let cs = cands(done, *lo);
                let mut progressed = false;
                for &(c, applicable) in &cs {
                    let e = evs[c as usize];
                    if !applicable || e.unknown() || !(e.is_read || e.is_sync || e.obs.outcome != Outcome::Ok) {
                        continue;
                    }
                    if *budget == 0 {
                        return (cs, false);
                    }
                    *budget -= 1;
                    let mut st = state.clone();
                    if view.step(&mut st, e) && st == *state {
                        set_bit(done, c as usize);
                        absorbed.push(c);
                        progressed = true;
                    }
                }
                if !progressed {
                    return (cs, true);
                }
            }
        };
        let mut done0 = vec![0u64; words];
        let mut lo0 = 0;
        let mut abs0 = Vec::new();
        let state0 = self.initial();
        let (first, ok) = absorb(&state0, &mut done0, &mut lo0, &mut abs0, budget);
        if !ok {
            return Search::Budget;
        }
        if lo0 == n {
            return Search::Ok;
        }
        let total0 = abs0.len();
        let mut stack = vec![Frame { state: state0, done: done0, cands: first, cursor: 0, lo: lo0, path: abs0, total: total0 }];
        // Configurations already explored, as 128-bit hashes of (linearized set, state): 16 bytes
        // each instead of n/8 + state. A collision (odds ~2^-128 per pair) could only hide an
        // unexplored configuration.
        let mut memo: HashSet<u128> = HashSet::new();
        let mut deepest: (usize, Vec<usize>, Bits) = (0, Vec::new(), stack[0].done.clone());
        let mut deepest_len = 0usize;
        while let Some(top) = stack.last_mut() {
            if top.cursor >= top.cands.len() * 2 {
                stack.pop();
                continue;
            }
            if *budget == 0 {
                return Search::Budget;
            }
            *budget -= 1;
            let c = top.cursor;
            top.cursor += 1;
            let (i, applicable) = top.cands[c / 2];
            let i = i as usize;
            let drop = c % 2 == 1;
            let e = evs[i];
            if (drop && !e.unknown()) || (!drop && !applicable) {
                continue;
            }
            let mut state = top.state.clone();
            if !drop && !view.step(&mut state, e) {
                continue;
            }
            let mut done = top.done.clone();
            set_bit(&mut done, i);
            let mut lo = top.lo;
            let mut path = vec![i as u32];
            let (next, ok) = absorb(&state, &mut done, &mut lo, &mut path, budget);
            if !ok {
                return Search::Budget;
            }
            if lo == n {
                return Search::Ok;
            }
            if !memo.insert(config_hash(&done, &state)) {
                continue;
            }
            // Frames are about the same size along one path: bound depth × the new frame's size.
            let frame_words = words + 2 * state.len() + (next.len() + path.len()) / 2 + 8;
            if stack.len().saturating_mul(frame_words) > MAX_STACK_WORDS {
                return Search::Budget;
            }
            let total = stack.last().map_or(0, |f| f.total) + path.len() - 1;
            stack.push(Frame { state, done, cands: next, cursor: 0, lo, path, total });
            let len = stack.len() - 1 + stack.last().map_or(0, |f| f.total);
            if len > deepest_len {
                deepest_len = len;
                let order: Vec<usize> = stack.iter().flat_map(|f| f.path.iter().map(|&c| c as usize)).collect();
                deepest = (len, order, stack.last().map(|f| f.done.clone()).unwrap_or_default());
            }
        }
        let (_, linearized, done) = deepest;
        let lo = (0..n).find(|&i| !bit(&done, i)).unwrap_or(n);
        let stuck = cands(&done, lo).into_iter().filter(|&(_, a)| a).map(|(c, _)| c as usize).collect();
        Search::Fail { linearized, stuck }
    }

    /// Shrinks a failing partition to a small sub-history that still fails, and explains it.
    fn witness(&self, evs: &[&PEvent], opts: &Options) -> Witness {
        let mut budget = opts.budget;
        let fails = |sub: &[&PEvent], budget: &mut u64| matches!(self.search(sub, opts, budget), Search::Fail { .. });
        let mut owned: Vec<PEvent> = evs.iter().map(|e| (*e).clone()).collect();
        let mut pending: Vec<u64> = Vec::new();
        if opts.shrink {
            // The shortest failing prefix by invoke time; ops still pending at the cut become unknown.
            let (mut lo, mut hi) = (0usize, evs.len());
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                let cut = cut_prefix(evs, mid);
                let refs: Vec<&PEvent> = cut.iter().collect();
                if fails(&refs, &mut budget) {
                    hi = mid;
                } else {
                    lo = mid;
                }
                if budget == 0 {
                    break;
                }
            }
            if hi < evs.len() {
                owned = cut_prefix(evs, hi);
            }
            // Reads, syncs and failed ops have no effect: dropping one keeps a linearizable history
            // linearizable, so a sub-history that still fails without it is still a proof.
            let mut i = owned.len();
            while i > 0 && budget > 0 {
                i -= 1;
                let e = &owned[i];
                let no_effect = e.is_read || e.is_sync || !matches!(e.obs.outcome, Outcome::Ok | Outcome::Unknown);
                if !no_effect {
                    continue;
                }
                let trial: Vec<&PEvent> = owned.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, e)| e).collect();
                if fails(&trial, &mut budget) {
                    owned.remove(i);
                }
            }
            pending = owned.iter().filter(|e| e.unknown() && !evs.iter().any(|o| o.idx == e.idx && o.unknown())).map(|e| e.id).collect();
        }
        let refs: Vec<&PEvent> = owned.iter().collect();
        let mut b = opts.budget.max(1);
        let (linearized, stuck) = match self.search(&refs, opts, &mut b) {
            Search::Fail { linearized, stuck } => (linearized, stuck),
            _ => (Vec::new(), Vec::new()),
        };
        // The core: drop ops (latest first) while the rest still fails *at the same ops* — a
        // removal that makes some other op the one that cannot be explained (say, a set whose
        // create was dropped) would invent a conflict instead of isolating the real one.
        let stuck_idx: Vec<usize> = stuck.iter().map(|&i| owned[i].idx).collect();
        let mut core: Vec<usize> = (0..owned.len()).collect();
        if opts.shrink && !stuck_idx.is_empty() {
            let mut budget = opts.budget;
            let mut i = core.len();
            while i > 0 && budget > 0 {
                i -= 1;
                let trial: Vec<&PEvent> = core.iter().filter(|&&j| j != core[i]).map(|&j| &owned[j]).collect();
                if let Search::Fail { stuck, .. } = self.search(&trial, opts, &mut budget) {
                    if !stuck.is_empty() && stuck.iter().all(|&k| stuck_idx.contains(&trial[k].idx)) {
                        core.remove(i);
                    }
                }
            }
        }
        Witness {
            paths: self.paths.iter().map(|&p| self.u.path(p).to_string()).collect(),
            events: owned.iter().map(|e| e.id).collect(),
            cut_pending: pending,
            linearized: linearized.iter().map(|&i| owned[i].id).collect(),
            stuck: stuck.iter().map(|&i| owned[i].id).collect(),
            core: core.iter().map(|&i| owned[i].id).collect(),
        }
    }
}

/// The first `k` ops (invoke order) as the history looked at the k-th invoke.
fn cut_prefix(evs: &[&PEvent], k: usize) -> Vec<PEvent> {
    let t = evs[k - 1].invoke;
    evs[..k]
        .iter()
        .map(|e| {
            let mut e = (*e).clone();
            if e.deadline > t {
                e.obs.outcome = Outcome::Unknown;
                e.deadline = u64::MAX;
            }
            e
        })
        .collect()
}

/// The model view of one partition.
struct PartView<'a> {
    part: &'a Part<'a>,
}

impl PartView<'_> {
    fn step(&self, st: &mut State, e: &PEvent) -> bool {
        let p = self.part;
        View { u: p.u, part_of: p.part_of, local: p.local, part: p.part }.step(st, e)
    }
}
