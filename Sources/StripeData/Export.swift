import LedgerCore
import Spreadsheet

/// One record read from a Dashboard export, with the line of the row it came from.
public struct ExportRecord: Sendable, Hashable {
    public var record: Record
    /// 1-based line the row starts on (the header is line 1).
    public var line: Int

    public init(record: Record, line: Int) {
        self.record = record
        self.line = line
    }
}

/// Rows of an export handed over together: the header as read, each row's cells and the records they
/// gave, so whoever keeps them can keep the rows as they arrived (the journal does).
public struct ExportBatch: Sendable {
    /// The header row's cells.
    public var header: [String]
    /// Each row that gave records (a row that failed is a problem, not here) as a CSV line
    /// (`CSV.appendRecord` and a line break), one after another.
    public var rowsCSV: [UInt8] = []
    /// Where each row's line ends in `rowsCSV`.
    public var rowEnds: [Int] = []
    /// Records in row order.
    public var records: [ExportRecord] = []
    /// For each record, the position in `rowEnds` of the row that gave it.
    public var rowOf: [Int] = []

    public init(header: [String]) {
        self.header = header
    }

    /// The CSV line of row `i`, line break included.
    public func rowCSV(_ i: Int) -> ArraySlice<UInt8> {
        rowsCSV[(i == 0 ? 0 : rowEnds[i - 1])..<rowEnds[i]]
    }

    var isEmpty: Bool { records.isEmpty }
}

/// What one Dashboard export yields.
public struct ExportInput: Sendable {
    /// The export the header row was recognised as; nil when it matched none (see `problems`).
    public var kind: ExportKind?
    /// Data rows read (blank lines are not rows).
    public var rows: Int
    /// Records in row order (empty when they were handed to a batch handler instead).
    public var records: [ExportRecord]
    /// Rows that could not be used (file, line, column, value, what to do); every other row applies.
    public var problems: [InputProblem]

    public init(kind: ExportKind? = nil, rows: Int = 0, records: [ExportRecord] = [], problems: [InputProblem] = []) {
        self.kind = kind
        self.rows = rows
        self.records = records
        self.problems = problems
    }
}

/// The Dashboard CSV door: Stripe exports (Payments, Balance history, Balance change from activity,
/// Payouts, Invoices) → `Record`s with `door` `.csvExport`.
///
/// The export is recognised by its header row, never its file name (see `ExportKind`). Amounts are
/// decimal major units (`15.00`, also `15,00`) and become ledger minor units with the currency's
/// decimals; dates are UTC; a `Mode`/`Livemode` column gives `livemode`; `<key> (metadata)`
/// columns whose key is one of `settings.referenceKeys` give the payment's reference.
///
/// ```swift
/// let input = StripeExport.read(path: "unified_payments.csv", settings: settings)
/// input.kind                       // .payments
/// for problem in input.problems { print(problem) }   // unified_payments.csv line 7: column Amount …
/// ```
public enum StripeExport {
    /// Reads an export file row by row (constant memory apart from the records it hands over).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - file: the name used in problems and in each record's origin (default: `path`).
    ///   - settings: `referenceKeys` choose the metadata columns that hold a reference.
    ///   - batchSize: records per call of `deliver`.
    ///   - deliver: receives the records in row order, in batches, with the rows that gave them.
    /// - Returns: the kind, the row count and the problems (`records` is empty). Never throws: an
    ///   unreadable file or an unknown header is a problem, and rows before a CSV syntax error apply.
    ///
    /// The file is read on another thread while `deliver` takes the batches already read (on the
    /// caller's thread, in order).
    public static func read(path: String, file: String? = nil, settings: ReconcileSettings, batchSize: Int = 8192,
                            deliver: (ExportBatch) -> Void) -> ExportInput {
        pipelined(produce: { send in readRows(path: path, file: file ?? path, settings: settings, batchSize: batchSize, deliver: send) },
                  consume: deliver)
    }

    private static func readRows(path: String, file name: String, settings: ReconcileSettings, batchSize: Int,
                                 deliver: (ExportBatch) -> Void) -> ExportInput {
        var reader = ExportReader(file: name, referenceKeys: settings.referenceKeys)
        var batch = ExportBatch(header: [])
        do {
            try CSV.forEachRow(path: path, lenient: true) { index, line, fields in
                guard reader.take(index: index, line: line, fields: fields, into: &batch) else { throw ExportStop() }
                if batch.records.count >= batchSize {
                    deliver(batch)
                    batch = ExportBatch(header: batch.header)
                }
            }
        } catch is ExportStop {
        } catch let error as SpreadsheetError {
            reader.input.problems.append(unreadable(error, file: name))
        } catch {
            reader.input.problems.append(InputProblem(file: name, line: 1, offset: 0, kind: .unreadableCSV,
                                                      message: "cannot be read as CSV; check the file"))
        }
        if !batch.isEmpty { deliver(batch) }
        reader.finish()
        return reader.input
    }

