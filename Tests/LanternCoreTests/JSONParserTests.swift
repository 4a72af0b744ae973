import Testing
@testable import LanternCore

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(text)
    }

    private func parseError(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Accepted

    @Test func parsesLiteralsAndScalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false ") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("7", 7.0), ("-12", -12.0), ("12.5", 12.5), ("0.1", 0.1), ("1e3", 1000.0),
        ("1E+3", 1000.0), ("-1.5e-2", -0.015), ("123456789012345", 123_456_789_012_345.0), ("1e22", 1e22),
        ("1e-400", 0.0), ("0.0000001", 0.0000001), ("9007199254740993", 9_007_199_254_740_992.0),
    ])
    func parsesNumbersToTheNearestDouble(text: String, expected: Double) throws {
        guard case .number(let x) = try parse(text) else {
            Issue.record("\(text) did not parse as a number")
            return
        }
        #expect(x == expected)
        #expect(x.sign == expected.sign)
    }

    @Test(arguments: [
        ("2.2250738585072014e-308", 2.2250738585072014e-308), ("18446744073709551616", 18_446_744_073_709_551_616.0),
        ("1.7976931348623157e308", 1.7976931348623157e308), ("3.141592653589793238462643383279", 3.141592653589793),
        ("6.02214076e23", 6.02214076e23), ("1.602176634e-19", 1.602176634e-19),
    ])
    func parsesLongOrFarScaledNumbersWithinAFewUlps(text: String, expected: Double) throws {
        guard case .number(let x) = try parse(text) else {
            Issue.record("\(text) did not parse as a number")
            return
        }
        #expect(abs(x - expected) <= 4 * expected.ulp, "\(text)")
    }

    @Test func objectsKeepTheirKeysInDocumentOrder() throws {
        let value = try parse(#"{"b": 1, "a": [true, null], "c": {"d": "e"}}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "c"])
        #expect(value["a"] == .array([.bool(true), .null]))
        #expect(value["c"]?["d"] == .string("e"))
        #expect(value["missing"] == nil)
    }

    @Test func decodesEveryEscape() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""caf\u00e9 \u00E9""#) == .string("café é"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test func joinsSurrogatePairsIntoOneScalar() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("𝄞"))
    }

    @Test func passesRawUTF8Through() throws {
        #expect(try parse("\"Zürich 北 😀\"") == .string("Zürich 北 😀"))
    }

    @Test func skipsALeadingByteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try parse(text)
    }

    // MARK: Rejected

    @Test func rejectsNestingBeyondTheLimit() {
        let depth = JSONParser.maximumDepth + 1
        let error = parseError(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(error == JSONParseError(line: 1, column: depth, message: "nesting deeper than 64 levels"))
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(parseError(objects)?.message == "nesting deeper than 64 levels")
    }

    @Test func reportsTheLineAndColumnOfAMissingComma() {
        let error = parseError("{\n  \"a\": 1\n  \"b\": 2\n}")
        #expect(error == JSONParseError(line: 3, column: 3, message: "expected ',' or '}'"))
        #expect(error?.description == "line 3, column 3: expected ',' or '}'")
    }

    @Test func countsColumnsInCharactersNotBytes() {
        // "é" is two bytes: the stray x is the 7th byte but the 6th character on the line.
        #expect(parseError(#"["é" x]"#) == JSONParseError(line: 1, column: 6, message: "expected ',' or ']'"))
    }

    @Test func rejectsDuplicateKeysAtTheSecondOccurrence() {
        #expect(parseError("{\"a\": 1,\n \"a\": 2}") == JSONParseError(line: 2, column: 2, message: #"duplicate key "a""#))
    }

    @Test func rejectsDuplicateKeysInLargeObjects() {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }
        #expect(throws: Never.self) { try JSONParser.parse("{" + members.joined(separator: ", ") + "}") }
        let repeated = "{" + (members + [#""k3": 0"#]).joined(separator: ", ") + "}"
        #expect(parseError(repeated)?.message == #"duplicate key "k3""#)
    }

    @Test func rejectsTrailingGarbage() {
        #expect(parseError("{} x") == JSONParseError(line: 1, column: 4, message: "expected the end of the input after the JSON value"))
        #expect(parseError("[1] [2]")?.column == 5)
        #expect(parseError("1 2")?.column == 3)
    }

    @Test(arguments: [
        "", "   ", "[1,]", #"{"a":1,}"#, "[,1]", "01", "-01", "+1", ".5", "1.", "1e", "1e+", "-", "NaN", "Infinity",
        "'a'", "[1 2]", #"{"a" 1}"#, #"{a: 1}"#, "/* c */ 1", "tru", "nul", "truex", "[", "{", #"{"a":"#, #""abc"#,
        "\"a\tb\"", "\"a\nb\"", #""\x""#, #""\u12""#, #""\u12G4""#, "\u{0B}1", "1e400", "-1e400",
    ])
    func rejectsWhatRFC8259DoesNotAllow(text: String) {
        #expect(parseError(text) != nil, "accepted \(text)")
    }

    @Test(arguments: [#""\ud83d""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83dx""#])
    func rejectsUnpairedSurrogates(text: String) {
        #expect(parseError(text)?.message == "unpaired surrogate in a \\u escape")
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
    ] as [[UInt8]])
    func rejectsMalformedUTF8InStrings(bytes: [UInt8]) {
        #expect(throws: JSONParseError(line: 1, column: 2, message: "invalid UTF-8")) { try JSONParser.parse(bytes) }
    }

    @Test func saysWhenTheInputEndsEarly() {
        #expect(parseError("{\"a\": [1, 2") == JSONParseError(line: 1, column: 12, message: "expected ',' or ']' but the input ended"))
        #expect(parseError("")?.message == "expected a value but the input ended")
    }
}
