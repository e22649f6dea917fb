import Foundation
import LedgerCore
import StripeData
import Testing

/// Each Dashboard export kind, built from its real header (Fixtures/exports/make_exports.py), read into
/// records and problems that must equal `<name>.expected.txt`. Regenerate on purpose only:
/// `UPDATE_GOLDEN=1 swift test --filter ExportGoldenTests`.
@Suite struct ExportGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/exports")

    /// One line per record (every non-nil field, in a fixed order), then one per problem.
    static func render(_ input: ExportInput) -> String {
        var lines = ["kind: \(input.kind?.rawValue ?? "-") rows: \(input.rows)"]
        for item in input.records {
            let r = item.record
            var fields: [String] = ["line=\(item.line)", r.kind.rawValue, r.id, "door=\(r.door.rawValue)"]
            func add(_ name: String, _ value: (any CustomStringConvertible)?) {
                if let value { fields.append("\(name)=\(value)") }
            }
            add("livemode", r.livemode)
            add("created", r.created)
            add("observedAt", r.observedAt)
            add("status", r.status)
            add("currency", r.currency)
            add("amount", r.amount)
            add("amountCaptured", r.amountCaptured)
            add("amountRefunded", r.amountRefunded)
            add("amountPaid", r.amountPaid)
            add("amountDue", r.amountDue)
            add("total", r.total)
            add("fee", r.fee)
            add("net", r.net)
            add("settlementCurrency", r.settlementCurrency)
            add("captured", r.captured)
            add("customer", r.customer)
            add("charge", r.charge)
            add("paymentIntent", r.paymentIntent)
            add("invoice", r.invoice)
            add("balanceTransaction", r.balanceTransaction)
            add("source", r.source)
            add("payout", r.payout)
            add("email", r.email)
            add("reference", r.reference)
            add("number", r.number)
            add("type", r.type)
            add("reason", r.reason)
            add("dueBy", r.dueBy)
            lines.append(fields.joined(separator: " "))
        }
        for p in input.problems {
            lines.append("problem \(p.kind.rawValue) line \(p.line) column=\(p.column ?? "-") value=\(p.value ?? "-"): \(p.message)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func check(_ name: String, settings: ReconcileSettings = ReconcileSettings()) throws -> ExportInput {
        let path = folder.appendingPathComponent(name + ".csv").path
        let input = StripeExport.read(path: path, file: name + ".csv", settings: settings)
        let actual = render(input)
        let golden = folder.appendingPathComponent(name + ".expected.txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try Data(actual.utf8).write(to: golden)
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? "(missing golden file \(golden.path))"
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let at = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            Issue.record("\(name): differs from its golden file at line \(at + 1)\n  got:      \(at < a.count ? a[at] : "(end)")\n  expected: \(at < e.count ? e[at] : "(end)")")
        }
        // Streaming in small batches gives the same records as reading whole.
        // Each batch hands over the rows that gave its records, under the file's header.
        var streamed: [ExportRecord] = []
        _ = StripeExport.read(path: path, file: name + ".csv", settings: settings, batchSize: 1) { batch in
            streamed += batch.records
            #expect(batch.rowOf.count == batch.records.count && batch.rowOf.allSatisfy { batch.rowEnds.indices.contains($0) })
            #expect(batch.rowEnds.last == batch.rowsCSV.count)
            #expect(batch.header.count > 1)
        }
        #expect(streamed == input.records)
        // From memory (standard input, a journal line) too.
        let fromBytes = StripeExport.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: name + ".csv", settings: settings)
        #expect(fromBytes.input.records == input.records)
        #expect(fromBytes.input.problems == input.problems)
        #expect(fromBytes.batch.records == input.records)
        return input
    }

    @Test func paymentsFullHeader() throws {
        let input = try Self.check("payments_full")
        #expect(input.kind == .payments)
        let charge = try #require(input.records.first { $0.record.id == "ch_1PgafuB7WZ01zgkWXYmPNZs8" }?.record)
        #expect(charge.kind == .charge && charge.amount == 100 && charge.amountCaptured == nil && charge.fee == 33)
        #expect(charge.status == "succeeded" && charge.livemode == false && charge.created == 1_234_567_890)
        #expect(charge.invoice == "in_1Pgc6tB7WZ01zgkWu9fdqL6I" && charge.number == nil, "Invoice Number belongs to the invoice")
        let invoice = try #require(input.records.first { $0.record.id == "in_1Pgc6tB7WZ01zgkWu9fdqL6I" }?.record)
        #expect(invoice.number == "INV-2026-0100" && invoice.status == nil && invoice.amountPaid == nil)
        let jpy = try #require(input.records.first { $0.record.id == "py_1PgafuB7WZ01zgkWXYmPNZs9" }?.record)
        #expect(jpy.amount == 5000 && jpy.captured == false && jpy.amountCaptured == 0 && jpy.currency == "jpy")
        let kwd = try #require(input.records.first { $0.record.id == "ch_1PgafuB7WZ01zgkWXYmPNZt0" }?.record)
        #expect(kwd.amount == 12_500 && kwd.amountRefunded == 12_500)
        #expect(input.problems.map(\.line) == [5, 6, 7, 8, 9])
        #expect(input.problems.allSatisfy { $0.kind == .badCell })
        #expect(input.problems.map(\.column) == ["Amount", "Created date (UTC)", "id", "Captured", "Status"])
    }

    @Test func paymentsWithMetadataColumns() throws {
        let input = try Self.check("payments_metadata", settings: ReconcileSettings(referenceKeys: ["member_id"]))
        #expect(input.kind == .payments)
        let charge = try #require(input.records.first?.record)
        #expect(charge.reference == "M-17", "a `member_id (metadata)` column is a reference when member_id is a reference key")
        #expect(charge.amountRefunded == 40 && charge.settlementCurrency == "eur" && charge.fee == 31)
        let failed = try #require(input.records.dropFirst().first?.record)
        #expect(failed.status == "failed" && failed.amountCaptured == 0 && failed.email == "max@example.de")
        #expect(input.problems.count == 1 && input.problems.first?.column == "Currency")
        // Without the key in the settings, metadata is not a reference.
        let plain = StripeExport.read(path: Self.folder.appendingPathComponent("payments_metadata.csv").path, settings: ReconcileSettings())
        #expect(plain.records.first?.record.reference == nil)
    }

    @Test func balanceHistoryBothVariants() throws {
        let old = try Self.check("balance_history_2016")
        let new = try Self.check("balance_history_2022")
        #expect(old.kind == .balanceHistory && new.kind == .balanceHistory)
        let a = try #require(old.records.first?.record)
        let b = try #require(new.records.first?.record)
        #expect(a.amount == 100 && a.fee == 33 && a.net == 67 && a.type == "charge" && a.source == "ch_1PgafuB7WZ01zgkWXYmPNZs8")
        #expect(a.payout == "po_1Pgc79B7WZ01zgkWu1KToYf4", "the legacy Transfer column names the payout")
        #expect(b.amount == 100 && b.fee == 33 && b.net == 67, "decimal commas read as points")
        #expect(old.problems.map(\.column) == ["Amount"] && old.problems.first?.value == "1.OO")
        #expect(new.problems.map(\.column) == ["id"])
    }

    @Test func balanceChangeFromActivityItemized() throws {
        let input = try Self.check("balance_change_itemized")
        #expect(input.kind == .balanceChange)
        #expect(input.records.map(\.record.type) == ["charge", "adjustment", "payout_failure"])
        #expect(input.records[1].record.net == -2500)
        #expect(input.problems.isEmpty)
    }

    @Test func payoutsExport() throws {
        let input = try Self.check("payouts")
        #expect(input.kind == .payouts)
        let first = try #require(input.records.first?.record)
        #expect(first.status == "in_transit" && first.amount == 1100 && first.dueBy == 1_234_742_400 && first.livemode == false)
        #expect(input.records.dropFirst().first?.record.status == "failed")
        #expect(input.records.dropFirst().first?.record.reason == "account_closed")
        #expect(input.problems.map(\.column) == ["Status"])
    }

    @Test func invoicesExport() throws {
        let input = try Self.check("invoices")
        #expect(input.kind == .invoices)
        #expect(input.records.map(\.record.status) == ["draft", "paid", "void"])
        #expect(input.records[1].record.amountPaid == 125_000 && input.records[1].record.currency == "eur")
        #expect(input.records[2].record.amountDue == 5000)
        #expect(input.problems.map(\.column) == ["Amount Due"])
        #expect(input.problems.first?.message.contains("more decimals than JPY allows (0)") == true)
    }

    @Test func unknownHeaderIsRejectedListingWhatWasLookedFor() throws {
        let input = try Self.check("not_an_export")
        #expect(input.kind == nil && input.records.isEmpty && input.rows == 0)
        let problem = try #require(input.problems.first)
        #expect(problem.kind == .unknownExport)
        for title in ExportKind.allCases.map(\.title) { #expect(problem.message.contains(title)) }
        #expect(problem.message.contains("Closest: Payments export, which lacks Amount Refunded or Captured"))
    }

    /// A cell LedgerSync does not read never stops the file: a stray quote or a byte that is not UTF-8
    /// there is taken as text. A bad cell it reads skips that row, reported on the line the row starts.
    @Test(arguments: [false, true])
    func faultsInUnreadCellsDoNotStopTheFile(fromMemory: Bool) throws {
        var bytes = Array("""
        id,Created date (UTC),Amount,Currency,Captured,Status,Description
        ch_A1,2026-03-05 10:00:00,10.00,usd,true,Paid,"two
        lines"
        ch_A2,2026-03-05 10:00:00,10.00,usd,true,Paid,a 5" screen
        ch_A3,2026-03-05 10:00:00,10.00,usd,true,Paid,caf
        """.utf8)
        bytes += [0xE9, 0x0A] + Array("ch_A4,2026-03-05 10:00:00,10.0x,usd,true,Paid,ok\nch_A5,2026-03-05 10:00:00,10.00,usd,true,Paid,ok\n".utf8)
        let input: ExportInput
        if fromMemory {
            input = StripeExport.decode(bytes, file: "p.csv", settings: ReconcileSettings()).input
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).csv").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            input = StripeExport.read(path: path, file: "p.csv", settings: ReconcileSettings())
        }
        #expect(input.records.map(\.record.id) == ["ch_A1", "ch_A2", "ch_A3", "ch_A5"])
        #expect(input.records.map(\.line) == [2, 4, 5, 7])
        #expect(input.problems.map(\.line) == [6], "\(input.problems)")
        #expect(input.problems.first?.message.contains("column Amount '10.0x'") == true)
    }
}
