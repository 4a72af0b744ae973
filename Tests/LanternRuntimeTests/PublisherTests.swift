import Foundation
import LanternCore
import LanternRuntime
import Testing

@Suite struct PublisherTests {
    func record(zone: String? = nil, mean: Double = 1) -> IntervalRecord {
        IntervalRecord(zone: zone, start: UTCTime(secondsSinceEpoch: 0), end: UTCTime(secondsSinceEpoch: 60),
                       occupancyMean: mean, occupancyMax: 2, crossingsIn: 0, crossingsOut: 0, coverage: 1, status: .ok)
    }

    /// Without a journal, the state directory's `next-seq` owns the numbering: a second run continues it.
    @Test func recordsAreNumberedFromWhereTheLastRunStopped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("publisher-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "41\n".write(toFile: dir + "/next-seq", atomically: true, encoding: .utf8)
        var lines: [String] = []
        let first = try Publisher(device: "lamp", privacy: PrivacyPolicy(), stateDirectory: dir, uplink: nil)
        first.onLine = { lines.append($0) }
        first.publish([record(), record(zone: "door")])
        // The high-water mark, rewritten in place at a fixed width (no journal: the number alone), 0600.
        let mark = try String(contentsOfFile: dir + "/next-seq", encoding: .utf8)
        #expect(mark.trimmingCharacters(in: .whitespacesAndNewlines) == "43" && mark.utf8.count == 42)
        #expect((try FileManager.default.attributesOfItem(atPath: dir + "/next-seq")[.posixPermissions] as? Int) == 0o600)
        let second = try Publisher(device: "lamp", privacy: PrivacyPolicy(), stateDirectory: dir, uplink: nil)
        second.onLine = { lines.append($0) }
        second.publish([record()])
        #expect(lines.map { $0.contains(#""seq":41"#) } == [true, false, false])
        #expect(lines[1].contains(#""seq":42"#) && lines[2].contains(#""seq":43"#))
    }

    /// The privacy policy is the publisher's: one change applies to every record after it.
    @Test func countsBelowThePolicysKAreSuppressed() throws {
        var lines: [String] = []
        let publisher = try Publisher(device: "lamp", privacy: PrivacyPolicy(), stateDirectory: nil, uplink: nil)
        publisher.onLine = { lines.append($0) }
        publisher.publish([record(mean: 1)])
        publisher.privacy = PrivacyPolicy(suppressBelow: 3)
        publisher.publish([record(mean: 1)])
        #expect(lines[0].contains(#""mean":1.00"#))
        #expect(lines[1].contains(#""mean":"<3""#) && lines[1].contains(#""seq":2"#))
    }

    @Test func aDamagedSequenceFileIsOneLineSayingWhatToDo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("publisher-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "forty\n".write(toFile: dir + "/next-seq", atomically: true, encoding: .utf8)
        do {
            _ = try Publisher(device: "lamp", privacy: PrivacyPolicy(), stateDirectory: dir, uplink: nil)
            Issue.record("accepted a damaged next-seq")
        } catch {
            #expect(error.message == "\(dir)/next-seq: not a record number; delete it to start again from 1")
            #expect(error.code == .dataError)
        }
    }
}
