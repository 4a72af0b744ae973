import CLantern
import LanternCore
import LanternSystem

/// The durable queue between counting and sending: every interval record is written here, in SQLite,
/// before it is published, and marked delivered only when the broker acknowledges it (PUBACK).
///
/// Durability: WAL mode with `synchronous=FULL`, so every committed `append` is on stable storage
/// (the WAL is fsynced at each commit) and survives SIGKILL *and* power loss. `NORMAL` would survive a
/// killed process but could roll back the last commits on power loss, losing intervals; the cost of
/// FULL is one fsync per record (a few per minute per zone), which is nothing on a board.
///
/// Sequence numbers come from `meta.next_seq`, advanced in the same transaction as the insert, so
/// they continue across restarts and are never reused even after rows are pruned or dropped.
///
/// Bounded: at most `maxRecords` rows. Appending beyond that deletes delivered rows first (oldest
/// first), then the oldest undelivered ones, counting those in `meta.dropped` (reported by health).
///
/// Checked on open (`PRAGMA quick_check`): a damaged file is refused with `SQLITE_CORRUPT`, and
/// `openRecovering` sets it aside under a timestamped name and starts a new one. Created 0600 (the
/// WAL and shared-memory files take the main file's mode).
///
/// Other sinks (SensorThings) keep what they still owe per record in `sink_pending`: one row per item
/// (an Observation) with its body, written in the record's own transaction and deleted when the sink
/// delivered it; and the ids their server assigned in `sink_ids`. A record counts as undelivered while
/// the broker has not acknowledged it *or* a sink still owes an item of it.
///
/// Single-threaded: one `Journal` per file, used from the agent's one loop.
public final class Journal {
    /// What `openRecovering` found: the damaged journal set aside, and why.
    public struct Recovery: Equatable {
        /// Where the damaged file now is (`journal.sqlite.damaged-20261129T184500Z`).
        public var setAsideAs: String
        /// SQLite's reason, one line.
        public var reason: String
    }

    public struct Entry: Equatable {
        public var seq: Int64
        public var device: String
        /// nil for the whole view.
        public var zone: String?
        /// The Lantern JSON line, exactly as it was first encoded: a resend is byte-identical.
        public var payload: String
        /// Seconds since the epoch when it was journaled.
        public var created: Int64
    }

    /// One item a sink owes for a record, written with it: `target` names where it goes (a
    /// SensorThings Datastream's name), `payload` is sent as is (a resend is byte-identical).
    public struct SinkItem: Equatable {
        public var part: Int
        public var target: String
        public var payload: String

        public init(part: Int, target: String, payload: String) {
            self.part = part
            self.target = target
            self.payload = payload
        }
    }

    /// An item a sink still owes, oldest record first.
    public struct SinkEntry: Equatable {
        public var seq: Int64
        public var item: SinkItem
    }

    public let path: String
    public let maxRecords: Int
    /// Whether new records wait for a broker's acknowledgement (`markDelivered`): false when no MQTT
    /// broker is configured, so only the sinks' items keep a record undelivered.
    public var recordsAwaitAcknowledgement = true
    private var db: OpaquePointer?
    private var insertStatement: OpaquePointer?
    private var deliveredStatement: OpaquePointer?
    private var pendingStatement: OpaquePointer?
    private var sinkInsertStatement: OpaquePointer?
    /// The sink tables exist (`enableSinks`). A journal no sink ever used has none: its file is laid
    /// out exactly as before sinks existed.
    public private(set) var hasSinks = false

