//! Reading the files a pack or an import names, safely: the one place that
//! opens them, and the one place that says how large they may be.
//!
//! A pack folder and a question bank are untrusted input. A file is read
//! only when it is a regular file (no FIFO that would block, no device that
//! never ends) and, for a pack, when its real path (links resolved) lies
//! inside the pack folder. Sizes are counted while reading, so a file that
//! grows, or a device or pipe that lies about its length, is still stopped
//! at the cap. A leading byte-order mark is dropped.
//!
//! This module does not parse anything.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::ContentError;

/// Largest document (`document.txt`) accepted. Asking a 50 MB document
/// takes minutes and gigabytes; 10 MB (several long books) still answers
/// in seconds.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Largest other pack file, or imported bank, accepted.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// `bytes` as megabytes for messages ("10 MB").
fn megabytes(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// Why a file was not read: `file: problem`, ready to show.
fn problem(file: &Path, message: impl Into<String>) -> ContentError {
    ContentError::new(file.display().to_string(), None, message)
}

/// Reads the regular file `path` as UTF-8 text of at most `cap` bytes
/// (counted while reading). `Ok(None)` when it does not exist.
pub fn read_text(path: &Path, cap: u64) -> Result<Option<String>, ContentError> {
    match read_bytes(path, cap)? {
        Some(bytes) => decode(path, bytes).map(Some),
        None => Ok(None),
    }
}

/// Reads the regular file `path` as bytes, at most `cap` of them (counted
/// while reading). `Ok(None)` when it does not exist.
pub fn read_bytes(path: &Path, cap: u64) -> Result<Option<Vec<u8>>, ContentError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(problem(path, format!("cannot read it: {error}"))),
    };
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata));
    }
    let file = open_regular(path).map_err(|error| problem(path, error))?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| problem(path, format!("cannot read it: {error}")))?;
    if bytes.len() as u64 > cap {
        return Err(problem(
            path,
            format!(
                "the file is over {} MB, the largest accepted (split it into smaller files)",
                megabytes(cap)
            ),
        ));
    }
    Ok(Some(bytes))
}

/// Reads `name`, a path relative to the pack folder `root`, confined to
/// it: the real path of the file (every link resolved) must lie inside the
/// real path of `root`. `Ok(None)` when it does not exist.
pub fn read_in_pack(root: &Path, name: &str, cap: u64) -> Result<Option<String>, ContentError> {
    let path = root.join(name);
    match std::fs::symlink_metadata(&path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(problem(&path, format!("cannot read it: {error}"))),
        Ok(_) => {}
    }
    let inside = confined(root, &path)?;
    read_text(&inside, cap).map_err(|error| ContentError {
        file: path.display().to_string(),
        ..error
    })
}

/// The real path of `path`, when it lies inside the real path of `root`.
pub fn confined(root: &Path, path: &Path) -> Result<PathBuf, ContentError> {
    let outside = || {
        problem(
            path,
            "is outside the pack folder (a pack may only name files inside its own folder)",
        )
    };
    let root = root
        .canonicalize()
        .map_err(|error| problem(root, format!("cannot read the pack folder: {error}")))?;
    let real = match path.canonicalize() {
        Ok(real) => real,
        // A link to nowhere: where it points is what matters.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(outside()),
        Err(error) => return Err(problem(path, format!("cannot read it: {error}"))),
    };
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(outside())
    }
}

fn not_regular(path: &Path, metadata: &std::fs::Metadata) -> ContentError {
    let what = if metadata.is_dir() {
        "a folder"
    } else {
        "not a regular file (a pipe, device or socket)"
    };
    problem(path, format!("is {what}; only plain text files are read"))
}

/// Opens `path` for reading without blocking on a FIFO swapped in after the
/// check, and checks again, on the open file, that it is a regular file.
fn open_regular(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|error| format!("cannot read it: {error}"))?;
    let metadata = file
        .metadata()
        .map_err(|error| format!("cannot read it: {error}"))?;
    if !metadata.is_file() {
        return Err(not_regular(path, &metadata).message);
    }
    Ok(file)
}

/// `bytes` as text without a leading byte-order mark, or an error naming
/// the first line that is not UTF-8.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ContentError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let line = 1 + error.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(ContentError::new(
                path.display().to_string(),
                Some(line),
                "the file is not UTF-8 text (save it as UTF-8)",
            ))
        }
    }
}

/// Strips a leading byte-order mark from text already read.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_refused_and_not_read() {
        let error = read_text(Path::new("/dev/zero"), MAX_FILE_BYTES).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/dev/zero: is not a regular file (a pipe, device or socket); only plain text files are read"
        );
    }

    #[test]
    fn the_size_cap_is_counted_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'a'; 2 * 1024 * 1024 + 1]).unwrap();
        let error = read_text(&path, 2 * 1024 * 1024).unwrap_err().to_string();
        assert!(
            error.ends_with(
                "the file is over 2 MB, the largest accepted (split it into smaller files)"
            ),
            "{error}"
        );
        assert!(read_text(&path, 3 * 1024 * 1024).unwrap().is_some());
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.txt");
        std::fs::write(&path, "\u{feff}Who?").unwrap();
        assert_eq!(read_text(&path, 100).unwrap().as_deref(), Some("Who?"));
    }
}
