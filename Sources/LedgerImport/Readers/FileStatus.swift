// `struct stat` and its members come from the C headers, which Glibc, CoreFoundation
// (re-exported by Foundation) and CDispatch (loaded with any module that imports Dispatch, such
// as LedgerContacts) all carry: whichever module another file of the target imports first
// decides where the compiler looks for the members, so all three are imported here.
import CoreFoundation
import Glibc
#if canImport(CDispatch)
import CDispatch
#endif

/// What `stat(2)` says about a file: its kind, size and identity (device and inode).
struct FileStatus: Equatable {
    /// The kind of file, from `st_mode`.
    enum Kind: Equatable {
        case regular, directory, characterDevice, blockDevice, fifo, socket, symbolicLink, other
    }

    let kind: Kind
    let size: Int64
    let device: UInt64
    let inode: UInt64

    /// The status of the file an open descriptor refers to (`fstat`), nil when it fails (errno set).
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }

    /// The status of the file at `path`: the file it resolves to (`stat`), or the link itself
    /// when `followingLinks` is false (`lstat`); nil when it fails (errno set).
    init?(path: UnsafePointer<CChar>, followingLinks: Bool) {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        self.init(info)
    }

    private init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFCHR: kind = .characterDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int64(info.st_size)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// Whether both describe the same file (the same inode on the same device), as hard and
    /// symbolic links to one file do.
    func isSameFile(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode
    }
}
