import LanternAgent
import LanternCore
import LanternSystem
import LanternUplink

/// Numbers each finished interval record and sends it on: the one owner of the record sequence and of
/// the privacy policy the records are encoded under.
///
/// With an uplink journal the journal numbers the records, in the transaction that makes them durable:
/// a record gets its number only once it is journaled, so a number is never handed out twice. When
/// the journal cannot take a record (the disk is full), the record is held in memory, at most
/// `heldLimit` of them (1,024 by default: about 17 hours of one-minute intervals for one zone, a few
/// hundred KB), retried every second, and health says `journal: full`. Beyond the bound the oldest
/// held records become one gap record (how many, which span, why), journaled first once the disk has
/// room, so a subscriber sees the loss in the sequence.
///
/// Without a journal, `<state-dir>/next-seq` numbers them (or memory, without a state dir). Either
/// way `next-seq` is the high-water mark (`SequenceFile`): kept beside the journal, rewritten in place
/// after each record and each acknowledgement, and checked when the journal is opened. Each record's
/// line goes to `onLine` (stdout): with a journal, the journaled line byte for byte.
public final class Publisher {
    /// What waits for the journal: an interval record, or a gap record saying what was lost.
    public enum Held {
        case record(IntervalRecord)
        case gap(GapRecord)
    }

    public static let fullReason = "journal full"

    public let device: String
    /// Counts below `privacy.suppressBelow` are reported as "<k". A reloaded site replaces it here.
    public var privacy: PrivacyPolicy
    public let uplink: UplinkSession?
    let sequenceFile: SequenceFile?
    /// The next number when there is no journal; with one, the number after the last journaled record.
    public private(set) var next: Int64 = 1
    /// Where each record's line goes.
    public var onLine: (String) -> Void = { Console.line($0) }
    /// Most interval records held in memory while the journal cannot take them.
    public var heldLimit = 1024
    /// What is waiting for the journal, oldest first.
    public private(set) var held: [Held] = []
    /// How often held records are retried, on the loop's monotonic clock.
    public var retryMicros: Int64 = 1_000_000

    private var nextRetry: Int64 = 0
    private var journalFailing = false
    private var markedDelivered = -1
    private var markFailed = false

    public init(device: String, privacy: PrivacyPolicy, stateDirectory: String?, uplink: UplinkSession?) throws(Failure) {
        self.device = device
        self.privacy = privacy
        self.uplink = uplink
        var mark: SequenceFile.Mark?
        if let stateDirectory {
            let file = SequenceFile(directory: stateDirectory)
            mark = try file.load()
            sequenceFile = file
        } else {
            sequenceFile = nil
        }
        var lost: GapRecord?
        if let uplink {
            (next, lost) = try uplink.startNumbering(mark: mark)
        } else {
            next = mark?.next ?? 1
        }
        // Created now, while there is room for its one block; afterwards it is rewritten in place.
        saveMark()
        if let lost {
            held.append(.gap(lost))
            flush()
        }
    }

    /// Holds, numbers, journals (or saves the number), prints and queues each record, oldest first.
    public func publish(_ records: [IntervalRecord]) {
        guard !records.isEmpty else { return }
        for record in records {
            uplink?.submitEntity(record, privacy: privacy)
            if uplink?.journal != nil {
                hold(record)
            } else {
                onLine(LanternJSON.encode(record, device: device, seq: next, suppressBelow: privacy.suppressBelow))
                next += 1
            }
        }
        flush()
        saveMark()
    }

    /// Once per loop turn: retries held records when due, and rewrites the mark when the broker has
    /// acknowledged records since it was written.
    public func service(atMonotonic now: Int64) {
        if !held.isEmpty && now >= nextRetry {
            nextRetry = now + retryMicros
            flush()
        }
        if let uplink, uplink.deliveredCount != markedDelivered { saveMark() }
    }

    /// The end of the run: what is still held cannot be kept; one line says how much is lost.
    public func finish() {
        flush()
        let records = held.reduce(0) { count, item in
            switch item {
            case .record: return count + 1
            case .gap(let gap): return count + (gap.seqs == nil ? gap.records : 0)
            }
        }
        if records > 0 {
            Console.error("\(records) interval records could not be journaled before the end (the journal is still failing) and are lost")
        }
        saveMark()
    }

    // MARK: Internals

    private func hold(_ record: IntervalRecord) {
        held.append(.record(record))
        var records = 0
        for item in held { if case .record = item { records += 1 } }
        while records > heldLimit {
            guard let oldest = held.firstIndex(where: { if case .record = $0 { return true } else { return false } }),
                  case .record(let dropped) = held.remove(at: oldest) else { break }
            records -= 1
            if case .gap(var gap) = held.first, gap.reason == Publisher.fullReason, gap.seqs == nil {
                gap.add(dropped)
                held[0] = .gap(gap)
            } else {
                var gap = GapRecord(reason: Publisher.fullReason, records: 0)
                gap.add(dropped)
                held.insert(.gap(gap), at: 0)
            }
            uplink?.setJournalHealth(state: "full", held: records, lost: 1)
        }
    }

    /// Journals what is held, oldest first, until the journal refuses one.
    private func flush() {
        guard let uplink else { return }
        var journaledNow = 0
        while let item = held.first {
            do throws(JournalError) {
                guard let (seq, text) = try uplink.journal(item, privacy: privacy) else { return }
                held.removeFirst()
                next = seq + 1
                journaledNow += 1
                onLine(text)
            } catch {
                if !journalFailing {
                    journalFailing = true
                    Console.error("\(error.description); holding interval records in memory (at most \(heldLimit)) and retrying every second")
                    uplink.uplink?.recordError(error.description, logged: true)
                }
                uplink.setJournalHealth(state: error.isFull ? "full" : "error", held: heldRecords, lost: 0)
                return
            }
        }
        if journalFailing {
            journalFailing = false
            Console.error("journal \(uplink.journalPath ?? ""): accepting records again (\(journaledNow) held records journaled)")
        }
        uplink.setJournalHealth(state: "ok", held: 0, lost: 0)
    }

    private var heldRecords: Int {
        held.reduce(0) { count, item in if case .record = item { return count + 1 } else { return count } }
    }

    /// Rewrites the high-water mark: the next number and, with a journal, the first undelivered one.
    private func saveMark() {
        guard let sequenceFile else { return }
        let mark = SequenceFile.Mark(next: next, firstUndelivered: uplink?.firstUndelivered(next: next))
        markedDelivered = uplink?.deliveredCount ?? 0
        if mark == sequenceFile.saved { return }
        do throws(Errno) {
            try sequenceFile.save(mark)
            markFailed = false
        } catch {
            if !markFailed {
                markFailed = true
                Console.error("\(sequenceFile.path): cannot save the record number: \(error); check --state-dir is writable")
            }
        }
    }
}
