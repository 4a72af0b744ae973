import LanternAgent
import LanternCore
import LanternSystem

/// `<state-dir>/next-seq`: the record numbering's high-water mark, kept outside the journal so that
/// losing the journal (deleted, emptied, a WAL truncated or damaged) cannot lose it.
///
/// One line, `NEXT [UNDELIVERED]`: the next record number, and with a journal the first record not yet
/// acknowledged by the broker (everything below it was delivered). A new journal, or one that went
/// back, starts at `NEXT`; the records from `max(journal's next, UNDELIVERED)` to `NEXT - 1` were
/// journaled, not delivered and are gone: that count is the loss reported.
///
/// Written in place (`pwrite` at offset 0 of a file created at start, then `fsync`), never by a
/// temporary file and rename: rewriting the same few bytes needs no new disk block, so the mark keeps
/// up when the disk is full. Mode 0600. Runs without a journal write `NEXT` alone (the old format).
public final class SequenceFile {
    public struct Mark: Equatable {
        public var next: Int64
        /// The first record not acknowledged by the broker (nil: no journal kept these numbers).
        public var firstUndelivered: Int64?

        public init(next: Int64, firstUndelivered: Int64? = nil) {
            self.next = next
            self.firstUndelivered = firstUndelivered
        }
    }

    /// Fixed line width: the mark is rewritten in place, always the same number of bytes.
    static let width = 42
    public let path: String
    private var descriptor: FileDescriptor?
    public private(set) var saved: Mark?

    public init(directory: String) {
        path = directory + "/next-seq"
    }

    deinit { _ = try? descriptor?.close() }

    /// The mark saved, or nil when there is no file yet.
    public func load() throws(Failure) -> Mark? {
        var bytes: [UInt8]
        do throws(Errno) {
            bytes = try FileContents.read(path, limit: 256)
        } catch {
            if error == .noSuchFileOrDirectory { return nil }
            throw Failure("\(path): cannot read: \(error); check --state-dir is a writable directory", code: .ioError)
        }
        while let last = bytes.last, last == 0x0A || last == 0x20 { bytes.removeLast() }
        let fields = bytes.split(separator: 0x20)
        guard fields.count == 1 || fields.count == 2, let next = DecimalText.integer(Array(fields[0])), next >= 1 else {
            throw Failure("\(path): not a record number; delete it to start again from 1", code: .dataError)
        }
        var mark = Mark(next: next)
        if fields.count == 2 {
            guard let first = DecimalText.integer(Array(fields[1])), first >= 1 else {
                throw Failure("\(path): not a record number; delete it to start again from 1", code: .dataError)
            }
            mark.firstUndelivered = first
        }
        saved = mark
        return mark
    }

    /// Writes `mark` in place and syncs it. The file is created (0600) on the first call; the caller
    /// makes that call at start, while there is room for one block.
    public func save(_ mark: Mark) throws(Errno) {
        if descriptor == nil {
            let fd = try FileDescriptor.open(path, .readWrite, options: [.create, .closeOnExec], permissions: 0o600)
            // Narrows an older 0644 file; once confined, seccomp refuses every chmod (EPERM), and the
            // file was created 0600 at start anyway.
            _ = try? fd.setPermissions(0o600)
            descriptor = fd
        }
        guard let fd = descriptor else { return }
        var line = "\(mark.next)"
        if let first = mark.firstUndelivered { line += " \(first)" }
        var bytes = Array(line.utf8)
        while bytes.count < SequenceFile.width - 1 { bytes.append(0x20) }
        bytes.append(0x0A)
        try fd.seek(offset: 0, from: .start)
        try fd.writeAll(bytes)
        try fd.sync()
        saved = mark
    }
}
