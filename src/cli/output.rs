//! Writing outputs: every output of a command checked, and its temporary file made, before any
//! work; then all written, and put in place together or not at all.

use std::fs;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Context, Result};
use nmf_topics::corpus::reads_from_folder;
use nmf_topics::model::ModelSlot;
use nmf_topics::scratch::{self, Placed, Scratch};
use nmf_topics::SavedModel;

/// A file to write, or `-` for standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Something a command reads, which no output may overwrite.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file.
    File(PathBuf),
    /// A folder of documents: the files in it that the folder reader takes.
    Folder(PathBuf),
    /// A directory read as a whole (a model, a corpus store): everything in it.
    Whole(PathBuf),
}

impl Source {
    /// A path given as input: a folder of documents or a file (`-` is none).
    pub fn input(arg: &str) -> Option<Source> {
        if arg == "-" {
            return None;
        }
        let path = PathBuf::from(arg);
        Some(if path.is_dir() {
            Source::Folder(path)
        } else {
            Source::File(path)
        })
    }

    fn path(&self) -> &Path {
        match self {
            Source::File(p) | Source::Folder(p) | Source::Whole(p) => p,
        }
    }
}

/// Where one reserved output goes.
///
/// Standard output and the outputs written in place cannot be taken back, so they go out only
/// once every file and model is written: streamed then, or held in memory (`held`) until
/// [`Outputs::commit`] when written before the last file.
enum Target {
    /// Standard output.
    Stdout { held: Option<Vec<u8>> },
    /// Not a regular file (a device, a named pipe, `/dev/fd/N`): renaming over it would
    /// replace it with a file, so it is written in place.
    InPlace {
        path: PathBuf,
        held: Option<Vec<u8>>,
    },
    /// A regular file, or a new one: written to a temporary file beside it now, renamed onto
    /// it at [`Outputs::commit`]. `path` is the file a symbolic link names, so the link stays.
    Renamed {
        path: PathBuf,
        scratch: Scratch,
        written: bool,
    },
    /// A model directory, written to a temporary folder beside it.
    Model { slot: ModelSlot, written: bool },
}

struct Slot {
    /// The option that named it, for messages.
    option: &'static str,
    shown: String,
    target: Target,
}

/// An output reserved by [`Outputs::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output(usize);

/// The outputs of one command. Each is checked, and given its temporary file, when it is
/// reserved, before any work: a folder that does not exist or cannot be written, a closed
/// standard output, two outputs onto one file, or an output onto something the command reads
/// fails then. [`Outputs::write`] writes each file to its temporary file, and standard output
/// and pipes once all the files are written (see [`Target`]); [`Outputs::commit`] puts the
/// files in place, and if any fails, puts back what the others replaced. Dropped without a
/// commit, no file is written.
pub struct Outputs {
    sources: Vec<Source>,
    slots: Vec<Slot>,
    /// A pipe closed by its reader (`| head`) while streaming: reported after the commit.
    closed_pipe: Option<anyhow::Error>,
}

impl Outputs {
    /// Outputs that must not overwrite any of `sources`.
    pub fn new(sources: Vec<Source>) -> Outputs {
        Outputs {
            sources,
            slots: Vec::new(),
            closed_pipe: None,
        }
    }

    /// Reserves an output to `dest`, named by `option` in messages.
    pub fn reserve(&mut self, option: &'static str, dest: &Destination) -> Result<Output> {
        let target = match dest {
            Destination::Stdout => {
                check_stdout()?;
                if let Some(other) = self
                    .slots
                    .iter()
                    .find(|s| matches!(s.target, Target::Stdout { .. }))
                {
                    bail!(
                        "{} and {option} would both write to standard output: send one of them to a file",
                        other.option
                    );
                }
                Target::Stdout { held: None }
            }
            Destination::File(path) => self.reserve_file(option, path)?,
        };
        self.push(option, dest_shown(dest), target)
    }

    /// Reserves the JSON report `--json` names, if any (`-`: standard output), and the text
    /// for people, called `text` in messages, on standard output unless the JSON goes there.
    pub fn reserve_report(
        &mut self,
        json: Option<&str>,
        text: &'static str,
    ) -> Result<(Option<Output>, Option<Output>)> {
        let json = json.map(Destination::parse);
        let json_out = json
            .as_ref()
            .map(|dest| self.reserve("--json", dest))
            .transpose()?;
        let text_out = (json != Some(Destination::Stdout))
            .then(|| self.reserve(text, &Destination::Stdout))
            .transpose()?;
        Ok((json_out, text_out))
    }

    /// Reserves `dir` for the model: see [`SavedModel::reserve`].
    pub fn reserve_model(&mut self, option: &'static str, dir: &Path) -> Result<Output> {
        let slot = SavedModel::reserve(dir)?;
        let planned = planned(slot.dir());
        for source in &self.sources {
            let read = source.path();
            let inside = canonical(read).is_some_and(|r| r.starts_with(&planned));
            let around = matches!(source, Source::Whole(_))
                && canonical(read).is_some_and(|r| planned.starts_with(r));
            if inside {
                bail!(
                    "{option} {} would replace the directory that holds the input {}: choose another directory",
                    dir.display(),
                    read.display()
                );
            }
            if around {
                bail!(
                    "{option} {} would write into {}, which this command reads: choose a directory outside it",
                    dir.display(),
                    read.display()
                );
            }
        }
        self.push(
            option,
            dir.display().to_string(),
            Target::Model {
                slot,
                written: false,
            },
        )
    }

