"""Writes a workbook ledger the way a person's program would (openpyxl), for the XLSX ledger tests.

usage: make_user_workbook.py OUT.xlsx LEDGER.csv
The Invoices sheet holds LEDGER.csv's rows with amount_due as numbers, issue_date/due_date as real
dates, a user column of numbers and one of booleans; a 'Notes' sheet of the user's own. openpyxl
writes inline strings; afterwards column B is rewritten as shared strings, as Excel writes them, so
both string kinds are read.
"""
import csv
import datetime
import re
import shutil
import sys
import zipfile

import openpyxl


def main(out, ledger):
    with open(ledger, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    ws.append(header + ["seats", "priority"])
    for i, row in enumerate(data):
        values = []
        for name, value in zip(header, row):
            if name == "amount_due" and value:
                values.append(float(value) if "." in value else int(value))
            elif name in ("issue_date", "due_date") and value:
                values.append(datetime.datetime.strptime(value, "%Y-%m-%d"))
            else:
                values.append(value if value != "" else None)
        values += [i % 4 + 1, i % 3 == 0]
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "dd/mm/yyyy"
    notes = wb.create_sheet("Notes")
    notes.append(["topic", "amount", "when"])
    notes.append(["deposit held", 19.99, datetime.datetime(2026, 3, 1)])
    notes.append(["=not a formula", 3, None])
    notes["A3"].data_type = "s"
    wb.save(out)
    shared(out)


def shared(path):
    """openpyxl writes inline strings (t="inlineStr"); turn column B (customer_name) of the Invoices
    sheet into shared strings (t="s" + xl/sharedStrings.xml), as Excel writes them."""
    temp = path + ".tmp"
    strings = []

    def repl(m):
        strings.append(m.group(3))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{len(strings) - 1}</v></c>'

    with zipfile.ZipFile(path) as src:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as dst:
            items = {item.filename: src.read(item.filename) for item in src.infolist()}
            sheet = items["xl/worksheets/sheet1.xml"].decode()
            sheet = re.sub(r'<c r="(B\d+)"([^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', repl, sheet)
            items["xl/worksheets/sheet1.xml"] = sheet.encode()
            sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (len(strings), len(strings))
                   + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
            items["xl/sharedStrings.xml"] = sst.encode()
            rels = items["xl/_rels/workbook.xml.rels"].decode()
            rels = rels.replace("</Relationships>", '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            items["xl/_rels/workbook.xml.rels"] = rels.encode()
            types = items["[Content_Types].xml"].decode()
            types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            items["[Content_Types].xml"] = types.encode()
            for name, data in items.items():
                dst.writestr(name, data)
    shutil.move(temp, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
