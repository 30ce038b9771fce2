use super::brute;
use super::*;
use proptest::prelude::*;

fn create(p: &str, d: &str) -> Op {
    Op::Create { path: p.into(), data: d.into() }
}
fn set(p: &str, d: &str, v: i32) -> Op {
    Op::Set { path: p.into(), data: d.into(), version: v }
}
fn del(p: &str, v: i32) -> Op {
    Op::Delete { path: p.into(), version: v }
}
fn get(p: &str) -> Op {
    Op::Get { path: p.into() }
}
fn ev(id: u64, s: &str, inv: u64, ret: u64, op: Op, out: Outcome) -> Event {
    Event::new(id, s, inv, Some(ret), op, out)
}
fn unknown(id: u64, s: &str, inv: u64, op: Op) -> Event {
    Event::new(id, s, inv, None, op, Outcome::Unknown)
}
fn hist(events: Vec<Event>) -> History {
    History { init: Vec::new(), events }
}
fn strict() -> Options {
    Options::default()
}
fn seq_reads() -> Options {
    Options { reads: ReadMode::Sequential, ..Options::default() }
}
fn is_lin(h: &History, o: &Options) -> bool {
    match check(h, o) {
        Verdict::Linearizable => true,
        Verdict::NotLinearizable(_) => false,
        Verdict::Unknown { reason } => panic!("no verdict: {reason}"),
    }
}
fn witness(h: &History, o: &Options) -> Witness {
    match check(h, o) {
        Verdict::NotLinearizable(w) => w,
        v => panic!("expected a violation, got {v:?}"),
    }
}

#[test]
fn sequential_history_is_linearizable() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "a", 2, 3, set("/x", "1", 0), Outcome::Ok).with_version(1),
        ev(3, "b", 4, 5, get("/x"), Outcome::Ok).with_data("1").with_version(1),
        ev(4, "b", 6, 7, set("/x", "2", 0), Outcome::BadVersion),
        ev(5, "a", 8, 9, del("/x", 1), Outcome::Ok),
        ev(6, "b", 10, 11, get("/x"), Outcome::NoNode),
        ev(7, "b", 12, 13, create("/x/y", ""), Outcome::NoNode),
    ]);
    assert!(is_lin(&h, &strict()));
}

#[test]
fn stale_read_fails_strict_and_passes_sequential_for_another_session() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "a", 2, 3, set("/x", "1", -1), Outcome::Ok).with_version(1),
        ev(3, "b", 4, 5, get("/x"), Outcome::Ok).with_data("0"),
    ]);
    let w = witness(&h, &strict());
    assert!(w.events.contains(&3) && w.events.contains(&2), "{w:?}");
    assert_eq!(w.core, vec![1, 2, 3], "{w:?}");
    assert_eq!(w.paths, vec!["/x".to_string()]);
    // A follower may serve another session a stale (but real) state.
    assert!(is_lin(&h, &seq_reads()));
    // Never the session's own write, though.
    let mut own = h.clone();
    own.events[2].session = "a".into();
    assert!(!is_lin(&own, &seq_reads()));
}

#[test]
fn sequential_reads_never_see_the_future_or_go_back() {
    // A read that returned before the write was invoked cannot see it.
    let future = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "b", 2, 3, get("/x"), Outcome::Ok).with_data("1"),
        ev(3, "a", 4, 5, set("/x", "1", -1), Outcome::Ok),
    ]);
    assert!(!is_lin(&future, &seq_reads()));
    // Once a session saw "1" it cannot read "0" again.
    let back = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "a", 2, 3, set("/x", "1", -1), Outcome::Ok),
        ev(3, "b", 4, 5, get("/x"), Outcome::Ok).with_data("1"),
        ev(4, "b", 6, 7, get("/x"), Outcome::Ok).with_data("0"),
    ]);
    assert!(!is_lin(&back, &seq_reads()));
}

#[test]
fn lost_write_fails() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "b", 5, 6, get("/x"), Outcome::NoNode),
    ]);
    assert!(!is_lin(&h, &strict()));
    assert!(!is_lin(&h, &Options { fifo: false, ..strict() }));
}

#[test]
fn concurrent_ops_may_take_either_order() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "a", 2, 10, set("/x", "a", -1), Outcome::Ok).with_version(2),
        ev(3, "b", 3, 9, set("/x", "b", -1), Outcome::Ok).with_version(1),
        ev(4, "c", 11, 12, get("/x"), Outcome::Ok).with_data("a").with_version(2),
    ]);
    assert!(is_lin(&h, &strict()));
    let mut bad = h.clone();
    bad.events[3].data = Some("b".into());
    assert!(!is_lin(&bad, &strict()));
}