    /// Opens (creating if needed) the journal at `path`. `Journal.inMemory` (SQLite's `:memory:`) keeps
    /// it in memory, without a file: the fleet simulator's ten thousand journals, not a board's.
    public init(path: String, maxRecords: Int = 100_000) throws(JournalError) {
        precondition(maxRecords >= 1, "Journal: maxRecords must be >= 1")
        self.path = path
        self.maxRecords = maxRecords
        // Created (or narrowed) to 0600 before SQLite opens it: the records are the device's data.
        if path != Journal.inMemory, let fd = try? FileDescriptor.open(path, .readWrite, options: [.create, .closeOnExec], permissions: 0o600) {
            try? fd.setPermissions(0o600)
            try? fd.close()
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        db = handle
        if rc != SQLITE_OK {
            let error = JournalError(path: path, operation: "open", code: rc, message: Journal.message(handle, rc))
            sqlite3_close(handle)
            db = nil
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        // Short: a lock held by another process (a second lanternd) must not stall the frame loop;
        // the record is held in memory and retried instead.
        sqlite3_busy_timeout(handle, 100)
        do throws(JournalError) {
            try execute("PRAGMA journal_mode=WAL", "open")
            try execute("PRAGMA synchronous=FULL", "open")
            // A small WAL: checkpointed every 32 pages (128 KB) and truncated back to 64 KB after, so
            // a state partition of a few MB is not filled by the WAL itself (its default, 1,000 pages,
            // is 4 MB, and a WAL that fills the disk cannot be checkpointed into the main file).
            try execute("PRAGMA wal_autocheckpoint=32", "open")
            try execute("PRAGMA journal_size_limit=65536", "open")
            try execute(
                """
                CREATE TABLE IF NOT EXISTS records (
                    seq INTEGER PRIMARY KEY,
                    device TEXT NOT NULL,
                    zone TEXT,
                    payload TEXT NOT NULL,
                    created INTEGER NOT NULL,
                    delivered INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX IF NOT EXISTS records_undelivered ON records(delivered, seq);
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT OR IGNORE INTO meta(key, value) VALUES ('next_seq', 1), ('dropped', 0);
                """, "create tables")
            try checkIntegrity()
            insertStatement = try prepare(
                "INSERT INTO records(seq, device, zone, payload, created, delivered) VALUES (?, ?, ?, ?, ?, ?)", "open")
            if try scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sink_pending'", "open") > 0 {
                try enableSinks()
            }
            deliveredStatement = try prepare("UPDATE records SET delivered = 1 WHERE seq = ?", "open")
            pendingStatement = try prepare(
                "SELECT seq, device, zone, payload, created FROM records WHERE delivered = 0 AND seq > ? ORDER BY seq LIMIT ?",
                "open")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// The path of a journal held in memory (no file, no descriptor).
    public static let inMemory = ":memory:"

    /// Opens the journal at `path`; when it is damaged (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, a failed
    /// integrity check), renames it and its WAL and shared-memory files to
    /// `<path>.damaged-<UTC time>` and opens a new one. Other failures (permissions, a missing
    /// directory, a full disk) are thrown: moving the file would not help.
    public static func openRecovering(
        path: String, maxRecords: Int = 100_000, nowMicros: Int64 = SystemClock.realtimeMicros
    ) throws(JournalError) -> (journal: Journal, recovery: Recovery?) {
        do throws(JournalError) {
            return (try Journal(path: path, maxRecords: maxRecords), nil)
        } catch {
            guard error.isDamage else { throw error }
            let stamp = UTCTime(secondsSinceEpoch: nowMicros / 1_000_000).iso8601.utf8.filter {
                $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: ":")
            }
            let aside = path + ".damaged-" + String(decoding: stamp, as: UTF8.self)
            for suffix in ["", "-wal", "-shm"] {
                let failed = (path + suffix).withCString { from in (aside + suffix).withCString { to in lantern_rename(from, to) } }
                if failed != 0 && suffix.isEmpty {
                    throw JournalError(path: path, operation: "set aside as \(aside)", code: SQLITE_CANTOPEN,
                                       message: "rename: \(Errno.current)")
                }
            }
            try? FileContents.syncDirectory(containing: path)
            let fresh = try Journal(path: path, maxRecords: maxRecords)
            var reason = error.message
            if reason.utf8.count > 120 { reason = String(reason.prefix(120)) }
            return (fresh, Recovery(setAsideAs: aside, reason: reason))
        }
    }

    /// Closes the database; further calls trap. (Also done by deinit.)
    public func close() {
        sqlite3_finalize(insertStatement)
        sqlite3_finalize(deliveredStatement)
        sqlite3_finalize(pendingStatement)
        sqlite3_finalize(sinkInsertStatement)
        sinkInsertStatement = nil
        insertStatement = nil
        deliveredStatement = nil
        pendingStatement = nil
        if let db { sqlite3_close(db) }
        db = nil
    }

    /// Allocates the next sequence number, asks `payload` for the record's text with it, and commits
    /// both in one transaction. Returns the new entry's seq. When it returns, the record is durable.
    ///
    /// A full disk (`SQLITE_FULL`) is first answered by checkpointing the WAL into the main file and
    /// truncating it, then one more try: the WAL only shrinks at a checkpoint, and its automatic one
    /// (at 1,000 pages, 4 MB) never comes on a state partition smaller than that.
    @discardableResult
    public func append(device: String, zone: String?, payload: (Int64) -> String) throws(JournalError) -> Int64 {
        try append(device: device, zone: zone) { seq in (payload(seq), []) }
    }

    /// `append`, with what each sink owes for the record (`sinks(seq)`: sink name and items), in the
    /// same transaction: a record and its Observations are durable together or not at all.
    @discardableResult
    public func append(
        device: String, zone: String?, payload: (Int64) -> String, sinks: (Int64) -> [(sink: String, items: [SinkItem])]
    ) throws(JournalError) -> Int64 {
        try append(device: device, zone: zone) { seq in
            let text = payload(seq)
            return (text, sinks(seq))
        }
    }

    private func append(
        device: String, zone: String?, encode: (Int64) -> (String, [(sink: String, items: [SinkItem])])
    ) throws(JournalError) -> Int64 {
        do throws(JournalError) {
            return try appendOnce(device: device, zone: zone, encode: encode)
        } catch {
            guard error.isFull else { throw error }
            _ = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil)
            return try appendOnce(device: device, zone: zone, encode: encode)
        }
    }

    private func appendOnce(
        device: String, zone: String?, encode: (Int64) -> (String, [(sink: String, items: [SinkItem])])
    ) throws(JournalError) -> Int64 {
        try execute("BEGIN IMMEDIATE", "append")
        do throws(JournalError) {
            let seq = try metaValue("next_seq", "append")
            let statement = insertStatement!
            sqlite3_reset(statement)
            sqlite3_bind_int64(statement, 1, seq)
            bind(device, at: 2, statement)
            if let zone { bind(zone, at: 3, statement) } else { sqlite3_bind_null(statement, 3) }
            let (text, owed) = encode(seq)
            bind(text, at: 4, statement)
            sqlite3_bind_int64(statement, 5, SystemClock.realtimeMicros / 1_000_000)
            sqlite3_bind_int64(statement, 6, recordsAwaitAcknowledgement ? 0 : 1)
            try step(statement, "append")
            if !owed.allSatisfy({ $0.items.isEmpty }) && sinkInsertStatement == nil {
                throw JournalError(path: path, operation: "append", code: SQLITE_MISUSE, message: "sink items without enableSinks()")
            }
            for (sink, items) in owed where !items.isEmpty {
                let sinkStatement = sinkInsertStatement!
                for item in items {
                    sqlite3_reset(sinkStatement)
                    bind(sink, at: 1, sinkStatement)
                    sqlite3_bind_int64(sinkStatement, 2, seq)
                    sqlite3_bind_int64(sinkStatement, 3, Int64(item.part))
                    bind(item.target, at: 4, sinkStatement)
                    bind(item.payload, at: 5, sinkStatement)
                    try step(sinkStatement, "append")
                }
            }
            try execute("UPDATE meta SET value = \(seq + 1) WHERE key = 'next_seq'", "append")
            try prune()
            try execute("COMMIT", "append")
            return seq
        } catch {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    /// Marks `seq` delivered (the broker acknowledged it). Unknown or pruned seqs are ignored.
    public func markDelivered(_ seq: Int64) throws(JournalError) {
        let statement = deliveredStatement!
        sqlite3_reset(statement)
        sqlite3_bind_int64(statement, 1, seq)
        try step(statement, "mark delivered")
    }

    /// Up to `limit` undelivered entries with seq greater than `afterSeq`, oldest first.
    public func pending(after afterSeq: Int64 = 0, limit: Int) throws(JournalError) -> [Entry] {
        let statement = pendingStatement!
        sqlite3_reset(statement)
        sqlite3_bind_int64(statement, 1, afterSeq)
        sqlite3_bind_int64(statement, 2, Int64(limit))
        var entries: [Entry] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure("read pending", rc) }
            entries.append(Entry(
                seq: sqlite3_column_int64(statement, 0),
                device: text(statement, 1) ?? "",
                zone: text(statement, 2),
                payload: text(statement, 3) ?? "",
                created: sqlite3_column_int64(statement, 4)))
        }
        sqlite3_reset(statement)
        return entries
    }

    /// The entry with this seq, delivered or not (nil when absent or pruned).
    public func entry(_ seq: Int64) throws(JournalError) -> Entry? {
        let statement = try prepare("SELECT seq, device, zone, payload, created FROM records WHERE seq = ?", "read")
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_int64(statement, 1, seq)
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw failure("read", rc) }
        return Entry(
            seq: sqlite3_column_int64(statement, 0), device: text(statement, 1) ?? "", zone: text(statement, 2),
            payload: text(statement, 3) ?? "", created: sqlite3_column_int64(statement, 4))
    }

