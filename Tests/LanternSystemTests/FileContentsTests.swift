import Foundation
import LanternSystem
import Testing

@Suite struct FileContentsTests {
    func temporaryDirectory(under base: String = NSTemporaryDirectory()) throws -> String {
        let dir = base + "/lantern-system-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func replaceWritesTheWholeFileWithItsModeAndLeavesNoTemporary() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/next-seq"
        try FileContents.replace(path, with: "41\n")
        try FileContents.replace(path, with: "42\n", mode: 0o600)
        #expect(try FileContents.read(path) == Array("42\n".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func readRefusesAFileOverItsLimitAndNamesAMissingOne() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(count: 5000).write(to: URL(fileURLWithPath: dir + "/big"))
        #expect(throws: Errno.fileTooLarge) { try FileContents.read(dir + "/big", limit: 4096) }
        #expect(throws: Errno.noSuchFileOrDirectory) { try FileContents.read(dir + "/none") }
    }

    /// /dev/shm is a tmpfs: a move from there to the temporary directory crosses filesystems (EXDEV),
    /// and is then a durable copy and an unlink.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm")))
    func moveAcrossFilesystemsCopiesThenRemovesTheOriginal() throws {
        let from = try temporaryDirectory(under: "/dev/shm"), to = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: from)
            try? FileManager.default.removeItem(atPath: to)
        }
        try "device-id=lamp-1\n".write(toFile: from + "/lantern.conf", atomically: true, encoding: .utf8)
        try SystemFiles.move(from + "/lantern.conf", to: to + "/lantern.conf", mode: 0o640)
        #expect(!FileManager.default.fileExists(atPath: from + "/lantern.conf"))
        #expect(try String(contentsOfFile: to + "/lantern.conf", encoding: .utf8) == "device-id=lamp-1\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: to + "/lantern.conf")
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
    }
}

@Suite struct RunClockTests {
    /// The board's clock waits on poll(2): a readable pipe ends the wait at once, and a wait with
    /// nothing readable returns all false at its deadline.
    @Test func theSystemClockWaitsOnDescriptorsOrItsDeadline() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let clock = SystemRunClock()
        let readEnd = FileDescriptor(rawValue: fds[0])
        #expect(try clock.wait(readable: [readEnd], untilMonotonicMicros: clock.monotonicMicros + 1000) == [false])
        #expect(write(fds[1], "x", 1) == 1)
        #expect(try clock.wait(readable: [readEnd], untilMonotonicMicros: clock.monotonicMicros + 60_000_000) == [true])
    }

    @Test func errnoNamesItsError() {
        #expect(Errno.noSuchFileOrDirectory.description == "No such file or directory")
        #expect(Errno(rawValue: ENODEV) == .noSuchDevice)
    }
}
