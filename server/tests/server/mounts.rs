//! Small file systems for the fault tests: a size-limited tmpfs (a disk
//! that fills up) and an ext4 image on a loop device (one that can be
//! frozen with `fsfreeze`). Both need root and `mount`; without them the
//! test that asked says so and skips. Every mount is undone in `Drop`
//! (thawed first, then unmounted lazily, then the loop device detached),
//! so a failing test leaves nothing mounted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A mounted file system, unmounted on drop.
pub struct Mount {
    pub dir: PathBuf,
    frozen: bool,
}

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Mount {
    /// A tmpfs of `size` (for example "1m") at `dir`, or why not.
    pub fn tmpfs(dir: &Path, size: &str) -> Result<Mount, String> {
        let opt = format!("size={size}");
        run(
            "mount",
            &["-t", "tmpfs", "-o", &opt, "tmpfs", dir.to_str().unwrap()],
        )?;
        Ok(Mount {
            dir: dir.to_path_buf(),
            frozen: false,
        })
    }

    /// An ext4 file system of `mb` megabytes in `image`, mounted at
    /// `dir` through a loop device, or why not.
    pub fn ext4(image: &Path, mb: u64, dir: &Path) -> Result<Mount, String> {
        std::fs::File::create(image)
            .and_then(|f| f.set_len(mb * 1024 * 1024))
            .map_err(|e| e.to_string())?;
        run("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()])?;
        run(
            "mount",
            &["-o", "loop", image.to_str().unwrap(), dir.to_str().unwrap()],
        )?;
        Ok(Mount {
            dir: dir.to_path_buf(),
            frozen: false,
        })
    }

    /// Makes the mount read-only.
    pub fn remount_read_only(&self) -> Result<(), String> {
        run("mount", &["-o", "remount,ro", self.dir.to_str().unwrap()])
    }

    /// `fsfreeze -f`: every write to the file system blocks until thawed.
    pub fn freeze(&mut self) -> Result<(), String> {
        run("fsfreeze", &["-f", self.dir.to_str().unwrap()])?;
        self.frozen = true;
        Ok(())
    }

    /// `fsfreeze -u`.
    pub fn thaw(&mut self) {
        if self.frozen {
            let _ = run("fsfreeze", &["-u", self.dir.to_str().unwrap()]);
            self.frozen = false;
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        self.thaw();
        // Lazy: a file still open (a server that failed to stop) does
        // not keep the mount; `-d` frees a loop device with it.
        let _ = run("umount", &["-l", "-d", self.dir.to_str().unwrap()]);
    }
}

/// Prints why a test skips; the test then returns.
pub fn skip(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: needs root, mount and a kernel that allows it ({why})");
}
