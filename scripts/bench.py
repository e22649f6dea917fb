#!/usr/bin/env python3
"""`make bench`: LedgerSync's speed against peers measured in the same run; writes docs/BENCHMARKS.md.

Every figure is the median of RUNS runs. Peak memory is the child's maximum resident set size.
Generated inputs live in bench/ (git-ignored) and are reused when their parameters match.
"""
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "ledgersync")
BENCH = os.path.join(ROOT, "bench")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
GENERATE = os.path.join(ROOT, "samples", "generate.py")


def measure(cmd, stdout=subprocess.DEVNULL, setup=None):
    """Runs cmd in a fresh helper process; returns (seconds, peak RSS in MB, exit code)."""
    if setup:
        setup()
    probe = (
        "import resource,subprocess,sys,time,json\n"
        "t=time.perf_counter(); r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "d=time.perf_counter()-t\n"
        "print(json.dumps([d, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, r.returncode]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, check=True).stdout
    seconds, peak, code = json.loads(out)
    return seconds, peak, code


def median_of(cmd, setup=None, runs=None):
    runs = runs or RUNS
    results = [measure(cmd, setup=setup) for _ in range(runs)]
    codes = {r[2] for r in results}
    return statistics.median(r[0] for r in results), max(r[1] for r in results), codes, [round(r[0], 3) for r in results]


def generate(name, invoices, events, extra=()):
    out = os.path.join(BENCH, name)
    stamp = os.path.join(out, ".params")
    params = json.dumps([invoices, events, list(extra)])
    if os.path.exists(stamp) and open(stamp).read() == params:
        return out
    shutil.rmtree(out, ignore_errors=True)
    print(f"generating {name}: {invoices} invoices, {events} events …", flush=True)
    subprocess.run([sys.executable, GENERATE, "--seed", "1", "--invoices", str(invoices), "--events", str(events),
                    "--format", "jsonl", "--out", out, *extra], check=True)
    open(stamp, "w").write(params)
    return out


def events_file(scenario):
    """One JSON Lines file holding every event of a scenario (what the peers parse)."""
    single = os.path.join(scenario, "events.jsonl")
    if os.path.exists(single):
        return single
    folder = os.path.join(scenario, "events")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".jsonl"))
    if len(files) == 1:
        return files[0]
    joined = os.path.join(scenario, "all-events.jsonl")
    if not os.path.exists(joined):
        with open(joined, "wb") as out:
            for f in files:
                with open(f, "rb") as src:
                    shutil.copyfileobj(src, out)
    return joined


