import Foundation
import LanternCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, "what it must show" 1, as a process: `lanternd run` replays the sample at `--speed 1`
/// with 1 s intervals, its state dir on a small tmpfs that `dd` fills 5 s in and that is freed 8 s
/// later, a real mosquitto and a persistent subscriber throughout. Every interval of every zone is
/// delivered (or covered by a gap record), no seq arrives with two different contents, and the
/// numbers lanternd printed are strictly increasing.
@Suite(.serialized) struct DiskFullTests {
    @Test(.timeLimit(.minutes(3)), arguments: ["1m", "16m"])
    func aFullStateDiskLosesNoIntervalSilentlyAndReusesNoNumber(_ size: String) throws {
        let state = Fixture.temporaryDirectory("tmpfs-\(size)")
        guard getuid() == 0, Fixture.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", state.path]).status == 0 else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        defer { _ = Fixture.run("/bin/umount", [state.path]) }
        let broker = Broker()
        broker.start()
        defer { broker.stop() }
        let subscriber = Subscriber(port: broker.port, topic: "lantern/full/intervals")
        defer { subscriber.stop() }
        usleep(300_000)
        let daemon = try Lanternd(LanterndUplinkTests.replay + [
            "--speed", "1", "--interval", "1", "--retry-window", "0.5", "--mqtt-url", "mqtt://127.0.0.1:\(broker.port)",
            "--device-id", "full", "--state-dir", state.path,
        ])
        usleep(5_000_000)
        let fill = state.appendingPathComponent("fill").path
        _ = Fixture.run("/bin/dd", ["if=/dev/zero", "of=\(fill)", "bs=64k"])
        let printedBeforeFull = daemon.lines.count
        usleep(8_000_000)
        let printedWhileFull = daemon.lines.count - printedBeforeFull
        try FileManager.default.removeItem(atPath: fill)
        let status = daemon.wait(seconds: 90)
        #expect(status == 0, "stderr: \(daemon.errorText)")

        let printed = daemon.lines
        let seqs = printed.compactMap(seqOf)
        #expect(seqs.count == printed.count && seqs.count >= 60)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }, "numbers must be strictly increasing: \(seqs)")
        #expect(daemon.errorText.contains("database or disk is full"), "the disk never filled: \(daemon.errorText)")
        #expect(daemon.errorText.contains("accepting records again"), "\(daemon.errorText)")

        let expected = Set(seqs)
        let complete = Fixture.wait(seconds: 20) { expected.isSubset(of: Set(subscriber.lines.compactMap(seqOf))) }
        let received = subscriber.lines
        #expect(complete, "missing seqs: \(expected.subtracting(received.compactMap(seqOf)).sorted())")
        var bySeq: [Int64: String] = [:]
        var duplicates = 0, gaps = 0
        var covered: [String: Set<String>] = [:]
        var gapSpans: [(String, String)] = []
        for line in received {
            let seq = try #require(seqOf(line))
            if let earlier = bySeq[seq] {
                duplicates += 1
                #expect(earlier == line, "seq \(seq) arrived twice with different contents")
            }
            bySeq[seq] = line
            let value = try JSONParser.parse(line)
            if case .object? = value["gap"] {
                gaps += 1
                if case .string(let from)? = value["gap"]?["start"], case .string(let to)? = value["gap"]?["end"] { gapSpans.append((from, to)) }
                continue
            }
            guard case .string(let start)? = value["start"] else { continue }
            if case .string(let line)? = value["line"] {
                covered[start, default: []].insert("line:" + line)
            } else if case .string(let zone)? = value["zone"] {
                covered[start, default: []].insert(zone)
            } else {
                covered[start, default: []].insert("<view>")
            }
        }
        // Every interval of the run: the whole view, both zones and the line, or inside a gap record's span.
        let starts = Set(printed.compactMap { line -> String? in
            if case .string(let s)? = (try? JSONParser.parse(line))?["start"] { return s } else { return nil }
        })
        let lastStart = starts.max() ?? ""
        var missingIntervals: [String] = []
        for second in 0..<22 {
            let start = UTCTime(secondsSinceEpoch: 1_767_225_600 + Int64(second)).iso8601
            guard start <= lastStart else { break }
            if covered[start] == ["<view>", "north-road", "walkway", "line:junction"] { continue }
            if gapSpans.contains(where: { $0.0 <= start && start < $0.1 }) { continue }
            missingIntervals.append(start)
        }
        #expect(missingIntervals.isEmpty, "intervals neither delivered nor in a gap record: \(missingIntervals)")
        print("disk full (\(size) tmpfs): \(seqs.count) records (seq \(seqs.first ?? 0)...\(seqs.last ?? 0)), \(printedWhileFull) printed during the 8 s the disk was full, \(received.count) messages received, \(duplicates) duplicates (identical), \(gaps) gap records, \(missingIntervals.count) intervals missing")
    }
}

@Suite struct GapRecordSchemaTests {
    @Test func bothKindsOfGapRecordMatchTheSchema() {
        var full = GapRecord(reason: "journal full", records: 0)
        full.add(Records.make(3))
        full.add(Records.make(1, zone: "door"))
        let damaged = GapRecord(reason: "journal damaged", records: 21, seqs: 11...31)
        let lines = [full.encode(device: "lamp", seq: 7), damaged.encode(device: "lamp", seq: 32)]
        #expect(lines[0] == #"{"device":"lamp","seq":7,"gap":{"reason":"journal full","records":2,"start":"\#(Records.make(1).start.iso8601)","end":"\#(Records.make(3).end.iso8601)"}}"#)
        #expect(Fixture.schemaErrors("lantern-gap.schema.json", lines) == "")
        #expect(Fixture.schemaErrors("lantern-gap.schema.json", [#"{"device":"lamp","seq":1,"gap":{"reason":"bored","records":1}}"#]) != "")
    }
}