    /// Reads an export file and keeps its records; see `read(path:file:settings:batchSize:deliver:)`.
    public static func read(path: String, file: String? = nil, settings: ReconcileSettings) -> ExportInput {
        var records: [ExportRecord] = []
        var input = read(path: path, file: file, settings: settings) { records += $0.records }
        input.records = records
        return input
    }

    /// Decodes an export held in memory (standard input, a journal line): its records in `records`,
    /// and all of it as one batch.
    public static func decode(_ bytes: [UInt8], file: String, settings: ReconcileSettings) -> (input: ExportInput, batch: ExportBatch) {
        var reader = ExportReader(file: file, referenceKeys: settings.referenceKeys)
        var batch = ExportBatch(header: [])
        do {
            try CSV.forEachRow(bytes: bytes, name: file, lenient: true) { index, line, fields in
                guard reader.take(index: index, line: line, fields: fields, into: &batch) else { throw ExportStop() }
            }
        } catch is ExportStop {
        } catch let error as SpreadsheetError {
            reader.input.problems.append(unreadable(error, file: file))
        } catch {
            reader.input.problems.append(InputProblem(file: file, line: 1, offset: 0, kind: .unreadableCSV,
                                                      message: "cannot be read as CSV; check the file"))
        }
        reader.finish()
        reader.input.records = batch.records
        return (reader.input, batch)
    }

    /// Recognises an export from its header row alone.
    /// - Returns: the kind, or nil when the header matches none (the message lists what was looked for).
    public static func recognise(header: [String]) -> ExportKind? {
        try? ExportHeader.recognise(header, referenceKeys: []).get().kind
    }

    static func unreadable(_ error: SpreadsheetError, file: String) -> InputProblem {
        InputProblem(file: file, line: error.line ?? 1, offset: 0, kind: .unreadableCSV,
                     message: "cannot be read as CSV: \(error) (rows before this line were applied)")
    }
}

private struct ExportStop: Error {}

/// The row-by-row state of one export being read.
struct ExportReader {
    let file: String
    let referenceKeys: [String]
    var header: ExportHeader?
    var input = ExportInput()

    init(file: String, referenceKeys: [String]) {
        self.file = file
        self.referenceKeys = referenceKeys
    }

    /// Takes row `index` (0 is the header). False when reading should stop (an unknown header).
    mutating func take(index: Int, line: Int, fields: [String], into batch: inout ExportBatch) -> Bool {
        guard let header else {
            switch ExportHeader.recognise(fields, referenceKeys: referenceKeys) {
            case .success(let h):
                self.header = h
                input.kind = h.kind
                batch.header = fields
                return true
            case .failure(let unknown):
                input.problems.append(InputProblem(file: file, line: 1, offset: 0, kind: .unknownExport, message: unknown.message))
                return false
            }
        }
        input.rows += 1
        do {
            let records = try ExportRecords.records(ExportRow(header: header, cells: fields))
            for record in records {
                batch.records.append(ExportRecord(record: record, line: line))
                batch.rowOf.append(batch.rowEnds.count)
            }
            // Encoded here, on the thread that reads the file, so applying the batch only copies bytes.
            CSV.appendRecord(fields, to: &batch.rowsCSV)
            batch.rowsCSV.append(0x0A)
            batch.rowEnds.append(batch.rowsCSV.count)
        } catch {
            let shown = error.value.map { " '\($0)'" } ?? ""
            input.problems.append(InputProblem(
                file: file, line: line, offset: 0, kind: .badCell,
                message: "column \(error.column)\(shown) \(error.reason); this row was skipped — fix the cell, or export the file again from the Stripe Dashboard",
                column: error.column, value: error.value))
        }
        return true
    }

    mutating func finish() {
        if header == nil && input.problems.isEmpty {
            input.problems.append(InputProblem(file: file, line: 1, offset: 0, kind: .emptyFile,
                                               message: "the file is empty; export it again from the Stripe Dashboard, or remove the file"))
        }
    }
}
