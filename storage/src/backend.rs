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

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.dir.join(name))
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
