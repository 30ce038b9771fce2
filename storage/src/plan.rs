//! The writer's decisions, pure: which files to create, what bytes to write where, when to sync and
//! what becomes durable. The glommio writer (`writer.rs`) and the fault-injecting simulator
//! (`sim.rs`) both carry out the same `Op` lists, so the simulator tests the real layout logic.

use crate::error::LogError;
use crate::record::{align_up, encode_into, encoded_len, zxid_follows, MAX_PAYLOAD};
use crate::segment::{segment_name, SegmentHeader};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    /// Segments grow in steps of this many bytes (fallocate), so appends do not change the file size.
    /// ZooKeeper's `preAllocSize` (zoo.cfg gives it in KiB; default 64 MiB).
    pub pre_alloc_size: u64,
    /// A new segment starts when the next write would take the current one past this size.
    pub segment_size: u64,
    /// Write unit: every batch starts on a multiple of it and is padded to it, so a synced block is
    /// never written again. A power of two >= 512 and a multiple of the device's O_DIRECT alignment.
    pub block_size: usize,
    /// Most bytes written per write+fdatasync cycle; a larger batch is split (each part acknowledged
    /// after its own sync). Bounds how far a torn tail can reach (recovery relies on it).
    pub max_unsynced: usize,
    /// zoo.cfg `forceSync`; false skips fdatasync (acknowledged writes may be lost in an OS crash).
    pub force_sync: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            pre_alloc_size: 64 << 20,
            segment_size: 64 << 20,
            block_size: 4096,
            max_unsynced: 1 << 20,
            force_sync: true,
        }
    }
}