    fn push(&mut self, option: &'static str, shown: String, target: Target) -> Result<Output> {
        for other in &self.slots {
            let (model, file) = match (&target, &other.target) {
                (Target::Model { slot, .. }, t) | (t, Target::Model { slot, .. }) => (slot, t),
                _ => continue,
            };
            if let Some(file) = target_key(file).filter(|f| f.starts_with(planned(model.dir()))) {
                bail!(
                    "{} would go into the model directory {}, which is replaced whole: write it elsewhere",
                    file.display(),
                    model.dir().display()
                );
            }
        }
        if let Some(key) = target_key(&target) {
            if let Some(other) = self
                .slots
                .iter()
                .find(|s| target_key(&s.target).as_ref() == Some(&key))
            {
                bail!(
                    "{} and {option} both name {shown}: give each its own",
                    other.option
                );
            }
        }
        self.slots.push(Slot {
            option,
            shown,
            target,
        });
        Ok(Output(self.slots.len() - 1))
    }

    fn reserve_file(&self, option: &'static str, path: &Path) -> Result<Target> {
        let cannot = || format!("cannot write {}", path.display());
        let Some(target) = rename_target(path) else {
            // Written in place: it must be there.
            fs::metadata(path).with_context(cannot)?;
            return Ok(Target::InPlace {
                path: path.to_owned(),
                held: None,
            });
        };
        let folder = scratch::parent(&target);
        anyhow::ensure!(
            folder.is_dir(),
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        );
        anyhow::ensure!(
            !target.is_dir(),
            "cannot write {}: it is a folder",
            path.display()
        );
        if let Some(read) = self.sources.iter().find(|s| overwrites(&target, s)) {
            bail!(
                "{option} {} would {}: choose another name",
                path.display(),
                match read {
                    Source::File(p) => format!("overwrite the input {}", p.display()),
                    Source::Folder(p) =>
                        format!("overwrite a document of the input folder {}", p.display()),
                    Source::Whole(p) =>
                        format!("write into {}, which this command reads", p.display()),
                }
            );
        }
        let scratch = Scratch::file_in(folder).with_context(cannot)?;
        Ok(Target::Renamed {
            path: target,
            scratch,
            written: false,
        })
    }

    /// Writes `output` with `write`: a file to its temporary file; standard output or a pipe
    /// directly once every file is written, into memory until the commit before that.
    pub fn write(
        &mut self,
        output: Output,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let files_pending = self.slots.iter().any(|s| {
            matches!(
                s.target,
                Target::Renamed { written: false, .. } | Target::Model { written: false, .. }
            )
        });
        let slot = &mut self.slots[output.0];
        let cannot = format!("cannot write {}", slot.shown);
        let streamed = match &mut slot.target {
            Target::Stdout { held } | Target::InPlace { held, .. } if files_pending => {
                let text = held.insert(Vec::new());
                return write(text).context(cannot);
            }
            Target::Stdout { .. } => write_stdout(write),
            Target::InPlace { path, .. } => write_in_place(path, write),
            Target::Renamed {
                scratch, written, ..
            } => {
                let mut file = scratch.file();
                file.set_len(0).context(cannot.clone())?;
                file.seek(io::SeekFrom::Start(0)).context(cannot.clone())?;
                let mut out = BufWriter::new(file);
                write(&mut out).context(cannot.clone())?;
                out.flush().context(cannot.clone())?;
                drop(out);
                file.sync_all().context(cannot)?;
                *written = true;
                return Ok(());
            }
            Target::Model { .. } => bail!("{cannot}: it is a model directory"),
        };
        match streamed {
            Err(e) if is_broken_pipe(&e) => {
                self.closed_pipe = Some(e);
                Ok(())
            }
            other => other,
        }
    }

    /// Writes the model to the directory reserved by [`Outputs::reserve_model`].
    pub fn write_model(&mut self, output: Output, saved: &SavedModel) -> Result<()> {
        match &mut self.slots[output.0].target {
            Target::Model { slot, written } => {
                slot.write(saved)?;
                *written = true;
                Ok(())
            }
            _ => bail!("cannot write a model to {}", self.slots[output.0].shown),
        }
    }

