import Foundation
import LanternCore
import LanternRuntime
import LanternSystem

/// Opens what a developer gives as a clip: a YUV4MPEG2 file, `-` (standard input, YUV4MPEG2), or any
/// other video file, converted on the fly by `ffmpeg -f yuv4mpegpipe -pix_fmt gray` when ffmpeg is
/// installed (frames stream through a pipe, never to a file); without ffmpeg, one line says which
/// command converts it. Host only: the board reads YUV4MPEG2 only.
public enum ClipInput {
    /// The first bytes of every YUV4MPEG2 stream.
    static let signature = Array("YUV4MPEG2 ".utf8)

    /// Converters started, kept until they are reaped (`finish`).
    nonisolated(unsafe) static var converters: [Process] = []

    /// The command that turns `path` into a clip Lantern reads.
    public static func conversionCommand(_ path: String) -> String {
        let base = (path as NSString).deletingPathExtension
        return "ffmpeg -i \(path) -f yuv4mpegpipe -pix_fmt gray \(base).y4m"
    }

    /// Whether the file at `path` starts as YUV4MPEG2 (nil: it cannot be read; the reader says why).
    static func isYUV4MPEG2(_ path: String) -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: signature.count) else { return nil }
        // An empty file is the reader's to report.
        return head.isEmpty || Array(head) == signature
    }

    /// `ffmpeg` on `PATH`, if installed.
    public static func ffmpegPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for dir in (environment["PATH"] ?? "").split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/ffmpeg"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A clip source for `path`; errors are one line with their exit status.
    public static func open(_ path: String) throws(SimulatorError) -> ClipSource {
        // A file named .y4m is a clip, malformed or not: the reader says what is wrong with it.
        let named = path.lowercased().hasSuffix(".y4m") || path.lowercased().hasSuffix(".yuv4mpeg")
        if path != "-", !named, isYUV4MPEG2(path) == false {
            return try openConverted(path)
        }
        do {
            return try ClipSource(path: path)
        } catch {
            throw SimulatorError(error.description, status: error.kind == .malformed ? .dataError : .noInput)
        }
    }

    static func openConverted(_ path: String) throws(SimulatorError) -> ClipSource {
        guard let ffmpeg = ffmpegPath() else {
            throw SimulatorError("\(path): not YUV4MPEG2 and no ffmpeg installed; convert it: \(conversionCommand(path))", status: .dataError)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = ["-nostdin", "-v", "error", "-i", path, "-f", "yuv4mpegpipe", "-pix_fmt", "gray", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        // ffmpeg's own complaints go to a file (a pipe left unread could fill and stall it); the first one
        // becomes part of our one line.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-sim-ffmpeg-\(getpid())-\(converters.count).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log.path)
        defer { try? FileManager.default.removeItem(at: log) }
        do {
            try process.run()
        } catch {
            throw SimulatorError("\(path): ffmpeg could not be started (\(error.localizedDescription)); convert it with `\(conversionCommand(path))`", status: .unavailable)
        }
        converters.append(process)
        // The reader owns a duplicate of the pipe's read end; ours is closed with the handle.
        let fd = dup(pipe.fileHandleForReading.fileDescriptor)
        try? pipe.fileHandleForReading.close()
        try? pipe.fileHandleForWriting.close()
        let name = "\(path) (through ffmpeg)"
        do {
            return try ClipSource(reader: ClipReader(descriptor: FileDescriptor(rawValue: fd), name: name))
        } catch let error as ClipError {
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                let said = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").last.map { ": " + $0 } ?? ""
                throw SimulatorError("\(path): not YUV4MPEG2, and ffmpeg could not read it either (exit \(process.terminationStatus)\(said))", status: .dataError)
            }
            throw SimulatorError(error.description, status: .dataError)
        } catch {
            throw SimulatorError("\(name): \(error)", status: .dataError)
        }
    }
}