def fresh_ledger(scenario, work):
    def setup():
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        shutil.copy(os.path.join(scenario, "ledger.csv"), os.path.join(work, "ledger.csv"))
    return setup


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run `make bench` (it builds the release binary first)")
    os.makedirs(BENCH, exist_ok=True)
    lines = []
    checks = []

    def check(name, ok, detail):
        checks.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)

    # 5, measured first: the webhook receiver under load on loopback (scripts/bench_webhook.py), in a fresh
    # Python process on a machine not yet loaded by the sections below. Run inside this process, by then
    # large, its p99 rose from ~7 ms to 90-330 ms; run right after the hledger section (7 GB) it once showed
    # 59 ms while the same run repeated a minute later gave 7 ms. What is measured is the receiver, not
    # the VM recovering from the peers.
    section = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench_webhook.py"), "--json"],
                             stdout=subprocess.PIPE, text=True)
    try:
        webhook = json.loads(section.stdout.strip().splitlines()[-1])
        webhook_lines, webhook_checks = webhook["lines"], webhook["checks"]
    except (IndexError, ValueError, KeyError):
        webhook_lines = []
        webhook_checks = [("webhook bench ran", False, f"scripts/bench_webhook.py exited {section.returncode}")]
    for name, ok, detail in webhook_checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail} (reported last)", flush=True)

    # 1. Event import against peers parsing the same file.
    main_scenario = generate("events-45k", 45_000, 112_000)
    events = events_file(main_scenario)
    size_mb = os.path.getsize(events) / 1e6
    work = os.path.join(BENCH, "work")
    ledger = os.path.join(work, "ledger.csv")
    py_t, py_m, _, py_runs = median_of([sys.executable, "-c", "import json,sys; [json.loads(l) for l in open(sys.argv[1])]", events])
    jq_t, jq_m, _, jq_runs = median_of(["sh", "-c", f"jq -c .id '{events}' > /dev/null"])
    ls_t, ls_m, ls_codes, ls_runs = median_of([BIN, "import", "--ledger", ledger, events], setup=fresh_ledger(main_scenario, work))
    re_t, re_m, _, re_runs = median_of([BIN, "import", "--ledger", ledger, events])
    lines += [
        "## Importing Stripe events",
        "",
        f"{size_mb:.0f} MB of JSON Lines ({sum(1 for _ in open(events, 'rb'))} events) into a 45,000-row ledger.",
        "",
        "| what | median s | runs | peak MB |",
        "|---|---|---|---|",
        f"| Python `json.loads` per line (parse only) | {py_t:.2f} | {py_runs} | {py_m:.0f} |",
        f"| `jq -c .id` (parse only) | {jq_t:.2f} | {jq_runs} | {jq_m:.0f} |",
        f"| `ledgersync import`, whole run (fresh ledger) | {ls_t:.2f} | {ls_runs} | {ls_m:.0f} |",
        f"| `ledgersync import` again (all duplicates) | {re_t:.2f} | {re_runs} | {re_m:.0f} |",
        "",
    ]
    check("import ≤ ½ of Python json", ls_t <= py_t / 2, f"{ls_t:.2f} s vs {py_t:.2f} s (ratio {ls_t / py_t:.2f})")
    check("import faster than jq", ls_t < jq_t, f"{ls_t:.2f} s vs {jq_t:.2f} s (ratio {ls_t / jq_t:.2f})")
    check("import peak memory < 300 MB", ls_m < 300, f"{ls_m:.0f} MB")
    check("re-import < ¼ of first import", re_t < ls_t / 4, f"{re_t:.2f} s vs {ls_t:.2f} s (ratio {re_t / ls_t:.2f})")
    check("import exit codes", ls_codes <= {0, 1}, f"{sorted(ls_codes)}")

    # 2. Growth with rows and events.
    lines += ["## Growth with ledger rows and events", "", "| rows | events | MB | median s | µs per row+event | peak MB |", "|---|---|---|---|---|---|"]
    per = []
    for rows, count in [(10_000, 2_000), (100_000, 20_000), (1_000_000, 200_000)]:
        scenario = generate(f"scale-{rows}", rows, count)
        ev = events_file(scenario)
        t, m, _, _ = median_of([BIN, "import", "--ledger", os.path.join(BENCH, "scale-work", "ledger.csv"), ev],
                               setup=fresh_ledger(scenario, os.path.join(BENCH, "scale-work")))
        per.append(t / (rows + count) * 1e6)
        lines.append(f"| {rows:,} | {count:,} | {os.path.getsize(ev) / 1e6:.0f} | {t:.2f} | {t / (rows + count) * 1e6:.2f} | {m:.0f} |")
    lines.append("")
    check("linear growth (µs per row+event at 1M rows within 1.5× of 100k)", per[2] <= per[1] * 1.5,
          f"{per[0]:.2f} → {per[1]:.2f} → {per[2]:.2f} µs per row+event")

    # 3. Workbooks: export and XLSX ledger reading (scripts/bench_workbook.py).
    import bench_workbook
    workbook_lines, workbook_checks = bench_workbook.run(BIN, BENCH, median_of, generate)
    lines += workbook_lines
    for name, ok, detail in workbook_checks:
        check(name, ok, detail)

    # 4. The Dashboard CSV door (scripts/bench_csv.py).
    import bench_csv
    lines += bench_csv.section(check)

    # 5. The webhook section, measured first (above) and reported here.
    lines += webhook_lines
    for name, ok, detail in webhook_checks:
        check(name, ok, detail)

    cpu = platform.processor() or platform.machine()
    head = [
        "# Benchmarks",
        "",
        f"Written by `make bench` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {cpu}).",
        f"Medians of {RUNS} runs; peers measured in the same run. Regenerate with `make bench`.",
        "",
        "| check | result | figures |",
        "|---|---|---|",
    ] + [f"| {name} | {'pass' if ok else 'FAIL'} | {detail} |" for name, ok, detail in checks] + [""]
    with open(os.path.join(ROOT, "docs", "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(head + lines))
    print("wrote docs/BENCHMARKS.md")
    if not all(ok for _, ok, _ in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
