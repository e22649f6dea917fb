import CXLSXWriter
import Foundation
import ZIPFoundation

/// Opens the zip, follows the relationships from the package root to the worksheets, and hands
/// each XML part to a SAX handler (XLSXParts.swift) driven by libxml2 (XMLEvents.swift).
struct XLSXReader {
    let path: String
    var skipSheet: @Sendable (String) -> Bool = { _ in false }

    func read() throws(XLSXError) -> XLSXWorkbookContents {
        try checkSignature()
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw fail(.notAWorkbook, "is not an .xlsx workbook (its zip directory cannot be read; a damaged download, or another file renamed?); save it again from your spreadsheet program as Excel Workbook (.xlsx)")
        }
        var entries: [String: Entry] = [:]
        for entry in archive { entries[entry.path.lowercased()] = entry }
        func part(_ name: String) throws(XLSXError) -> Data? {
            guard let entry = entries[name.lowercased()] else { return nil }
            // A part that unpacks to far more than a spreadsheet's XML ever does (a "zip bomb"): stop
            // before it takes the machine's memory.
            let compressed = max(entry.compressedSize, 1), maxRatio: UInt64 = 200
            var data = Data()
            data.reserveCapacity(Int(min(entry.uncompressedSize, compressed * maxRatio, 1 << 30)))
            // The zip's CRC-32 is checked with zlib's crc32, several times faster than ZIPFoundation's own.
            var crc = crc32(0, nil, 0)
            struct TooExpanded: Error {}
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { piece in
                    piece.withUnsafeBytes { crc = crc32(crc, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count)) }
                    data.append(piece)
                    if data.count > 64 << 20, UInt64(data.count) / compressed > maxRatio { throw TooExpanded() }
                }
            } catch is TooExpanded {
                throw fail(.limitExceeded, "has a part \(name) that unpacks to more than \(maxRatio) times its packed size, which no spreadsheet writes (a zip bomb?); LedgerSync does not open it")
            } catch {
                throw fail(.malformedXML, "has a damaged part \(name) (\(error)); save it again from your spreadsheet program")
            }
            guard UInt32(truncatingIfNeeded: crc) == entry.checksum else {
                throw fail(.malformedXML, "has a damaged part \(name) (its checksum does not match; a damaged download?); save it again from your spreadsheet program")
            }
            return data
        }

        // Package root → workbook part (xl/workbook.xml in every producer seen, but the rels decide).
        var workbookPath = "xl/workbook.xml"
        if let rootRels = try part("_rels/.rels") {
            let rels = try parse(rootRels, part: "_rels/.rels", into: RelationshipsHandler())
            if let office = rels.relationships.values.first(where: { $0.type.hasSuffix("/officeDocument") }) {
                workbookPath = Self.resolve(office.target, relativeTo: "")
            }
        }
        guard let workbookXML = try part(workbookPath) else {
            throw fail(.missingPart, "has no \(workbookPath), so it is a zip file but not a spreadsheet; export it again as Excel Workbook (.xlsx)")
        }
        let workbook = try parse(workbookXML, part: workbookPath, into: WorkbookHandler())
        let baseDir = workbookPath.lastIndex(of: "/").map { String(workbookPath[..<$0]) } ?? ""
        let relsPath = (baseDir.isEmpty ? "" : baseDir + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        var relationships: [String: RelationshipsHandler.Relationship] = [:]
        if let relsXML = try part(relsPath) {
            relationships = try parse(relsXML, part: relsPath, into: RelationshipsHandler()).relationships
        }
        func target(ofType suffix: String, fallback: String) -> String {
            relationships.values.first { $0.type.hasSuffix(suffix) }.map { Self.resolve($0.target, relativeTo: baseDir) } ?? fallback
        }

        var dateStyles: [XLSXDateStyle] = []
        let stylesPath = target(ofType: "/styles", fallback: Self.resolve("styles.xml", relativeTo: baseDir))
        if let xml = try part(stylesPath) {
            dateStyles = try parse(xml, part: stylesPath, into: StylesHandler()).dateStyles()
        }

        // The zip is read on this thread only (the archive is one FILE*); the shared strings are
        // parsed on another while the sheets are inflated, then the sheets are parsed side by side.
        let sharedPath = target(ofType: "/sharedStrings", fallback: Self.resolve("sharedStrings.xml", relativeTo: baseDir))
        let sharedXML = try part(sharedPath)
        let sharedResult = ResultBox<[String]>(count: 1)
        let sharedDone = DispatchGroup()
        if let sharedXML {
            let reader = self
            DispatchQueue.global().async(group: sharedDone) {
                sharedResult.set(0, Result { () throws(XLSXError) in
                    try reader.parse(sharedXML, part: sharedPath, into: SharedStringsHandler()).strings
                })
            }
        } else {
            sharedResult.set(0, .success([]))
        }

        var parts: [(name: String, path: String, xml: Data, hidden: Bool)] = []
        for sheet in workbook.sheets where !skipSheet(sheet.name) {
            guard let rel = relationships[sheet.relationshipID] else {
                sharedDone.wait()
                throw fail(.missingPart, "lists sheet '\(sheet.name)' but not where it is stored (relationship \(sheet.relationshipID) is missing from \(relsPath)); open and save it again in your spreadsheet program")
            }
            // Chart sheets and dialog sheets hold no cells.
            guard rel.type.hasSuffix("/worksheet") else { continue }
            let sheetPath = Self.resolve(rel.target, relativeTo: baseDir)
            guard let xml = try part(sheetPath) else {
                sharedDone.wait()
                throw fail(.missingPart, "lists sheet '\(sheet.name)' but has no \(sheetPath); open and save it again in your spreadsheet program")
            }
            parts.append((sheet.name, sheetPath, xml, sheet.hidden))
        }

        sharedDone.wait()
        let sharedStrings = try sharedResult.get(0)
        let date1904 = workbook.date1904
        let styles = dateStyles
        let sheetResults = ResultBox<(rows: [[XLSXCell]], hiddenColumns: [ClosedRange<Int>])>(count: parts.count)
        let reader = self
        let sendableParts = parts
        DispatchQueue.concurrentPerform(iterations: sendableParts.count) { index in
            let part = sendableParts[index]
            let handler = SheetHandler(sharedStrings: sharedStrings, dateStyles: styles, date1904: date1904)
            sheetResults.set(index, reader.parseSheet(part.xml, path: part.path, name: part.name, handler: handler))
        }
        var sheets: [XLSXSheet] = []
        for (index, part) in parts.enumerated() {
            let read = try sheetResults.get(index)
            sheets.append(XLSXSheet(name: part.name, rows: read.rows, hidden: part.hidden, hiddenColumns: read.hiddenColumns))
        }
        return XLSXWorkbookContents(sheets: sheets, date1904: workbook.date1904)
    }

    private func parseSheet(_ xml: Data, path sheetPath: String, name: String, handler: SheetHandler)
        -> Result<(rows: [[XLSXCell]], hiddenColumns: [ClosedRange<Int>]), XLSXError> {
        do {
            let parsed = try parse(xml, part: sheetPath, into: handler)
            return .success((parsed.rows, parsed.hiddenColumns))
        } catch {
            return .failure(XLSXError(error.kind, file: path, sheet: name, cell: error.cell, message: error.message))
        }
    }

    /// Tells a zip from an OLE compound file (encrypted .xlsx, .xls) and from anything else,
    /// before the zip library gives a vaguer answer.
    private func checkSignature() throws(XLSXError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw fail(.unreadableFile, exists
                ? "cannot be opened for reading; check its permissions"
                : "does not exist; check the path")
        }
        defer { try? handle.close() }
        let head: [UInt8]
        do {
            head = Array(try handle.read(upToCount: 8) ?? Data())
        } catch {
            throw fail(.unreadableFile, "cannot be read (\(error)); check that it is a regular file")
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw fail(.encryptedOrLegacy, "is password-protected or an old .xls file (an OLE compound document, not an .xlsx zip); remove the password or save it as Excel Workbook (.xlsx), then try again")
        }
        guard head.starts(with: [0x50, 0x4B]) else {
            throw fail(.notAWorkbook, "is not an .xlsx workbook (it is not a zip file; a CSV or another file renamed?); save it as Excel Workbook (.xlsx), or name a .csv ledger")
        }
    }

    func parse<H: XLSXPartHandler>(_ data: Data, part: String, into handler: H) throws(XLSXError) -> H {
        let outcome = XMLEvents.parse(data, into: handler)
        if let error = handler.failure {
            throw XLSXError(error.kind, file: path, cell: error.cell, message: error.message)
        }
        guard outcome.wellFormed else {
            throw fail(.malformedXML, "has broken XML in \(part) near line \(outcome.line) (\(outcome.message ?? "unknown error")); open and save it again in your spreadsheet program")
        }
        return handler
    }

    private func fail(_ kind: XLSXError.Kind, _ message: String) -> XLSXError {
        XLSXError(kind, file: path, message: message)
    }

    /// A relationship target as a zip path: absolute (`/xl/worksheets/sheet1.xml`) or relative to
    /// the part's folder, with `..` resolved.
    static func resolve(_ target: String, relativeTo base: String) -> String {
        var components: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = components.popLast() } else if piece != "." { components.append(piece) }
        }
        return components.joined(separator: "/")
    }
}

/// Results written by concurrent work items, one slot each.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private var slots: [Result<Value, XLSXError>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, XLSXError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func get(_ index: Int) throws(XLSXError) -> Value {
        lock.lock()
        let result = slots[index]
        lock.unlock()
        guard let result else { preconditionFailure("work item \(index) did not finish") }
        return try result.get()
    }
}
