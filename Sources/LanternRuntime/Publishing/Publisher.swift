import LanternAgent
import LanternCore
import LanternSystem

/// Numbers each finished interval record and sends it on: the one owner of the record sequence and of
/// the privacy policy the records are encoded under.
///
/// With an uplink journal the journal numbers the records (in the transaction that makes them
/// durable); without one, `<state-dir>/next-seq` does (or memory, without a state dir). Each record's
/// line goes to `onLine` (stdout): with a journal, the journaled line byte for byte, so a subscriber
/// and the console agree.
public final class Publisher {
    public let device: String
    /// Counts below `privacy.suppressBelow` are reported as "<k". A reloaded site replaces it here.
    public var privacy: PrivacyPolicy
    public let uplink: UplinkSession?
    let sequenceFile: SequenceFile?
    /// The next number when the journal cannot give one, and without a journal.
    public private(set) var next: Int64 = 1
    /// Where each record's line goes.
    public var onLine: (String) -> Void = { Console.line($0) }

    public init(device: String, privacy: PrivacyPolicy, stateDirectory: String?, uplink: UplinkSession?) throws(Failure) {
        self.device = device
        self.privacy = privacy
        self.uplink = uplink
        var saved: Int64?
        if let stateDirectory {
            let file = SequenceFile(directory: stateDirectory)
            saved = try file.load()
            // With a journal, the journal owns the numbering; a number saved by earlier runs without one
            // is honoured once, so the journal starts above it.
            sequenceFile = uplink?.journal == nil ? file : nil
        } else {
            sequenceFile = nil
        }
        if let uplink {
            next = try uplink.startNumbering(atLeast: saved ?? 1)
        } else {
            next = saved ?? 1
        }
    }

    /// Numbers, journals (or saves the number), prints and queues each record, oldest first.
    public func publish(_ records: [IntervalRecord]) {
        guard !records.isEmpty else { return }
        for record in records {
            if let line = uplink?.submit(record, privacy: privacy, fallbackSeq: next) {
                next = line.seq + 1
                onLine(line.text)
            } else {
                onLine(LanternJSON.encode(record, device: device, seq: next, suppressBelow: privacy.suppressBelow))
                next += 1
            }
        }
        if let sequenceFile {
            do throws(Errno) {
                try sequenceFile.save(next)
            } catch {
                Console.error("\(sequenceFile.path): cannot save the record number: \(error); check --state-dir is writable")
            }
        }
    }
}
