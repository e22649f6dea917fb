import Foundation

/// Excel escapes characters XML cannot hold as `_xHHHH_` (`_x000D_` for a carriage return).
func unescapeOOXML(_ text: String) -> String {
    var found = false
    var previousUnderscore = false
    for byte in text.utf8 {
        if previousUnderscore && byte == UInt8(ascii: "x") { found = true; break }
        previousUnderscore = byte == UInt8(ascii: "_")
    }
    guard found else { return text }
    var out = ""
    var scalars = text.unicodeScalars[...]
    while let i = scalars.firstIndex(of: "_") {
        out.unicodeScalars.append(contentsOf: scalars[..<i])
        let rest = scalars[i...]
        let candidate = rest.prefix(7)
        if candidate.count == 7, candidate.dropFirst().first == "x", candidate.last == "_",
           let code = UInt32(String(String.UnicodeScalarView(candidate.dropFirst(2).dropLast())), radix: 16),
           let scalar = Unicode.Scalar(code) {
            out.unicodeScalars.append(scalar)
            scalars = rest.dropFirst(7)
        } else {
            out.unicodeScalars.append("_")
            scalars = rest.dropFirst()
        }
    }
    out.unicodeScalars.append(contentsOf: scalars)
    return out
}

/// `_rels/*.rels`: relationship id → type and target.
final class RelationshipsHandler: XLSXPartHandler {
    struct Relationship { let type: String; let target: String }
    var relationships: [String: Relationship] = [:]

    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents) {
        guard name == "Relationship", let id = attributes.string("Id"), let target = attributes.string("Target") else { return }
        // External targets (hyperlinks) never name a part.
        if attributes.string("TargetMode") == "External" { return }
        relationships[id] = Relationship(type: attributes.string("Type") ?? "", target: target)
    }
}

/// `xl/workbook.xml`: sheet names in tab order, their relationship ids, and the date system.
final class WorkbookHandler: XLSXPartHandler {
    struct SheetEntry { let name: String; let relationshipID: String; let hidden: Bool }
    var sheets: [SheetEntry] = []
    var date1904 = false

    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents) {
        switch name {
        case "workbookPr":
            if let value = attributes.string("date1904") { date1904 = value == "1" || value.lowercased() == "true" }
        case "sheet":
            // The id attribute lives in the relationships namespace, whatever its prefix (`r:id`).
            let state = attributes.string("state") ?? "visible"
            sheets.append(SheetEntry(name: attributes.string("name") ?? "Sheet\(sheets.count + 1)",
                                     relationshipID: attributes.string("id") ?? "", hidden: state == "hidden" || state == "veryHidden"))
        default:
            break
        }
    }
}

/// How a cell style shows numbers: as a date, with or without a time of day.
struct XLSXDateStyle: Sendable {
    let isDate: Bool
    let showsTime: Bool
}

/// `xl/styles.xml`: custom number formats and each cell style's number format.
final class StylesHandler: XLSXPartHandler {
    var customFormats: [Int: String] = [:]
    var cellFormatIDs: [Int] = []
    private var inNumFmts = false
    private var inCellXfs = false

    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents) {
        switch name {
        case "numFmts": inNumFmts = true
        case "cellXfs": inCellXfs = true
        case "numFmt" where inNumFmts:
            if let id = attributes.integer("numFmtId"), let code = attributes.string("formatCode") {
                customFormats[id] = code
            }
        case "xf" where inCellXfs:
            cellFormatIDs.append(attributes.integer("numFmtId") ?? 0)
        default: break
        }
    }

    func end(_ name: XMLName, _ events: XMLEvents) {
        switch name {
        case "numFmts": inNumFmts = false
        case "cellXfs": inCellXfs = false
        default: break
        }
    }

    /// Per cell style index (`s` on a cell), whether it shows dates.
    func dateStyles() -> [XLSXDateStyle] {
        cellFormatIDs.map { id in
            if let code = customFormats[id] {
                let kind = XLSXNumber.classify(formatCode: code)
                return XLSXDateStyle(isDate: kind.isDate, showsTime: kind.showsTime)
            }
            return XLSXDateStyle(isDate: XLSXNumber.builtinDateIDs.contains(id),
                                 showsTime: XLSXNumber.builtinTimeIDs.contains(id))
        }
    }
}

