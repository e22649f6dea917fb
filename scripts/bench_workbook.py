#!/usr/bin/env python3
"""Workbook benchmarks for `make bench` (called by scripts/bench.py; runs alone too).

1. Export of a 100,000-invoice / 200,000-payment ledger: `ledgersync export --xlsx` against Python
   XlsxWriter writing the same sheets, cells and formats (per-currency money formats, dates, fills on
   flagged rows, Dashboard links, data validation, frozen header, filters, Summary formulas).
2. Reading that ledger as an XLSX workbook: `ledgersync status --ledger ledger.xlsx` (read + reconcile)
   against openpyxl in read-only mode reading the values of the Invoices and Payments sheets.

The ledger: the invoices of a `samples/generate.py` bench scenario, and a payments table of 200,000
rows made here (charges carrying a row's invoice number as reference, some refunds), which LedgerSync
takes in as records when it has no journal; a first `import` writes both tables as LedgerSync renders
them, and that is what the peer writes.
"""
import csv
import os
import random
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVOICES = int(os.environ.get("BENCH_WORKBOOK_INVOICES", "100000"))
PAYMENTS = int(os.environ.get("BENCH_WORKBOOK_PAYMENTS", "200000"))
PAYMENT_COLUMNS = ["stripe_id", "kind", "status", "created", "currency", "amount", "fee", "net", "settlement_currency",
                   "stripe_customer_id", "customer_email", "stripe_invoice_id", "charge_id", "reference", "invoice_number",
                   "applied_amounts", "match_rule", "payout_id", "flag", "flag_detail", "source"]
ZERO = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf", "isk"}
THREE = {"bhd", "jod", "kwd", "omr", "tnd"}


def exponent(code):
    code = code.lower()
    return 0 if code in ZERO else 3 if code in THREE else 2