    /// Puts every written output in place: first what is held for standard output and the
    /// outputs written in place (a failure there, other than a closed pipe, leaves the files
    /// unwritten), then
    /// the files and the model, each renamed over its destination; if one fails, those before
    /// it are put back. A closed pipe (`| head`) is reported after the files are in place.
    pub fn commit(self) -> Result<()> {
        let mut closed_pipe = self.closed_pipe;
        let mut renames = Vec::new();
        for slot in self.slots {
            let shown = slot.shown;
            let held = |text: Vec<u8>| move |out: &mut dyn Write| out.write_all(&text);
            let result = match slot.target {
                Target::Stdout { held: None } | Target::InPlace { held: None, .. } => Ok(()),
                Target::Stdout { held: Some(text) } => write_stdout(held(text)),
                Target::InPlace {
                    path,
                    held: Some(text),
                } => write_in_place(&path, held(text)),
                Target::Renamed { written: false, .. } | Target::Model { written: false, .. } => {
                    Ok(())
                }
                renamed => {
                    renames.push((shown, renamed));
                    Ok(())
                }
            };
            match result {
                Err(e) if is_broken_pipe(&e) => closed_pipe = Some(e),
                other => other?,
            }
        }
        let mut placed: Vec<Placed> = Vec::with_capacity(renames.len());
        for (shown, target) in renames {
            let result = match target {
                Target::Renamed { path, scratch, .. } => scratch
                    .place(&path)
                    .with_context(|| format!("cannot write {shown}")),
                Target::Model { slot, .. } => slot.place().map_err(anyhow::Error::from),
                _ => unreachable!("only files and models are renamed"),
            };
            match result {
                Ok(p) => placed.push(p),
                Err(e) => {
                    let mut e = e;
                    for p in placed.into_iter().rev() {
                        if let Err(undo) = p.undo() {
                            e = e.context(format!(
                                "and an earlier output could not be put back ({undo})"
                            ));
                        }
                    }
                    return Err(e);
                }
            }
        }
        for p in placed {
            p.finish();
        }
        match closed_pipe {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn dest_shown(dest: &Destination) -> String {
    match dest {
        Destination::Stdout => "standard output".into(),
        Destination::File(p) => p.display().to_string(),
    }
}

/// What makes two reserved outputs the same destination.
fn target_key(target: &Target) -> Option<PathBuf> {
    match target {
        Target::Stdout { .. } => None,
        Target::InPlace { path, .. } | Target::Renamed { path, .. } => Some(planned(path)),
        Target::Model { slot, .. } => Some(planned(slot.dir())),
    }
}

/// Whether writing the file `target` would overwrite something `source` names.
fn overwrites(target: &Path, source: &Source) -> bool {
    match source {
        Source::File(read) => same_file(target, read),
        Source::Folder(folder) => {
            target.is_file()
                && reads_from_folder(target)
                && canonical(folder).is_some_and(|f| planned(target).starts_with(f))
        }
        Source::Whole(dir) => canonical(dir).is_some_and(|d| planned(target).starts_with(d)),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        canonical(a).is_some_and(|a| canonical(b) == Some(a))
    }
}

fn canonical(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// The canonical path of `path`, or, when it does not exist yet, of its folder joined to its
/// name.
fn planned(path: &Path) -> PathBuf {
    canonical(path).unwrap_or_else(|| {
        let folder =
            canonical(scratch::parent(path)).unwrap_or_else(|| scratch::parent(path).into());
        match path.file_name() {
            Some(name) => folder.join(name),
            None => folder,
        }
    })
}

/// Standard output was closed when the process started (`nmf-topics … >&-`). The Rust runtime
/// then opens `/dev/null` in its place, which cannot be told from a `/dev/null` given on
/// purpose, so the descriptor is looked at before the runtime starts.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    // SAFETY: F_GETFD only asks whether descriptor 1 is open; it changes nothing.
    let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
    STDOUT_CLOSED.store(closed, Ordering::Relaxed);
}

/// Fails when standard output was closed: what is written there would be lost.
pub fn check_stdout() -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Err(io::Error::from_raw_os_error(libc::EBADF)).context(
            "cannot write to standard output: it is closed (send it to /dev/null to discard it)",
        );
    }
    Ok(())
}

fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let cannot = "cannot write to standard output";
    check_stdout()?;
    let mut out = BufWriter::new(io::stdout().lock());
    write(&mut out).context(cannot)?;
    out.flush().context(cannot)
}

fn write_in_place(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let cannot = || format!("cannot write {}", path.display());
    let file = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .with_context(cannot)?;
    let mut out = BufWriter::new(file);
    write(&mut out).with_context(cannot)?;
    out.flush().with_context(cannot)
}

/// `nmf-topics fit … | head` closes the pipe early: not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The path to rename a finished output onto: `path` itself, or the file a link names, so
/// that the link stays; `None` for what must be written in place (a device, a pipe, one of
/// this process's open files such as `/dev/stdout`).
fn rename_target(path: &Path) -> Option<PathBuf> {
    // `/dev/stdout`, `/dev/fd/N`: an open file of this process, whatever it is, is written
    // through; renaming onto the file it names would leave the open one behind.
    let in_proc = |p: &Path| p.starts_with("/proc");
    if fs::read_link(path).is_ok_and(|t| in_proc(&t))
        || fs::canonicalize(scratch::parent(path)).is_ok_and(|d| in_proc(&d))
    {
        return None;
    }
    let Ok(meta) = fs::metadata(path) else {
        // Nothing there yet, or a link to a file still to be made: make the file it names.
        return Some(match fs::read_link(path) {
            Ok(target) => scratch::parent(path).join(target),
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
