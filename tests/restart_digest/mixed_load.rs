//! A seeded mix of every kind of write (creates of all modes, setData, delete, multi, setACL,
//! containers) from one client, checked against a small model so each op is known to be valid
//! (or, for the deliberately failing multi, known to fail). Every op must succeed as expected.

use std::collections::BTreeMap;
use std::time::Duration;
use zookeeper_client as zk;
use zk::{Acl, Acls, AuthId, CreateMode, Permission};

const CALL_LIMIT: Duration = Duration::from_secs(10);

/// xorshift64*: deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// What the load knows of the tree it owns.
#[derive(Default)]
pub struct Model {
    /// Persistent nodes under /d (with /d itself): path → number of children.
    dirs: BTreeMap<String, usize>,
    /// Ephemerals of the load session that exist now.
    pub ephemerals: Vec<String>,
    /// Nodes whose data may be set (persistent and sequential nodes of the load).
    settable: Vec<String>,
    counter: u64,
}

/// ACLs the load switches between; each keeps READ and ADMIN for this loopback client, so the
/// listing and later setACLs still work.
fn acl_variant(i: usize) -> Vec<Acl> {
    let anyone = AuthId::anyone();
    let localhost = AuthId::new("ip", "127.0.0.1");
    let bob = AuthId::new("digest", "bob:Ki+1rq2Wc9ToTIXYG/ZQZ2YBoM8=");
    match i % 4 {
        0 => vec![Acl::new(Permission::ALL, anyone)],
        1 => vec![Acl::new(Permission::ALL, anyone), Acl::new(Permission::READ, bob)],
        2 => vec![Acl::new(Permission::ALL, localhost), Acl::new(Permission::READ, anyone)],
        _ => vec![Acl::new(Permission::READ | Permission::ADMIN, anyone), Acl::new(Permission::ALL, bob), Acl::new(Permission::ALL, localhost)],
    }
}

async fn ok<T, E: std::fmt::Display>(what: &str, f: impl std::future::Future<Output = Result<T, E>>) -> T {
    match tokio::time::timeout(CALL_LIMIT, f).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{what}: {e}"),
        Err(_) => panic!("{what}: no answer within {CALL_LIMIT:?}"),
    }
}

