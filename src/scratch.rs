//! Temporary files and folders beside their destination, put in place whole.
//!
//! Every file or folder the crate writes (a report, a model directory, a new corpus store) is
//! first made under a temporary name in the folder of its destination, then renamed onto it, so
//! that a failure or a crash never leaves a partial output at the destination.
//!
//! A temporary is named `.nmf-topics-PID-RANDOM.tmp` and its maker holds an advisory lock
//! (`flock`) on it while it lives. A run that is killed leaves its temporaries behind; the next
//! run that makes a temporary in the same folder removes those whose maker is gone: no process
//! PID exists and nobody holds the lock. Nothing else is ever removed: other programs' files do
//! not have this name, and a live run's temporary is locked, even when its PID means nothing
//! here (a run in another PID namespace that shares the folder).
//!
//! [`Scratch::place`] puts a temporary onto an existing destination by exchanging the two
//! atomically where the system can (Linux's `renameat2` with `RENAME_EXCHANGE`): a reader of
//! the destination sees the old or the new, never neither. The old one stays under the
//! temporary's name until [`Placed::finish`], so [`Placed::undo`] can put it back when another
//! output of the same command fails. Where exchanging is not supported, an old file is first
//! linked aside (and replaced by an atomic rename), an old folder moved aside.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const PREFIX: &str = ".nmf-topics-";
const SUFFIX: &str = ".tmp";

/// A temporary file or folder, removed when dropped unless it was put in place.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
    /// The file itself, or the folder opened for reading: the lock that marks it as in use.
    handle: File,
    /// Still under the temporary name: removed when dropped.
    armed: bool,
}

impl Scratch {
    /// Makes an empty temporary file in `folder`, open for writing, with the mode a new file
    /// gets (0666 less the umask). Stale temporaries of dead runs in `folder` are removed first.
    pub fn file_in(folder: &Path) -> io::Result<Scratch> {
        sweep_once(folder);
        Scratch::make(folder, |path| {
            let mut options = fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
            options.open(path)
        })
    }

    /// Makes an empty temporary folder in `folder`, with the mode a new folder gets (0777 less
    /// the umask). Stale temporaries of dead runs in `folder` are removed first.
    pub fn dir_in(folder: &Path) -> io::Result<Scratch> {
        sweep_once(folder);
        Scratch::make(folder, |path| {
            fs::create_dir(path)?;
            File::open(path).inspect_err(|_| {
                let _ = fs::remove_dir(path);
            })
        })
    }