    /// The oldest record the broker has not acknowledged or a sink still owes an item of (nil:
    /// everything journaled was delivered).
    public func firstUndelivered() throws(JournalError) -> Int64? {
        let statement = try prepare(hasSinks
            ? "SELECT min(seq) FROM (SELECT min(seq) AS seq FROM records WHERE delivered = 0 UNION ALL SELECT min(seq) FROM sink_pending)"
            : "SELECT min(seq) FROM records WHERE delivered = 0",
            "read")
        defer { sqlite3_finalize(statement) }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_ROW else { throw failure("read", rc) }
        if sqlite3_column_type(statement, 0) == SQLITE_NULL { return nil }
        return sqlite3_column_int64(statement, 0)
    }

    /// Undelivered entries: the health message's journal depth.
    public func undeliveredCount() throws(JournalError) -> Int {
        Int(try scalar(hasSinks
            ? "SELECT count(*) FROM records WHERE delivered = 0 OR seq IN (SELECT seq FROM sink_pending)"
            : "SELECT count(*) FROM records WHERE delivered = 0", "count"))
    }

    // MARK: Sinks

    /// Creates the sink tables (idempotent); needed before records carry sink items.
    public func enableSinks() throws(JournalError) {
        guard !hasSinks else { return }
        try execute(
            """
                CREATE TABLE IF NOT EXISTS sink_pending (
                    sink TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    part INTEGER NOT NULL,
                    target TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    PRIMARY KEY (sink, seq, part)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS sink_pending_seq ON sink_pending(seq);
                CREATE TABLE IF NOT EXISTS sink_ids (
                    sink TEXT NOT NULL,
                    name TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (sink, name)
                ) WITHOUT ROWID;
            """, "create sink tables")
        sinkInsertStatement = try prepare(
            "INSERT OR REPLACE INTO sink_pending(sink, seq, part, target, payload) VALUES (?, ?, ?, ?, ?)", "open")
        hasSinks = true
    }

