//! A fault-injecting simulator of the log's storage (pure, deterministic from a seed).
//!
//! `SimDisk` carries out the same `plan::Op`s as the glommio writer, keeping per file the bytes that a
//! completed sync made durable and the writes/extensions issued since. `crash_image` builds what a
//! crash may leave: the durable bytes plus any subset of the unsynced writes, each whole, torn at
//! sector granularity, or torn with one garbage sector; unsynced extensions may be lost. Faults: EIO
//! on fsync, ENOSPC on extend or write, EIO on segment creation. `SimLog` drives a `Planner` over a
//! `SimDisk` the way `LogWriter` does (stop at the first error, never acknowledge after one) and can
//! crash part-way through an op.

use crate::backend::MemBackend;
use crate::error::LogError;
use crate::plan::{LogOptions, Op, Planner};
use crate::record::SECTOR;
use crate::segment::TMP_SUFFIX;
use std::collections::BTreeMap;
use std::io;

/// splitmix64: small, seedable, good enough for choosing crash images.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    EioOnSync,
    NoSpaceOnExtend,
    NoSpaceOnWrite,
    EioOnCreate,
}

#[derive(Debug, Clone)]
enum Pending {
    Write { offset: usize, data: Vec<u8> },
    Extend { len: usize },
}

#[derive(Debug, Clone, Default)]
struct SimFile {
    durable: Vec<u8>,
    pending: Vec<Pending>,
}

#[derive(Debug, Clone, Default)]
pub struct SimDisk {
    files: BTreeMap<String, SimFile>,
    current: Option<String>,
    /// The first op of the fault's kind at or after this op number fails.
    fault: Option<(usize, Fault)>,
    ops_done: usize,
    /// Whether the fault has fired.
    pub fault_fired: bool,
}