    fn make(folder: &Path, create: impl Fn(&Path) -> io::Result<File>) -> io::Result<Scratch> {
        loop {
            let path = folder.join(fresh_name());
            match create(&path) {
                Ok(handle) => {
                    // Best effort: a file system without locks still has the PID to go by.
                    let _ = handle.try_lock();
                    return Ok(Scratch {
                        path,
                        handle,
                        armed: true,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Where the temporary is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, open for reading and writing (for a folder: the folder, open for
    /// reading).
    pub fn file(&self) -> &File {
        &self.handle
    }

    /// Renames the temporary to `dest` as `rename(2)` does: replacing a file, or an empty
    /// folder, and failing on a folder that is not empty.
    pub fn rename_to(mut self, dest: &Path) -> io::Result<()> {
        fs::rename(&self.path, dest)?;
        self.armed = false;
        Ok(())
    }

    /// Puts the temporary in place at `dest`, keeping what was there to be removed by
    /// [`Placed::finish`] or put back by [`Placed::undo`] (see the module's documentation).
    pub fn place(self, dest: &Path) -> io::Result<Placed> {
        let Ok(meta) = fs::symlink_metadata(dest) else {
            fs::rename(&self.path, dest)?;
            return Ok(self.placed(dest, Old::None));
        };
        if exchange(&self.path, dest)? {
            let old = self.path.clone();
            return Ok(self.placed(dest, Old::Exchanged(old)));
        }
        let folder = parent(dest);
        let aside = folder.join(fresh_name());
        if meta.is_dir() {
            fs::rename(dest, &aside)?;
            if let Err(e) = fs::rename(&self.path, dest) {
                let _ = fs::rename(&aside, dest);
                return Err(e);
            }
            return Ok(self.placed(dest, Old::Aside(aside)));
        }
        let kept = fs::hard_link(dest, &aside).is_ok();
        if let Err(e) = fs::rename(&self.path, dest) {
            if kept {
                let _ = fs::remove_file(&aside);
            }
            return Err(e);
        }
        Ok(self.placed(dest, if kept { Old::Aside(aside) } else { Old::Lost }))
    }

    fn placed(mut self, dest: &Path, old: Old) -> Placed {
        self.armed = false;
        Placed {
            dest: dest.to_owned(),
            old,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.armed {
            remove(&self.path);
        }
    }
}

/// What was at a destination before [`Scratch::place`].
#[derive(Debug)]
enum Old {
    /// Nothing.
    None,
    /// At the temporary's name, by an exchange.
    Exchanged(PathBuf),
    /// At a name of its own, moved (a folder) or linked (a file) aside.
    Aside(PathBuf),
    /// A file replaced where it could be neither exchanged nor linked.
    Lost,
}

/// A temporary put in place by [`Scratch::place`]: [`Placed::finish`] removes what it
/// replaced, [`Placed::undo`] puts that back. Dropping it finishes it.
#[derive(Debug)]
pub struct Placed {
    dest: PathBuf,
    old: Old,
}

impl Placed {
    /// What the destination held before, while it is kept: to check it before removing it.
    pub fn old(&self) -> Option<&Path> {
        match &self.old {
            Old::Exchanged(p) | Old::Aside(p) => Some(p),
            Old::None | Old::Lost => None,
        }
    }

    /// Removes what the destination held before and makes the renames durable.
    pub fn finish(mut self) {
        if let Some(old) = self.old() {
            remove(old);
        }
        self.old = Old::None;
        sync_folder(parent(&self.dest));
    }

    /// Puts back what the destination held before (nothing, if it held nothing); the new
    /// output is removed.
    pub fn undo(mut self) -> io::Result<()> {
        let dest = self.dest.clone();
        match std::mem::replace(&mut self.old, Old::None) {
            Old::None => remove_checked(&dest),
            Old::Exchanged(old) => {
                if !exchange(&old, &dest)? {
                    return Err(io::Error::other("the exchange cannot be undone"));
                }
                remove(&old);
                Ok(())
            }
            Old::Aside(old) => {
                if fs::symlink_metadata(&old).is_ok_and(|m| m.is_dir()) {
                    let new = parent(&dest).join(fresh_name());
                    fs::rename(&dest, &new)?;
                    remove(&new);
                }
                fs::rename(&old, &dest)
            }
            Old::Lost => Err(io::Error::other(format!(
                "the earlier {} could not be kept aside to put back",
                dest.display()
            ))),
        }
    }
}

impl Drop for Placed {
    fn drop(&mut self) {
        if let Some(old) = self.old() {
            remove(old);
        }
    }
}

/// The folder of `path` (`.` for a bare name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Flushes a folder's entries (new names, renames) to disk; best effort.
pub fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// Removes the temporaries in `folder` left by runs that are gone (see the module's
/// documentation), each folder once a process.
fn sweep_once(folder: &Path) {
    static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let key = fs::canonicalize(folder).unwrap_or_else(|_| folder.to_owned());
    let mut swept = SWEPT.lock().unwrap_or_else(|e| e.into_inner());
    if swept.get_or_insert_with(HashSet::new).insert(key) {
        drop(swept);
        sweep(folder);
    }
}

/// Removes the temporaries in `folder` whose process is gone and whose lock nobody holds.
pub fn sweep(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(maker) else {
            continue;
        };
        if pid == me || alive(pid) {
            continue;
        }
        let path = entry.path();
        // A link is nothing we made; never follow one.
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() || m.is_dir()) {
            continue;
        }
        let Ok(handle) = File::open(&path) else {
            continue;
        };
        if handle.try_lock().is_ok() {
            remove(&path);
        }
    }
}

/// The PID in a temporary's name, `.nmf-topics-PID-RANDOM.tmp` (RANDOM: 12 hex digits).
fn maker(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    let digits = |s: &str, base: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(base));
    if !digits(pid, 10) || random.len() != 12 || !digits(random, 16) {
        return None;
    }
    pid.parse().ok()
}

fn fresh_name() -> String {
    let random = rand::random::<u64>() & 0xffff_ffff_ffff;
    format!("{PREFIX}{}-{random:012x}{SUFFIX}", std::process::id())
}

/// Whether a process `pid` exists (one of another user counts).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{test_kill_process, Pid};
        match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            Some(pid) => test_kill_process(pid) != Err(rustix::io::Errno::SRCH),
            None => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Exchanges `a` and `b` atomically; `Ok(false)` where the system or file system cannot.
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Removes a file or a folder and everything in it, never following a link; best effort.
fn remove(path: &Path) {
    let _ = remove_checked(path);
}

fn remove_checked(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_names_give_a_maker() {
        assert_eq!(maker(".nmf-topics-4242-0123456789ab.tmp"), Some(4242));
        for other in [
            ".nmf-topics-4242-0123456789ab.tmp.old",
            ".nmf-topics-model-0123456789ab.tmp",
            ".nmf-topics-4242-0123456789a.tmp",
            ".nmf-topics-4242-0123456789xy.tmp",
            ".nmf-topics-Ab3xY9.tmp",
            "nmf-topics-4242-0123456789ab.tmp",
            ".nmf-topics--0123456789ab.tmp",
        ] {
            assert_eq!(maker(other), None, "{other}");
        }
        assert_eq!(maker(&fresh_name()), Some(std::process::id()));
    }
}