#[test]
fn pipelined_session_ops_take_effect_in_issue_order() {
    // Session a pipelines set "1" then set "2"; both overlap, so only FIFO orders them.
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "a", 2, 10, set("/x", "1", -1), Outcome::Ok),
        ev(3, "a", 3, 10, set("/x", "2", -1), Outcome::Ok),
        ev(4, "b", 11, 12, get("/x"), Outcome::Ok).with_data("1"),
    ]);
    assert!(!is_lin(&h, &strict()), "reordered session ops must fail");
    assert!(is_lin(&h, &Options { fifo: false, ..strict() }));
    let mut fine = h.clone();
    fine.events[3].data = Some("2".into());
    assert!(is_lin(&fine, &strict()));
}

#[test]
fn fifo_across_paths_merges_partitions_of_overlapping_session_ops() {
    // a pipelines create /p then create /q; b saw /q before /p existed: FIFO broken across paths.
    let h = hist(vec![
        ev(1, "a", 0, 10, create("/p", ""), Outcome::Ok),
        ev(2, "a", 1, 10, create("/q", ""), Outcome::Ok),
        ev(3, "b", 2, 3, Op::Exists { path: "/q".into() }, Outcome::Ok),
        ev(4, "b", 4, 5, Op::Exists { path: "/p".into() }, Outcome::NoNode),
    ]);
    assert!(!is_lin(&h, &strict()));
    let r = check_report(&h, &Options { fifo: false, ..strict() });
    assert_eq!(r.verdict, Verdict::Linearizable);
    assert_eq!(r.partitions, 2);
}

#[test]
fn unknown_outcome_may_apply_or_not() {
    let base = vec![ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok), unknown(2, "a", 2, set("/x", "1", -1))];
    let mut applied = base.clone();
    applied.push(ev(3, "b", 20, 21, get("/x"), Outcome::Ok).with_data("1"));
    assert!(is_lin(&hist(applied.clone()), &strict()));
    let mut dropped = base.clone();
    dropped.push(ev(3, "b", 20, 21, get("/x"), Outcome::Ok).with_data("0"));
    assert!(is_lin(&hist(dropped), &strict()));
    // ...but not both: once seen, it stays applied.
    applied.push(ev(4, "b", 22, 23, get("/x"), Outcome::Ok).with_data("0"));
    assert!(!is_lin(&hist(applied), &strict()));
    // An unknown op cannot take effect before it was invoked.
    let early = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        ev(2, "b", 2, 3, get("/x"), Outcome::Ok).with_data("1"),
        unknown(3, "a", 5, set("/x", "1", -1)),
    ]);
    assert!(!is_lin(&early, &strict()));
    // A connection loss with a return time still lets the op land later.
    let late = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        Event::new(2, "a", 2, Some(3), set("/x", "1", -1), Outcome::Unknown),
        ev(3, "b", 4, 5, get("/x"), Outcome::Ok).with_data("0"),
        ev(4, "b", 6, 7, get("/x"), Outcome::Ok).with_data("1"),
    ]);
    assert!(is_lin(&late, &strict()));
}

#[test]
fn unknown_op_does_not_block_its_session_when_dropped() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        unknown(2, "a", 2, set("/x", "1", -1)),
        ev(3, "a", 3, 4, set("/x", "2", -1), Outcome::Ok),
        ev(4, "b", 5, 6, get("/x"), Outcome::Ok).with_data("2").with_version(1),
    ]);
    assert!(is_lin(&h, &strict()));
    // Applied, it must come before the session's next op: version 2 then.
    let mut v2 = h.clone();
    v2.events[3].version = Some(2);
    assert!(is_lin(&v2, &strict()));
    let mut v3 = h.clone();
    v3.events[3].version = Some(3);
    assert!(!is_lin(&v3, &strict()));
}

#[test]
fn multi_is_all_or_nothing() {
    let multi = |out| {
        ev(2, "a", 2, 3, Op::Multi { ops: vec![create("/m", "m"), create("/x", "again")] }, out)
    };
    let failed = hist(vec![
        ev(1, "a", 0, 1, create("/x", "0"), Outcome::Ok),
        Event { failed_op: Some(1), ..multi(Outcome::NodeExists) },
        ev(3, "b", 4, 5, get("/m"), Outcome::NoNode),
    ]);
    assert!(is_lin(&failed, &strict()));
    let mut wrong_index = failed.clone();
    wrong_index.events[1].failed_op = Some(0);
    assert!(!is_lin(&wrong_index, &strict()));
    let mut leaked = failed.clone();
    leaked.events[2].outcome = Outcome::Ok;
    assert!(!is_lin(&leaked, &strict()));
    let ok_multi = hist(vec![
        ev(1, "a", 0, 1, Op::Multi { ops: vec![create("/m", "m"), set("/m", "n", 0), Op::Check { path: "/m".into(), version: 1 }] }, Outcome::Ok),
        ev(2, "b", 2, 3, get("/m"), Outcome::Ok).with_data("n").with_version(1),
    ]);
    assert!(is_lin(&ok_multi, &strict()));
}

