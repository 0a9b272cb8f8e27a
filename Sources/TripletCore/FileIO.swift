import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and atomic writes with errors that name the file.
package enum FileIO {
    /// The bytes of the file at `url`; throws `TripletError.corruptFile` when it is missing, unreadable, a
    /// folder or a device.
    package static func readBytes(_ url: URL) throws -> [UInt8] {
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TripletError.corruptFile(path: path, reason: reason(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TripletError.corruptFile(path: path, reason: reason(errno)) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw TripletError.corruptFile(path: path, reason: "is a folder, not a file")
        }
        // A character device (/dev/zero, /dev/urandom) never ends: reading it would fill the memory. A pipe
        // (`<(gunzip -c x.csv.gz)`) ends, and is read.
        guard (info.st_mode & S_IFMT) != S_IFCHR else {
            throw TripletError.corruptFile(path: path, reason: "is a device, not a file")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(info.st_size))
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TripletError.corruptFile(path: path, reason: reason(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    /// Writes `bytes` to a temporary file beside `url`, flushes it, then renames it over `url`, so that a
    /// reader never sees a half-written file. Throws `TripletError.invalidParameter` naming the path.
    package static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ step: String, _ code: Int32) -> TripletError {
            .invalidParameter(
                name: "output file", value: path,
                expected: "a writable path in an existing folder (\(step) failed: \(String(cString: strerror(code))))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure("creating \(temporary)", errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw failure("writing", code)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw failure("flushing", code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure("renaming", code)
        }
    }

    /// A short phrase for a failed open or read.
    private static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "is a folder, not a file"
        default: return String(cString: strerror(code))
        }
    }
}