/// `xl/sharedStrings.xml`: each `<si>` is plain `<t>` or rich-text runs `<r><t>`; phonetic
/// guides (`<rPh>`) are not part of the text.
final class SharedStringsHandler: XLSXPartHandler {
    var strings: [String] = []
    private var text: [UInt8] = []
    private var collecting = false
    private var phoneticDepth = 0

    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents) {
        switch name {
        case "si": text.removeAll(keepingCapacity: true)
        case "t": collecting = phoneticDepth == 0
        case "rPh": phoneticDepth += 1
        default: break
        }
    }

    func end(_ name: XMLName, _ events: XMLEvents) {
        switch name {
        case "si": strings.append(unescapeOOXML(String(decoding: text, as: UTF8.self)))
        case "t": collecting = false
        case "rPh": phoneticDepth -= 1
        default: break
        }
    }

    func characters(_ piece: UnsafeBufferPointer<UInt8>) {
        if collecting { text.append(contentsOf: piece) }
    }
}

/// A worksheet's `<sheetData>`: rows of cells, each with its type (`t`), style (`s`), reference
/// (`r`) and value (`<v>`, or `<is>` for inline strings). Formulas (`<f>`) are skipped: the
/// cached `<v>` is the value.
final class SheetHandler: XLSXPartHandler {
    private enum CellType { case number, shared, inline, formulaString, bool, error, isoDate }

    let sharedStrings: [String]
    let dateStyles: [XLSXDateStyle]
    let date1904: Bool
    var rows: [[XLSXCell]] = []
    /// 0-based column ranges a `<col hidden="1" min max>` hides.
    var hiddenColumns: [ClosedRange<Int>] = []
    var failure: XLSXError?

    private var row: [XLSXCell] = []
    private var rowIndex = -1
    private var col = -1
    private var type = CellType.number
    private var style = 0
    private var value: [UInt8] = []
    private var hasValue = false
    private var collecting = false
    private var inInline = false
    private var phoneticDepth = 0

    init(sharedStrings: [String], dateStyles: [XLSXDateStyle], date1904: Bool) {
        self.sharedStrings = sharedStrings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    static let maxRows = 1_048_576
    static let maxColumns = 16_384

    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents) {
        switch name {
        case "col":
            if let hidden = attributes.string("hidden"), hidden == "1" || hidden == "true",
               let min = attributes.integer("min"), let max = attributes.integer("max"), min >= 1, min <= max, max <= Self.maxColumns {
                hiddenColumns.append((min - 1)...(max - 1))
            }
        case "c":
            if let r = attributes.bytes("r"), let c = Self.column(of: r) { col = c } else { col += 1 }
            type = attributes.bytes("t").map(Self.cellType) ?? .number
            style = attributes.integer("s") ?? 0
            value.removeAll(keepingCapacity: true)
            hasValue = false
        case "v":
            collecting = true
            hasValue = true
        case "is":
            inInline = true
            hasValue = true
        case "t" where inInline:
            collecting = phoneticDepth == 0
        case "rPh":
            phoneticDepth += 1
        case "row":
            if let n = attributes.integer("r"), n >= 1 { rowIndex = n - 1 } else { rowIndex += 1 }
            if rowIndex >= Self.maxRows {
                fail(events, "has a row beyond Excel's last row 1,048,576; the file is damaged")
                return
            }
            row = []
            col = -1
        default:
            break
        }
    }

    /// The `t` attribute of a cell; anything unknown reads as a number, like no `t` at all.
    private static func cellType(_ t: UnsafeBufferPointer<UInt8>) -> CellType {
        if bytesEqual(t, "s") { return .shared }
        if bytesEqual(t, "inlineStr") { return .inline }
        if bytesEqual(t, "str") { return .formulaString }
        if bytesEqual(t, "b") { return .bool }
        if bytesEqual(t, "e") { return .error }
        if bytesEqual(t, "d") { return .isoDate }
        return .number
    }