#[test]
fn multi_spanning_paths_merges_partitions() {
    let h = hist(vec![
        ev(1, "a", 0, 1, Op::Multi { ops: vec![create("/p", ""), create("/q", "")] }, Outcome::Ok),
        ev(2, "b", 0, 1, create("/r", ""), Outcome::Ok),
        ev(3, "b", 2, 3, Op::Exists { path: "/q".into() }, Outcome::Ok),
    ]);
    let r = check_report(&h, &strict());
    assert_eq!(r.verdict, Verdict::Linearizable);
    assert_eq!(r.partitions, 2);
}

#[test]
fn children_and_not_empty() {
    let h = hist(vec![
        ev(1, "a", 0, 1, create("/d", ""), Outcome::Ok),
        ev(2, "a", 2, 3, create("/d/k", ""), Outcome::Ok),
        ev(3, "b", 4, 5, del("/d", -1), Outcome::NotEmpty),
        ev(4, "b", 6, 7, Op::Children { path: "/d".into() }, Outcome::Ok).with_children(vec!["k".into()]),
        ev(5, "a", 8, 9, del("/d/k", 0), Outcome::Ok),
        ev(6, "b", 10, 11, Op::Children { path: "/d".into() }, Outcome::Ok).with_children(vec![]),
        ev(7, "b", 12, 13, del("/d", 5), Outcome::BadVersion),
        ev(8, "b", 14, 15, del("/d", 0), Outcome::Ok),
    ]);
    assert!(is_lin(&h, &strict()));
    let mut bad = h.clone();
    bad.events[2].outcome = Outcome::Ok;
    assert!(!is_lin(&bad, &strict()));
}

#[test]
fn initial_nodes_known_and_unknown() {
    let mut h = hist(vec![
        ev(1, "a", 0, 1, get("/base"), Outcome::Ok).with_data("seen").with_version(4),
        ev(2, "a", 2, 3, create("/base/c", ""), Outcome::Ok),
        ev(3, "a", 4, 5, get("/base"), Outcome::Ok).with_data("seen").with_version(4),
    ]);
    h.init.push(InitNode { path: "/base".into(), data: None, version: None });
    assert!(is_lin(&h, &strict()));
    // The first read fixed the data: a different one later is a violation.
    h.events[2].data = Some("other".into());
    assert!(!is_lin(&h, &strict()));
    // Ancestors of an initial node exist; other paths do not.
    let mut deep = hist(vec![
        ev(1, "a", 0, 1, create("/t/u/v", ""), Outcome::Ok),
        ev(2, "a", 2, 3, create("/w/v", ""), Outcome::NoNode),
    ]);
    deep.init.push(InitNode { path: "/t/u".into(), data: Some("".into()), version: Some(0) });
    assert!(is_lin(&deep, &strict()));
}

#[test]
fn budget_exceeded_is_unknown() {
    // Many fully concurrent blind writes and an impossible read: the search must give up.
    let mut evs = vec![ev(0, "init", 0, 1, create("/x", "0"), Outcome::Ok)];
    for i in 1..=14u64 {
        evs.push(ev(i, &format!("s{i}"), 2, 100, set("/x", &format!("{i}"), -1), Outcome::Ok));
    }
    evs.push(ev(99, "r", 101, 102, get("/x"), Outcome::Ok).with_data("nobody wrote this"));
    let h = hist(evs);
    let small = Options { budget: 1000, ..strict() };
    assert!(matches!(check(&h, &small), Verdict::Unknown { .. }));
    // A history that is fine gets a verdict within the default budget.
    let mut ok = h.clone();
    ok.events.pop();
    assert!(is_lin(&ok, &strict()));
}

#[test]
fn witness_is_smaller_than_the_history() {
    let mut evs = Vec::new();
    let mut t = 0;
    let mut id = 0;
    let mut next = |s: &str, op: Op, out: Outcome| {
        id += 1;
        t += 2;
        ev(id, s, t, t + 1, op, out)
    };
    evs.push(next("a", create("/x", "0"), Outcome::Ok));
    for i in 0..20 {
        evs.push(next("a", set("/x", &format!("{i}"), -1), Outcome::Ok));
        evs.push(next("b", get("/x"), Outcome::Ok).with_data(format!("{i}")));
    }
    evs.push(next("b", get("/x"), Outcome::Ok).with_data("3"));
    for i in 20..30 {
        evs.push(next("a", set("/x", &format!("{i}"), -1), Outcome::Ok));
    }
    let h = hist(evs);
    let w = witness(&h, &strict());
    // The reads that do not matter and the writes after the stale read are gone; the writes
    // before it stay (dropping a write could invent a violation).
    assert!(w.events.len() <= 23, "{w:?}");
    assert!(w.events.contains(&42), "the stale read #42 is in the witness: {w:?}");
    assert!(!w.events.iter().any(|&id| id > 43), "{w:?}");
    assert!(!w.events.contains(&3), "{w:?}");
    assert_eq!(w.stuck, vec![42]);
    // The conflict: the stale read and the writes that make "3" stale.
    assert!(w.core.contains(&42) && w.core.len() <= 3, "{w:?}");
    assert!(w.core.iter().all(|id| w.events.contains(id)));
}

