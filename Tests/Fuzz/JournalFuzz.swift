import CLantern
import LanternCore
import LanternSystem
import LanternUplink

/// libFuzzer target (Toolchain/fuzz): the journal opener on damaged files. The input becomes
/// `journal.sqlite` in an empty directory; opening it either works or sets it aside and starts a new
/// one, and the journal then takes and gives back a record. Nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let dir = "/dev/shm/lantern-fuzz-journal-\(lantern_process_id())"
    _ = dir.withCString { lantern_mkdir($0, 0o700) }
    let path = dir + "/journal.sqlite"
    for suffix in ["", "-wal", "-shm", ".damaged-19700101T000000Z", ".damaged-19700101T000000Z-wal", ".damaged-19700101T000000Z-shm"] {
        _ = (path + suffix).withCString { lantern_unlink($0) }
    }
    do throws(Errno) {
        try FileContents.replace(path, with: bytes)
    } catch {
        fatalError("cannot write \(path): \(error)")
    }
    do throws(JournalError) {
        let (journal, _) = try Journal.openRecovering(path: path, maxRecords: 10, nowMicros: 0)
        let next = try journal.nextSeq()
        let seq = try journal.append(device: "fuzz", zone: nil) { "{\"seq\":\($0)}" }
        if seq < next { fatalError("journal went backwards: \(seq) < \(next)") }
        _ = try journal.pending(limit: 10)
        journal.close()
    } catch {
        if error.description.utf8.contains(0x0A) { fatalError("a journal error is not one line: \(error.description)") }
    }
    return 0
}
