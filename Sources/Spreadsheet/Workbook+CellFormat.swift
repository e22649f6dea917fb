import CXLSXWriter

/// What a cell looks like. Equal specs share one format in the workbook.
public struct CellFormat: Hashable, Sendable {
    public var bold: Bool
    public var underline: Bool
    /// Solid fill, 0xRRGGBB.
    public var fillColor: UInt32?
    /// Font colour, 0xRRGGBB.
    public var fontColor: UInt32?
    /// An Excel number format code: `#,##0.00`, `"$"#,##0.00`, `yyyy-mm-dd`, `@` (text).
    public var numberFormat: String?
    public var wrap: Bool
    /// A thin border on all four sides.
    public var border: Bool

    public init(bold: Bool = false, underline: Bool = false, fillColor: UInt32? = nil, fontColor: UInt32? = nil,
                numberFormat: String? = nil, wrap: Bool = false, border: Bool = false) {
        self.bold = bold
        self.underline = underline
        self.fillColor = fillColor
        self.fontColor = fontColor
        self.numberFormat = numberFormat
        self.wrap = wrap
        self.border = border
    }

    /// Dates as `2026-01-31` (ISO, the ledger's own form; Excel still treats them as dates).
    public static let date = CellFormat(numberFormat: "yyyy-mm-dd")
    /// Timestamps as `2026-01-31 14:05:00` (UTC, as the ledger stores them).
    public static let timestamp = CellFormat(numberFormat: "yyyy-mm-dd hh:mm:ss")
    /// A blue underlined hyperlink.
    public static let hyperlink = CellFormat(underline: true, fontColor: 0x0563C1)
}

/// A format registered in one workbook by ``Workbook/addFormat(_:)``. Use it only with sheets of
/// that workbook.
public struct Format {
    let pointer: LXW.FormatHandle?
    let owner: ObjectIdentifier
}
