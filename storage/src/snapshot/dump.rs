//! `zkd dump snapshot PATH`: a readable listing for operators (like SnapshotFormatter).

use super::mapped::MappedSnapshot;
use std::io::Write;

fn shown(d: &[u8]) -> String {
    let head = &d[..d.len().min(32)];
    let text: String = head.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
    if d.len() > head.len() {
        format!("{text}...")
    } else {
        text
    }
}

pub fn dump_snapshot(s: &MappedSnapshot, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "snapshot {} zxid 0x{:x} nodes {} bytes {} data_size {}", s.path().map(|p| p.display().to_string()).unwrap_or_default(), s.last_zxid(), s.node_count(), s.file_len(), s.data_size())?;
    for i in 0..s.node_count() {
        let st = s.stat(i);
        let data = match s.data(i) {
            None => "null".to_string(),
            Some(d) => format!("{} bytes \"{}\"", d.len(), shown(d)),
        };
        writeln!(
            out,
            "{}\n  czxid 0x{:x} mzxid 0x{:x} pzxid 0x{:x} ctime {} mtime {} version {} cversion {} aversion {} ephemeralOwner 0x{:x} acl {} children {} data {}",
            s.path_of(i), st.czxid, st.mzxid, st.pzxid, st.ctime, st.mtime, st.version, st.cversion, st.aversion, st.ephemeral_owner, s.acl(i), s.children(i).len(), data
        )?;
    }
    writeln!(out, "ACLs:")?;
    for (idx, refs, list) in s.acls() {
        let l: Vec<String> = list.iter().map(|a| format!("{}:{}:{}", a.scheme, a.id, a.perms)).collect();
        writeln!(out, "  {idx} (refs {refs}): {}", l.join(", "))?;
    }
    writeln!(out, "Sessions:")?;
    for (id, t) in s.sessions() {
        writeln!(out, "  0x{id:x} timeout {t}")?;
    }
    Ok(())
}
