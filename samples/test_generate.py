#!/usr/bin/env python3
"""Tests for samples/generate.py: python3 -m unittest samples/test_generate.py

Besides format checks, this replays the generated events (latest snapshot per object by the
DESIGN.md §6 state ranks) and re-derives each row's P, R and status (§3) from them and from the
applications listed in expected_payments.csv, so the expected files cannot drift from the events.
"""

import csv
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate as g  # noqa: E402

RANKS = {
    "refund": {"pending": 0, "requires_action": 0, "succeeded": 1, "failed": 2, "canceled": 2},
    "dispute": {"warning_needs_response": 0, "warning_under_review": 0, "warning_closed": 0,
                "needs_response": 1, "under_review": 2, "won": 3, "lost": 3, "prevented": 3},
    "charge": {"pending": 0, "failed": 0, "succeeded": 1},
    "invoice": {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3},
}


def replay(directory):
    """Latest snapshot of every object, merged by state rank, then event created, then id."""
    seen, best = set(), {}
    ev_dir = os.path.join(directory, "events")
    paths = [os.path.join(ev_dir, n) for n in sorted(os.listdir(ev_dir))]
    for p in paths:
        for _, e in g.iter_events(p):
            if e["id"] in seen:
                continue
            seen.add(e["id"])
            o = e["data"]["object"]
            rank = RANKS.get(o["object"], {}).get(o.get("status"), 0)
            key = (rank, e["created"], e["id"])
            if o["id"] not in best or key > best[o["id"]][0]:
                best[o["id"]] = (key, o)
    return {k: v[1] for k, v in best.items()}


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def major_to_minor(text, currency):
    exp = g.decimals(currency)
    whole, _, frac = text.partition(".")
    return int(whole) * 10 ** exp + (int(frac) if frac else 0)


class FormatTests(unittest.TestCase):
    def test_fmt_uses_the_currency_decimals(self):
        self.assertEqual(g.fmt(125000, "usd"), "1250.00")
        self.assertEqual(g.fmt(150000, "JPY"), "150000")
        self.assertEqual(g.fmt(95500, "kwd"), "95.500")
        self.assertEqual(g.fmt(5, "eur"), "0.05")
        self.assertEqual(g.fmt(-1500, "usd"), "-15.00")

    def test_ids_have_stripe_shape(self):
        ids = g.Ids(random.Random(1))
        ch = ids.make("ch", "3")
        self.assertTrue(ch.startswith("ch_3"))
        self.assertEqual(len(ch) - len("ch_"), 24)
        self.assertEqual(len(ids.customer()), len("cus_") + 14)


class DemoTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.a = os.path.join(cls.tmp.name, "a")
        cls.b = os.path.join(cls.tmp.name, "b")
        for out in (cls.a, cls.b):
            subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--seed", "42",
                            "--out", out], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_same_seed_same_bytes(self):
        for rel in ["ledger.csv", "expected.csv", "expected_payments.csv"] + [
                os.path.join("events", n) for n in os.listdir(os.path.join(self.a, "events"))]:
            with open(os.path.join(self.a, rel), "rb") as f1, \
                    open(os.path.join(self.b, rel), "rb") as f2:
                self.assertEqual(f1.read(), f2.read(), rel)

    def test_check_passes_and_catches_a_broken_event(self):
        g.check(self.a)
        broken = os.path.join(self.b, "events", "99_broken.json")
        with open(broken, "w") as f:
            f.write('{"object":"event","id":"evt_1","type":"charge.succeeded","created":1700000000,'
                    '"livemode":false,"data":{}}')
        try:
            with self.assertRaises(g.CheckError):
                g.check(self.b)
        finally:
            os.remove(broken)

    def test_every_event_shape_of_design_8_is_present(self):
        names = os.listdir(os.path.join(self.a, "events"))
        self.assertTrue(any(n.endswith(".jsonl") for n in names))
        self.assertTrue(any(n.endswith(".list.json") for n in names))
        self.assertTrue(any(n.endswith(".array.json") for n in names))
        self.assertTrue(any(n.startswith("06_") for n in names))

    def test_expected_rows_follow_from_the_events(self):
        objs = replay(self.a)
        ledger = {r["invoice_number"]: r for r in read(os.path.join(self.a, "ledger.csv"))}
        pays = read(os.path.join(self.a, "expected_payments.csv"))
        charges_of = {}
        for p in pays:
            o = objs[p["stripe_id"]]
            if p["kind"] in ("charge", "refund", "dispute", "payout"):
                # An authorised charge not captured is Stripe's `succeeded` with `captured: false`,
                # which the payments table (like the Dashboard) calls `uncaptured`.
                uncaptured = o["object"] == "charge" and o["status"] == "succeeded" and o.get("captured") is False
                self.assertEqual("uncaptured" if uncaptured else o["status"], p["status"], p["stripe_id"])
            if p["kind"] == "charge":
                for n in p["invoice_number"].split():
                    charges_of.setdefault(n, []).append((o, len(p["invoice_number"].split())))
        refunds = [o for o in objs.values() if o["object"] == "refund"]
        disputes = [o for o in objs.values() if o["object"] == "dispute"]
        checked = 0
        for x in read(os.path.join(self.a, "expected.csv")):
            row = ledger[x["invoice_number"]]
            if x["flag"] == "invalid_row":
                continue
            cur = row["currency"].lower()
            D = major_to_minor(row["amount_due"], cur)
            P = R = 0
            ids = set()
            for o, shared in charges_of.get(x["invoice_number"], []):
                self.assertEqual(o["currency"], cur)
                P += o["amount_captured"] if shared == 1 else D
                ids.add(o["id"])
            inv = objs.get(row["stripe_invoice_id"]) if row["stripe_invoice_id"] else None
            if inv and inv.get("paid_out_of_band"):
                P += inv["amount_paid"]
            R = sum(r["amount"] for r in refunds
                    if r["charge"] in ids and r["status"] in ("pending", "succeeded"))
            mine = [d for d in disputes if d["charge"] in ids]
            P -= sum(d["amount"] for d in mine if d["status"] == "lost")
            void = row["status_override"] == "void" or (inv and inv["status"] == "void")
            uncollectible = (row["status_override"] == "uncollectible"
                             or (inv and inv["status"] == "uncollectible"))
            if void:
                status = "void"
            elif any(d["status"] in ("needs_response", "under_review") for d in mine):
                status = "disputed"
            elif any(d["status"] == "lost" for d in mine):
                status = "charged_back"
            elif uncollectible and P == 0:
                status = "uncollectible"
            elif R >= P > 0:
                status = "refunded"
            elif R > 0 and P >= D and P - R < D:
                status = "partially_refunded"
            else:
                N = P - R
                status = ("open" if N == 0 else "partially_paid" if N < D
                          else "paid" if N == D else "overpaid")
            self.assertEqual(x["status"], status, x["invoice_number"])
            self.assertEqual(x["amount_paid"], g.fmt(P, cur), x["invoice_number"])
            self.assertEqual(x["amount_refunded"], g.fmt(R, cur), x["invoice_number"])
            checked += 1
        self.assertGreater(checked, 35)


class BenchTests(unittest.TestCase):
    def test_bench_writes_the_event_budget_and_passes_check(self):
        with tempfile.TemporaryDirectory() as out:
            for fmt in ("jsonl", "json"):
                d = os.path.join(out, fmt)
                subprocess.run([sys.executable, os.path.join(HERE, "generate.py"),
                                "--invoices", "300", "--events", "700", "--format", fmt,
                                "--out", d], check=True, capture_output=True)
                summary = g.check(d)
                self.assertEqual(summary["events"], 700)
                self.assertEqual(summary["rows"], 300)


if __name__ == "__main__":
    unittest.main()