fn os_err(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

impl SimDisk {
    pub fn new() -> SimDisk {
        SimDisk::default()
    }

    /// A disk whose files are the (durable) contents of `image`.
    pub fn from_image(image: &MemBackend) -> SimDisk {
        let files = image
            .files
            .iter()
            .map(|(n, b)| {
                (
                    n.clone(),
                    SimFile {
                        durable: b.clone(),
                        pending: Vec::new(),
                    },
                )
            })
            .collect();
        SimDisk {
            files,
            ..SimDisk::default()
        }
    }

    pub fn inject(&mut self, at_op: usize, fault: Fault) {
        self.fault = Some((at_op, fault));
    }

    fn fires(&mut self, kind: Fault) -> bool {
        match self.fault {
            Some((at, f)) if f == kind && self.ops_done >= at && !self.fault_fired => {
                self.fault_fired = true;
                true
            }
            _ => false,
        }
    }

    fn current(&mut self) -> io::Result<&mut SimFile> {
        let name = self.current.clone().ok_or_else(|| os_err(9))?;
        self.files.get_mut(&name).ok_or_else(|| os_err(9))
    }

    pub fn apply(&mut self, op: &Op) -> io::Result<()> {
        let r = self.apply_inner(op);
        self.ops_done += 1;
        r
    }

    fn apply_inner(&mut self, op: &Op) -> io::Result<()> {
        match op {
            Op::Create {
                name,
                header,
                prealloc,
            } => {
                if self.files.contains_key(name) {
                    return Err(os_err(17));
                }
                if self.fires(Fault::EioOnCreate) {
                    // The temporary file is left behind, its header possibly unwritten.
                    let f = SimFile {
                        durable: vec![0; *prealloc as usize],
                        pending: vec![Pending::Write {
                            offset: 0,
                            data: header.clone(),
                        }],
                    };
                    self.files.insert(format!("{name}{TMP_SUFFIX}"), f);
                    return Err(os_err(5));
                }
                let mut durable = header.clone();
                durable.resize(*prealloc as usize, 0);
                self.files.insert(
                    name.clone(),
                    SimFile {
                        durable,
                        pending: Vec::new(),
                    },
                );
                self.current = Some(name.clone());
                Ok(())
            }
            Op::Extend { len } => {
                if self.fires(Fault::NoSpaceOnExtend) {
                    return Err(os_err(28));
                }
                self.current()?
                    .pending
                    .push(Pending::Extend { len: *len as usize });
                Ok(())
            }
            Op::Write { offset, data } => {
                if self.fires(Fault::NoSpaceOnWrite) {
                    return Err(os_err(28));
                }
                self.current()?.pending.push(Pending::Write {
                    offset: *offset as usize,
                    data: data.clone(),
                });
                Ok(())
            }
            Op::Sync => {
                if self.fires(Fault::EioOnSync) {
                    return Err(os_err(5));
                }
                let f = self.current()?;
                for p in std::mem::take(&mut f.pending) {
                    apply_pending(&mut f.durable, &p);
                }
                Ok(())
            }
            Op::Durable { .. } => Ok(()),
        }
    }

    /// A crash in the middle of creating segment `name`: nothing, a temporary file with a partly
    /// written header, or the complete segment (the rename is only done after the header is synced).
    pub fn crash_inside_create(&mut self, op: &Op, rng: &mut Rng) {
        let Op::Create {
            name,
            header,
            prealloc,
        } = op
        else {
            return;
        };
        let mut body = vec![0u8; *prealloc as usize];
        match rng.below(3) {
            0 => {}
            1 => {
                tear_into(&mut body, 0, header, rng, false);
                self.files.insert(
                    format!("{name}{TMP_SUFFIX}"),
                    SimFile {
                        durable: body,
                        pending: Vec::new(),
                    },
                );
            }
            _ => {
                body[..header.len()].copy_from_slice(header);
                self.files.insert(
                    name.clone(),
                    SimFile {
                        durable: body,
                        pending: Vec::new(),
                    },
                );
            }
        }
    }

    /// What a crash now may leave on disk.
    pub fn crash_image(&self, rng: &mut Rng) -> MemBackend {
        let mut out = MemBackend::default();
        for (name, f) in &self.files {
            let mut img = f.durable.clone();
            let mut len = img.len();
            for p in &f.pending {
                match p {
                    Pending::Extend { len: l } => {
                        if rng.below(2) == 0 {
                            len = len.max(*l);
                        }
                    }
                    Pending::Write { offset, data } => match rng.below(4) {
                        0 => {}
                        1 => {
                            grow(&mut img, offset + data.len());
                            img[*offset..offset + data.len()].copy_from_slice(data);
                        }
                        2 => tear_into(&mut img, *offset, data, rng, false),
                        _ => tear_into(&mut img, *offset, data, rng, true),
                    },
                }
            }
            img.resize(len, 0);
            out.files.insert(name.clone(), img);
        }
        out
    }

    /// The durable bytes of a file (tests).
    pub fn durable(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|f| &f.durable[..])
    }
}

fn grow(img: &mut Vec<u8>, to: usize) {
    if img.len() < to {
        img.resize(to, 0);
    }
}

fn apply_pending(img: &mut Vec<u8>, p: &Pending) {
    match p {
        Pending::Extend { len } => grow(img, *len),
        Pending::Write { offset, data } => {
            grow(img, offset + data.len());
            img[*offset..offset + data.len()].copy_from_slice(data);
        }
    }
}

/// Writes a random subset of `data`'s sectors; with `garbage`, one sector becomes random bytes.
fn tear_into(img: &mut Vec<u8>, offset: usize, data: &[u8], rng: &mut Rng, garbage: bool) {
    grow(img, offset + data.len());
    let sectors = data.len().div_ceil(SECTOR);
    for s in 0..sectors {
        if rng.below(2) == 0 {
            let a = s * SECTOR;
            let b = (a + SECTOR).min(data.len());
            img[offset + a..offset + b].copy_from_slice(&data[a..b]);
        }
    }
    if garbage && sectors > 0 {
        let a = rng.below(sectors as u64) as usize * SECTOR;
        let b = (a + SECTOR).min(data.len());
        for byte in &mut img[offset + a..offset + b] {
            *byte = rng.next_u64() as u8;
        }
    }
}

/// Drives a `Planner` over a `SimDisk` like `LogWriter` does.
#[derive(Debug, Clone)]
pub struct SimLog {
    pub planner: Planner,
    pub disk: SimDisk,
    /// Newest zxid acknowledged as durable.
    pub durable: Option<i64>,
    /// Ops left before a crash inside the next op (None: no crash planned).
    pub crash_after_ops: Option<usize>,
    pub crashed: bool,
    failed: Option<String>,
}