    func end(_ name: XMLName, _ events: XMLEvents) {
        switch name {
        case "v", "t":
            collecting = false
        case "is":
            inInline = false
        case "rPh":
            phoneticDepth -= 1
        case "c":
            guard hasValue else { return }
            guard col < Self.maxColumns else {
                fail(events, "has a cell beyond Excel's last column XFD; the file is damaged")
                return
            }
            let cell = makeCell(events)
            if case .empty = cell { return }
            if col < row.count {
                row[col] = cell
            } else {
                if col > row.count { row.append(contentsOf: repeatElement(.empty, count: col - row.count)) }
                row.append(cell)
            }
        case "row":
            guard !row.isEmpty else { return }
            if rowIndex < rows.count {
                rows[rowIndex] = row
            } else {
                if rowIndex > rows.count { rows.append(contentsOf: repeatElement([], count: rowIndex - rows.count)) }
                rows.append(row)
            }
        default:
            break
        }
    }

    func characters(_ piece: UnsafeBufferPointer<UInt8>) {
        if collecting { value.append(contentsOf: piece) }
    }

    /// The cell's collected text.
    private var text: String { String(decoding: value, as: UTF8.self) }

    private func makeCell(_ events: XMLEvents) -> XLSXCell {
        switch type {
        case .shared:
            guard let index = XMLAttributes.integer(value), index < sharedStrings.count else {
                fail(events, "refers to shared string \(text.prefix(12)), which the workbook does not have; the file is damaged, save it again")
                return .empty
            }
            return .text(sharedStrings[index])
        case .inline, .formulaString:
            return .text(unescapeOOXML(text))
        case .bool:
            let value = text
            return .bool(value == "1" || value.lowercased() == "true")
        case .error:
            return .error(text)
        case .isoDate:
            let value = text
            if let date = XLSXDate.parseISO(value) { return .date(days: date.days, seconds: date.seconds) }
            return .text(value)
        case .number:
            if value.isEmpty { return .empty }
            let value = text
            let dateStyle = style < dateStyles.count ? dateStyles[style] : nil
            if dateStyle?.isDate != true, XLSXNumber.isCanonicalShortDecimal(value) {
                return .number(value)
            }
            guard let number = Double(value) else {
                fail(events, "holds a number that is not one; the file is damaged, save it again")
                return .empty
            }
            if style > 0, style < dateStyles.count, dateStyles[style].isDate,
               let date = XLSXDate.fromSerial(number, date1904: date1904, showsTime: dateStyles[style].showsTime) {
                return .date(days: date.days, seconds: date.seconds)
            }
            // Style 0 is usually General, but a workbook may give it a date format too.
            if style == 0, let first = dateStyles.first, first.isDate,
               let date = XLSXDate.fromSerial(number, date1904: date1904, showsTime: first.showsTime) {
                return .date(days: date.days, seconds: date.seconds)
            }
            return .number(XLSXNumber.shortest(number) ?? value)
        }
    }

    private func fail(_ events: XMLEvents, _ message: String) {
        guard failure == nil else { return }
        let cell = col >= 0 && rowIndex >= 0 ? XLSXError.reference(row: rowIndex, col: col) : nil
        failure = XLSXError(.malformedXML, file: "", cell: cell, message: message)
        events.stop()
    }

    /// Zero-based column of a reference such as `AB12`; nil when it has no letters.
    static func column(of reference: String) -> Int? { column(of: reference.utf8) }

    static func column<Bytes: Sequence<UInt8>>(of reference: Bytes) -> Int? {
        var col = 0
        var letters = 0
        for byte in reference {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): col = col * 26 + Int(byte - UInt8(ascii: "A")) + 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"): col = col * 26 + Int(byte - UInt8(ascii: "a")) + 1
            case UInt8(ascii: "$"): continue
            default:
                return letters == 0 ? nil : col - 1
            }
            letters += 1
            if letters > 3 { return Self.maxColumns }
        }
        return letters == 0 ? nil : col - 1
    }
}
