//! Reading an input file safely: [`read_limited`] refuses what is not a regular file (a named
//! pipe would block, a device or a runaway file would not end) and what is larger than a limit.
//! Used for scenario files and for trace files.
//!
//! May call: the standard library and `crate::units` (for messages) only.

use std::path::Path;

/// Read a regular file of at most `limit` bytes: a device, a folder, a named pipe or a runaway
/// file is an error, not a hang.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read};
    // The type first, from the path (following symlinks), before `open`: opening a named pipe
    // for reading blocks until something writes to it (POSIX open(2), O_RDONLY without
    // O_NONBLOCK: https://pubs.opengroup.org/onlinepubs/9799919799/functions/open.html).
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(Error::other(format!("not a regular file but {}", file_kind(kind))));
    }
    // A path swapped for a pipe between the two looks must not hang `open` either: O_NONBLOCK
    // (it does not change reads of a regular file).
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::other(format!("not a regular file but {}", file_kind(meta.file_type()))));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::other(format!("larger than {}", crate::units::format_bytes(limit))));
    }
    Ok(bytes)
}

/// What a path that is not a regular file is, for messages.
fn file_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        } else if kind.is_socket() {
            return "a socket";
        } else if kind.is_char_device() {
            return "a character device";
        } else if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "something else (neither a file nor a directory)"
    }
}
