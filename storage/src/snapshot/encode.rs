//! Input nodes → the bytes of a snapshot file. Pure.

use super::format::{home_slot, AclEntry, Body, Header, NodeRec, EMPTY, HEADER_LEN, NULL_DATA};
use super::{SnapError, SnapshotInput};

fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        _ if path == "/" => "",
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

fn name_of(path: &str) -> &str {
    if path == "/" {
        ""
    } else {
        path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path)
    }
}

/// A node's sort key, split once: comparing (parent, name) must not re-scan paths per comparison.
fn key(path: &str) -> (&str, &str) {
    (parent_of(path), name_of(path))
}

/// Builds the hash index over `paths` (one per node, in node order).
fn build_index<'a>(paths: impl Iterator<Item = &'a str>, n: usize) -> Vec<u32> {
    let len = (2 * n.max(1)).next_power_of_two();
    let mut index = vec![EMPTY; len];
    for (i, p) in paths.enumerate() {
        let mut slot = home_slot(p.as_bytes(), len);
        while index[slot] != EMPTY {
            slot = (slot + 1) & (len - 1);
        }
        index[slot] = i as u32;
    }
    index
}

fn lookup(index: &[u32], sorted: &[&str], path: &str) -> Option<u32> {
    let len = index.len();
    let mut slot = home_slot(path.as_bytes(), len);
    loop {
        let i = index[slot];
        if i == EMPTY {
            return None;
        }
        if sorted[i as usize] == path {
            return Some(i);
        }
        slot = (slot + 1) & (len - 1);
    }
}

/// The complete file in memory: header + archived body (tests, tools; the server streams instead).
pub fn encode_snapshot(input: &SnapshotInput) -> Result<Vec<u8>, SnapError> {
    let body = build_body(input)?;
    let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(&body).map_err(|e| SnapError::Invalid(format!("archiving: {e}")))?;
    let header = Header {
        last_zxid: input.last_zxid,
        node_count: body.nodes.len() as u64,
        body_len: bytes.len() as u64,
        body_xxh3: xxhash_rust::xxh3::xxh3_64(&bytes),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + bytes.len());
    out.extend_from_slice(&header.encode());
    out.extend_from_slice(&bytes);
    Ok(out)
}

/// Hashes and counts what passes through on its way to `inner`.
struct Hashing<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Archives the snapshot straight into `out` (positioned HEADER_LEN bytes into the file) and
/// returns the header to write at offset 0: no in-memory copy of the whole archive.
pub(crate) fn stream_snapshot<W: std::io::Write>(input: &SnapshotInput, out: W) -> Result<Header, SnapError> {
    let body = build_body(input)?;
    let sink = Hashing { inner: out, hasher: xxhash_rust::xxh3::Xxh3::new(), len: 0 };
    let writer = rkyv::ser::writer::IoWriter::new(sink);
    let mut sink = rkyv::api::high::to_bytes_in::<_, rkyv::rancor::Error>(&body, writer)
        .map_err(|e| SnapError::Invalid(format!("archiving: {e}")))?
        .into_inner();
    std::io::Write::flush(&mut sink).map_err(|e| SnapError::Io { path: "snapshot".into(), source: e })?;
    Ok(Header { last_zxid: input.last_zxid, node_count: body.nodes.len() as u64, body_len: sink.len, body_xxh3: sink.hasher.digest() })
}

fn build_body(input: &SnapshotInput) -> Result<Body, SnapError> {
    let mut keyed: Vec<((&str, &str), &super::NodeIn)> = input.nodes.iter().map(|n| (key(n.path), n)).collect();
    // Input from a running tree arrives mostly in base order (already sorted), which pdqsort
    // handles in close to linear time.
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let nodes: Vec<&super::NodeIn> = keyed.into_iter().map(|(_, n)| n).collect();
    if nodes.first().map(|n| n.path) != Some("/") {
        return Err(SnapError::Invalid("the root \"/\" is missing".into()));
    }
    if nodes.len() >= EMPTY as usize {
        return Err(SnapError::Invalid(format!("{} nodes: more than a snapshot can index", nodes.len())));
    }
    for w in nodes.windows(2) {
        if w[0].path == w[1].path {
            return Err(SnapError::Invalid(format!("node {} appears twice", w[0].path)));
        }
    }
    let sorted: Vec<&str> = nodes.iter().map(|n| n.path).collect();
    let index = build_index(sorted.iter().copied(), sorted.len());

    let total_path: usize = sorted.iter().map(|p| p.len()).sum();
    let total_data: usize = nodes.iter().map(|n| n.data.map(|d| d.len()).unwrap_or(0)).sum();
    let (mut paths, mut data) = (Vec::with_capacity(total_path), Vec::with_capacity(total_data));
    let mut recs = Vec::with_capacity(nodes.len());
    for n in &nodes {
        let data_len = match n.data {
            None => NULL_DATA,
            Some(d) if d.len() >= NULL_DATA as usize => {
                return Err(SnapError::Invalid(format!("data of {} is too large", n.path)));
            }
            Some(d) => d.len() as u32,
        };
        let rec = NodeRec {
            path_off: paths.len() as u64,
            path_len: n.path.len() as u32,
            name_off: (n.path.len() - name_of(n.path).len()) as u32,
            data_off: data.len() as u64,
            data_len,
            first_child: 0,
            child_count: 0,
            acl: n.acl,
            stat: n.stat,
        };
        paths.extend_from_slice(n.path.as_bytes());
        if let Some(d) = n.data {
            data.extend_from_slice(d);
        }
        recs.push(rec);
    }
    // Children of P are the run of nodes whose parent is P (the sort puts them together).
    let mut i = 1;
    while i < sorted.len() {
        let parent = parent_of(sorted[i]);
        let mut j = i;
        while j < sorted.len() && parent_of(sorted[j]) == parent {
            j += 1;
        }
        let p = lookup(&index, &sorted, parent)
            .ok_or_else(|| SnapError::Invalid(format!("the parent of {} is missing", sorted[i])))?;
        recs[p as usize].first_child = i as u32;
        recs[p as usize].child_count = (j - i) as u32;
        i = j;
    }
    let special = nodes.iter().enumerate().filter(|(_, n)| n.stat.ephemeral_owner != 0).map(|(i, _)| i as u32).collect();
    Ok(Body {
        last_zxid: input.last_zxid,
        data_size: input.data_size,
        nodes: recs,
        paths,
        data,
        index,
        special,
        acls: input.acls.iter().map(|(index, refs, list)| AclEntry { index: *index, refs: *refs, list: list.clone() }).collect(),
        sessions: input.sessions.clone(),
    })
}
