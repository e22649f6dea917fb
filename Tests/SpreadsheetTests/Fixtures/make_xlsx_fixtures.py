#!/usr/bin/env python3
"""Builds the tiny hand-made .xlsx fixtures the XLSX reader tests read.

Written XML by hand (not by a spreadsheet library) so each feature a real producer may use is
there on purpose: sheets listed out of file order with absolute and relative relationship
targets, shared strings with rich-text runs and phonetic guides, `_xHHHH_` escapes, inline
strings, cached formula values (`t="str"` and numeric), booleans, errors, ISO dates (`t="d"`),
built-in and custom date formats, cells without `r`, skipped rows and cells, columns beyond Z,
and the 1904 date system.

Run from anywhere: python3 Tests/SpreadsheetTests/Fixtures/make_xlsx_fixtures.py
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships'


def content_types(sheets):
    overrides = ''.join(
        f'<Override PartName="/xl/worksheets/{s}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for s in sheets)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + overrides + '</Types>')


ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
             f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>')

STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
          '<numFmts count="4">'
          '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
          '<numFmt numFmtId="165" formatCode="0.00\\ &quot;days&quot;"/>'
          '<numFmt numFmtId="166" formatCode="[$-409]h:mm\\ AM/PM"/>'
          '<numFmt numFmtId="167" formatCode="#,##0.00;[Red]\\-#,##0.00"/>'
          '</numFmts>'
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border/></borders>'
          # cellStyleXfs has an xf with a date id: it must not shift the cellXfs indices.
          '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
          '<cellXfs count="8">'
          '<xf numFmtId="0"/>'      # 0 General
          '<xf numFmtId="14"/>'     # 1 built-in date
          '<xf numFmtId="164"/>'    # 2 custom date
          '<xf numFmtId="165"/>'    # 3 custom, quoted "days": not a date
          '<xf numFmtId="22"/>'     # 4 built-in date + time
          '<xf numFmtId="166"/>'    # 5 custom time
          '<xf numFmtId="4"/>'      # 6 #,##0.00
          '<xf numFmtId="167"/>'    # 7 custom money with [Red]: not a date
          '</cellXfs>'
          '<dxfs count="1"><dxf><numFmt numFmtId="200" formatCode="yyyy"/></dxf></dxfs>'
          '</styleSheet>')

SHARED = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="5" uniqueCount="5">'
          '<si><t>invoice_number</t></si>'
          '<si><r><rPr><b/></rPr><t xml:space="preserve">Acme </t></r><r><t>Corp</t></r>'
          '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>'
          '<si><t>line_x000D_break</t></si>'
          '<si><t xml:space="preserve">  padded  </t></si>'
          '<si><t>A &amp; B &lt;c&gt;</t></si>'
          '</sst>')


def workbook(date1904):
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    return (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            + pr + '<sheets>'
            '<sheet name="Ledger" sheetId="2" r:id="rId2"/>'
            '<sheet name="Second" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>')


WORKBOOK_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
                 f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="/xl/worksheets/sheetA.xml"/>'
                 f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheetB.xml"/>'
                 f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                 f'<Relationship Id="rId4" Type="{REL}/styles" Target="styles.xml"/>'
                 '</Relationships>')


def sheet(rows_xml):
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheetData>' + rows_xml + '</sheetData></worksheet>')


LEDGER = sheet(
    '<row r="1">'
    '<c r="A1" t="s"><v>0</v></c>'
    '<c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><t>inline &lt;t&gt;</t></is></c>'
    '<c r="D1" t="inlineStr"><is><r><t xml:space="preserve">rich </t></r><r><rPr><i/></rPr><t>inline</t></r></is></c>'
    '<c r="AA1" t="s"><v>2</v></c>'
    '<c r="AB1" t="s"><v>3</v></c>'
    '<c r="AC1" t="s"><v>4</v></c>'
    '</row>'
    '<row r="2">'
    '<c r="A2"><v>19.989999999999998</v></c>'
    '<c r="B2" s="1"><v>46023</v></c>'
    '<c r="C2" s="2"><v>46024</v></c>'
    '<c r="D2" s="3"><v>45.5</v></c>'
    '<c r="E2" s="4"><v>46023.5</v></c>'
    '<c r="F2" t="b"><v>1</v></c>'
    '<c r="G2" t="e"><v>#DIV/0!</v></c>'
    '<c r="H2"><f>1+2</f><v>3</v></c>'
    '<c r="I2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
    '<c r="J2"><f>NOW()</f></c>'
    '<c r="K2"><v>1.0000000000000001E-5</v></c>'
    '<c r="L2" s="6"><v>1250</v></c>'
    '<c r="M2" s="7"><v>-3.5</v></c>'
    '<c r="N2" s="5"><v>0.75</v></c>'
    '<c r="O2" t="d"><v>2026-03-04T05:06:07Z</v></c>'
    '<c r="P2" t="b"><v>0</v></c>'
    '</row>'
    '<row r="4"><c t="inlineStr"><is><t>no ref</t></is></c><c><v>7</v></c></row>'
    '<row r="5"><c r="A5" s="2"/><c r="B5" s="6"/></row>'
    '<row r="6"><c r="Z6" t="inlineStr"><is><t>z</t></is></c><c r="AA6"><v>1E+21</v></c></row>'
    '<row r="7"><c r="A7" s="2"/></row>')

SECOND = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>second</t></is></c></row>')

# The 1904 system: serial 0 is 1904-01-01; 2026-01-01 is 44561.
SHEET_1904 = sheet(
    '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="2"><v>44561</v></c>'
    '<c r="C1" s="4"><v>44561.25</v></c><c r="D1"><v>44561</v></c></row>')


def write(name, parts):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for part, text in parts:
            info = zipfile.ZipInfo(part, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    print('wrote', path)


def main():
    common = [('_rels/.rels', ROOT_RELS), ('xl/_rels/workbook.xml.rels', WORKBOOK_RELS),
              ('xl/sharedStrings.xml', SHARED), ('xl/styles.xml', STYLES)]
    write('xlsx-handmade.xlsx',
          [('[Content_Types].xml', content_types(['sheetA.xml', 'sheetB.xml'])),
           ('xl/workbook.xml', workbook(False))] + common
          + [('xl/worksheets/sheetB.xml', LEDGER), ('xl/worksheets/sheetA.xml', SECOND)])
    write('xlsx-1904.xlsx',
          [('[Content_Types].xml', content_types(['sheetA.xml', 'sheetB.xml'])),
           ('xl/workbook.xml', workbook(True))] + common
          + [('xl/worksheets/sheetB.xml', SHEET_1904), ('xl/worksheets/sheetA.xml', SECOND)])
    # A zip that is not a workbook.
    write('xlsx-no-workbook.xlsx', [('readme.txt', 'just a zip')])


if __name__ == '__main__':
    main()
