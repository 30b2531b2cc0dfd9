import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a whole file through a temporary file in its folder renamed over it, so a crash or a
/// full disk never leaves half a file, and a reader sees the old text or the new one.
enum AtomicFile {
    /// Writes `text` to `path` with permission bits `mode` (set explicitly: the umask must not
    /// loosen or tighten a mode the caller chose to keep).
    static func save(_ text: String, to path: String, mode: mode_t) throws(StateFileError) {
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateFileError(path: temporary, errno: errno) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        var failure = written == bytes.count ? 0 : errno
        if failure == 0, fchmod(descriptor, mode) != 0 { failure = errno }
        close(descriptor)
        guard failure == 0, rename(temporary, path) == 0 else {
            let error = StateFileError(path: path, errno: failure != 0 ? failure : errno)
            unlink(temporary)
            throw error
        }
    }

    /// The permission bits of the file at `path`, nil when there is none.
    static func mode(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o7777
    }
}
