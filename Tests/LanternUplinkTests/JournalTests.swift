import Foundation
import LanternCore
import LanternUplink
import Testing

@Suite struct JournalTests {
    func journalPath() -> String { Fixture.temporaryDirectory("journal").appendingPathComponent("journal.db").path }

    func append(_ journal: Journal, _ i: Int) throws -> Int64 {
        try journal.append(device: "lamp-1", zone: "z\(i)") { seq in
            LanternJSON.encode(Records.make(i, zone: "z\(i)"), device: "lamp-1", seq: seq)
        }
    }

    @Test func pendingIsOldestFirstAndDeliveredEntriesLeaveIt() throws {
        let journal = try Journal(path: journalPath())
        for i in 0..<5 { #expect(try append(journal, i) == Int64(i + 1)) }
        try journal.markDelivered(2)
        try journal.markDelivered(4)
        #expect(try journal.pending(limit: 10).map(\.seq) == [1, 3, 5])
        #expect(try journal.pending(after: 1, limit: 1).map(\.seq) == [3])
        #expect(try journal.undeliveredCount() == 3)
        let entry = try #require(try journal.entry(3))
        #expect(entry.zone == "z2" && seqOf(entry.payload) == 3)
    }

    @Test func sequenceNumbersAndBacklogSurviveAReopen() throws {
        let path = journalPath()
        do {
            let journal = try Journal(path: path)
            for i in 0..<3 { try append(journal, i) }
            try journal.markDelivered(1)
        }
        let journal = try Journal(path: path)
        #expect(try journal.nextSeq() == 4)
        #expect(try journal.pending(limit: 10).map(\.seq) == [2, 3])
        #expect(try append(journal, 9) == 4)
    }

    @Test func aFullJournalDropsDeliveredFirstThenTheOldestUndeliveredAndCountsThem() throws {
        let journal = try Journal(path: journalPath(), maxRecords: 3)
        for i in 0..<3 { try append(journal, i) }
        try journal.markDelivered(2)
        try append(journal, 3)  // drops delivered 2
        #expect(try journal.droppedCount() == 0)
        #expect(try journal.pending(limit: 10).map(\.seq) == [1, 3, 4])
        try append(journal, 4)  // drops undelivered 1
        try append(journal, 5)  // drops undelivered 3
        #expect(try journal.droppedCount() == 2)
        #expect(try journal.pending(limit: 10).map(\.seq) == [4, 5, 6])
    }

    /// SensorThings' Observations are journaled with their record and keep it undelivered until the
    /// server took each one; the ids the server assigned survive a reopen.
    @Test func sinkItemsAreJournaledWithTheirRecordAndKeepItUndelivered() throws {
        let path = journalPath()
        do {
            let journal = try Journal(path: path)
            journal.recordsAwaitAcknowledgement = false
            #expect(!journal.hasSinks)
            try journal.enableSinks()
            for i in 0..<3 {
                try journal.append(device: "lamp-1", zone: nil, payload: { seq in "{\"seq\":\(seq)}" }, sinks: { seq in
                    i == 1 ? [] : [("sta", [
                        Journal.SinkItem(part: 0, target: "a", payload: "{\"result\":\(seq)}"),
                        Journal.SinkItem(part: 1, target: "b", payload: "{\"result\":\(seq * 10)}"),
                    ])]
                })
            }
            #expect(try journal.undeliveredCount() == 2)
            #expect(try journal.firstUndelivered() == 1)
            #expect(try journal.sinkPending("sta", limit: 10).map { "\($0.seq).\($0.item.part)" } == ["1.0", "1.1", "3.0", "3.1"])
            #expect(try journal.sinkPending("sta", after: (1, 0), limit: 1).first?.item.payload == "{\"result\":10}")
            try journal.markSinkDelivered("sta", seq: 1, part: 0)
            try journal.markSinkDelivered("sta", seq: 1, part: 1)
            #expect(try journal.firstUndelivered() == 3)
            try journal.setSinkID("sta", name: "Thing", id: "'t1'")
        }
        let reopened = try Journal(path: path)
        #expect(try reopened.sinkPendingCount("sta") == 2)
        #expect(try reopened.sinkIDs("sta").map { "\($0.name)=\($0.id)" } == ["Thing='t1'"])
        try reopened.clearSinkIDs("sta")
        #expect(try reopened.sinkIDs("sta").isEmpty)
    }

    @Test func aJournalThatCannotBeOpenedSaysWhereAndWhat() {
        #expect {
            try Journal(path: "/nonexistent-dir/journal.db")
        } throws: { error in
            let text = (error as? JournalError)?.description ?? ""
            return text.contains("/nonexistent-dir/journal.db") && text.contains("unable to open")
                && text.contains("state dir") && !text.contains("\n")
        }
    }

    /// Issue 11: the journal was 0644 (every local user could read the counts). It is created 0600, an
    /// older one is narrowed to 0600 on open, and SQLite gives its WAL and shared-memory files the
    /// main file's mode.
    @Test func theJournalAndItsWALAreReadableByTheirOwnerOnly() throws {
        let path = journalPath()
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
        let journal = try Journal(path: path)
        try append(journal, 0)
        for file in [path, path + "-wal", path + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): mode \(String(mode ?? 0, radix: 8))")
        }
    }

    /// Issue 11: the full-disk hint named `journal.maxRecords`, a key no site file has. The key it names
    /// must be one the site parser takes.
    @Test func theFullDiskHintNamesASiteKeyThatExists() throws {
        // 13: SQLITE_FULL.
        let text = JournalError(path: "/var/lib/lantern/journal.sqlite", operation: "append", code: 13, message: "database or disk is full").description
        let key = try #require(text.split(separator: " ").first { $0.hasPrefix("journal.") }, "\(text)")
        #expect(key == "journal.maxIntervals", "\(text)")
        let site = try SiteConfig.parse(json: Array(#"""
            { "name": "m", "calibration": { "personHeights": [ { "row": 0, "height": 10 }, { "row": 100, "height": 30 } ] },
              "journal": { "maxIntervals": 500 } }
            """#.utf8), source: "site.json")
        #expect(site.journalLimit == 500)
    }

    /// A writer killed with SIGKILL mid-stream loses nothing it reported as appended.
    @Test func everyCommittedAppendSurvivesSIGKILL() throws {
        let path = journalPath()
        let probe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("lantern-uplink-probe").path
        try #require(FileManager.default.isExecutableFile(atPath: probe), "no \(probe)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        process.arguments = ["journal-append", path, "100000", "lamp-kill"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var received = Data()
        while received.split(separator: UInt8(ascii: "\n")).count < 40 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        received.append(out.fileHandleForReading.readDataToEndOfFile())
        let reported = String(decoding: received, as: UTF8.self).split(separator: "\n").compactMap { Int64($0) }
        #expect(reported.count >= 40)
        let journal = try Journal(path: path)
        let pending = try journal.pending(limit: 1_000_000).map(\.seq)
        // Every seq the writer saw committed is there, in order, and nothing beyond the next one.
        #expect(Array(pending.prefix(reported.count)) == reported)
        #expect(pending.count <= reported.count + 1)
        #expect(try journal.nextSeq() == Int64(pending.count + 1))
        for seq in reported { #expect(seqOf(try journal.entry(seq)?.payload ?? "") == seq) }
    }
}
