import Foundation
import LanternAgent
import LanternTestSupport
import Testing


func parseBoard(_ text: String) throws(BoardConfigError) -> BoardConfig {
    try BoardConfig.parse(json: Array(text.utf8), source: "board.json")
}

func boardError(_ text: String) -> String? {
    do {
        _ = try parseBoard(text)
        return nil
    } catch {
        return error.description
    }
}

func board(roles: String, lines: Int = 8, extra: String = "") -> String {
    """
    { "name": "test", "gpiochip": "/dev/gpiochip0", "lines": \(lines), \(extra) "roles": [\(roles)],
      "camera": { "device": "/dev/video0", "format": "YUYV", "width": 640, "height": 480, "fps": 10 } }
    """
}

@Suite struct BoardConfigTests {
    @Test func everyBoardFileInBoardsLoads() throws {
        let dir = repositoryRoot.appendingPathComponent("Boards")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 5)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(file)))
            #expect(throws: Never.self, "\(file)") { _ = try BoardConfig.parse(json: bytes, source: file) }
        }
    }

    @Test func theQemuVirtBoardNeverUsesThePowerButtonLine() throws {
        let bytes = try [UInt8](Data(contentsOf: repositoryRoot.appendingPathComponent("Boards/qemu-virt.json")))
        let virt = try BoardConfig.parse(json: bytes, source: "qemu-virt.json")
        #expect(virt.lineCount == 8)
        #expect(virt.reservedLines == [3])
        #expect(!virt.roles.contains { $0.line == 3 })
    }

    @Test func rolesMapToLinesWithTheirSettings() throws {
        let b = try parseBoard(board(roles: """
            { "role": "tamper", "line": 1, "bias": "pull-up", "activeLow": true, "debounceMs": 100 },
            { "role": "privacy-led", "line": 6 }
            """))
        #expect(b.assignment(for: .tamper) == RoleAssignment(role: .tamper, line: 1, bias: .pullUp, activeLow: true, debounceMs: 100))
        #expect(b.assignment(for: .privacyLED)?.line == 6)
        #expect(b.assignment(for: .pir) == nil)
        #expect(b.camera.format == .yuyv)
    }

    @Test func aLineOutOfRangeNamesItsKeyPath() {
        #expect(boardError(board(roles: #"{ "role": "pir", "line": 0 }, { "role": "relay", "line": 8 }"#))
            == "board.json: roles[1].line: line 8 is out of range (the chip has lines 0 to 7)")
    }

    @Test func aRoleTwiceIsAnError() {
        #expect(boardError(board(roles: #"{ "role": "pir", "line": 0 }, { "role": "pir", "line": 1 }"#))
            == "board.json: roles[1].role: pir is already assigned by roles[0] (a role takes one line)")
    }

    @Test func aLineUsedTwiceIsAnError() {
        #expect(boardError(board(roles: #"{ "role": "pir", "line": 2 }, { "role": "tamper", "line": 2 }"#))
            == "board.json: roles[1].line: line 2 is already used by roles[0] (pir)")
    }

    @Test func anUnknownRoleIsAnError() {
        #expect(boardError(board(roles: #"{ "role": "siren", "line": 2 }"#))?
            .hasPrefix("board.json: roles[0].role: unknown role \"siren\"") == true)
    }

    @Test func aReservedLineCannotTakeARole() {
        #expect(boardError(board(roles: #"{ "role": "button", "line": 3 }"#, extra: #""reserved": [3],"#))
            == "board.json: roles[0].line: line 3 is reserved by the board (see reserved); pick another line")
    }

    @Test func anUnknownKeyIsAnError() {
        #expect(boardError(board(roles: #"{ "role": "pir", "line": 0, "pull": "up" }"#))?
            .hasPrefix("board.json: roles[0].pull: unknown key") == true)
    }

    @Test func debounceOnAnOutputIsAnError() {
        #expect(boardError(board(roles: #"{ "role": "relay", "line": 0, "debounceMs": 5 }"#))
            == "board.json: roles[0].debounceMs: relay is an output; debounce applies to inputs only")
    }
}
