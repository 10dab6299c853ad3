//! Writing outputs: standard output, or a file written whole or not at all.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nmf_topics::Report;

/// A file to write, or `-` for standard output.
#[derive(Debug, Clone)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    /// `-`, or a name of this process's standard output (written through its own descriptor,
    /// so that what else goes there follows rather than overwrites it).
    pub fn parse(arg: &str) -> Destination {
        if matches!(arg, "-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1") {
            Destination::Stdout
        } else {
            Destination::File(PathBuf::from(arg))
        }
    }
}

/// Checks that the folder of every output file exists, before any work is done.
pub fn check_writable(destinations: &[&Destination]) -> Result<()> {
    for d in destinations {
        if let Destination::File(path) = d {
            let dir = parent(&rename_target(path).unwrap_or_else(|| path.clone()));
            anyhow::ensure!(
                dir.is_dir(),
                "cannot write {}: the folder {} does not exist",
                path.display(),
                dir.display()
            );
            anyhow::ensure!(
                !path.is_dir(),
                "cannot write {}: it is a folder",
                path.display()
            );
        }
    }
    Ok(())
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Runs `write` into the destination. A file is written under a temporary name in the same
/// folder and renamed when complete, so a failure leaves no partial file.
pub fn write_to(
    dest: &Destination,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match dest {
        Destination::Stdout => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out).context("cannot write to standard output")?;
            out.flush().context("cannot write to standard output")
        }
        Destination::File(path) => write_file(path, write),
    }
}

/// Writes the report as JSON to `json` when given, and as text to standard output unless the
/// JSON went there.
pub fn write_report(report: &Report, json: Option<&Destination>) -> Result<()> {
    if let Some(dest) = json {
        write_to(dest, |out| report.write_json(out))?;
    }
    if !matches!(json, Some(Destination::Stdout)) {
        write_to(&Destination::Stdout, |out| report.write_terminal(out))?;
    }
    Ok(())
}

/// Writes `path` whole or not at all: see [`Pending`].
pub fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    prepare(path, write)?.commit()
}

/// An output written in full and not yet in place: a temporary file in the folder of its
/// destination, renamed over it by [`Pending::commit`] and removed if dropped, so a failure
/// leaves neither a partial file nor a changed old one.
///
/// A destination that is not a regular file (`/dev/null`, a pipe, a terminal) or is another
/// name of one of this process's open files is written directly: renaming over it would
/// replace the device or pipe with a file, or leave the open file behind.
pub enum Pending {
    Renamed {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
    Written,
}

impl Pending {
    /// Puts the output in place.
    pub fn commit(self) -> Result<()> {
        match self {
            Pending::Renamed { tmp, path } => tmp
                .persist(&path)
                .map(drop)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display())),
            Pending::Written => Ok(()),
        }
    }
}

/// Writes the output for `path` under a temporary name (directly for a destination that is
/// not a regular file); nothing is at `path` until [`Pending::commit`].
pub fn prepare(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Pending> {
    let cannot = || format!("cannot write {}", path.display());
    let Some(path) = rename_target(path) else {
        let file = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .with_context(cannot)?;
        let mut out = BufWriter::new(file);
        write(&mut out).with_context(cannot)?;
        out.flush().with_context(cannot)?;
        return Ok(Pending::Written);
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nmf-topics-").suffix(".tmp");
    // Temporary files are private by default; an output file gets the usual mode (umask applies).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(parent(&path)).with_context(cannot)?;
    let mut out = BufWriter::new(tmp);
    write(&mut out).with_context(cannot)?;
    let tmp = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(cannot)?;
    tmp.as_file().sync_all().with_context(cannot)?;
    Ok(Pending::Renamed { tmp, path })
}

/// The path to rename a finished output onto: `path` itself, or the file a link names, so
/// that the link stays; `None` for what must be written in place (a device, a pipe, one of
/// this process's open files such as `/dev/stdout`).
fn rename_target(path: &Path) -> Option<PathBuf> {
    // `/dev/stdout`, `/dev/fd/N`: an open file of this process, whatever it is, is written
    // through; renaming onto the file it names would leave the open one behind.
    let in_proc = |p: &Path| p.starts_with("/proc");
    if fs::read_link(path).is_ok_and(|t| in_proc(&t))
        || fs::canonicalize(parent(path)).is_ok_and(|d| in_proc(&d))
    {
        return None;
    }
    let Ok(meta) = fs::metadata(path) else {
        // Nothing there yet, or a link to a file still to be made: make the file it names.
        return Some(match fs::read_link(path) {
            Ok(target) => parent(path).join(target),
            Err(_) => path.to_owned(),
        });
    };
    if !meta.is_file() {
        return None;
    }
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Some(path.to_owned());
    }
    fs::canonicalize(path).ok()
}

/// `NAME.mtx` → `NAME.<suffix>`, beside it.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".mtx").unwrap_or(&name);
    path.with_file_name(format!("{stem}.{suffix}"))
}
