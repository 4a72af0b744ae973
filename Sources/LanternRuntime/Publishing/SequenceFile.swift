import LanternAgent
import LanternCore
import LanternSystem

/// `<state-dir>/next-seq`: the next record number of a run without a journal, one decimal line,
/// replaced durably after each record (`FileContents.replace`), so a restart continues the numbering.
public struct SequenceFile {
    public let path: String

    public init(directory: String) {
        path = directory + "/next-seq"
    }

    /// The number saved, or nil when there is no file yet.
    public func load() throws(Failure) -> Int64? {
        var bytes: [UInt8]
        do throws(Errno) {
            bytes = try FileContents.read(path, limit: 64)
        } catch {
            if error == .noSuchFileOrDirectory { return nil }
            throw Failure("\(path): cannot read: \(error); check --state-dir is a writable directory", code: .ioError)
        }
        while let last = bytes.last, last == 0x0A || last == 0x20 { bytes.removeLast() }
        guard let n = DecimalText.integer(bytes), n >= 1 else {
            throw Failure("\(path): not a record number; delete it to start again from 1", code: .dataError)
        }
        return n
    }

    public func save(_ next: Int64) throws(Errno) {
        try FileContents.replace(path, with: "\(next)\n")
    }
}
