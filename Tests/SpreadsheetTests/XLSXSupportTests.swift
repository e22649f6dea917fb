import Foundation
import TestSupport
import Testing

/// Helpers shared by the XLSX tests: fixtures, temporary files, and openpyxl as a second reader.
enum XLSXTestSupport {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of the handmade fixture, written to `path`, whose sheet `Ledger` (`xl/worksheets/sheetB.xml`)
    /// is changed by `edit`: Python statements that rewrite `data` (its bytes); `sys.argv[3...]` are `arguments`.
    static func handmade(to path: String, editingSheetXML edit: String, _ arguments: [String] = []) throws {
        let indented = edit.split(separator: "\n").map { "            " + $0 }.joined(separator: "\n")
        _ = try Subprocess.python(code: """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w") as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "xl/worksheets/sheetB.xml":
\(indented)
        zout.writestr(item, data)
""", [fixture("xlsx-handmade.xlsx"), path] + arguments)
    }

    /// What openpyxl sees in a workbook: per sheet, every non-empty cell (value as formulas are
    /// stored, cached value, type, number format, solid fill, bold, hyperlink), freeze panes,
    /// autofilter and data validations; plus the document properties.
    struct OpenpyxlView: Decodable {
        struct Cell: Decodable {
            let value: String
            let cached: String
            let type: String
            let format: String
            let fill: String?
            let bold: Bool
            let link: String?
        }
        struct Sheet: Decodable {
            let name: String
            let cells: [String: Cell]
            let freeze: String?
            let autofilter: String?
            let validations: [[String]]
        }
        let sheets: [Sheet]
        let title: String?
        let creator: String?
        let created: String?

        func sheet(_ name: String) -> Sheet? { sheets.first { $0.name == name } }
    }

    static let openpyxlDump = #"""
import json, sys, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
cached = openpyxl.load_workbook(path, data_only=True)
out = {"sheets": [], "title": wb.properties.title, "creator": wb.properties.creator,
       "created": wb.properties.created.isoformat() if wb.properties.created else None}
for ws in wb.worksheets:
    cws = cached[ws.title]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
            cells[c.coordinate] = {"value": str(c.value), "cached": str(cws[c.coordinate].value),
                                   "type": c.data_type, "format": c.number_format,
                                   "fill": fill if isinstance(fill, str) else None,
                                   "bold": bool(c.font.b),
                                   "link": c.hyperlink.target if c.hyperlink else None}
    dvs = [[str(dv.sqref), dv.type or "", dv.formula1 or ""] for dv in ws.data_validations.dataValidation]
    out["sheets"].append({"name": ws.title, "cells": cells, "freeze": ws.freeze_panes,
                          "autofilter": ws.auto_filter.ref, "validations": dvs})
print(json.dumps(out))
"""#

    static func openpyxlView(_ path: String) throws -> OpenpyxlView {
        try JSONDecoder().decode(OpenpyxlView.self, from: Subprocess.python(code: openpyxlDump, [path]))
    }
}
