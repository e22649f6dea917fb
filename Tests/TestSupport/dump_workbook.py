"""Dumps what openpyxl sees in a workbook as JSON, for the Swift tests to assert on.

usage: dump_workbook.py BOOK.xlsx  → {"sheets": [...], "properties": {...}, "sheet": {name: {...}}}
Each sheet: header, rows (values as formulas), cached (values as last computed), formats
(number formats), fills (fill colour per row, first cell), links (cell → target), validations,
freeze, autofilter, dims.
"""
import datetime
import json
import sys

import openpyxl


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def main(path):
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    out = {"sheets": formulas.sheetnames, "sheet": {},
           "properties": {"title": formulas.properties.title, "creator": formulas.properties.creator,
                          "created": plain(formulas.properties.created)}}
    for name in formulas.sheetnames:
        ws, wc = formulas[name], cached[name]
        rows, values, formats, fills, types = [], [], [], [], []
        for row, crow in zip(ws.iter_rows(), wc.iter_rows()):
            rows.append([plain(c.value) for c in row])
            values.append([plain(c.value) for c in crow])
            formats.append([c.number_format for c in row])
            types.append([c.data_type for c in row])
            fill = row[0].fill
            fills.append(fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" else None)
        links = {c.coordinate: c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink is not None}
        validations = [{"sqref": str(v.sqref), "type": v.type, "formula1": v.formula1} for v in ws.data_validations.dataValidation]
        out["sheet"][name] = {"rows": rows, "cached": values, "formats": formats, "fills": fills, "types": types,
                              "links": links, "validations": validations, "freeze": ws.freeze_panes,
                              "autofilter": ws.auto_filter.ref}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
