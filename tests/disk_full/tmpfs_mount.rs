//! A small tmpfs mounted on a temp dir for the length of a test (root only), so that the disk
//! really fills up; unmounted on drop, also when the test panics.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TmpfsMount {
    point: PathBuf,
    _dir: tempfile::TempDir,
}

impl TmpfsMount {
    /// Mounts a tmpfs of `size` (mount's syntax, e.g. "8m").
    pub fn new(size: &str) -> TmpfsMount {
        let dir = tempfile::tempdir().expect("tempdir");
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).expect("mkdir mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&point)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "mount -t tmpfs failed: {}", String::from_utf8_lossy(&out.stderr));
        TmpfsMount { point, _dir: dir }
    }

    pub fn path(&self) -> &Path {
        &self.point
    }

    /// Changes the size limit of the mounted tmpfs (the data stays).
    pub fn resize(&self, size: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.point)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "remount failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for TmpfsMount {
    fn drop(&mut self) {
        let ok = Command::new("umount").arg(&self.point).status().map(|s| s.success()).unwrap_or(false);
        if !ok {
            // Still busy (a process holds a file): detach it so no mount outlives the test.
            let _ = Command::new("umount").arg("-l").arg(&self.point).status();
        }
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
