#!/usr/bin/env python3
"""The Dashboard CSV door in `make bench`: importing a 500,000-row Stripe balance history export
(about 95 MB) against (a) `hledger import` of the same CSV with a rules file and (b) Python's
`csv.DictReader` merely reading it. Called at the end of scripts/bench.py; also runs alone
(`python3 scripts/bench_csv.py`), printing its section.

hledger needs minutes and gigabytes here, so it runs once, under a timeout
(BENCH_HLEDGER_TIMEOUT seconds, default 300); a run cut off counts as taking the timeout, which
only understates LedgerSync's lead.

Two floors are measured in the same run, to show how much of the import's time is the least any
import must spend: libcsv alone reading the file (scripts/floor/libcsv_read.c), and writing the
files the import wrote (payments table, journal, state file) and flushing them to disk, as
DESIGN.md §7 requires of every write.
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (measure, median_of, paths)

ROWS = int(os.environ.get("BENCH_CSV_ROWS", "500000"))
HLEDGER_TIMEOUT = int(os.environ.get("BENCH_HLEDGER_TIMEOUT", "300"))
HEADER = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,"
          "Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC)\n")
RULES = """# hledger rules for a Stripe balance history export
skip 1
fields id, type, source, amount, fee, net, currency, date, available_on, description, customer_amount, customer_currency, transfer, transfer_date
date-format %Y-%m-%d %H:%M
description %type %source %description
account1 assets:stripe
account2 income:stripe
amount %net
"""


def make_csv(path, rows):
    """A deterministic balance history: charges, refunds, fees and payouts in USD and EUR."""
    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

    def ident(prefix):
        return prefix + "".join(rng.choice(alphabet) for _ in range(24))

    start = 1_767_225_600  # 2026-01-01
    payout = ident("po_")
    with open(path, "w", newline="") as f:
        f.write(HEADER)
        for i in range(rows):
            t = start + i * 53
            created = time.strftime("%Y-%m-%d %H:%M", time.gmtime(t))
            available = time.strftime("%Y-%m-%d 00:00", time.gmtime(t + 7 * 86400))
            currency = "usd" if i % 5 else "eur"
            roll = rng.random()
            if roll < 0.80:
                kind, source = "charge", ident("ch_")
                amount = rng.randrange(1000, 250000)
                fee = amount * 29 // 1000 + 30
                desc = f"Tuition INV-2026-{i % 100000:05d}"
            elif roll < 0.90:
                kind, source = "refund", ident("re_")
                amount = -rng.randrange(1000, 50000)
                fee = 0
                desc = f"REFUND FOR CHARGE (INV-2026-{i % 100000:05d})"
            elif roll < 0.97:
                kind, source = "stripe_fee", ""
                amount = -rng.randrange(100, 2000)
                fee = 0
                desc = "Billing - Usage Fee (2026-01-01 - 2026-01-31)"
            else:
                kind, source = "payout", payout
                amount = -rng.randrange(100000, 5000000)
                fee = 0
                desc = "STRIPE PAYOUT"
                payout = ident("po_")
            net = amount - fee
            transfer = payout if kind != "payout" else source
            facing = f"{amount / 100:.2f},{currency}" if currency != "usd" else ","
            f.write(f"{ident('txn_')},{kind},{source},{amount / 100:.2f},{fee / 100:.2f},{net / 100:.2f},{currency},"
                    f"{created},{available},\"{desc}\",{facing},{transfer},{available}\n")


def libcsv_floor(csv_path, runs):
    """libcsv alone reading the file: (median seconds, runs), or None without a C compiler."""
    source = os.path.join(bench.ROOT, "scripts", "floor", "libcsv_read.c")
    binary = os.path.join(bench.BENCH, "libcsv_read")
    cc = shutil.which("cc")
    if not cc or subprocess.run([cc, "-O2", "-o", binary, source, "-lcsv"]).returncode != 0:
        return None
    t, _, codes, times = bench.median_of([binary, csv_path], runs=runs)
    return (t, times) if codes == {0} else None


def durable_write_floor(paths, runs):
    """Writing files of these contents and flushing each to disk: (median seconds, MB, runs)."""
    contents = [open(p, "rb").read() for p in paths]
    target = os.path.join(bench.BENCH, "csv-export", "write-floor")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for i, data in enumerate(contents):
            with open(f"{target}.{i}", "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        times.append(time.perf_counter() - start)
        for i in range(len(contents)):
            os.remove(f"{target}.{i}")
    return statistics.median(times), sum(map(len, contents)) / 1e6, [round(t, 3) for t in times]


def section(check, runs=bench.RUNS):
    folder = os.path.join(bench.BENCH, "csv-export")
    os.makedirs(folder, exist_ok=True)
    csv_path = os.path.join(folder, f"balance_history_{ROWS}.csv")
    if not os.path.exists(csv_path):
        print(f"generating {csv_path} …", flush=True)
        make_csv(csv_path + ".tmp", ROWS)
        os.replace(csv_path + ".tmp", csv_path)
    size_mb = os.path.getsize(csv_path) / 1e6
    work = os.path.join(folder, "work")
    ledger = os.path.join(work, "ledger.csv")

    def fresh():
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        shutil.copy(os.path.join(bench.ROOT, "samples", "ledger.csv"), ledger)

    py_t, py_m, _, py_runs = bench.median_of([sys.executable, "-c", "import csv,sys\nfor _ in csv.DictReader(open(sys.argv[1], newline='')): pass", csv_path], runs=runs)
    ls_t, ls_m, ls_codes, ls_runs = bench.median_of([bench.BIN, "import", "--ledger", ledger, csv_path], setup=fresh, runs=runs)
    parse_floor = libcsv_floor(csv_path, runs)
    written = [os.path.join(work, "ledger.payments.csv")] + [
        os.path.join(work, "ledger.ledgersync", name) for name in ("journal.jsonl", "state.tsv")]
    write_t, write_mb, write_runs = durable_write_floor([p for p in written if os.path.exists(p)], runs)

    # hledger: once, under a timeout.
    rules = os.path.join(folder, "balance_history.rules")
    with open(rules, "w") as f:
        f.write(RULES)
    journal = os.path.join(folder, "main.journal")
    open(journal, "w").close()
    for stale in [os.path.join(folder, ".latest." + os.path.basename(csv_path))]:
        if os.path.exists(stale):
            os.remove(stale)
    hledger = shutil.which("hledger")
    if hledger:
        try:
            hl_t, hl_m, hl_code = bench.measure(["timeout", str(HLEDGER_TIMEOUT), hledger, "-f", journal, "import",
                                                 "--rules-file", rules, csv_path])
        except subprocess.CalledProcessError:
            hl_t, hl_m, hl_code = float("nan"), float("nan"), -1
        cut_off = hl_code == 124
        hl_shown = f"≥ {HLEDGER_TIMEOUT} (cut off)" if cut_off else f"{hl_t:.1f}"
        hl_t = max(hl_t, HLEDGER_TIMEOUT) if cut_off else hl_t
        hl_ok = cut_off or hl_code == 0
    else:
        hl_t, hl_m, hl_shown, hl_ok = float("nan"), float("nan"), "not installed", False

    lines = [
        "## Importing a Dashboard CSV export",
        "",
        f"A {ROWS:,}-row Stripe balance history export ({size_mb:.0f} MB, legacy 2016 header) into the 41-row sample ledger.",
        "",
        "| what | median s | runs | peak MB |",
        "|---|---|---|---|",
        f"| Python `csv.DictReader`, read only | {py_t:.2f} | {py_runs} | {py_m:.0f} |",
        f"| `hledger import` with a rules file (hledger 1.25, once, {HLEDGER_TIMEOUT} s timeout) | {hl_shown} | 1 | {hl_m:.0f} |",
        f"| `ledgersync import`, whole run (fresh ledger) | {ls_t:.2f} | {ls_runs} | {ls_m:.0f} |",
        "",
        "Floors, measured in the same run: the least any import of this file into this ledger spends.",
        "",
        "| floor | median s | runs |",
        "|---|---|---|",
        f"| libcsv alone reading the file (scripts/floor/libcsv_read.c, LedgerSync's options) | "
        + (f"{parse_floor[0]:.2f} | {parse_floor[1]} |" if parse_floor else "no C compiler | – |"),
        f"| writing the {write_mb:.0f} MB the import wrote (payments table, journal, state file), each flushed to disk (DESIGN.md §7) "
        f"| {write_t:.2f} | {write_runs} |",
        "",
    ]
    check("CSV import ≥ 50× faster than hledger import", hl_ok and ls_t * 50 <= hl_t,
          f"{ls_t:.2f} s vs {hl_shown} s (×{hl_t / ls_t:.0f})" if hl_ok else f"hledger: {hl_shown}")
    check("CSV import no slower than Python csv.DictReader reading", ls_t <= py_t,
          f"{ls_t:.2f} s vs {py_t:.2f} s (ratio {ls_t / py_t:.2f})")
    check("CSV import exit codes", ls_codes <= {0, 1}, f"{sorted(ls_codes)}")
    return lines


if __name__ == "__main__":
    results = []
    out = section(lambda name, ok, detail: (results.append(ok), print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)))
    print("\n".join(out))
    sys.exit(0 if all(results) else 1)
