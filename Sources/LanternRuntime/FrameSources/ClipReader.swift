import CLantern
import LanternSystem
import LanternCore

/// Why a clip cannot be read, naming the file, the frame and what to do:
/// `clip.y4m: frame 37: truncated (got 1200 of 110592 bytes); the clip ends mid-frame, re-export it`.
public struct ClipError: Error, CustomStringConvertible, Sendable {
    public enum Reason: Error, Sendable {
        case cannotOpen(Errno)
        case readFailed(Errno)
        case empty
        case format(Y4MError)
        /// The file ends inside a frame: `got` of `expected` bytes after the FRAME line.
        case truncated(got: Int, expected: Int)
        /// The file ends inside a FRAME line.
        case truncatedFrameLine
    }

    /// The clip's path, as given to `ClipReader`.
    public let path: String
    /// The 0-based frame the problem is in; nil for the file and its header.
    public let frame: Int?
    public let reason: Reason

    public init(path: String, frame: Int?, reason: Reason) {
        self.path = path
        self.frame = frame
        self.reason = reason
    }

    public var description: String {
        let place = frame.map { "\(path): frame \($0): " } ?? "\(path): "
        switch reason {
        case .cannotOpen(let errno): return place + "cannot open: \(errno)"
        case .readFailed(let errno): return place + "read failed: \(errno)"
        case .empty: return place + "empty file"
        case .format(let error): return place + error.description
        case .truncated(let got, let expected):
            return place + "truncated (got \(got) of \(expected) bytes); the clip ends mid-frame, re-export it"
        case .truncatedFrameLine:
            return place + "truncated inside the FRAME line; the clip ends mid-frame, re-export it"
        }
    }
}

/// Reads a YUV4MPEG2 clip one luma frame at a time, in constant memory.
///
/// The read buffer and the frame buffer are allocated once at open; `nextFrame()` fills the frame
/// buffer with the luma plane and skips the chroma planes. The returned image views that buffer and
/// is valid until the next call to `nextFrame()` or until the reader is released.
public final class ClipReader {
    /// Bytes per `read(2)`: large enough that a 44 MB clip takes a few hundred system calls.
    public static let readBufferSize = 64 * 1024
    /// The longest header or FRAME line accepted (real ones are under 100 bytes).
    public static let maximumLineLength = 4096

    public let path: String
    public let header: Y4MHeader
    /// Frames returned so far: the 0-based index of the frame the next `nextFrame()` reads.
    public private(set) var frameIndex = 0
    /// The frame rate as written in the header (`F30000:1001`).
    public var framesPerSecond: (numerator: Int, denominator: Int) {
        (header.frameRate.numerator, header.frameRate.denominator)
    }

    private var scanner: Scanner
    private let frame: UnsafeMutableBufferPointer<UInt8>

    /// Opens `path` (`-`: standard input, named so in messages) and reads its stream header.
    public convenience init(path: String) throws(ClipError) {
        if path == "-" {
            try self.init(descriptor: .standardInput, name: ClipReader.standardInputName)
            return
        }
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly)
        } catch {
            throw ClipError(path: path, frame: nil, reason: .cannotOpen(error))
        }
        try self.init(descriptor: fd, name: path)
    }

    /// How messages name a clip read from standard input.
    public static let standardInputName = "standard input"

    /// Reads the stream header from `fd` (a pipe: standard input, a converter's output), which the
    /// reader owns from now on; `name` stands for it in messages.
    public init(descriptor fd: FileDescriptor, name path: String) throws(ClipError) {
        self.path = path
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ClipReader.readBufferSize, alignment: 16)
        var scanner = Scanner(fd: fd, buffer: buffer)
        let outcome: Result<Y4MHeader, ClipError.Reason>
        do {
            outcome = try scanner.readHeader()
        } catch {
            outcome = .failure(.readFailed(error))
        }
        let header: Y4MHeader
        switch outcome {
        case .success(let parsed): header = parsed
        case .failure(let reason):
            buffer.deallocate()
            _ = try? fd.close()
            throw ClipError(path: path, frame: nil, reason: reason)
        }
        self.scanner = scanner
        self.header = header
        self.frame = .allocate(capacity: header.lumaSize)
    }

    deinit {
        _ = try? scanner.fd.close()
        scanner.buffer.deallocate()
        frame.deallocate()
    }

    /// Reads the next frame's luma plane; nil at a clean end of file (after a whole frame).
    /// The image is valid until the next call.
    public func nextFrame() throws(ClipError) -> GreyImage? {
        let outcome: Result<Bool, ClipError.Reason>
        do {
            outcome = try scanner.readFrame(into: UnsafeMutableRawBufferPointer(frame), header: header)
        } catch {
            throw ClipError(path: path, frame: frameIndex, reason: .readFailed(error))
        }
        switch outcome {
        case .success(true): break
        case .success(false): return nil
        case .failure(let reason): throw ClipError(path: path, frame: frameIndex, reason: reason)
        }
        frameIndex += 1
        return GreyImage(
            unsafePixels: UnsafePointer(frame.baseAddress!),
            width: header.width, height: header.height, stride: header.width
        )
    }
}