#[test]
fn invalid_histories_are_rejected() {
    let h = hist(vec![ev(1, "a", 5, 4, get("/x"), Outcome::NoNode)]);
    assert!(matches!(check(&h, &strict()), Verdict::Unknown { .. }));
    let h = hist(vec![Event::new(1, "a", 5, None, get("/x"), Outcome::Ok)]);
    assert!(h.validate().is_err());
    let h = hist(vec![ev(1, "a", 0, 1, get("/x"), Outcome::NotEmpty)]);
    assert!(h.validate().is_err());
    let h = hist(vec![ev(1, "a", 0, 1, get("x"), Outcome::NoNode)]);
    assert!(h.validate().is_err());
    let h = hist(vec![ev(1, "a", 0, 1, get("/x"), Outcome::NoNode), ev(1, "b", 0, 1, get("/x"), Outcome::NoNode)]);
    assert!(h.validate().is_err());
}

#[test]
fn session_checks_on_zxids() {
    let good = hist(vec![
        ev(1, "a", 0, 1, create("/x", ""), Outcome::Ok).with_zxid(10),
        ev(2, "b", 2, 3, get("/x"), Outcome::Ok).with_zxid(10),
        ev(3, "b", 4, 5, set("/x", "1", -1), Outcome::Ok).with_zxid(11),
        ev(4, "a", 6, 7, get("/x"), Outcome::Ok).with_zxid(11),
    ]);
    assert!(check_sessions(&good, 10).is_empty());
    let mut back = good.clone();
    back.events.push(ev(5, "a", 8, 9, get("/x"), Outcome::Ok).with_zxid(10));
    let v = check_sessions(&back, 10);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].kind, SessionViolationKind::ZxidWentBack);
    assert_eq!(v[0].events, (4, 5));
    let mut order = good.clone();
    order.events[2].zxid = Some(9);
    let v = check_sessions(&order, 10);
    assert!(v.iter().any(|x| x.kind == SessionViolationKind::WriteOrder && x.events == (1, 3)), "{v:?}");
    let mut dup = good.clone();
    dup.events[2].zxid = Some(10);
    assert!(check_sessions(&dup, 10).iter().any(|x| x.kind == SessionViolationKind::DuplicateWriteZxid));
    // Unknown outcomes are not trusted.
    let mut unk = back.clone();
    unk.events[4].outcome = Outcome::Unknown;
    assert!(check_sessions(&unk, 10).is_empty());
    assert_eq!(check_all(&back, &strict()).exit_code(), 1);
    assert_eq!(check_all(&good, &strict()).exit_code(), 0);
}

#[test]
fn jsonl_round_trip_and_errors() {
    let mut h = hist(vec![
        ev(1, "0x1", 0, 1, Op::Multi { ops: vec![create("/a", "x"), del("/b", 3)] }, Outcome::NoNode),
        ev(2, "0x2", 0, 2, get("/a"), Outcome::Ok).with_data("x").with_version(0).with_zxid(7),
        unknown(3, "0x2", 3, Op::Sync { path: "/".into() }),
    ]);
    h.events[0].failed_op = Some(1);
    h.init.push(InitNode { path: "/b".into(), data: Some("".into()), version: Some(0) });
    let text = jsonl::to_string(&h);
    assert_eq!(text.lines().count(), 4);
    assert_eq!(jsonl::parse(&text).unwrap(), h);

    let minimal = r#"{"session":"s","invoke":1,"return":2,"op":{"type":"get","path":"/a"},"outcome":"no_node"}"#;
    let parsed = jsonl::parse(&format!("# comment\n\n{minimal}\n")).unwrap();
    assert_eq!(parsed.events[0].id, 3, "id defaults to the line number");

    let err = jsonl::parse(&format!("{minimal}\n{{\"session\":\"s\"}}\n")).unwrap_err();
    assert_eq!(err.line, 2);
    let err = jsonl::parse("not json").unwrap_err();
    assert_eq!(err.line, 1);
    let err = jsonl::parse(&minimal.replace("no_node", "not_empty")).unwrap_err();
    assert!(err.message.contains("impossible"), "{err}");
    let err = jsonl::parse(&minimal.replace("\"outcome\"", "\"bogus\":1,\"outcome\"")).unwrap_err();
    assert!(err.message.contains("bogus"), "{err}");
    let dup = format!("{}\n{}\n", minimal.replace("{\"session\"", "{\"id\":5,\"session\""), minimal.replace("{\"session\"", "{\"id\":5,\"session\""));
    assert_eq!(jsonl::parse(&dup).unwrap_err().line, 2);
}