    /// Up to `limit` items `sink` still owes, after (`seq`, `part`), oldest first.
    public func sinkPending(_ sink: String, after: (seq: Int64, part: Int) = (0, -1), limit: Int) throws(JournalError) -> [SinkEntry] {
        try enableSinks()
        let statement = try prepare(
            "SELECT seq, part, target, payload FROM sink_pending WHERE sink = ? AND (seq > ? OR (seq = ? AND part > ?)) ORDER BY seq, part LIMIT ?",
            "read sink")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        sqlite3_bind_int64(statement, 2, after.seq)
        sqlite3_bind_int64(statement, 3, after.seq)
        sqlite3_bind_int64(statement, 4, Int64(after.part))
        sqlite3_bind_int64(statement, 5, Int64(limit))
        var entries: [SinkEntry] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure("read sink", rc) }
            entries.append(SinkEntry(seq: sqlite3_column_int64(statement, 0), item: SinkItem(
                part: Int(sqlite3_column_int64(statement, 1)), target: text(statement, 2) ?? "",
                payload: text(statement, 3) ?? "")))
        }
        return entries
    }

    /// Items `sink` still owes.
    public func sinkPendingCount(_ sink: String) throws(JournalError) -> Int {
        try enableSinks()
        return try count("SELECT count(*) FROM sink_pending WHERE sink = ?", sink, "count sink")
    }

    /// The one number `sql` (with `sink` as its one parameter) answers.
    private func count(_ sql: String, _ sink: String, _ operation: String) throws(JournalError) -> Int {
        let statement = try prepare(sql, operation)
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_ROW else { throw failure(operation, rc) }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// `sink` delivered this item (its server accepted it).
    public func markSinkDelivered(_ sink: String, seq: Int64, part: Int) throws(JournalError) {
        try enableSinks()
        let statement = try prepare("DELETE FROM sink_pending WHERE sink = ? AND seq = ? AND part = ?", "mark sink delivered")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        sqlite3_bind_int64(statement, 2, seq)
        sqlite3_bind_int64(statement, 3, Int64(part))
        try step(statement, "mark sink delivered")
    }

    /// Moves an item `sink`'s server refused for good (a 4xx that a resend cannot change) from
    /// `sink_pending` to `sink_rejected`, with the server's answer, in one transaction: it stops holding
    /// up the items after it, and its bytes stay in the journal for a person to look at
    /// (`sqlite3 journal.sqlite 'select * from sink_rejected'`). Returns the items now set aside.
    public func setSinkItemAside(_ sink: String, seq: Int64, part: Int, reason: String) throws(JournalError) -> Int {
        try enableSinks()
        try execute("BEGIN IMMEDIATE", "set a sink item aside")
        do throws(JournalError) {
            try execute(Self.createSinkRejected, "set a sink item aside")
            let copy = try prepare(
                "INSERT OR REPLACE INTO sink_rejected(sink, seq, part, target, payload, reason) SELECT sink, seq, part, target, payload, ? FROM sink_pending WHERE sink = ? AND seq = ? AND part = ?",
                "set a sink item aside")
            defer { sqlite3_finalize(copy) }
            bind(reason, at: 1, copy)
            bind(sink, at: 2, copy)
            sqlite3_bind_int64(copy, 3, seq)
            sqlite3_bind_int64(copy, 4, Int64(part))
            try step(copy, "set a sink item aside")
            try markSinkDelivered(sink, seq: seq, part: part)
            try execute("COMMIT", "set a sink item aside")
        } catch {
            try? execute("ROLLBACK", "set a sink item aside")
            throw error
        }
        return try sinkRejectedCount(sink)
    }

    /// Items of `sink` set aside because its server refused them for good.
    public func sinkRejectedCount(_ sink: String) throws(JournalError) -> Int {
        try execute(Self.createSinkRejected, "count set-aside sink items")
        return try count("SELECT count(*) FROM sink_rejected WHERE sink = ?", sink, "count set-aside sink items")
    }

    /// Made when first needed, so that journals written before it get it too.
    static let createSinkRejected = """
        CREATE TABLE IF NOT EXISTS sink_rejected (
            sink TEXT NOT NULL,
            seq INTEGER NOT NULL,
            part INTEGER NOT NULL,
            target TEXT NOT NULL,
            payload TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (sink, seq, part)
        ) WITHOUT ROWID
        """

    /// The ids `sink`'s server assigned, by name.
    public func sinkIDs(_ sink: String) throws(JournalError) -> [(name: String, id: String)] {
        try enableSinks()
        let statement = try prepare("SELECT name, id FROM sink_ids WHERE sink = ? ORDER BY name", "read sink ids")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        var ids: [(name: String, id: String)] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure("read sink ids", rc) }
            ids.append((text(statement, 0) ?? "", text(statement, 1) ?? ""))
        }
        return ids
    }

    /// Keeps the id `sink`'s server assigned to `name` (committed when this returns).
    public func setSinkID(_ sink: String, name: String, id: String) throws(JournalError) {
        try enableSinks()
        let statement = try prepare("INSERT OR REPLACE INTO sink_ids(sink, name, id) VALUES (?, ?, ?)", "save sink id")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        bind(name, at: 2, statement)
        bind(id, at: 3, statement)
        try step(statement, "save sink id")
    }

    /// Forgets the id of one entity of `sink` (the server no longer has it: it is looked up or created again).
    public func removeSinkID(_ sink: String, name: String) throws(JournalError) {
        try enableSinks()
        let statement = try prepare("DELETE FROM sink_ids WHERE sink = ? AND name = ?", "forget a sink id")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        bind(name, at: 2, statement)
        try step(statement, "forget a sink id")
    }

    /// Forgets every id of `sink` (its server was replaced: everything is created again).
    public func clearSinkIDs(_ sink: String) throws(JournalError) {
        try enableSinks()
        let statement = try prepare("DELETE FROM sink_ids WHERE sink = ?", "clear sink ids")
        defer { sqlite3_finalize(statement) }
        bind(sink, at: 1, statement)
        try step(statement, "clear sink ids")
    }

    /// Undelivered entries dropped to keep the journal within `maxRecords`, since it was created.
    public func droppedCount() throws(JournalError) -> Int64 {
        try metaValue("dropped", "count")
    }

    /// The seq the next `append` will use.
    public func nextSeq() throws(JournalError) -> Int64 {
        try metaValue("next_seq", "count")
    }

    /// Moves `nextSeq` up to `seq` when it is lower (never down): a device whose records were numbered
    /// elsewhere before (lanternd's `next-seq` file from runs without an uplink) keeps one sequence.
    public func advanceNextSeq(atLeast seq: Int64) throws(JournalError) {
        try execute("UPDATE meta SET value = max(value, \(seq)) WHERE key = 'next_seq'", "advance next seq")
    }

    // MARK: Internals

    /// `PRAGMA quick_check`: pages, records and indexes are well formed (a second or so for 100,000
    /// records on a board). A damaged file is `SQLITE_CORRUPT` with SQLite's first complaint.
    private func checkIntegrity() throws(JournalError) {
        let statement = try prepare("PRAGMA quick_check", "check integrity")
        defer { sqlite3_finalize(statement) }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_ROW else { throw failure("check integrity", rc) }
        let verdict = text(statement, 0) ?? ""
        if verdict != "ok" {
            throw JournalError(path: path, operation: "check integrity", code: SQLITE_CORRUPT, message: verdict)
        }
    }

    /// Keeps the table within `maxRecords`: delivered rows go first, then the oldest undelivered.
    private func prune() throws(JournalError) {
        let total = try scalar("SELECT count(*) FROM records", "prune")
        var excess = total - Int64(maxRecords)
        guard excess > 0 else { return }
        let owed = hasSinks ? "(SELECT seq FROM sink_pending)" : "(SELECT NULL WHERE 0)"
        try execute(
            "DELETE FROM records WHERE seq IN (SELECT seq FROM records WHERE delivered = 1 AND seq NOT IN \(owed) ORDER BY seq LIMIT \(excess))",
            "prune")
        excess -= Int64(sqlite3_changes(db))
        guard excess > 0 else { return }
        try execute(
            "DELETE FROM records WHERE seq IN (SELECT seq FROM records WHERE delivered = 0 OR seq IN \(owed) ORDER BY seq LIMIT \(excess))",
            "prune")
        let dropped = Int64(sqlite3_changes(db))
        try execute("UPDATE meta SET value = value + \(dropped) WHERE key = 'dropped'", "prune")
        if hasSinks { try execute("DELETE FROM sink_pending WHERE seq NOT IN (SELECT seq FROM records)", "prune") }
    }

    private func metaValue(_ key: String, _ operation: String) throws(JournalError) -> Int64 {
        try scalar("SELECT value FROM meta WHERE key = '\(key)'", operation)
    }

    private func scalar(_ sql: String, _ operation: String) throws(JournalError) -> Int64 {
        let statement = try prepare(sql, operation)
        defer { sqlite3_finalize(statement) }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_ROW else { throw failure(operation, rc) }
        return sqlite3_column_int64(statement, 0)
    }

    private func execute(_ sql: String, _ operation: String) throws(JournalError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(operation, rc) }
    }

    private func prepare(_ sql: String, _ operation: String) throws(JournalError) -> OpaquePointer {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(operation, rc) }
        return statement
    }

    private func step(_ statement: OpaquePointer, _ operation: String) throws(JournalError) {
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw failure(operation, rc) }
    }

    private func bind(_ value: String, at index: Int32, _ statement: OpaquePointer) {
        var copy = value
        copy.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                _ = lantern_sqlite3_bind_text(statement, index, chars.baseAddress, Int32(chars.count))
            }
        }
    }

    private func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: bytes)
    }

    private func failure(_ operation: String, _ rc: Int32) -> JournalError {
        JournalError(path: path, operation: operation, code: rc, message: Journal.message(db, rc))
    }

    private static func message(_ db: OpaquePointer?, _ rc: Int32) -> String {
        if let db, let text = sqlite3_errmsg(db) { return String(cString: text) }
        if let text = sqlite3_errstr(rc) { return String(cString: text) }
        return "SQLite error"
    }
}
