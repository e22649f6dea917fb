import Testing
@testable import LedgerCore

@Suite("Parsing amounts in major units")
struct MoneyParsingTests {
    @Test(arguments: [
        ("1250.00", 2, Int64(125_000)), ("-3.20", 2, -320), ("+7", 2, 700), ("0", 2, 0), ("5000", 0, 5000),
        ("12.500", 3, 12_500), ("19.990", 2, 1999), ("1.5000", 2, 150), ("1.", 2, 100), (".5", 2, 50),
        ("  42.1\t", 2, 4210), ("007.05", 2, 705), ("999999999999.99", 2, 99_999_999_999_999), ("3.000", 0, 3),
    ])
    func valid(text: String, exponent: Int, units: Int64) throws {
        #expect(try Money.parseMinorUnits(text, exponent: exponent) == units)
    }

    @Test(arguments: [
        ("", MoneyError.Kind.notANumber, 2), ("-", .notANumber, 2), (".", .notANumber, 2), ("1.2.3", .notANumber, 2),
        ("12a", .notANumber, 2), ("+-1", .notANumber, 2), ("1,00", .notANumber, 2), ("1.234x", .notANumber, 2),
        ("1.234", .tooManyDecimals, 2), ("1.5", .tooManyDecimals, 0), ("1.0001", .tooManyDecimals, 3),
        ("99999999999999999999.123", .tooManyDecimals, 2), ("10000000000000.00", .outOfRange, 2),
        ("99999999999999999999", .outOfRange, 0),
    ])
    func invalid(text: String, kind: MoneyError.Kind, exponent: Int) {
        #expect(throws: MoneyError.self) { try Money.parseMinorUnits(text, exponent: exponent) }
        do {
            _ = try Money.parseMinorUnits(text, exponent: exponent)
        } catch {
            #expect(error.kind == kind, "\(text)")
        }
    }
}
