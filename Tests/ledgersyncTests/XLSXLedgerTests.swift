import Foundation
import TestSupport
import Testing

/// `--ledger books.xlsx`: the Invoices and Payments sheets are the tables; a person's cells survive.
@Suite(.serialized)
struct XLSXLedgerTests {
    static let events = EndToEndTests.samples.appendingPathComponent("events").path

    /// A workbook written by openpyxl (numbers, real dates, booleans, shared and inline strings, extra
    /// columns, a sheet of the user's), synced, then read back: every user cell is as it was.
    @Test func aPersonsWorkbookIsSyncedAndEveryUserCellIsKept() throws {
        let dir = try TempDir()
        let book = dir.path("books.xlsx")
        let made = try Subprocess.python(PythonTool.makeScript, [book, EndToEndTests.samples.appendingPathComponent("ledger.csv").path])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try PythonTool.dump(book)
        let userInvoices = try #require(before.sheet["Invoices"])
        let userHeader = userInvoices.rows[0].compactMap(\.text)
        #expect(userHeader.contains("seats") && userHeader.contains("priority"))

        let first = try CLI.run(["import", "--ledger", book, Self.events])
        #expect(first.status == 1, "\(first.stderr)") // the sample has one invalid row
        let after = try PythonTool.dump(book)
        #expect(after.sheets == ["Summary", "Invoices", "Review", "Payments", "Payouts", "Notes"])
        let invoices = try #require(after.sheet["Invoices"])
        #expect(Array(invoices.rows[0].prefix(userHeader.count)).compactMap(\.text) == userHeader)
        #expect(invoices.rows.count == userInvoices.rows.count)
        for r in 1..<userInvoices.rows.count {
            for c in userHeader.indices {
                let was = c < userInvoices.rows[r].count ? userInvoices.rows[r][c] : .null
                #expect(invoices.rows[r][c] == was, "row \(r + 1) column \(userHeader[c])")
                if was != .null { #expect(invoices.types[r][c] == userInvoices.types[r][c], "type of row \(r + 1) column \(userHeader[c])") }
            }
        }
        // LedgerSync's columns are filled: the sample's first row is paid by its reference.
        #expect(invoices.value(1, "status") == .string("paid"))
        #expect(invoices.value(1, "amount_paid") == .number(1250))
        #expect(invoices.links.values.contains { $0.hasPrefix("https://dashboard.stripe.com/test/payments/ch_") })
        #expect(invoices.freeze == "A2")
        // The user's own sheet keeps its values; text that looks like a formula stays text.
        let notes = try #require(after.sheet["Notes"])
        #expect(notes.rows == before.sheet["Notes"]?.rows)
        #expect(notes.types[2][0] == "s")
        // The payments table is on its sheet and Review lists what needs a person.
        #expect((after.sheet["Payments"]?.rows.count ?? 0) > 30)
        #expect((after.sheet["Review"]?.rows.count ?? 0) > 5)

        // Importing again changes nothing a person owns, and nothing at all in the tables.
        let again = try CLI.run(["import", "--ledger", book, Self.events])
        #expect(again.status <= 1, "\(again.stderr)")
        let third = try PythonTool.dump(book)
        #expect(third.sheet["Invoices"]?.rows == invoices.rows)
        #expect(third.sheet["Payments"]?.rows == after.sheet["Payments"]?.rows)
    }

    /// A person adds a row and a column and edits a cell in their spreadsheet program; the next sync keeps all three.
    @Test func editsMadeBetweenSyncsSurvive() throws {
        let dir = try TempDir()
        let book = dir.path("books.xlsx")
        #expect(try Subprocess.python(PythonTool.makeScript, [book, EndToEndTests.samples.appendingPathComponent("ledger.csv").path]).status == 0)
        #expect(try CLI.run(["import", "--ledger", book, Self.events]).status <= 1)
        let edit = """
        import openpyxl, sys, datetime
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb["Invoices"]
        header = [c.value for c in ws[1]]
        ws.cell(row=2, column=header.index("notes") + 1, value="called 3 May")
        ws.cell(row=1, column=len(header) + 1, value="owner")
        ws.cell(row=3, column=len(header) + 1, value="Ana")
        row = [None] * len(header)
        row[header.index("invoice_number")] = "INV-2026-0999"
        row[header.index("currency")] = "usd"
        row[header.index("amount_due")] = 19.99
        row[header.index("due_date")] = datetime.datetime(2026, 12, 1)
        ws.append(row)
        wb.save(sys.argv[1])
        """
        let script = dir.path("edit.py")
        try dir.write("edit.py", edit.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n"))
        let edited = try Subprocess.python(script, [book])
        #expect(edited.status == 0, "\(edited.stderr)")
        let sync = try CLI.run(["import", "--ledger", book, Self.events])
        #expect(sync.status <= 1, "\(sync.stderr)")
        let after = try PythonTool.dump(book)
        let invoices = try #require(after.sheet["Invoices"])
        #expect(invoices.value(1, "notes") == .string("called 3 May"))
        #expect(invoices.value(2, "owner") == .string("Ana"))
        let last = invoices.rows.count - 1
        #expect(invoices.value(last, "invoice_number") == .string("INV-2026-0999"))
        #expect(invoices.value(last, "amount_due") == .number(19.99))
        #expect(invoices.value(last, "due_date") == .string("2026-12-01T00:00:00"))
        #expect(invoices.value(last, "status") == .string("open"))
        #expect(invoices.value(last, "balance_due") == .number(19.99))
    }

    @Test func initXlsxStartsAWorkbookLedgerThatEveryCommandReads() throws {
        let dir = try TempDir()
        let created = try CLI.run(["init", dir.path("books"), "--xlsx", "--mode", "test"])
        #expect(created.status == 0, "\(created.stderr)")
        let book = dir.path("books/ledger.xlsx")
        let dump = try PythonTool.dump(book)
        #expect(dump.sheets == ["Summary", "Invoices", "Review", "Payments", "Payouts"])
        #expect(dump.sheet["Invoices"]?.rows.first?.first == .string("invoice_number"))
        #expect(dump.sheet["Payments"]?.rows.first?.first == .string("stripe_id"))
        #expect(try CLI.run(["status", "--ledger", book]).status == 0)
        let export = try CLI.run(["export", "--ledger", book, "--xlsx", dir.path("out.xlsx"), "--csv", dir.path("out.csv")])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try dir.read("out.csv").hasPrefix("invoice_number,customer_name"))
        let again = try CLI.run(["init", dir.path("books"), "--xlsx"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
    }

    @Test(arguments: [
        ("protected.xlsx", [UInt8]([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + [UInt8](repeating: 0, count: 600), "is password-protected or an old .xls file"),
        ("text.xlsx", Array("invoice_number,currency\n".utf8), "is not an .xlsx workbook"),
        ("old.xls", [UInt8]([0xD0, 0xCF, 0x11, 0xE0]), "is not a format LedgerSync reads; open it in your spreadsheet program and save it as Excel Workbook (.xlsx)"),
    ])
    func aFileThatIsNotAWorkbookLedgerIsRefusedClearly(name: String, bytes: [UInt8], message: String) throws {
        let dir = try TempDir()
        try Data(bytes).write(to: dir.url.appendingPathComponent(name))
        for command in [["status"], ["import"], ["export", "--xlsx", dir.path("out.xlsx")]] {
            let args = [command[0], "--ledger", dir.path(name)] + command.dropFirst() + (command[0] == "import" ? [Self.events] : [])
            let result = try CLI.run(args)
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(try dir.bytes(name) == Data(bytes))
    }

    /// A value in a column without a header name (to the right of the table) is a person's cell too:
    /// LedgerSync's columns go after it, and it keeps its value and type. Other sheets keep their names,
    /// and what a person hid stays hidden.
    @Test func cellsRightOfTheHeaderAndOddSheetNamesAreKept() throws {
        let dir = try TempDir()
        try dir.write("make.py", """
        import openpyxl, sys, datetime
        wb = openpyxl.Workbook(); ws = wb.active; ws.title = 'Invoices'
        ws.append(['invoice_number', 'currency', 'amount_due', 'notes'])
        ws.append(['INV-1', 'usd', 100, 'n1', 42])
        ws.append(['INV-2', 'usd', 200, 'n2', datetime.datetime(2026, 5, 5)])
        ws['G4'] = 'Checked by J. Doe'
        ws.column_dimensions['D'].hidden = True
        wb.create_sheet('P&L').append(['a & b'])
        secret = wb.create_sheet('Salaries'); secret.append(['x']); secret.sheet_state = 'hidden'
        secret.column_dimensions.group('J', 'XFD', hidden=True)
        wb.save(sys.argv[1])
        """)
        #expect(try Subprocess.python(dir.path("make.py"), [dir.path("ledger.xlsx")]).status == 0)
        let result = try CLI.run(["import", "--ledger", dir.path("ledger.xlsx"), EndToEndTests.samples.appendingPathComponent("events/04_refunds.list.json").path])
        #expect(result.status <= 1, "\(result.stderr)")
        let invoices = try #require(try PythonTool.dump(dir.path("ledger.xlsx")).sheet["Invoices"])
        #expect(invoices.rows[1][4] == .number(42) && invoices.rows[2][4] == .string("2026-05-05T00:00:00"), "\(invoices.rows)")
        #expect(invoices.rows.contains { $0.contains(.string("Checked by J. Doe")) }, "\(invoices.rows)")
        #expect(invoices.rows[0].firstIndex(of: .string("status")).map { $0 > 6 } == true, "LedgerSync's columns come after every used one: \(invoices.rows[0])")
        // A sheet name with an ampersand keeps it (libxml2 hands attribute text over as `&#38;`).
        #expect(try PythonTool.dump(dir.path("ledger.xlsx")).sheet["P&L"]?.rows == [[.string("a & b")]])
        // What a person hid stays hidden: a sheet, a column, a range of columns (as one range, not 16,375 columns).
        let hidden = try Subprocess.python(code: """
            import openpyxl, sys, zipfile
            wb = openpyxl.load_workbook(sys.argv[1])
            cols = wb['Salaries'].column_dimensions['J']
            zf = zipfile.ZipFile(sys.argv[1])
            elements = max(zf.read(n).count(b'<col ') for n in zf.namelist() if n.startswith('xl/worksheets/'))
            print(wb['Salaries'].sheet_state, wb['Invoices'].column_dimensions['D'].hidden, wb['P&L'].sheet_state,
                  cols.hidden, cols.min, cols.max, elements < 100)
            """, [dir.path("ledger.xlsx")])
        #expect(String(decoding: hidden, as: UTF8.self) == "hidden True visible True 10 16384 True\n")
    }

    @Test func aWorkbookWithoutAnInvoicesSheetIsRefused() throws {
        let dir = try TempDir()
        let script = dir.path("make.py")
        try dir.write("make.py", "import openpyxl, sys\nwb = openpyxl.Workbook()\nwb.active.title = 'Sheet1'\nwb.active.append(['invoice_number'])\nwb.save(sys.argv[1])\n")
        #expect(try Subprocess.python(script, [dir.path("books.xlsx")]).status == 0)
        let result = try CLI.run(["status", "--ledger", dir.path("books.xlsx")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("has no sheet named 'Invoices' (it has 'Sheet1')"))
    }

    /// A damaged Invoices sheet stops every command before anything is written; the message names the
    /// file once, the sheet, the part and line, and libxml2's reason.
    @Test func aWorkbookWithBrokenXMLIsRefusedAndLeftAlone() throws {
        let dir = try TempDir()
        #expect(try CLI.run(["init", dir.path("books"), "--xlsx", "--mode", "test"]).status == 0)
        let book = dir.path("books/ledger.xlsx")
        try dir.write("break.py", """
        import sys, zipfile, shutil
        src = sys.argv[1]
        shutil.copy(src, src + ".orig")
        with zipfile.ZipFile(src + ".orig") as zin, zipfile.ZipFile(src, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "xl/worksheets/sheet2.xml":
                    data = data.replace(b"</sheetData>", b"<row><c><v>1</v></row></sheetData>")
                zout.writestr(item, data)
        """)
        #expect(try Subprocess.python(dir.path("break.py"), [book]).status == 0)
        let before = try dir.bytes("books/ledger.xlsx")
        let result = try CLI.run(["import", "--ledger", book, Self.events])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(book): sheet 'Invoices': has broken XML in xl/worksheets/sheet2.xml near line "), "\(result.stderr)")
        #expect(result.stderr.contains("(Opening and ending tag mismatch"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: book).count == 2, "the path is named once: \(result.stderr)")
        #expect(try dir.bytes("books/ledger.xlsx") == before)
    }
}
