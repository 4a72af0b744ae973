import Testing
@testable import LanternCore

@Suite struct FixedDecimalTests {
    @Test(arguments: [
        (0.0, 3, "0.000"), (5.0, 0, "5"), (0.05, 3, "0.050"), (0.001, 3, "0.001"), (123.456, 1, "123.5"),
        (-7.25, 2, "-7.25"), (1234567.0, 2, "1234567.00"), (0.5, 0, "1"), (99.995, 1, "100.0"), (9.96, 1, "10.0"),
    ])
    func writesExactlyTheRequestedPlaces(value: Double, places: Int, expected: String) {
        #expect(formatFixed(value, places: places) == expected)
    }

    @Test func roundsExactHalvesAwayFromZero() {
        // 0.125, 2.5 and 0.375 are exact in binary, so these are true ties.
        #expect(formatFixed(0.125, places: 2) == "0.13")
        #expect(formatFixed(-0.125, places: 2) == "-0.13")
        #expect(formatFixed(2.5, places: 0) == "3")
        #expect(formatFixed(-2.5, places: 0) == "-3")
        #expect(formatFixed(0.375, places: 2) == "0.38")
    }

    @Test func roundsTheStoredBinaryValueNotTheLiteral() {
        // 1.005 is stored as 1.00499999999999989..., 0.15 as 0.1499999999999999944...
        #expect(formatFixed(1.005, places: 2) == "1.00")
        #expect(formatFixed(0.15, places: 1) == "0.1")
        // 0.35 is stored as 0.34999999999999997779..., 2.675 as 2.67499999999999982236...
        #expect(formatFixed(2.675, places: 2) == "2.67")
    }

    @Test func neverWritesNegativeZero() {
        #expect(formatFixed(-0.0, places: 3) == "0.000")
        #expect(formatFixed(-0.0004, places: 3) == "0.000")
        #expect(formatFixed(-0.4, places: 0) == "0")
        #expect(formatFixed(-0.0005, places: 3) == "-0.001")
    }

    @Test func writesNonFiniteValuesAsWords() {
        #expect(formatFixed(.nan, places: 2) == "nan")
        #expect(formatFixed(-Double.nan, places: 2) == "nan")
        #expect(formatFixed(.infinity, places: 2) == "inf")
        #expect(formatFixed(-.infinity, places: 0) == "-inf")
    }

    @Test func writesLargeValuesInFull() {
        #expect(formatFixed(1e20, places: 0) == "100000000000000000000")
        #expect(formatFixed(18_446_744_073_709_551_616.0, places: 2) == "18446744073709551616.00")
        #expect(formatFixed(-1e22, places: 1) == "-10000000000000000000000.0")
        let largest = formatFixed(.greatestFiniteMagnitude, places: 0)
        #expect(largest.utf8.count == 309)
        #expect(largest.hasPrefix("179769313486231570814527423731704356798070567525844996598917476803157260780"))
        #expect(largest.hasSuffix("858368"))
    }

    @Test func writesTinyValuesExactly() {
        #expect(formatFixed(.leastNonzeroMagnitude, places: 3) == "0.000")
        // 2^-1074 = 4.94065645841246544e-324: rounded at 324 places it is ...005.
        let smallest = formatFixed(.leastNonzeroMagnitude, places: 324)
        #expect(smallest == "0." + String(repeating: "0", count: 323) + "5")
        #expect(formatFixed(0.1, places: 20) == "0.10000000000000000555")
    }

    @Test func agreesWithIntegerArithmeticOnEighths() {
        // n/8 is exact in binary and has at most 3 decimals: compare against the decimal worked out by hand.
        for n in -2000...2000 {
            let magnitude = abs(n) * 125  // thousandths
            let sign = n < 0 ? "-" : ""
            let fraction = String(magnitude % 1000)
            let expected = sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
            #expect(formatFixed(Double(n) / 8, places: 3) == expected, "n = \(n)")
        }
    }

    @Test func signedFormatMarksNonNegativeValuesWithPlus() {
        #expect(formatSigned(0.123, places: 3) == "+0.123")
        #expect(formatSigned(-0.05, places: 3) == "-0.050")
        #expect(formatSigned(0, places: 3) == "+0.000")
        #expect(formatSigned(-0.0001, places: 3) == "+0.000")
        #expect(formatSigned(.infinity, places: 1) == "+inf")
        #expect(formatSigned(.nan, places: 1) == "nan")
    }

    @Test func trimmedFormatDropsTrailingZeros() {
        #expect(formatTrimmed(12.5) == "12.5")
        #expect(formatTrimmed(-3) == "-3")
        #expect(formatTrimmed(0.1) == "0.1")
        #expect(formatTrimmed(100) == "100")
        #expect(formatTrimmed(0.0000001) == "0")
    }
}