impl LogOptions {
    pub fn validate(&self) -> Result<(), LogError> {
        let bad = |m: &str| Err(LogError::Options(m.to_string()));
        if self.block_size < 512 || !self.block_size.is_power_of_two() {
            return bad("block_size must be a power of two >= 512");
        }
        if self.max_unsynced < self.block_size {
            return bad("max_unsynced must be at least block_size");
        }
        if self.pre_alloc_size < self.block_size as u64 {
            return bad("pre_alloc_size must be at least block_size");
        }
        if self.segment_size < 2 * self.block_size as u64 {
            return bad("segment_size must hold a header block and a data block");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create segment `name`: as `name.tmp`, preallocated to `prealloc` bytes, `header` written at
    /// offset 0 and synced, then renamed to `name` and the directory synced. Later ops apply to it.
    Create {
        name: String,
        header: Vec<u8>,
        prealloc: u64,
    },
    /// Grow the current segment's allocation to `len` bytes (fallocate, file size changes).
    Extend { len: u64 },
    /// Write `data` (a whole number of blocks) at `offset` of the current segment.
    Write { offset: u64, data: Vec<u8> },
    /// fdatasync the current segment (omitted when `force_sync` is off).
    Sync,
    /// Every record up to `zxid` is durable once all earlier ops have completed.
    Durable { zxid: i64 },
}

#[derive(Debug, Clone)]
struct Current {
    offset: u64,
    allocated: u64,
    max_unsynced: u64,
}

#[derive(Debug, Clone)]
pub struct Planner {
    opts: LogOptions,
    cur: Option<Current>,
    last_zxid: Option<i64>,
}

impl Planner {
    /// `last_zxid`: the newest zxid already in the log (from recovery). The first batch always starts
    /// a new segment: old segments are never appended to.
    pub fn new(opts: LogOptions, last_zxid: Option<i64>) -> Result<Planner, LogError> {
        opts.validate()?;
        Ok(Planner {
            opts,
            cur: None,
            last_zxid,
        })
    }

    pub fn options(&self) -> &LogOptions {
        &self.opts
    }

    pub fn last_zxid(&self) -> Option<i64> {
        self.last_zxid
    }

    /// The next batch starts a new segment (ZooKeeper rolls the log when it takes a snapshot).
    pub fn roll(&mut self) {
        self.cur = None;
    }

    /// Plans `records` (zxids continuing the log). Checks everything before planning anything, so on
    /// `Err` no op was produced and the planner is unchanged.
    pub fn plan(&mut self, records: &[(i64, &[u8])], out: &mut Vec<Op>) -> Result<(), LogError> {
        let mut prev = self.last_zxid;
        for &(z, p) in records {
            if let Some(pz) = prev {
                if !zxid_follows(pz, z) {
                    return Err(LogError::ZxidOrder { prev: pz, next: z });
                }
            }
            if p.len() > MAX_PAYLOAD {
                return Err(LogError::RecordTooLarge { len: p.len() });
            }
            prev = Some(z);
        }
        let limit = self.opts.max_unsynced;
        let block = self.opts.block_size;
        let mut chunk: Vec<u8> = Vec::new();
        let mut first = 0i64;
        let mut last = 0i64;
        for &(z, p) in records {
            let n = encoded_len(p.len());
            if !chunk.is_empty() && align_up(chunk.len() + n, block) > limit {
                self.flush(std::mem::take(&mut chunk), first, last, out);
            }
            if chunk.is_empty() {
                first = z;
            }
            let at = chunk.len();
            chunk.resize(at + n, 0);
            encode_into(&mut chunk[at..], z, p);
            last = z;
        }
        if !chunk.is_empty() {
            self.flush(chunk, first, last, out);
        }
        Ok(())
    }

    fn flush(&mut self, mut data: Vec<u8>, first: i64, last: i64, out: &mut Vec<Op>) {
        let block = self.opts.block_size as u64;
        let size = align_up(data.len(), block as usize) as u64;
        data.resize(size as usize, 0);
        let step = self.opts.pre_alloc_size;
        let roll = match &self.cur {
            None => true,
            Some(c) => {
                c.max_unsynced < size
                    || (c.offset > block && c.offset + size > self.opts.segment_size)
            }
        };
        if roll {
            // Without syncs nothing bounds what may be unsynced: say so, recovery then treats any
            // damage in the newest segment as its torn tail.
            let window = if self.opts.force_sync {
                (align_up(self.opts.max_unsynced, block as usize) as u64).max(size)
            } else {
                u64::MAX
            };
            let header = SegmentHeader {
                block_size: block as u32,
                first_zxid: first,
                max_unsynced: window,
            };
            let prealloc = align_up((block + size) as usize, step as usize) as u64;
            out.push(Op::Create {
                name: segment_name(first),
                header: header.encode(),
                prealloc,
            });
            self.cur = Some(Current {
                offset: block,
                allocated: prealloc,
                max_unsynced: window,
            });
        }
        let Some(cur) = self.cur.as_mut() else { return };
        if cur.offset + size > cur.allocated {
            cur.allocated = align_up((cur.offset + size) as usize, step as usize) as u64;
            out.push(Op::Extend { len: cur.allocated });
        }
        out.push(Op::Write {
            offset: cur.offset,
            data,
        });
        if self.opts.force_sync {
            out.push(Op::Sync);
        }
        out.push(Op::Durable { zxid: last });
        cur.offset += size;
        self.last_zxid = Some(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> LogOptions {
        LogOptions {
            pre_alloc_size: 16384,
            segment_size: 32768,
            block_size: 4096,
            max_unsynced: 8192,
            force_sync: true,
        }
    }

    fn kinds(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .map(|o| match o {
                Op::Create { name, .. } => format!("C{name}"),
                Op::Extend { len } => format!("E{len}"),
                Op::Write { offset, data } => format!("W{offset}+{}", data.len()),
                Op::Sync => "S".into(),
                Op::Durable { zxid } => format!("D{zxid}"),
            })
            .collect()
    }

    #[test]
    fn first_batch_creates_segment_then_write_sync_durable() {
        let mut p = Planner::new(small(), Some(4)).unwrap();
        let mut ops = Vec::new();
        p.plan(&[(5, b"a"), (6, b"b")], &mut ops).unwrap();
        assert_eq!(
            kinds(&ops),
            ["Czkdlog.0000000000000005", "W4096+4096", "S", "D6"]
        );
        ops.clear();
        p.plan(&[(7, b"c")], &mut ops).unwrap();
        assert_eq!(kinds(&ops), ["W8192+4096", "S", "D7"]);
    }

    #[test]
    fn big_batch_is_split_extends_and_rolls() {
        let mut p = Planner::new(small(), None).unwrap();
        let mut ops = Vec::new();
        let payload = vec![7u8; 3000];
        let recs: Vec<(i64, &[u8])> = (1..=12).map(|z| (z, &payload[..])).collect();
        p.plan(&recs, &mut ops).unwrap();
        // 2 records (6048 bytes) per 8 KiB chunk; segment of 32 KiB holds header + 3 chunks.
        assert_eq!(
            kinds(&ops),
            [
                "Czkdlog.0000000000000001",
                "W4096+8192",
                "S",
                "D2",
                "E32768",
                "W12288+8192",
                "S",
                "D4",
                "W20480+8192",
                "S",
                "D6",
                "Czkdlog.0000000000000007",
                "W4096+8192",
                "S",
                "D8",
                "E32768",
                "W12288+8192",
                "S",
                "D10",
                "W20480+8192",
                "S",
                "D12",
            ]
        );
    }

    #[test]
    fn oversized_record_gets_a_segment_whose_window_fits_it() {
        let mut p = Planner::new(small(), None).unwrap();
        let mut ops = Vec::new();
        p.plan(&[(1, b"x")], &mut ops).unwrap();
        ops.clear();
        let big = vec![1u8; 20000];
        p.plan(&[(2, &big[..])], &mut ops).unwrap();
        let Op::Create { header, .. } = &ops[0] else {
            panic!("{:?}", kinds(&ops))
        };
        let h = SegmentHeader::decode(header).unwrap();
        assert_eq!(h.max_unsynced, 20480);
        assert_eq!(kinds(&ops)[1..], ["W4096+20480", "S", "D2"]);
    }

    #[test]
    fn rejects_out_of_order_without_planning() {
        let mut p = Planner::new(small(), Some(10)).unwrap();
        let mut ops = Vec::new();
        assert!(matches!(
            p.plan(&[(11, b"a"), (13, b"b")], &mut ops),
            Err(LogError::ZxidOrder { prev: 11, next: 13 })
        ));
        assert!(ops.is_empty());
        assert_eq!(p.last_zxid(), Some(10));
        p.plan(&[(11, b"a")], &mut ops).unwrap();
    }

    #[test]
    fn no_sync_without_force_sync() {
        let mut p = Planner::new(
            LogOptions {
                force_sync: false,
                ..small()
            },
            None,
        )
        .unwrap();
        let mut ops = Vec::new();
        p.plan(&[(1, b"a")], &mut ops).unwrap();
        assert_eq!(kinds(&ops)[1..], ["W4096+4096", "D1"]);
    }
}
