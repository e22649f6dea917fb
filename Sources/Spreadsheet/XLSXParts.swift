import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A SAX handler for one XML part of a workbook. It records the first problem in `failure` and
/// aborts the parse.
protocol XLSXPartHandler: XMLParserDelegate {
    var failure: XLSXError? { get }
}

/// The element name without a namespace prefix (`x:c` → `c`); most producers use none.
/// Unprefixed names are compared first, so the common case costs no scan.
@inline(__always)
private func localName(_ name: String) -> Substring {
    switch name {
    case "c", "v", "row", "t", "is", "si", "r", "f": return Substring(name)
    default:
        if let colon = name.utf8.firstIndex(of: UInt8(ascii: ":")) {
            return name[name.index(after: colon)...]
        }
        return Substring(name)
    }
}

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
final class RelationshipsHandler: NSObject, XLSXPartHandler {
    struct Relationship { let type: String; let target: String }
    var relationships: [String: Relationship] = [:]
    var failure: XLSXError? { nil }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        guard localName(elementName) == "Relationship", let id = attributes["Id"], let target = attributes["Target"]
        else { return }
        // External targets (hyperlinks) never name a part.
        if attributes["TargetMode"] == "External" { return }
        relationships[id] = Relationship(type: attributes["Type"] ?? "", target: target)
    }
}

/// `xl/workbook.xml`: sheet names in tab order, their relationship ids, and the date system.
final class WorkbookHandler: NSObject, XLSXPartHandler {
    struct SheetEntry { let name: String; let relationshipID: String }
    var sheets: [SheetEntry] = []
    var date1904 = false
    var failure: XLSXError? { nil }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch localName(elementName) {
        case "workbookPr":
            if let value = attributes["date1904"] { date1904 = value == "1" || value.lowercased() == "true" }
        case "sheet":
            // The id attribute lives in the relationships namespace, whatever its prefix (`r:id`).
            let rid = attributes.first { $0.key == "id" || $0.key.hasSuffix(":id") }?.value ?? ""
            sheets.append(SheetEntry(name: attributes["name"] ?? "Sheet\(sheets.count + 1)", relationshipID: rid))
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
final class StylesHandler: NSObject, XLSXPartHandler {
    var customFormats: [Int: String] = [:]
    var cellFormatIDs: [Int] = []
    private var inNumFmts = false
    private var inCellXfs = false
    var failure: XLSXError? { nil }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch localName(elementName) {
        case "numFmts": inNumFmts = true
        case "cellXfs": inCellXfs = true
        case "numFmt" where inNumFmts:
            if let id = attributes["numFmtId"].flatMap({ Int($0) }), let code = attributes["formatCode"] {
                customFormats[id] = code
            }
        case "xf" where inCellXfs:
            cellFormatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch localName(elementName) {
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
final class SharedStringsHandler: NSObject, XLSXPartHandler {
    var strings: [String] = []
    private var text = ""
    private var collecting = false
    private var phoneticDepth = 0
    var failure: XLSXError? { nil }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch localName(elementName) {
        case "si": text = ""
        case "t": collecting = phoneticDepth == 0
        case "rPh": phoneticDepth += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch localName(elementName) {
        case "si": strings.append(unescapeOOXML(text))
        case "t": collecting = false
        case "rPh": phoneticDepth -= 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if collecting { text += string }
    }
}

/// A worksheet's `<sheetData>`: rows of cells, each with its type (`t`), style (`s`), reference
/// (`r`) and value (`<v>`, or `<is>` for inline strings). Formulas (`<f>`) are skipped: the
/// cached `<v>` is the value.
final class SheetHandler: NSObject, XLSXPartHandler {
    private enum CellType { case number, shared, inline, formulaString, bool, error, isoDate }

    let sharedStrings: [String]
    let dateStyles: [XLSXDateStyle]
    let date1904: Bool
    var rows: [[XLSXCell]] = []
    var failure: XLSXError?

    private var row: [XLSXCell] = []
    private var rowIndex = -1
    private var col = -1
    private var type = CellType.number
    private var style = 0
    private var value = ""
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

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch localName(elementName) {
        case "c":
            if let r = attributes["r"], let c = Self.column(of: r) { col = c } else { col += 1 }
            switch attributes["t"] {
            case nil, "n": type = .number
            case "s": type = .shared
            case "inlineStr": type = .inline
            case "str": type = .formulaString
            case "b": type = .bool
            case "e": type = .error
            case "d": type = .isoDate
            default: type = .number
            }
            style = attributes["s"].flatMap { Int($0) } ?? 0
            value = ""
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
            if let r = attributes["r"], let n = Int(r), n >= 1 { rowIndex = n - 1 } else { rowIndex += 1 }
            if rowIndex >= Self.maxRows {
                fail(parser, "has a row beyond Excel's last row 1,048,576; the file is damaged")
                return
            }
            row = []
            col = -1
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        switch localName(elementName) {
        case "v", "t":
            collecting = false
        case "is":
            inInline = false
        case "rPh":
            phoneticDepth -= 1
        case "c":
            guard hasValue else { return }
            guard col < Self.maxColumns else {
                fail(parser, "has a cell beyond Excel's last column XFD; the file is damaged")
                return
            }
            let cell = makeCell(parser)
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

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if collecting { value += string }
    }

    private func makeCell(_ parser: XMLParser) -> XLSXCell {
        switch type {
        case .shared:
            guard let index = Int(value), index >= 0, index < sharedStrings.count else {
                fail(parser, "refers to shared string \(value.prefix(12)), which the workbook does not have; the file is damaged, save it again")
                return .empty
            }
            return .text(sharedStrings[index])
        case .inline:
            return .text(unescapeOOXML(value))
        case .formulaString:
            return .text(unescapeOOXML(value))
        case .bool:
            return .bool(value == "1" || value.lowercased() == "true")
        case .error:
            return .error(value)
        case .isoDate:
            if let date = XLSXDate.parseISO(value) { return .date(days: date.days, seconds: date.seconds) }
            return .text(value)
        case .number:
            if value.isEmpty { return .empty }
            let dateStyle = style < dateStyles.count ? dateStyles[style] : nil
            if dateStyle?.isDate != true, XLSXNumber.isCanonicalShortDecimal(value) {
                return .number(value)
            }
            guard let number = Double(value) else {
                fail(parser, "holds a number that is not one; the file is damaged, save it again")
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

    private func fail(_ parser: XMLParser, _ message: String) {
        guard failure == nil else { return }
        let cell = col >= 0 && rowIndex >= 0 ? XLSXError.reference(row: rowIndex, col: col) : nil
        failure = XLSXError(.malformedXML, file: "", cell: cell, message: message)
        parser.abortParsing()
    }

    /// Zero-based column of a reference such as `AB12`; nil when it has no letters.
    static func column(of reference: String) -> Int? {
        var col = 0
        var letters = 0
        for byte in reference.utf8 {
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