// ---- property tests ----

const PATHS: &[&str] = &["/a", "/b", "/a/c"];

fn op_strategy() -> impl Strategy<Value = Op> {
    let path = prop::sample::select(PATHS);
    let version = prop::sample::select(&[-1, -1, 0, 1, 2][..]);
    prop_oneof![
        3 => path.clone().prop_map(|p| create(p, "")),
        4 => (path.clone(), version.clone()).prop_map(|(p, v)| set(p, "", v)),
        1 => (path.clone(), version.clone()).prop_map(|(p, v)| del(p, v)),
        4 => path.clone().prop_map(get),
        1 => path.clone().prop_map(|p| Op::Exists { path: p.into() }),
        1 => path.clone().prop_map(|p| Op::Children { path: p.into() }),
        1 => (path.clone(), path.clone(), version).prop_map(|(p, q, v)| Op::Multi { ops: vec![create(p, ""), set(q, "", v)] }),
    ]
}

/// One op of a generated execution: its session, and how its interval is widened around its
/// linearization point; `unknown`: 0 known, 1 unknown but applied, 2 unknown and never applied.
#[derive(Debug, Clone)]
struct Gen {
    op: Op,
    session: usize,
    before: u64,
    after: u64,
    unknown: u8,
}

fn gen_strategy(max: usize) -> impl Strategy<Value = (bool, Vec<Gen>)> {
    let g = (op_strategy(), 0..3usize, 0..30u64, 0..30u64, prop::sample::select(&[0u8, 0, 0, 0, 0, 1, 2][..]))
        .prop_map(|(op, session, before, after, unknown)| Gen { op, session, before, after, unknown });
    (any::<bool>(), prop::collection::vec(g, 1..max))
}

/// Runs the ops one at a time (point k at time 10k + 10) on the reference model and records a
/// history whose intervals contain those points, every session issuing in point order — so it is
/// linearizable (and FIFO) by construction. Writes get unique data so stale reads are detectable.
/// Also returns, per event, the zxid the server would report.
fn execute(with_init: bool, gens: &[Gen], widen: bool) -> History {
    execute_lagging(with_init, gens, widen, &[])
}

/// As `execute`, but with `lags` each known read is served from a lagging replica: it sees the
/// state after some earlier write — never older than what its session already saw or wrote
/// (ZooKeeper's guarantee for reads from followers). The history is then sequentially
/// consistent for reads, not linearizable. Its zxids are the zxids of the states seen.
fn execute_lagging(with_init: bool, gens: &[Gen], widen: bool, lags: &[u8]) -> History {
    let mut tree = brute::Tree::new();
    tree.insert("/".into(), (String::new(), 0));
    let mut h = History::default();
    if with_init {
        tree.insert("/a".into(), ("init".into(), 0));
        h.init.push(InitNode { path: "/a".into(), data: Some("init".into()), version: Some(0) });
    }
    let mut last_invoke = [0u64; 3];
    let mut zxid = 0i64;
    // states[z]: the tree after zxid z; seen[s]: the newest zxid session s saw or wrote.
    let mut states = vec![tree.clone()];
    let mut seen = [0usize; 3];
    for (k, g) in gens.iter().enumerate() {
        let point = 10 * k as u64 + 10;
        let mut op = g.op.clone();
        // Unique data per write.
        let tag = format!("w{k}");
        match &mut op {
            Op::Create { data, .. } | Op::Set { data, .. } => *data = tag.clone(),
            Op::Multi { ops } => {
                for (j, o) in ops.iter_mut().enumerate() {
                    if let Op::Create { data, .. } | Op::Set { data, .. } = o {
                        *data = format!("{tag}.{j}");
                    }
                }
            }
            _ => {}
        }
        let (before, after) = if widen { (g.before, g.after) } else { (0, 0) };
        let invoke = point.saturating_sub(before).max(last_invoke[g.session] + 1).min(point);
        last_invoke[g.session] = invoke;
        let ret = point + after;
        let session = format!("s{}", g.session);
        let applies = g.unknown != 2;
        let mut read_zxid = None;
        let result = if !applies {
            None
        } else if op.is_read() && !lags.is_empty() && g.unknown == 0 {
            let lo = seen[g.session];
            let j = lo + lags[k % lags.len()] as usize % (states.len() - lo);
            seen[g.session] = j;
            read_zxid = Some(j as i64);
            Some(brute::apply(&mut states[j].clone(), &op))
        } else {
            Some(brute::apply(&mut tree, &op))
        };
        if applies && !op.is_read() {
            zxid += 1;
            states.push(tree.clone());
            seen[g.session] = states.len() - 1;
        } else if applies && op.is_read() && read_zxid.is_none() {
            seen[g.session] = states.len() - 1;
        }
        let mut e = Event::new(k as u64 + 1, session, invoke, Some(ret), op, Outcome::Unknown);
        if g.unknown == 0 {
            let r = result.expect("known ops apply");
            e.zxid = Some(read_zxid.unwrap_or(zxid));
            match r {
                Ok((v, d, c)) => {
                    e.outcome = Outcome::Ok;
                    e.version = v;
                    e.data = d;
                    e.children = c;
                }
                Err((code, at)) => {
                    e.outcome = code;
                    if matches!(e.op, Op::Multi { .. }) {
                        e.failed_op = Some(at);
                    }
                }
            }
        } else if g.after % 2 == 0 {
            e.ret = None;
        }
        h.events.push(e);
    }
    h
}