/// The buffered byte source under `ClipReader`: `buffer[start..<end]` holds bytes read but not yet
/// consumed. The read buffer is allocated once, by `ClipReader`, and freed by it.
private struct Scanner {
    let fd: FileDescriptor
    let buffer: UnsafeMutableRawBufferPointer
    var start = 0
    var end = 0
    var atEndOfFile = false

    enum Line {
        case line(Range<Int>)
        case endOfFile
        case tooLong
    }

    var available: Int { end - start }

    /// Reads until at least `count` bytes are buffered or the file ends; false if fewer are there.
    mutating func fill(atLeast count: Int) throws(Errno) -> Bool {
        precondition(count <= buffer.count)
        if available >= count { return true }
        if start > 0 {
            // Keep the unconsumed tail at the front so a line never wraps.
            if available > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + start, available)
            }
            end = available
            start = 0
        }
        while available < count && !atEndOfFile {
            let n = try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { atEndOfFile = true }
            end += n
        }
        return available >= count
    }

    /// The next line without its newline, consumed; the range indexes `buffer`, valid until the next call.
    mutating func line(limit: Int) throws(Errno) -> Line {
        var scanned = 0
        while true {
            if let newline = memchr(buffer.baseAddress! + start + scanned, 0x0A, available - scanned) {
                let lineEnd = buffer.baseAddress!.distance(to: UnsafeMutableRawPointer(newline))
                guard lineEnd - start <= limit else { return .tooLong }
                defer { start = lineEnd + 1 }
                return .line(start..<lineEnd)
            }
            scanned = available
            if scanned > limit { return .tooLong }
            guard try fill(atLeast: available + 1) else { return .endOfFile }
        }
    }

    /// Copies up to `destination.count` bytes; returns how many (fewer only at end of file).
    mutating func copy(into destination: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var done = 0
        while done < destination.count {
            if available == 0 {
                let wanted = destination.count - done
                if wanted >= buffer.count {
                    // Large planes go straight from the kernel into the frame: no second copy.
                    let n = try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: destination[done...]))
                    if n == 0 { atEndOfFile = true; return done }
                    done += n
                    continue
                }
                guard try fill(atLeast: 1) else { return done }
            }
            let n = min(available, destination.count - done)
            (destination.baseAddress! + done).copyMemory(from: buffer.baseAddress! + start, byteCount: n)
            start += n
            done += n
        }
        return done
    }

    /// Consumes up to `count` bytes; returns how many (fewer only at end of file).
    mutating func skip(_ count: Int) throws(Errno) -> Int {
        var done = 0
        while done < count {
            if available == 0 {
                guard try fill(atLeast: 1) else { return done }
            }
            let n = min(available, count - done)
            start += n
            done += n
        }
        return done
    }

    /// Reads one frame: its FRAME line, the luma plane into `luma`, and the chroma planes skipped.
    /// Success(false) at a clean end of file; a format problem as failure; I/O errors thrown.
    mutating func readFrame(
        into luma: UnsafeMutableRawBufferPointer, header: Y4MHeader
    ) throws(Errno) -> Result<Bool, ClipError.Reason> {
        guard try fill(atLeast: 1) else { return .success(false) }
        // Check the marker before looking for the newline: garbage need not contain one.
        let marker = Y4MHeader.frameMarker
        let complete = try fill(atLeast: marker.count)
        let prefix = min(available, marker.count)
        guard UnsafeRawBufferPointer(rebasing: buffer[start..<start + prefix]).elementsEqual(marker[..<prefix]) else {
            return .failure(.format(.missingFrameMarker))
        }
        guard complete else { return .failure(.truncatedFrameLine) }
        switch try line(limit: ClipReader.maximumLineLength) {
        case .line(let range):
            do {
                try Y4MHeader.checkFrameLine(UnsafeRawBufferPointer(rebasing: buffer[range]))
            } catch {
                return .failure(.format(error))
            }
        case .endOfFile: return .failure(.truncatedFrameLine)
        case .tooLong: return .failure(.format(.missingFrameMarker))
        }
        let lumaRead = try copy(into: luma)
        guard lumaRead == header.lumaSize else {
            return .failure(.truncated(got: lumaRead, expected: header.frameSize))
        }
        let chromaRead = try skip(header.chromaSize)
        guard chromaRead == header.chromaSize else {
            return .failure(.truncated(got: lumaRead + chromaRead, expected: header.frameSize))
        }
        return .success(true)
    }

    /// Reads and parses the stream header line. Format problems as failure; I/O errors thrown.
    mutating func readHeader() throws(Errno) -> Result<Y4MHeader, ClipError.Reason> {
        let signature = Y4MHeader.signature
        if try !fill(atLeast: signature.count) {
            return .failure(available == 0 ? .empty : .format(.missingSignature))
        }
        guard UnsafeRawBufferPointer(rebasing: buffer[start..<start + signature.count]).elementsEqual(signature) else {
            return .failure(.format(.missingSignature))
        }
        switch try line(limit: ClipReader.maximumLineLength) {
        case .line(let range):
            do {
                return .success(try Y4MHeader(parsing: UnsafeRawBufferPointer(rebasing: buffer[range])))
            } catch {
                return .failure(.format(error))
            }
        case .endOfFile, .tooLong:
            return .failure(.format(.headerTooLong(limit: ClipReader.maximumLineLength)))
        }
    }
}