impl SimLog {
    pub fn new(
        opts: LogOptions,
        disk: SimDisk,
        last_zxid: Option<i64>,
    ) -> Result<SimLog, LogError> {
        Ok(SimLog {
            planner: Planner::new(opts, last_zxid)?,
            disk,
            durable: None,
            crash_after_ops: None,
            crashed: false,
            failed: None,
        })
    }

    /// Appends a batch; Ok only when all of it is durable. A crash or an error stops everything after.
    pub fn append_batch(
        &mut self,
        records: &[(i64, &[u8])],
        rng: &mut Rng,
    ) -> Result<(), LogError> {
        if let Some(f) = &self.failed {
            return Err(LogError::Failed(f.clone()));
        }
        let mut ops = Vec::new();
        self.planner.plan(records, &mut ops)?;
        for op in &ops {
            if let Some(n) = self.crash_after_ops.as_mut() {
                if *n == 0 {
                    match op {
                        Op::Create { .. } => self.disk.crash_inside_create(op, rng),
                        // A write cut short is an unsynced write the image may tear.
                        Op::Write { .. } => {
                            let _ = self.disk.apply(op);
                        }
                        _ => {}
                    }
                    self.crashed = true;
                    self.failed = Some("crashed".into());
                    return Err(LogError::Failed("crashed".into()));
                }
                *n -= 1;
            }
            if let Err(e) = self.disk.apply(op) {
                let err = LogError::io("sim op", "sim", e);
                self.failed = Some(err.to_string());
                return Err(err);
            }
            if let Op::Durable { zxid } = op {
                self.durable = Some(*zxid);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;
    use super::*;
    use crate::recovery::recover;
    use proptest::prelude::{any, prop_assert_eq, prop_assume, proptest, ProptestConfig, Strategy};

    fn opts(force_sync: bool) -> LogOptions {
        // Small sizes so a few batches exercise extension and rolling.
        LogOptions {
            pre_alloc_size: 8192,
            segment_size: 24576,
            block_size: 4096,
            max_unsynced: 8192,
            force_sync,
        }
    }

    fn payload(session: u8, zxid: i64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31) ^ session ^ (zxid as u8))
            .collect()
    }

    /// One session: append `batches` (sizes) from `next` on, crash after `crash_ops` ops (or fault).
    /// Returns every record it tried to append and the acknowledged zxid.
    fn session(
        log: &mut SimLog,
        sess: u8,
        next: &mut i64,
        batches: &[(usize, usize)],
        rng: &mut Rng,
    ) -> Vec<(i64, Vec<u8>)> {
        let mut tried = Vec::new();
        for &(n, len) in batches {
            let recs: Vec<(i64, Vec<u8>)> = (0..n as i64)
                .map(|i| (*next + i, payload(sess, *next + i, len)))
                .collect();
            let refs: Vec<(i64, &[u8])> = recs.iter().map(|(z, p)| (*z, &p[..])).collect();
            let r = log.append_batch(&refs, rng);
            tried.extend(recs);
            *next += n as i64;
            if r.is_err() {
                // Never acknowledged after a failure.
                let d = log.durable;
                assert!(log.append_batch(&[(*next, b"x")], rng).is_err());
                assert_eq!(log.durable, d);
                break;
            }
        }
        tried
    }

    /// The crash-image property over two sessions (restart in between, zxids of lost records reused).
    fn check(
        seed: u64,
        b1: Vec<(usize, usize)>,
        b2: Vec<(usize, usize)>,
        crash1: usize,
        crash2: usize,
        fault: Option<(usize, Fault)>,
        force_sync: bool,
    ) {
        let mut rng = Rng::new(seed);
        let mut truth: Vec<(i64, Vec<u8>)> = Vec::new();
        let mut disk = SimDisk::new();
        if let Some((at, f)) = fault {
            disk.inject(at, f);
        }
        let mut last = None;
        for (sess, (batches, crash)) in [(b1, crash1), (b2, crash2)].into_iter().enumerate() {
            let mut log = SimLog::new(opts(force_sync), disk, last).unwrap();
            log.crash_after_ops = Some(crash);
            let mut next = last.map_or(1, |z| z + 1);
            let tried = session(&mut log, sess as u8, &mut next, &batches, &mut rng);
            let acked_upto = log.durable;
            let mut image = log.disk.crash_image(&mut rng);
            let (info, recs) = match recover(&mut image, 0) {
                Ok(r) => r,
                // Without fdatasync an OS crash may lose any write, so the log can be damaged
                // anywhere; it must then be reported, never papered over.
                Err(LogError::Corrupt(_)) if !force_sync => return,
                Err(e) => panic!("a crash image without media damage must recover: {e}"),
            };
            // Everything from earlier sessions, then a prefix of what this session tried.
            assert!(
                recs.len() >= truth.len(),
                "lost records of an earlier session"
            );
            assert_eq!(&recs[..truth.len()], &truth[..]);
            let new = &recs[truth.len()..];
            assert_eq!(new, &tried[..new.len()], "invented or altered records");
            if force_sync {
                let acked =
                    acked_upto.map_or(0, |z| tried.iter().take_while(|(t, _)| *t <= z).count());
                assert!(
                    new.len() >= acked,
                    "lost acknowledged records: {} < {acked}",
                    new.len()
                );
            }
            // Recovery is idempotent.
            let (info2, recs2) = recover(&mut image, 0).unwrap();
            assert_eq!(recs2, recs);
            assert_eq!(info2.torn_tail, None);
            assert_eq!(info2.last_zxid, info.last_zxid);
            truth = recs;
            last = info.last_zxid;
            disk = SimDisk::from_image(&image);
        }
    }

    fn batches() -> impl Strategy<Value = Vec<(usize, usize)>> {
        proptest::collection::vec((1usize..40, 0usize..700), 0..12)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn crash_images_keep_every_acknowledged_record(
            seed: u64, b1 in batches(), b2 in batches(), crash1 in 0usize..60, crash2 in 0usize..60,
        ) {
            check(seed, b1, b2, crash1, crash2, None, true);
        }

        #[test]
        fn faults_stop_acknowledgement_and_lose_nothing_acknowledged(
            seed: u64, b1 in batches(), b2 in batches(), crash1 in 0usize..80, crash2 in 0usize..60,
            at in 0usize..40, kind in 0usize..4,
        ) {
            let f = [Fault::EioOnSync, Fault::NoSpaceOnExtend, Fault::NoSpaceOnWrite, Fault::EioOnCreate][kind];
            check(seed, b1, b2, crash1, crash2, Some((at, f)), true);
        }

        #[test]
        fn without_force_sync_recovery_still_never_invents(
            seed: u64, b1 in batches(), b2 in batches(), crash1 in 0usize..60, crash2 in 0usize..60,
        ) {
            check(seed, b1, b2, crash1, crash2, None, false);
        }

        /// A bit flip anywhere: recovery reports corruption or returns a prefix of the true log,
        /// never a changed or invented record.
        #[test]
        fn bit_flips_are_never_served(seed: u64, b1 in batches(), flip in any::<proptest::sample::Index>()) {
            let mut rng = Rng::new(seed);
            let mut log = SimLog::new(opts(true), SimDisk::new(), None).unwrap();
            let mut next = 1;
            let tried = session(&mut log, 0, &mut next, &b1, &mut rng);
            let mut image = log.disk.crash_image(&mut rng);
            let total: usize = image.files.values().map(|f| f.len()).sum();
            prop_assume!(total > 0);
            let mut at = flip.index(total * 8);
            for f in image.files.values_mut() {
                if at < f.len() * 8 {
                    f[at / 8] ^= 1 << (at % 8);
                    break;
                }
                at -= f.len() * 8;
            }
            if let Ok((_, recs)) = recover(&mut image, 0) {
                prop_assert_eq!(&recs[..], &tried[..recs.len()]);
            }
        }
    }

    #[test]
    fn flip_in_synced_data_of_an_older_segment_is_reported_with_segment_offset_zxid() {
        let mut rng = Rng::new(1);
        let mut log = SimLog::new(opts(true), SimDisk::new(), None).unwrap();
        let mut next = 1;
        session(&mut log, 0, &mut next, &[(20, 300); 6], &mut rng);
        let mut image = log.disk.crash_image(&mut rng);
        assert!(image.files.len() >= 2);
        let first = image.files.keys().next().unwrap().clone();
        // Record 3 of the first segment: header block + 2 records of 8-aligned 324 bytes.
        let off = 4096 + 2 * 328 + 30;
        image.files.get_mut(&first).unwrap()[off] ^= 4;
        match recover(&mut image, 0) {
            Err(LogError::Corrupt(c)) => {
                assert_eq!(c.segment, first);
                assert_eq!(c.offset, 4096 + 2 * 328);
                assert_eq!(c.after_zxid, Some(2));
                assert_eq!(c.found_zxid, Some(3));
                let msg = LogError::Corrupt(c).to_string();
                assert!(
                    msg.contains(&first) && msg.contains("offset 4752") && msg.contains("0x2"),
                    "{msg}"
                );
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn gap_between_segments_is_corruption() {
        let mut rng = Rng::new(2);
        let mut log = SimLog::new(opts(true), SimDisk::new(), None).unwrap();
        let mut next = 1;
        session(&mut log, 0, &mut next, &[(20, 300); 6], &mut rng);
        let mut image = log.disk.crash_image(&mut rng);
        let names: Vec<String> = image.files.keys().cloned().collect();
        assert!(names.len() >= 3);
        image.files.remove(&names[1]);
        let err = recover(&mut image, 0).unwrap_err();
        let LogError::Corrupt(c) = err else {
            panic!("{err:?}")
        };
        assert_eq!(c.segment, names[2]);
        assert_eq!(c.offset, 4096);
        assert!(c.reason.contains("does not follow"), "{}", c.reason);
    }

    #[test]
    fn eio_on_sync_acknowledges_nothing_of_that_batch() {
        let mut rng = Rng::new(3);
        let mut disk = SimDisk::new();
        disk.inject(5, Fault::EioOnSync);
        let mut log = SimLog::new(opts(true), disk, None).unwrap();
        let a: Vec<(i64, &[u8])> = vec![(1, b"a"), (2, b"b")];
        log.append_batch(&a, &mut rng).unwrap(); // Create, Write, Sync, Durable
        assert_eq!(log.durable, Some(2));
        let b: Vec<(i64, &[u8])> = vec![(3, b"c")];
        assert!(log.append_batch(&b, &mut rng).is_err()); // Write, Sync fails at op 5
        assert!(log.disk.fault_fired);
        assert_eq!(log.durable, Some(2));
        let c: Vec<(i64, &[u8])> = vec![(4, b"d")];
        assert!(matches!(
            log.append_batch(&c, &mut rng),
            Err(LogError::Failed(_))
        ));
        assert_eq!(log.durable, Some(2));
    }

    #[test]
    fn truncate_after_then_continue() {
        let mut rng = Rng::new(4);
        let mut log = SimLog::new(opts(true), SimDisk::new(), None).unwrap();
        let mut next = 1;
        let tried = session(&mut log, 0, &mut next, &[(20, 300); 6], &mut rng);
        let mut image = log.disk.crash_image(&mut rng);
        for cut in [100i64, 61, 40, 39, 20, 1] {
            let last = crate::recovery::truncate_after(&mut image, cut).unwrap();
            assert_eq!(last, Some(cut));
            let (info, recs) = recover(&mut image, 0).unwrap();
            assert_eq!(info.last_zxid, Some(cut.min(120)));
            assert_eq!(&recs[..], &tried[..cut.min(120) as usize]);
        }
        assert_eq!(
            crate::recovery::truncate_after(&mut image, 0).unwrap(),
            None
        );
        assert!(recover(&mut image, 0).unwrap().1.is_empty());
        // A new session continues after a truncation with reused zxids.
        let mut log = SimLog::new(opts(true), SimDisk::from_image(&image), None).unwrap();
        let mut next = 1;
        let tried = session(&mut log, 9, &mut next, &[(5, 10)], &mut rng);
        let mut image = log.disk.crash_image(&mut rng);
        assert_eq!(recover(&mut image, 2).unwrap().1, tried[2..].to_vec());
    }
}