fn brute_agrees(h: &History, reads: ReadMode, fifo: bool) -> Result<(), TestCaseError> {
    let Some(expected) = brute::check(h, reads, fifo, 8) else { return Ok(()) };
    for partition in [true, false] {
        let opts = Options { reads, fifo, partition, budget: 2_000_000, ..Options::default() };
        let got = match check(h, &opts) {
            Verdict::Linearizable => true,
            Verdict::NotLinearizable(_) => false,
            Verdict::Unknown { reason } => return Err(TestCaseError::fail(format!("no verdict: {reason}"))),
        };
        prop_assert_eq!(got, expected, "reads {:?} fifo {} partition {}\n{}", reads, fifo, partition, jsonl::to_string(h));
    }
    Ok(())
}

/// One random corruption of event `i` (the history may stop being linearizable, or valid).
fn mutate(h: &mut History, i: usize, how: u8) {
    let n = h.events.len() as u8;
    let e = &mut h.events[i];
    let r = how / 8;
    match how % 8 {
        0..=3 => match (&e.op, e.outcome) {
            (Op::Get { .. }, Outcome::Ok) if r % 2 == 0 => e.data = Some(format!("w{}", r / 2 % n.max(1))),
            (Op::Get { .. } | Op::Exists { .. } | Op::Set { .. }, Outcome::Ok) => e.version = Some((r % 3) as i32),
            (_, Outcome::Ok) => e.outcome = [Outcome::NoNode, Outcome::NodeExists, Outcome::BadVersion][(r % 3) as usize],
            (Op::Get { .. }, _) => {
                e.outcome = Outcome::Ok;
                e.data = Some(format!("w{}", r % n.max(1)));
            }
            (Op::Children { .. }, _) => e.children = Some(vec!["c".into()]),
            _ => {
                e.outcome = Outcome::Ok;
                e.failed_op = None;
                e.ret = e.ret.or(Some(e.invoke + 1));
            }
        },
        4 => e.session = format!("s{}", r % 3),
        5 => e.invoke = e.invoke.saturating_sub(25),
        _ => e.outcome = Outcome::Unknown,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_histories_are_linearizable((init, gens) in gen_strategy(40), widen in any::<bool>()) {
        let h = execute(init, &gens, widen);
        for reads in [ReadMode::Linearizable, ReadMode::Sequential] {
            let opts = Options { reads, budget: 2_000_000, ..Options::default() };
            let v = check(&h, &opts);
            prop_assert_eq!(&v, &Verdict::Linearizable, "{}", jsonl::to_string(&h));
        }
        prop_assert!(check_sessions(&h, 10).is_empty(), "{:?}", check_sessions(&h, 10));
    }

    #[test]
    fn lagging_replica_reads_are_sequentially_consistent((init, gens) in gen_strategy(40), widen in any::<bool>(), lags in prop::collection::vec(any::<u8>(), 1..8)) {
        let h = execute_lagging(init, &gens, widen, &lags);
        for partition in [true, false] {
            let opts = Options { reads: ReadMode::Sequential, partition, budget: 2_000_000, ..Options::default() };
            prop_assert_eq!(check(&h, &opts), Verdict::Linearizable, "{}", jsonl::to_string(&h));
        }
        prop_assert!(check_sessions(&h, 10).is_empty(), "{:?}", check_sessions(&h, 10));
    }

    #[test]
    fn injected_stale_read_fails((init, gens) in gen_strategy(40), pick in any::<prop::sample::Index>()) {
        // Sequential intervals, known outcomes: replace one get's data with an older value of its node.
        let mut gens: Vec<Gen> = gens.into_iter().map(|g| Gen { unknown: 0, ..g }).collect();
        // A tail that always offers a target.
        for op in [create("/z", ""), set("/z", "", -1), get("/z")] {
            gens.push(Gen { op, session: 0, before: 0, after: 0, unknown: 0 });
        }
        let mut h = execute(init, &gens, false);
        let mut history_of: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut targets = Vec::new();
        for (i, e) in h.events.iter().enumerate() {
            match (&e.op, e.outcome) {
                (Op::Get { path }, Outcome::Ok) => {
                    let seen = history_of.get(path).cloned().unwrap_or_default();
                    if let Some(old) = seen.iter().rev().find(|d| Some(*d) != e.data.as_ref()) {
                        targets.push((i, old.clone()));
                    }
                }
                (Op::Create { path, data }, Outcome::Ok) | (Op::Set { path, data, .. }, Outcome::Ok) => {
                    history_of.entry(path.clone()).or_default().push(data.clone());
                }
                (Op::Multi { ops }, Outcome::Ok) => {
                    for o in ops {
                        if let Op::Create { path, data } | Op::Set { path, data, .. } = o {
                            history_of.entry(path.clone()).or_default().push(data.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        prop_assert!(!targets.is_empty());
        let (i, old) = targets[pick.index(targets.len())].clone();
        h.events[i].data = Some(old);
        h.events[i].version = None;
        let id = h.events[i].id;
        match check(&h, &Options::default()) {
            Verdict::NotLinearizable(w) => prop_assert!(w.events.contains(&id), "witness {:?} lacks #{}", w, id),
            v => prop_assert!(false, "stale read #{} not caught: {:?}\n{}", id, v, jsonl::to_string(&h)),
        }
    }

    #[test]
    fn injected_lost_write_fails((init, gens) in gen_strategy(40)) {
        // Sequential, known outcomes; after the last successful create of a path, a read says it is absent.
        let mut gens: Vec<Gen> = gens.into_iter().map(|g| Gen { unknown: 0, ..g }).collect();
        // Sometimes a tail that guarantees a create to lose.
        if gens.len() % 2 == 0 {
            gens.push(Gen { op: create("/z", ""), session: 1, before: 0, after: 0, unknown: 0 });
        }
        let mut h = execute(init, &gens, false);
        let last_create = h.events.iter().rposition(|e| matches!(e.op, Op::Create { .. }) && e.outcome == Outcome::Ok);
        prop_assume!(last_create.is_some());
        let e = &h.events[last_create.unwrap_or(0)];
        let path = e.op.paths()[0].to_string();
        // Still present at the end of the execution (not deleted afterwards)?
        prop_assume!(!h.events[last_create.unwrap_or(0) + 1..].iter().any(|x| x.op.existence_writes().contains(&path.as_str()) && x.outcome != Outcome::NodeExists && x.outcome != Outcome::NoNode && x.outcome != Outcome::BadVersion && x.outcome != Outcome::NotEmpty));
        let t = h.events.iter().map(|e| e.ret.unwrap_or(0)).max().unwrap_or(0) + 1;
        h.events.push(ev(999, "reader", t, t + 1, get(&path), Outcome::NoNode));
        prop_assert!(matches!(check(&h, &Options::default()), Verdict::NotLinearizable(_)), "{}", jsonl::to_string(&h));
    }

    #[test]
    fn reordered_session_ops_fail(n in 2..6usize, swap in any::<prop::sample::Index>()) {
        // One session pipelines n sets; a later read sees the value of a set that was not last.
        let mut evs = vec![ev(1, "w", 0, 1, create("/x", "0"), Outcome::Ok)];
        for i in 0..n as u64 {
            evs.push(ev(i + 2, "w", 2 + i, 50, set("/x", &format!("{i}"), -1), Outcome::Ok));
        }
        let stale = swap.index(n - 1);
        evs.push(ev(100, "r", 60, 61, get("/x"), Outcome::Ok).with_data(format!("{stale}")));
        let h = hist(evs);
        prop_assert!(!is_lin(&h, &Options::default()));
        let no_fifo = Options { fifo: false, ..Options::default() };
        prop_assert!(is_lin(&h, &no_fifo));
    }

    #[test]
    fn fast_checker_agrees_with_brute_force((init, gens) in gen_strategy(7), widen in any::<bool>(), mutations in prop::collection::vec(any::<(prop::sample::Index, u8)>(), 0..4)) {
        let mut h = execute(init, &gens, widen);
        for (which, how) in mutations {
            let i = which.index(h.events.len());
            mutate(&mut h, i, how);
        }
        if h.validate().is_err() {
            return Ok(());
        }
        for reads in [ReadMode::Linearizable, ReadMode::Sequential] {
            for fifo in [true, false] {
                brute_agrees(&h, reads, fifo)?;
            }
        }
    }
}


#[test]
fn concurrent_reads_do_not_blow_up_the_search() {
    // 40 readers overlapping one another and two writes: without linearizing consistent reads
    // eagerly the search would try their 2^40 subsets.
    let mut evs = vec![ev(1, "w", 0, 1, create("/x", "0"), Outcome::Ok)];
    evs.push(ev(2, "w", 2, 500, set("/x", "1", -1), Outcome::Ok));
    for i in 0..40u64 {
        let data = if i < 20 { "0" } else { "1" };
        evs.push(ev(10 + i, &format!("r{i}"), 3 + i, 600 + i, get("/x"), Outcome::Ok).with_data(data));
    }
    evs.push(ev(3, "w", 501, 502, set("/x", "2", -1), Outcome::Ok));
    let h = hist(evs);
    let opts = Options { budget: 20_000, ..strict() };
    assert_eq!(check(&h, &opts), Verdict::Linearizable);
    assert_eq!(check(&h, &Options { reads: ReadMode::Sequential, ..opts }), Verdict::Linearizable);
}

#[test]
fn zxids_guide_the_search() {
    // 16 fully concurrent blind writes; a read after all of them sees the one with the highest
    // zxid. Trying them in invoke order, the search would put that write first at every level;
    // the zxid order finds the linearization at once (without the hint this exceeds the budget).
    let mut evs = vec![ev(1, "init", 0, 1, create("/x", "0"), Outcome::Ok).with_zxid(1)];
    for i in 0..16u64 {
        // The server applied them in the reverse of their invoke order.
        evs.push(ev(10 + i, &format!("s{i}"), 2 + i, 100, set("/x", &format!("{i}"), -1), Outcome::Ok).with_zxid(100 - i as i64));
    }
    evs.push(ev(99, "r", 101, 102, get("/x"), Outcome::Ok).with_data("0").with_version(16).with_zxid(100));
    let h = hist(evs);
    let opts = Options { budget: 5_000, ..strict() };
    assert_eq!(check(&h, &opts), Verdict::Linearizable);
    assert!(check_sessions(&h, 10).is_empty());
}

#[test]
fn sequential_reads_follow_their_session_across_paths() {
    // s2's failed create on /a/c comes after /b's create in real time; s2's later read of /b
    // must see /b, although the read itself may be stale for other sessions.
    let h = hist(vec![
        ev(1, "s0", 10, 11, create("/b", "w0"), Outcome::Ok),
        ev(2, "s2", 20, 20, create("/a/c", "w1"), Outcome::NoNode),
        ev(3, "s2", 30, 30, get("/b"), Outcome::NoNode),
    ]);
    assert!(!is_lin(&h, &seq_reads()));
    let mut other = h.clone();
    other.events[2].session = "s3".into();
    assert!(is_lin(&other, &seq_reads()));
}

#[test]
fn recorder_builds_histories() {
    let mut r = Recorder::new();
    r.init("/base", Some(""), Some(0));
    let a = r.invoke("s1", 1, create("/base/x", "a"));
    let b = r.invoke("s2", 2, get("/base/x"));
    r.complete(a, 3, Outcome::Ok).zxid = Some(5);
    r.complete(b, 4, Outcome::Ok).data = Some("a".into());
    let lost = r.invoke("s1", 5, set("/base/x", "b", -1));
    let c = r.invoke("s2", 6, get("/base/x"));
    r.complete(c, 7, Outcome::Ok).data = Some("b".into());
    assert_eq!(r.event(lost).outcome, Outcome::Unknown);
    assert!(r.event(lost).ret.is_none());
    let h = r.into_history();
    assert_eq!(h.events[2].id, 3);
    assert!(h.validate().is_ok());
    // The unfinished set may have landed before the second read.
    assert!(is_lin(&h, &strict()));
    assert_eq!(check_all(&h, &strict()).exit_code(), 0);
}

#[test]
fn a_dropped_unknown_op_orders_nothing() {
    // s2's create was lost (never applied); its session then reads from a lagging replica the
    // initial state. Had the create taken effect, it would come after #1 and the read after it.
    let h = hist(vec![
        ev(1, "s0", 10, 11, create("/a", "w0"), Outcome::Ok),
        unknown(2, "s2", 40, create("/a", "w3")),
        ev(3, "s2", 50, 51, get("/a"), Outcome::NoNode),
    ]);
    assert!(is_lin(&h, &seq_reads()));
    assert!(!is_lin(&h, &strict()));
    assert_eq!(brute::check(&h, ReadMode::Sequential, true, 8), Some(true));
}
