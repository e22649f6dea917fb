"""Reads an .eml written by `ledgersync report` with Python's `email` package and opens its attachment
with openpyxl; prints what it found as JSON (used by ReportMessageTests).

usage: report-parse-eml.py MESSAGE.eml
"""
import email
import email.policy
import email.utils
import io
import json
import sys

import openpyxl


def main():
    raw = open(sys.argv[1], "rb").read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for d in message.defects]
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
    text = html = None
    attachments = []
    for part in message.walk():
        kind = part.get_content_type()
        if part.get_content_disposition() == "attachment":
            payload = part.get_payload(decode=True)
            encoded_lines = part.get_payload(decode=False).splitlines()
            book = openpyxl.load_workbook(io.BytesIO(payload), data_only=True)
            summary = {}
            if "Summary" in book.sheetnames:
                for row in book["Summary"].iter_rows(values_only=True):
                    if row and isinstance(row[0], str) and len(row) > 1:
                        summary[row[0]] = row[1]
            attachments.append({
                "filename": part.get_filename(),
                "contentType": kind,
                "transferEncoding": part.get("Content-Transfer-Encoding"),
                "size": len(payload),
                "longestEncodedLine": max(len(l) for l in encoded_lines),
                "sheets": book.sheetnames,
                "invoiceRows": book["Invoices"].max_row - 1 if "Invoices" in book.sheetnames else None,
                "summaryInvoiceRows": summary.get("Invoice rows"),
            })
        elif kind == "text/plain" and text is None:
            text = part.get_content().replace("\r\n", "\n")
        elif kind == "text/html" and html is None:
            html = part.get_content().replace("\r\n", "\n")
    date = email.utils.parsedate_to_datetime(message["Date"])
    print(json.dumps({
        "from": [a.addr_spec for a in message["From"].addresses],
        "to": [[a.display_name, a.addr_spec] for a in message["To"].addresses],
        "subject": str(message["Subject"]),
        "rawSubjectIsASCII": all(b < 128 for b in raw.split(b"\r\n\r\n", 1)[0]),
        "dateHasZone": date.tzinfo is not None,
        "messageID": message["Message-ID"],
        "mimeVersion": message["MIME-Version"],
        "structure": [p.get_content_type() for p in message.walk()],
        "crlfOnly": b"\n" not in raw.replace(b"\r\n", b""),
        "longestLine": max(len(l) for l in raw.split(b"\r\n")),
        "defects": defects,
        "text": text,
        "html": html,
        "attachments": attachments,
    }))


if __name__ == "__main__":
    main()
