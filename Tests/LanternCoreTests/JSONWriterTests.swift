import Testing
@testable import LanternCore

@Suite struct JSONWriterTests {
    @Test func placesCommasBetweenMembersAndElements() {
        var json = JSONWriter()
        json.object { o in
            o.field("zone", "north-path")
            o.field("count", 12)
            o.field("bias", -0.05, places: 3)
            o.field("relay", true)
            o.key("lines")
            o.array { a in
                a.integer(1)
                a.null()
                a.object { _ in }
                a.array { _ in }
                a.string("x")
            }
            o.key("empty")
            o.object { _ in }
        }
        #expect(json.text == #"{"zone":"north-path","count":12,"bias":-0.050,"relay":true,"lines":[1,null,{},[],"x"],"empty":{}}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var json = JSONWriter()
        json.string("a\"b\\c\nd\re\tf\u{8}\u{C}\u{1}\u{1F}/é😀")
        #expect(json.text == #""a\"b\\c\nd\re\tf\b\f\u0001\u001f/é😀""#)
    }

    @Test func writesNonFiniteNumbersAsNull() {
        var json = JSONWriter()
        json.array { a in
            a.fixed(.nan, places: 2)
            a.fixed(.infinity, places: 2)
            a.fixed(-0.0001, places: 2)
        }
        #expect(json.text == "[null,null,0.00]")
    }

    @Test func outputParsesBackToTheSameValues() throws {
        let awkward = "quote \" backslash \\ newline \n nul \u{0} bell \u{7} emoji 😀"
        var json = JSONWriter()
        json.object { o in
            o.field(awkward, awkward)
            o.field("n", -9_007_199_254_740_993)
            o.field("x", 2.5, places: 1)
        }
        let parsed = try JSONParser.parse(json.text)
        #expect(parsed == .object([
            (key: awkward, value: .string(awkward)),
            (key: "n", value: .number(-9_007_199_254_740_992)),
            (key: "x", value: .number(2.5)),
        ]))
    }
}
