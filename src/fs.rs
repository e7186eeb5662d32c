//! The one way pyq writes files: atomically, so a failure never leaves a
//! half-written file where a good one was.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// flushed to disk and renamed into place. An existing file keeps its
/// permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let wrap = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = temp_file_in(dir).map_err(wrap)?;
    tmp.write_all(bytes).map_err(wrap)?;
    persist_atomic(tmp, path)
}

/// Puts `tmp`, a temporary file of pyq's in `path`'s folder
/// ([`temp_file_in`]) holding the new content, in place of `path`: with
/// the existing file's permissions, flushed to disk, renamed into place.
pub fn persist_atomic(tmp: tempfile::NamedTempFile, path: &Path) -> Result<(), Error> {
    let wrap = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    match fs::metadata(path) {
        Ok(meta) => tmp
            .as_file()
            .set_permissions(meta.permissions())
            .map_err(wrap)?,
        Err(_) => set_new_file_permissions(tmp.as_file()).map_err(wrap)?,
    }
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}

/// A temporary file of pyq's in `dir`: `.pyq-XXXXXX.tmp`, removed when
/// dropped; one left by a killed run is removed by the next
/// ([`remove_stale_temp_files`]).
pub fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
}

const TEMP_PREFIX: &str = ".pyq-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes `.pyq-*.tmp` files that a run killed before it could clean up
/// left in `dir` (another pyq writing to the same folder at the same moment
/// would then fail cleanly, never leave a half-written file).
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_temp_file_name(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a file name is one of [`temp_file_in`]'s.
pub fn is_temp_file_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// A new file is readable by everyone, like one a text editor would create
/// (the temporary file starts as owner-only).
#[cfg(unix)]
fn set_new_file_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_permissions(_: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_readable_and_existing_ones_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"one").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn stale_temp_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let stale = temp_file_in(dir.path())
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        fs::write(dir.path().join("keep.tmp"), b"x").unwrap();
        fs::write(dir.path().join(".pyq-notes.txt"), b"x").unwrap();
        remove_stale_temp_files(dir.path());
        assert!(!stale.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/a.txt");
        let err = write_atomic(&path, b"x").unwrap_err();
        assert!(err.to_string().contains("a.txt"));
    }
}
