import CLantern

/// A failed journal operation, with SQLite's own message: `journal /var/lib/lantern/journal.db: open:
/// unable to open database file (SQLITE_CANTOPEN 14); check that the state dir exists and is writable`.
public struct JournalError: Error, Equatable, CustomStringConvertible {
    public var path: String
    /// What the journal was doing: "open", "append", "mark delivered", ...
    public var operation: String
    /// SQLite's result code (extended).
    public var code: Int32
    /// SQLite's message (`sqlite3_errmsg`).
    public var message: String

    public init(path: String, operation: String, code: Int32, message: String) {
        self.path = path
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// The disk (or the file system's quota) is full: retrying later can succeed.
    public var isFull: Bool { code & 0xFF == SQLITE_FULL }

    /// The file is not a healthy journal: only setting it aside helps.
    public var isDamage: Bool { code & 0xFF == SQLITE_CORRUPT || code & 0xFF == SQLITE_NOTADB }

    public var description: String {
        var text = "journal \(path): \(operation): \(message) (SQLite code \(code))"
        switch code & 0xFF {
        case SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM:
            text += "; check that the state dir exists and is writable"
        case SQLITE_FULL:
            text += "; the disk is full: free space, or lower journal.maxIntervals in the site file"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            text += "; the file is not a healthy Lantern journal: move it aside to start a new one"
        case SQLITE_BUSY, SQLITE_LOCKED:
            text += "; another process holds the journal (is a second lanternd running?)"
        default: break
        }
        return text
    }
}