impl Model {
    fn name(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn random_dir(&self, rng: &mut Rng) -> String {
        let i = rng.below(self.dirs.len());
        self.dirs.keys().nth(i).cloned().expect("/d is always there")
    }

    fn leaves(&self) -> Vec<String> {
        self.dirs.iter().filter(|(p, &n)| n == 0 && p.as_str() != "/d").map(|(p, _)| p.clone()).collect()
    }

    fn forget(&mut self, path: &str) {
        self.dirs.remove(path);
        self.settable.retain(|p| p != path);
        let parent = &path[..path.rfind('/').unwrap()];
        if let Some(n) = self.dirs.get_mut(parent) {
            *n -= 1;
        }
    }

    fn add_dir(&mut self, parent: &str, path: String) {
        *self.dirs.get_mut(parent).unwrap() += 1;
        self.dirs.insert(path.clone(), 0);
        self.settable.push(path);
    }

    /// Creates the fixed parents the load writes under.
    pub async fn setup(&mut self, c: &zk::Client) {
        let open = CreateMode::Persistent.with_acls(Acls::anyone_all());
        for p in ["/d", "/seq", "/eph", "/c"] {
            ok(p, c.create(p, p.as_bytes(), &open)).await;
        }
        // A container that never gets a child is never reaped, so it stays put across restarts.
        ok("/c/never-filled", c.create("/c/never-filled", b"", &CreateMode::Container.with_acls(Acls::anyone_all()))).await;
        self.dirs.insert("/d".into(), 0);
        self.settable.push("/d".into());
    }

    /// Runs `ops` writes chosen by `rng`.
    pub async fn run(&mut self, c: &zk::Client, rng: &mut Rng, ops: usize) {
        let open = CreateMode::Persistent.with_acls(Acls::anyone_all());
        for _ in 0..ops {
            match rng.below(100) {
                0..=24 => {
                    let parent = self.random_dir(rng);
                    if parent.matches('/').count() > 4 {
                        continue;
                    }
                    let path = format!("{parent}/{}", self.name("n"));
                    ok(&format!("create {path}"), c.create(&path, &rng.bytes(200), &open)).await;
                    self.add_dir(&parent, path);
                }
                25..=34 => {
                    let (_, seq) = ok("create /seq/s-", c.create("/seq/s-", &rng.bytes(50), &CreateMode::PersistentSequential.with_acls(Acls::anyone_all()))).await;
                    self.settable.push(format!("/seq/s-{seq}"));
                }
                35..=42 => {
                    let path = if rng.below(2) == 0 {
                        let p = format!("/eph/{}", self.name("e"));
                        ok(&format!("create {p}"), c.create(&p, &rng.bytes(40), &CreateMode::Ephemeral.with_acls(Acls::anyone_all()))).await;
                        p
                    } else {
                        let (_, seq) = ok("create /eph/es-", c.create("/eph/es-", &rng.bytes(40), &CreateMode::EphemeralSequential.with_acls(Acls::anyone_all()))).await;
                        format!("/eph/es-{seq}")
                    };
                    self.ephemerals.push(path);
                }
                43..=59 => {
                    let path = self.settable[rng.below(self.settable.len())].clone();
                    ok(&format!("setData {path}"), c.set_data(&path, &rng.bytes(300), None)).await;
                }
                60..=66 => {
                    let leaves = self.leaves();
                    if leaves.is_empty() {
                        continue;
                    }
                    let path = leaves[rng.below(leaves.len())].clone();
                    ok(&format!("delete {path}"), c.delete(&path, None)).await;
                    self.forget(&path);
                }
                67..=69 => {
                    if self.ephemerals.len() > 3 {
                        let path = self.ephemerals.remove(rng.below(self.ephemerals.len()));
                        ok(&format!("delete {path}"), c.delete(&path, None)).await;
                    }
                }
                70..=79 => self.multi(c, rng).await,
                80..=89 => {
                    let path = self.settable[rng.below(self.settable.len())].clone();
                    ok(&format!("setACL {path}"), c.set_acl(&path, &acl_variant(rng.below(4)), None)).await;
                }
                _ => {
                    // A container gets its child at once and keeps it: an emptied container would be
                    // reaped at some point, which is a change of the tree no restart may be blamed for.
                    let container = format!("/c/{}", self.name("k"));
                    ok(&format!("create container {container}"), c.create(&container, &rng.bytes(20), &CreateMode::Container.with_acls(Acls::anyone_all()))).await;
                    let child = format!("{container}/kept");
                    ok(&format!("create {child}"), c.create(&child, b"kept", &open)).await;
                }
            }
        }
    }

    /// A multi of create + setData + delete; one in four carries a check that must fail, and then
    /// nothing of it may be applied.
    async fn multi(&mut self, c: &zk::Client, rng: &mut Rng) {
        let parent = "/d".to_string();
        let created = format!("{parent}/{}", self.name("m"));
        let set = self.settable[rng.below(self.settable.len())].clone();
        let leaves = self.leaves();
        let deleted = leaves.get(rng.below(leaves.len().max(1))).filter(|p| **p != set).cloned();
        let failing = rng.below(4) == 0;
        let mut w = c.new_multi_writer();
        let open = CreateMode::Persistent.with_acls(Acls::anyone_all());
        if failing {
            w.add_check_version("/d", i32::MAX).unwrap();
        }
        w.add_create(&created, &rng.bytes(100), &open).unwrap();
        w.add_set_data(&set, &rng.bytes(100), None).unwrap();
        if let Some(d) = &deleted {
            w.add_delete(d, None).unwrap();
        }
        let res = tokio::time::timeout(CALL_LIMIT, w.commit()).await.expect("multi: no answer");
        if failing {
            match res {
                Err(zk::MultiWriteError::OperationFailed { index: 0, source: zk::Error::BadVersion }) => {}
                other => panic!("multi with a failing check: expected BadVersion at op 0, got {other:?}"),
            }
            return;
        }
        res.unwrap_or_else(|e| panic!("multi create {created} set {set} delete {deleted:?}: {e}"));
        self.add_dir(&parent, created);
        if let Some(d) = deleted {
            self.forget(&d);
        }
    }
}
