// Host helper for LanternUplinkTests, not shipped:
//   lantern-uplink-probe journal-append <journal.db> <count> <device>
// appends <count> interval records (one every few ms) and prints each committed seq on its own line,
// flushed, so a test can SIGKILL it mid-stream and check that every printed seq survived.
import CLantern
import LanternCore
import LanternUplink

func fail(_ message: String) -> Never {
    print("lantern-uplink-probe: \(message)")
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 5, arguments[1] == "journal-append", let count = Int(arguments[3]) else {
    fail("usage: lantern-uplink-probe journal-append <journal.db> <count> <device>")
}
let device = arguments[4]
do throws(JournalError) {
    let journal = try Journal(path: arguments[2], maxRecords: 1_000_000)
    for i in 0..<count {
        let record = IntervalRecord(
            zone: i % 2 == 0 ? nil : "zone-\(i % 3)", start: UTCTime(secondsSinceEpoch: 1_800_000_000 + Int64(i)),
            end: UTCTime(secondsSinceEpoch: 1_800_000_001 + Int64(i)), occupancyMean: Double(i % 7) / 2,
            occupancyMax: i % 7, crossingsIn: i % 5, crossingsOut: i % 4, coverage: 1, status: .ok)
        let seq = try journal.append(device: device, zone: record.zone) { seq in
            LanternJSON.encode(record, device: device, seq: seq)
        }
        // write(2), unbuffered: the line is out before the next append, whatever kills us.
        var line = "\(seq)\n"
        line.withUTF8 { bytes in _ = write(1, bytes.baseAddress, bytes.count) }
    }
} catch {
    fail(error.description)
}
