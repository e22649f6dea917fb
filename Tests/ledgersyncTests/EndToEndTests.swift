import Foundation
import Testing

/// The binary run the way a user runs it, on the bundled sample (samples/, built by samples/generate.py).
@Suite(.serialized)
struct EndToEndTests {
    static let samples = CLI.packageRoot.appendingPathComponent("samples")
    static let golden = CLI.packageRoot.appendingPathComponent("Tests/ledgersyncTests/Fixtures/golden")

    /// A temp folder holding a copy of the sample ledger, imported once.
    static func importedSample(_ extra: [String] = []) throws -> (TempDir, CLI.Result) {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), samples.appendingPathComponent("events").path] + extra)
        return (dir, result)
    }

    static func csvRows(_ text: String) -> [[String: String]] {
        // The expected files are simple (no quoted commas), so a plain split is enough here.
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: header.enumerated().map { ($0.element, $0.offset < cells.count ? cells[$0.offset] : "") })
        }
    }

    @Test func sampleReachesTheExpectedOutcome() throws {
        let (dir, result) = try Self.importedSample()
        #expect(result.status == 1, "the sample holds an invalid row and other-mode records, so the import exits 1: \(result.stderr)")
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        let expected = Self.csvRows(try String(contentsOf: Self.samples.appendingPathComponent("expected.csv"), encoding: .utf8))
        #expect(!expected.isEmpty)
        for row in expected {
            let number = row["invoice_number"] ?? ""
            guard let actual = ledger.row(number) else {
                Issue.record("row \(number) missing from the ledger")
                continue
            }
            for column in ["status", "amount_paid", "amount_refunded", "balance_due", "flag"] {
                #expect(actual[column] == row[column], "\(number) \(column): got '\(actual[column] ?? "")', expected '\(row[column] ?? "")' — \(actual["flag_detail"] ?? "")")
            }
        }
        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        let expectedPayments = Self.csvRows(try String(contentsOf: Self.samples.appendingPathComponent("expected_payments.csv"), encoding: .utf8))
        for row in expectedPayments {
            let id = row["stripe_id"] ?? ""
            guard let actual = payments.row(id) else {
                Issue.record("payment \(id) missing from the payments table")
                continue
            }
            for column in ["kind", "status", "invoice_number", "flag"] {
                #expect(actual[column] == row[column], "\(id) \(column): got '\(actual[column] ?? "")', expected '\(row[column] ?? "")' — \(actual["flag_detail"] ?? "")")
            }
        }
    }

    @Test func sampleMatchesGoldenFiles() throws {
        let (dir, _) = try Self.importedSample()
        for name in ["ledger.csv", "ledger.payments.csv"] {
            let actual = try dir.read(name)
            let goldenURL = Self.golden.appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: goldenURL)
            }
            let expected = try String(contentsOf: goldenURL, encoding: .utf8)
            if actual != expected {
                let diff = zip(actual.split(separator: "\n"), expected.split(separator: "\n")).enumerated()
                    .first { $0.element.0 != $0.element.1 }
                Issue.record("\(name) differs from \(goldenURL.path) (regenerate on purpose with UPDATE_GOLDEN=1 make test); first difference at line \((diff?.offset ?? 0) + 1):\n  got:      \(diff?.element.0 ?? "")\n  expected: \(diff?.element.1 ?? "")")
            }
        }
    }

    @Test func reimportChangesNothing() throws {
        let (dir, _) = try Self.importedSample()
        let before = try dir.bytes("ledger.csv")
        let paymentsBefore = try dir.bytes("ledger.payments.csv")
        let again = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", Self.samples.appendingPathComponent("events").path])
        let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(summary?["newItems"] as? Int == 0)
        #expect((summary?["duplicates"] as? Int ?? 0) > 0)
        #expect(try dir.bytes("ledger.csv") == before)
        #expect(try dir.bytes("ledger.payments.csv") == paymentsBefore)
    }

    @Test func orderAndRepeatsDoNotChangeTheResult() throws {
        let (reference, _) = try Self.importedSample()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.samples.appendingPathComponent("events").path)
            .sorted().map { Self.samples.appendingPathComponent("events").appendingPathComponent($0).path }
        let shuffled = try TempDir()
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("ledger.csv"), to: shuffled.url.appendingPathComponent("ledger.csv"))
        // Reverse order, every file twice, one at a time.
        for file in files.reversed() + files {
            try CLI.run(["import", "--ledger", shuffled.path("ledger.csv"), file])
        }
        #expect(try shuffled.bytes("ledger.csv") == reference.bytes("ledger.csv"))
        #expect(try shuffled.bytes("ledger.payments.csv") == reference.bytes("ledger.payments.csv"))
    }

    @Test func deletingTheSideFilesNeverDoubleCounts() throws {
        let (dir, _) = try Self.importedSample()
        let before = try dir.bytes("ledger.csv")
        try FileManager.default.removeItem(atPath: dir.path("ledger.ledgersync"))
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.samples.appendingPathComponent("events").path])
        #expect(try dir.bytes("ledger.csv") == before)
    }

    /// Side files gone, then only something new imported: the tables alone must carry every row's money,
    /// status and flags (refunds and disputes tied to their charges, an uncaptured charge uncounted, a
    /// void or uncollectible Stripe invoice, an out-of-band payment). What they cannot carry — when each
    /// record was last seen, and a Stripe invoice's total behind `amount_mismatch` — returns when the
    /// Stripe history is imported again.
    @Test func deletingTheSideFilesThenImportingSomethingNewKeepsEveryRow() throws {
        let (dir, _) = try Self.importedSample()
        let rowsBefore = try LedgerCSV(dir.path("ledger.csv"))
        let paymentsBefore = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        try FileManager.default.removeItem(atPath: dir.path("ledger.ledgersync"))
        try dir.write("new.jsonl", "")
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), dir.path("new.jsonl")])

        let rowsAfter = try LedgerCSV(dir.path("ledger.csv"))
        var mismatchRows: [String] = []
        for number in rowsBefore.column("invoice_number") {
            let before = try #require(rowsBefore.row(number)), after = try #require(rowsAfter.row(number))
            if before["flag"] == "amount_mismatch" {
                mismatchRows.append(number)
                continue
            }
            for column in ["status", "amount_paid", "amount_refunded", "balance_due", "paid_at", "payment_ids", "match_rule", "flag", "payout_ids"] {
                #expect(after[column] == before[column], "\(number) \(column): was '\(before[column] ?? "")', now '\(after[column] ?? "")'")
            }
        }
        #expect(mismatchRows.count == 1, "the sample has one amount_mismatch row")
        let paymentsAfter = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        #expect(paymentsAfter.column("stripe_id").sorted() == paymentsBefore.column("stripe_id").sorted())
        for id in paymentsBefore.column("stripe_id") {
            let before = try #require(paymentsBefore.row(id)), after = try #require(paymentsAfter.row(id))
            for column in ["kind", "status", "amount", "charge_id", "invoice_number", "applied_amounts", "match_rule", "flag"] {
                #expect(after[column] == before[column], "\(id) \(column): was '\(before[column] ?? "")', now '\(after[column] ?? "")'")
            }
        }
    }

    @Test func deletingTheSideFilesKeepsAPersonsSplitsAndUnmatches() throws {
        let (dir, _) = try Self.importedSample()
        let payments = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        func column(_ name: String) throws -> Int { try #require(payments.header.firstIndex(of: name)) }
        let (id, flag, kind, currency, rule, amount) = try (column("stripe_id"), column("flag"), column("kind"), column("currency"),
                                                           column("match_rule"), column("amount"))
        let unmatched = try #require(payments.rows.first { $0[flag] == "unmatched_payment" && $0[kind] == "charge" && $0[currency] == "usd" })
        let matched = try #require(payments.rows.first { $0[rule] == "customer_amount" && $0[kind] == "charge" })[id]
        let ledger = try LedgerCSV(dir.path("ledger.csv"))
        let open = ledger.rows.compactMap { row -> String? in
            let r = Dictionary(uniqueKeysWithValues: zip(ledger.header, row))
            return r["status"] == "open" && r["flag"] == "" && r["currency"]?.lowercased() == "usd" ? r["invoice_number"] : nil
        }
        #expect(open.count >= 2, "the sample has two open USD rows")
        // Split the unmatched payment: 1.00 on the first row, the rest on the second.
        let split = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), unmatched[id], "--invoice", open[0] + "=1", "--invoice", open[1]])
        #expect(split.status == 0, "\(split.stderr)")
        let undone = try CLI.run(["resolve", "--ledger", dir.path("ledger.csv"), "--unmatch", matched])
        #expect(undone.status == 0, "\(undone.stderr)")
        let decided = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        let rest = try #require(Int(unmatched[amount].replacingOccurrences(of: ".", with: ""))) - 100
        #expect(decided.row(unmatched[id])?["applied_amounts"] == "1.00 \(rest / 100).\(String(format: "%02d", rest % 100))")
        #expect(decided.row(unmatched[id])?["invoice_number"] == "\(open[0]) \(open[1])")
        #expect(decided.row(matched)?["match_rule"] == "manual")
        #expect(decided.row(matched)?["invoice_number"] == "")
        // `explain` shows the payment's own columns, each once.
        let explained = try CLI.run(["explain", "--ledger", dir.path("ledger.csv"), unmatched[id]]).stdout
        #expect(explained.components(separatedBy: "\n  applied_amounts: 1.00 ").count == 2, "\(explained)")
        #expect(explained.components(separatedBy: "\n  match_rule: manual").count == 2, "\(explained)")
        let before = try dir.bytes("ledger.csv")

        try FileManager.default.removeItem(atPath: dir.path("ledger.ledgersync"))
        try CLI.run(["import", "--ledger", dir.path("ledger.csv"), Self.samples.appendingPathComponent("events").path])
        #expect(try dir.bytes("ledger.csv") == before, "the rows read back the same decisions from the payments table")
        let after = try LedgerCSV(dir.path("ledger.payments.csv"), key: "stripe_id")
        #expect(after.row(unmatched[id])?["applied_amounts"] == decided.row(unmatched[id])?["applied_amounts"])
        #expect(after.row(matched)?["flag"] == "unmatched_payment")
    }

    @Test func dryRunWritesNothing() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        let before = try dir.bytes("ledger.csv")
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--dry-run", "--json", Self.samples.appendingPathComponent("events").path])
        #expect(try dir.bytes("ledger.csv") == before)
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.payments.csv")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ledger.ledgersync")))
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(summary?["dryRun"] as? Bool == true)
        #expect(((summary?["changes"] as? [Any]) ?? []).count > 10)

        // The summary is the ledger as the import would leave it: the same as a real import's.
        let real = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", Self.samples.appendingPathComponent("events").path])
        let written = try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any]
        for key in ["statuses", "flags"] {
            #expect((summary?[key] as? [String: Int]).map { !$0.isEmpty } == true, "\(key)")
            #expect(summary?[key] as? [String: Int] == written?[key] as? [String: Int], "\(key)")
        }
        #expect(summary?["unmatchedPayments"] as? Int == written?["unmatchedPayments"] as? Int)

        // A file that only adds a payment no row takes: no row changes, but the payment line is new.
        try dir.write("payment.csv", "id,Created date (UTC),Amount,Currency,Captured,Status\nch_DRY1,2026-03-05 10:00:00,10.00,usd,true,Paid\n")
        let payments = try dir.bytes("ledger.payments.csv")
        let text = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--dry-run", dir.path("payment.csv")])
        #expect(text.stdout.contains("no row would change."), "\(text.stdout)")
        #expect(text.stdout.contains("payment lines (1 new):\n  ch_DRY1 (new): kind 'charge'; status 'succeeded'"), "\(text.stdout)")
        let json = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--dry-run", "--json", dir.path("payment.csv")])
        let one = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(one?["unmatchedPayments"] as? Int == (written?["unmatchedPayments"] as? Int ?? 0) + 1)
        #expect(((one?["paymentChanges"] as? [[String: Any]]) ?? []).map { $0["stripeID"] as? String } == ["ch_DRY1"])
        #expect(try dir.bytes("ledger.payments.csv") == payments)
    }

    @Test func standardInputIsAnInput() throws {
        let dir = try TempDir()
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("ledger.csv"), to: dir.url.appendingPathComponent("ledger.csv"))
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.samples.appendingPathComponent("events").path)
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        let file = try #require(files.first)
        let data = try Data(contentsOf: Self.samples.appendingPathComponent("events").appendingPathComponent(file))
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.csv"), "--json", "-"], stdin: data)
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((summary?["newItems"] as? Int ?? 0) > 0, "\(result.stderr)")
    }
}

/// A ledger CSV read back by a tiny independent parser (RFC 4180 quoting), keyed by one column.
struct LedgerCSV {
    var header: [String] = []
    var rows: [[String]] = []
    var key: String

    init(_ path: String, key: String = "invoice_number") throws {
        self.key = key
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false, i = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        while i < scalars.endIndex {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    let next = scalars.index(after: i)
                    if next < scalars.endIndex && scalars[next] == "\"" { field.unicodeScalars.append("\""); i = next } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { record.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" { let next = scalars.index(after: i); if next < scalars.endIndex && scalars[next] == "\n" { i = next } }
                record.append(field); records.append(record); record = []; field = ""
            } else { field.unicodeScalars.append(c) }
            i = scalars.index(after: i)
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    func row(_ value: String) -> [String: String]? {
        guard let k = header.firstIndex(of: key), let row = rows.first(where: { k < $0.count && $0[k] == value }) else { return nil }
        return Dictionary(uniqueKeysWithValues: header.enumerated().map { ($0.element, $0.offset < row.count ? row[$0.offset] : "") })
    }

    func column(_ name: String) -> [String] {
        guard let k = header.firstIndex(of: name) else { return [] }
        return rows.map { k < $0.count ? $0[k] : "" }
    }
}