def make_payments(ledger_csv, out_csv, count, seed=7):
    """A payments table of `count` rows referring to the ledger's rows (ids unique, sorted by created)."""
    rng = random.Random(seed)
    with open(ledger_csv, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    start = 1_767_225_600  # 2026-01-01
    out = []
    for i in range(count):
        row = rows[rng.randrange(len(rows))]
        cur = (row.get("currency") or "usd").lower()
        e = exponent(cur)
        try:
            due = round(float(row.get("amount_due") or "0") * 10 ** e)
        except ValueError:
            due = 1000
        created = start + i * 97
        refund = i % 25 == 24
        amount = -(due // 2) if refund else due
        fmt = lambda v: (f"{v / 10 ** e:.{e}f}" if e else str(v))
        out.append({
            "stripe_id": ("re_" if refund else "ch_") + f"bench{i:09d}", "kind": "refund" if refund else "charge",
            "status": "succeeded", "created": __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(created)),
            "currency": cur, "amount": fmt(amount), "fee": "", "net": "", "settlement_currency": "",
            "stripe_customer_id": row.get("stripe_customer_id", ""), "customer_email": row.get("customer_email", ""),
            "stripe_invoice_id": "", "reference": row.get("invoice_number", ""), "invoice_number": "", "match_rule": "",
            "payout_id": "", "flag": "", "flag_detail": "", "source": "csv_export",
        })
    with open(out_csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=PAYMENT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


PEER = r'''
import csv, datetime, sys, xlsxwriter
ledger, payments_csv, out = sys.argv[1:4]
ZERO = set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf isk".split())
THREE = set("bhd jod kwd omr tnd".split())
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹", "krw": "₩", "cny": "CN¥"}
CRITICAL = {"invalid_row", "dispute_lost", "disputed", "payment_on_void"}
FILLS = {"critical": "#F8CBAD", "warning": "#FFE699", "notice": "#DDEBF7"}
SECTIONS = {"ch": "payments", "py": "payments", "pi": "payments", "in": "invoices", "cus": "customers", "re": "refunds",
            "pyr": "refunds", "du": "disputes", "dp": "disputes", "po": "payouts"}
def read(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]
ih, irows = read(ledger)
ph, prows = read(payments_csv)
wb = xlsxwriter.Workbook(out, {"constant_memory": len(irows) + len(prows) > 50000, "strings_to_formulas": False,
                               "strings_to_numbers": False, "strings_to_urls": False})
wb.set_properties({"title": "LedgerSync — ledger.csv", "author": "LedgerSync", "created": datetime.datetime.utcnow()})
cache = {}
def fmt(role, fill=None, cur=None):
    key = (role, fill, cur if role == "money" else None)
    if key not in cache:
        spec = {}
        if fill: spec.update({"pattern": 1, "bg_color": FILLS[fill]})
        if role == "header": spec.update({"bold": True, "pattern": 1, "bg_color": "#D9E1F2", "border": 1})
        elif role == "money":
            e = 0 if cur in ZERO else 3 if cur in THREE else 2
            num = "#,##0" + ("." + "0" * e if e else "")
            spec["num_format"] = f'"{SYMBOLS[cur]}"{num}' if cur in SYMBOLS else f'{num} "{cur.upper()}"'
        elif role == "date": spec["num_format"] = "yyyy-mm-dd"
        elif role == "ts": spec["num_format"] = "yyyy-mm-dd hh:mm:ss"
        elif role == "link": spec.update({"underline": 1, "font_color": "#0563C1"})
        cache[key] = wb.add_format(spec) if spec else None
    return cache[key]
def severity(flag):
    if not flag: return None
    return "critical" if flag in CRITICAL else "notice" if flag == "underpaid_within_tolerance" else "warning"
def parse_date(t):
    try: return datetime.datetime.strptime(t, "%Y-%m-%d") if len(t) == 10 else None
    except ValueError: return None
def parse_ts(t):
    try: return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ") if len(t) == 20 else None
    except ValueError: return None
def url(t, live=False):
    p = t.split("_", 1)[0]
    if p not in SECTIONS or " " in t or "_" not in t: return None
    return "https://dashboard.stripe.com/" + ("" if live else "test/") + SECTIONS[p] + "/" + t
def kinds(header, money, dates, ts, links):
    return [("money" if h in money else "date" if h in dates else "ts" if h in ts else "link" if h in links else "text") for h in header]
def table(name, header, rows, kind, cur_col, flag_col, validation=None):
    ws = wb.add_worksheet(name)
    for c, h in enumerate(header):
        ws.write_string(0, c, h, fmt("header"))
        width = max([len(h) + 3] + [len(r[c]) + 1 for r in rows[:2000] if c < len(r)])
        ws.set_column(c, c, min(max(width, 8), 60))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    if validation is not None:
        ws.data_validation(1, validation, min(len(rows) + 1000, 1048575), validation, {"validate": "list", "source": ["void", "uncollectible", "paid_out_of_band"]})
    links = 0
    for r, row in enumerate(rows, start=1):
        fill = severity(row[flag_col] if flag_col < len(row) else "")
        cur = (row[cur_col] if cur_col < len(row) else "").lower()
        e = 0 if cur in ZERO else 3 if cur in THREE else 2
        for c in range(len(header)):
            t = row[c] if c < len(row) else ""
            k = kind[c]
            if not t:
                if fill: ws.write_blank(r, c, None, fmt("text", fill))
                continue
            if k == "money":
                try:
                    ws.write_number(r, c, round(float(t), e), fmt("money", fill, cur)); continue
                except ValueError: pass
            elif k == "date":
                d = parse_date(t)
                if d: ws.write_datetime(r, c, d, fmt("date", fill)); continue
            elif k == "ts":
                d = parse_ts(t)
                if d: ws.write_datetime(r, c, d, fmt("ts", fill)); continue
            elif k == "link" and links < 65530:
                u = url(t)
                if u:
                    links += 1
                    ws.write_url(r, c, u, fmt("link", fill), t); continue
            ws.write_string(r, c, t, fmt("text", fill))
    return ws
# Summary: the same formulas, with values computed here.
s = wb.add_worksheet("Summary")
col = {h: i for i, h in enumerate(ih)}
letter = lambda i: xlsxwriter.utility.xl_col_to_name(i)
rng = lambda h: f"Invoices!${letter(col[h])}$2:${letter(col[h])}${len(irows) + 1}"
s.write_string(0, 0, "LedgerSync summary")
s.write_datetime(1, 1, datetime.datetime.utcnow(), fmt("ts"))
statuses = "open partially_paid paid overpaid refunded partially_refunded disputed charged_back void uncollectible".split()
for i, st in enumerate(statuses):
    n = sum(1 for r in irows if r[col["status"]] == st)
    s.write_string(9 + i, 0, st)
    s.write_formula(9 + i, 1, f'=COUNTIFS({rng("status")},"{st}")', None, n)
currencies = sorted({r[col["currency"]].lower() for r in irows})
for i, cur in enumerate(currencies):
    s.write_string(21 + i, 0, cur)
    for j, h in enumerate(["amount_due", "amount_paid", "amount_refunded", "balance_due"]):
        total = sum(float(r[col[h]] or 0) for r in irows if r[col["currency"]].lower() == cur and r[col[h]].replace(".", "", 1).isdigit())
        s.write_formula(21 + i, 2 + j, f'=SUMIFS({rng(h)},{rng("currency")},"{cur}")', fmt("money", None, cur), total)
table("Invoices", ih, irows, kinds(ih, {"amount_due", "amount_paid", "amount_refunded", "balance_due"}, {"issue_date", "due_date"},
      {"paid_at", "deposited_at", "last_event_at"}, {"stripe_customer_id", "stripe_invoice_id", "payment_ids", "payout_ids"}),
      col["currency"], col["flag"], ih.index("status_override") if "status_override" in ih else None)
review = [r for r in irows if r[col["flag"]]]
rv = [[r[col["invoice_number"]], r[col["flag"]], r[col["flag_detail"]], r[col["currency"]], r[col["amount_due"]], r[col["balance_due"]], r[col["due_date"]]] for r in review]
table("Review", ["target", "flag", "detail", "currency", "amount", "balance_due", "date"], rv,
      ["text", "text", "text", "text", "money", "money", "date"], 3, 1)
pcol = {h: i for i, h in enumerate(ph)}
table("Payments", ph, prows, kinds(ph, {"amount", "fee", "net"}, set(), {"created"}, {"stripe_id", "stripe_customer_id", "stripe_invoice_id", "payout_id"}),
      pcol["currency"], pcol["flag"])
table("Payouts", ["payout_id", "status", "created", "currency", "amount"], [[r[0], r[2], r[3], r[4], r[5]] for r in prows if r[1] == "payout"],
      ["link", "text", "ts", "text", "money"], 3, 99)
wb.close()
'''

OPENPYXL_READ = r'''
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
cells = 0
for name in ("Invoices", "Payments"):
    for row in wb[name].iter_rows(values_only=True):
        cells += len(row)
print(cells)
'''


def payments_header(bin_path, bench_dir):
    """The header of the payments table the binary writes (from a ledger it starts with `init`)."""
    folder = os.path.join(bench_dir, "init-header")
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([bin_path, "init", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(os.path.join(folder, "ledger.payments.csv"), encoding="utf-8-sig") as f:
        header = f.readline().strip()
    shutil.rmtree(folder, ignore_errors=True)
    return header


def run(bin_path, bench_dir, median_of, generate):
    """Returns (markdown lines, [(check name, ok, detail)])."""
    scenario = generate("workbook-100k", INVOICES, 2_000)
    base = os.path.join(bench_dir, "workbook-ledger")
    params = os.path.join(base, ".params")
    # Prepared again whenever the payments table's columns change: a table in an older format is not
    # read back as written, so every export would reconcile from scratch and measure something else.
    want = f"{INVOICES} {PAYMENTS} {payments_header(bin_path, bench_dir)}"
    if not (os.path.exists(params) and open(params).read() == want):
        print(f"preparing a {INVOICES:,}-invoice / {PAYMENTS:,}-payment ledger …", flush=True)
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        shutil.copy(os.path.join(scenario, "ledger.csv"), os.path.join(base, "ledger.csv"))
        make_payments(os.path.join(base, "ledger.csv"), os.path.join(base, "ledger.payments.csv"), PAYMENTS)
        events = os.path.join(scenario, "events.jsonl")
        if not os.path.exists(events):
            folder = os.path.join(scenario, "events")
            events = os.path.join(folder, sorted(os.listdir(folder))[0])
        subprocess.run([bin_path, "import", "--ledger", os.path.join(base, "ledger.csv"), events],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(params, "w").write(want)
    ledger = os.path.join(base, "ledger.csv")
    with open(os.path.join(base, "ledger.payments.csv")) as f:
        payment_rows = sum(1 for _ in f) - 1
    with open(ledger, encoding="utf-8-sig") as f:
        invoice_rows = sum(1 for _ in csv.reader(f)) - 1
    out = os.path.join(base, "out")
    os.makedirs(out, exist_ok=True)
    peer_script = os.path.join(out, "peer_xlsxwriter.py")
    open(peer_script, "w").write(PEER)
    read_script = os.path.join(out, "openpyxl_read.py")
    open(read_script, "w").write(OPENPYXL_READ)

    ls_book = os.path.join(out, "ledgersync.xlsx")
    py_t, py_m, _, py_runs = median_of([sys.executable, peer_script, ledger, os.path.join(base, "ledger.payments.csv"), os.path.join(out, "peer.xlsx")])
    ls_t, ls_m, ls_codes, ls_runs = median_of([bin_path, "export", "--ledger", ledger, "--xlsx", ls_book])

    xlsx_dir = os.path.join(base, "as-xlsx")
    shutil.rmtree(xlsx_dir, ignore_errors=True)
    os.makedirs(xlsx_dir)
    shutil.copy(ls_book, os.path.join(xlsx_dir, "ledger.xlsx"))
    rd_t, rd_m, rd_codes, rd_runs = median_of([bin_path, "status", "--ledger", os.path.join(xlsx_dir, "ledger.xlsx"), "--json"])
    op_t, op_m, _, op_runs = median_of([sys.executable, read_script, ls_book])

    size = os.path.getsize(ls_book) / 1e6
    lines = [
        "## Workbooks",
        "",
        f"A ledger of {invoice_rows:,} invoices and {payment_rows:,} payments; the workbook is {size:.0f} MB.",
        "",
        "| what | median s | runs | peak MB |",
        "|---|---|---|---|",
        f"| Python XlsxWriter writing the same sheets, cells and formats | {py_t:.2f} | {py_runs} | {py_m:.0f} |",
        f"| `ledgersync export --xlsx` (read ledger, reconcile, write) | {ls_t:.2f} | {ls_runs} | {ls_m:.0f} |",
        f"| openpyxl read-only, values of Invoices + Payments | {op_t:.2f} | {op_runs} | {op_m:.0f} |",
        f"| `ledgersync status --ledger ledger.xlsx` (read workbook, reconcile) | {rd_t:.2f} | {rd_runs} | {rd_m:.0f} |",
        "",
    ]
    checks = [
        ("export ≥ 5× faster than XlsxWriter", ls_t * 5 <= py_t, f"{ls_t:.2f} s vs {py_t:.2f} s (×{py_t / ls_t:.1f})"),
        ("export peak memory < 200 MB", ls_m < 200, f"{ls_m:.0f} MB"),
        ("export exit code", ls_codes == {0}, f"{sorted(ls_codes)}"),
        ("XLSX ledger read ≥ 3× faster than openpyxl read-only", rd_t * 3 <= op_t, f"{rd_t:.2f} s vs {op_t:.2f} s (×{op_t / rd_t:.1f})"),
        ("XLSX ledger read exit code", rd_codes <= {0, 1}, f"{sorted(rd_codes)}"),
        ("ledger size", invoice_rows >= INVOICES and payment_rows >= PAYMENTS, f"{invoice_rows:,} invoices, {payment_rows:,} payments"),
    ]
    return lines, checks


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
    os.makedirs(bench.BENCH, exist_ok=True)
    lines, checks = run(bench.BIN, bench.BENCH, bench.median_of, bench.generate)
    print("\n".join(lines))
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
