//! What recovery needs from a log directory, so the recovery logic can run over real files
//! (`FsBackend`, used at start-up before the executors run) or over crash images (`MemBackend`).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

pub trait Backend {
    /// Names of the files in the log directory (any order).
    fn list(&self) -> io::Result<Vec<String>>;
    fn read(&self, name: &str) -> io::Result<Vec<u8>>;
    /// Cuts `name` to `len` bytes, durably (file synced) before returning.
    fn truncate(&mut self, name: &str, len: u64) -> io::Result<()>;
    /// Removes `name`, durably (directory synced) before returning.
    fn remove(&mut self, name: &str) -> io::Result<()>;
    /// For messages: how to name the file to an operator.
    fn describe(&self, name: &str) -> String {
        name.to_string()
    }
}

/// `<dataLogDir>/version-2`, the directory the log lives in (ZooKeeper's layout).
pub fn log_dir(data_log_dir: &Path) -> PathBuf {
    data_log_dir.join("version-2")
}

/// Real files in a directory, with blocking std IO (recovery runs before the executors start).
pub struct FsBackend {
    dir: PathBuf,
}

impl FsBackend {
    pub fn new(dir: impl Into<PathBuf>) -> FsBackend {
        FsBackend { dir: dir.into() }
    }

    fn sync_dir(&self) -> io::Result<()> {
        std::fs::File::open(&self.dir)?.sync_all()
    }
}

impl Backend for FsBackend {
    fn list(&self) -> io::Result<Vec<String>> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut v = Vec::new();
        for e in rd {
            if let Ok(n) = e?.file_name().into_string() {
                v.push(n);
            }
        }
        Ok(v)
    }

    /// The file's bytes up to the end of its written data: the never-written, preallocated tail
    /// of a segment is a hole (reads as zeros), so it is not read or scanned. Restart cost then
    /// follows the data, not the 64 MiB preallocation of every segment.
    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut f = std::fs::File::open(self.dir.join(name))?;
        let len = f.metadata()?.len();
        let end = written_end(&f, len);
        let mut buf = Vec::with_capacity(end as usize);
        (&mut f).take(end).read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn truncate(&mut self, name: &str, len: u64) -> io::Result<()> {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(self.dir.join(name))?;
        f.set_len(len)?;
        f.sync_all()
    }

    fn remove(&mut self, name: &str) -> io::Result<()> {
        std::fs::remove_file(self.dir.join(name))?;
        self.sync_dir()
    }

    fn describe(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// Files held in memory: crash images in tests, and tools that want to check a copied log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemBackend {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Backend for MemBackend {
    fn list(&self) -> io::Result<Vec<String>> {
        Ok(self.files.keys().cloned().collect())
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(name)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn truncate(&mut self, name: &str, len: u64) -> io::Result<()> {
        let f = self
            .files
            .get_mut(name)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        f.resize(len as usize, 0);
        Ok(())
    }

    fn remove(&mut self, name: &str) -> io::Result<()> {
        self.files
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

/// Where the file's data ends if everything after that is one hole (SEEK_HOLE/SEEK_DATA), else
/// its length. Holes read as zeros, so leaving them out changes nothing a scan can see.
fn written_end(f: &std::fs::File, len: u64) -> u64 {
    use std::os::fd::AsRawFd;
    let fd = f.as_raw_fd();
    // SAFETY: lseek on a descriptor we own; only the file offset changes (reads follow from 0
    // through a fresh `take`, after we seek back).
    let hole = unsafe { libc::lseek(fd, 0, libc::SEEK_HOLE) };
    let end = if hole < 0 || hole as u64 >= len {
        len
    } else {
        // Any data after the first hole? Then read everything.
        let data = unsafe { libc::lseek(fd, hole, libc::SEEK_DATA) };
        if data < 0 { hole as u64 } else { len }
    };
    unsafe {
        libc::lseek(fd, 0, libc::SEEK_SET);
    }
    end
}
