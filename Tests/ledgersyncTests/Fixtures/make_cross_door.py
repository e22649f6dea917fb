#!/usr/bin/env python3
"""Derives, from one scenario of Stripe events (samples/events), the same objects as they reach
LedgerSync through its other doors, for the cross-door tests:

  payments.csv          Payments export (the real unified-payments header) with an
                        `invoice_number (metadata)` column: one row per charge, latest snapshot
  invoices.csv          Invoices export (real header + Number, Customer Email): one row per invoice
  payouts.csv           Payouts export (real header): one row per payout
  balance_history.csv   Balance history export (real 2016 header): the balance transaction of every
                        succeeded charge and of the payout
  balance_transactions.json  the same balance transactions as API objects, for the API stand-in
                        (stripe_api_server.py --extra), which serves every other object from the events

Amounts become decimal major units with each currency's decimals, as the Dashboard writes them.
Fees are made up (2.9% + 30 minor units) but identical in the CSV and the API objects.
Usage: make_cross_door.py SCENARIO_DIR OUT_DIR. Python 3 standard library only."""
import csv, json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stripe_api_server import scenario_lists

ZERO = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf", "isk"}
THREE = {"bhd", "jod", "kwd", "omr", "tnd"}
HEADERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "StripeDataTests", "Fixtures", "exports")


def exponent(c):
    return 0 if c in ZERO else 3 if c in THREE else 2


def major(units, currency):
    e = exponent(currency)
    if e == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    units = abs(units)
    return "%s%d.%0*d" % (sign, units // 10 ** e, e, units % 10 ** e)


def when(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def header(name):
    with open(os.path.join(HEADERS, name), encoding="utf-8") as f:
        return next(csv.reader(f))


def write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            unknown = set(r) - set(columns)
            assert not unknown, unknown
            w.writerow([r.get(c, "") for c in columns])


def main(scenario, out):
    os.makedirs(out, exist_ok=True)
    lists = scenario_lists(scenario)
    intents = {p["id"]: p for p in lists["payment_intents"]}
    invoices = {i["id"]: i for i in lists["invoices"]}
    # Where the Dashboard shows a charge's invoice: charge.invoice (old API), else its invoice payment.
    invoice_of_intent = {}
    for ip in lists["invoice_payments"]:
        pay = ip.get("payment") or {}
        if pay.get("payment_intent"):
            invoice_of_intent[pay["payment_intent"]] = ip["invoice"]

    payments, transactions, balance_rows = [], [], []
    for c in sorted(lists["charges"], key=lambda c: (c["created"], c["id"])):
        cur = c["currency"]
        pi = intents.get(c.get("payment_intent") or "", {})
        inv_id = c.get("invoice") or invoice_of_intent.get(c.get("payment_intent") or "")
        inv = invoices.get(inv_id or "", {})
        ref = (c.get("metadata") or {}).get("invoice_number") or (pi.get("metadata") or {}).get("invoice_number") or ""
        if c["status"] == "succeeded" and not c["captured"]:
            status = "Uncaptured"
        elif c["status"] == "succeeded":
            status = "Refunded" if c["amount_refunded"] >= c["amount"] else "Partially Refunded" if c["amount_refunded"] else "Paid"
        else:
            status = c["status"].capitalize()
        fee = c["amount_captured"] * 29 // 1000 + 30 if c["status"] == "succeeded" and c["captured"] else None
        payments.append({
            "id": c["id"], "Created date (UTC)": when(c["created"]), "Amount": major(c["amount"], cur),
            "Amount Refunded": major(c["amount_refunded"], cur), "Currency": cur, "Captured": "true" if c["captured"] else "false",
            "Converted Amount": major(c["amount"], cur), "Converted Currency": cur, "Fee": major(fee, cur) if fee is not None else "",
            "Mode": "Live" if c["livemode"] else "Test", "Status": status, "Description": c.get("description") or "",
            "PaymentIntent ID": c.get("payment_intent") or "", "Customer ID": c.get("customer") or "",
            "Customer Email": (c.get("billing_details") or {}).get("email") or c.get("receipt_email") or "",
            "Invoice ID": inv_id or "", "Invoice Number": inv.get("number") or "" if inv_id else "",
            "invoice_number (metadata)": ref,
        })
        if fee is not None and c.get("balance_transaction"):
            t = {"id": c["balance_transaction"], "object": "balance_transaction", "amount": c["amount_captured"], "fee": fee,
                 "net": c["amount_captured"] - fee, "currency": cur, "created": c["created"], "available_on": c["created"] + 7 * 86400,
                 "type": "charge", "reporting_category": "charge", "source": c["id"], "status": "available",
                 "description": c.get("description"), "fee_details": [], "exchange_rate": None}
            transactions.append(t)
    for p in lists["payouts"]:
        if p.get("balance_transaction"):
            transactions.append({"id": p["balance_transaction"], "object": "balance_transaction", "amount": -p["amount"], "fee": 0,
                                 "net": -p["amount"], "currency": p["currency"], "created": p["created"],
                                 "available_on": p["created"], "type": "payout", "reporting_category": "payout",
                                 "source": p["id"], "status": "available", "description": "STRIPE PAYOUT", "fee_details": [],
                                 "exchange_rate": None})
    for t in transactions:
        balance_rows.append({"id": t["id"], "Type": t["type"], "Source": t["source"], "Amount": major(t["amount"], t["currency"]),
                             "Fee": major(t["fee"], t["currency"]), "Net": major(t["net"], t["currency"]), "Currency": t["currency"],
                             "Created (UTC)": when(t["created"]), "Available On (UTC)": when(t["available_on"]),
                             "Description": t["description"] or ""})

    write(os.path.join(out, "payments.csv"), header("payments_full.csv") + ["invoice_number (metadata)"], payments)
    write(os.path.join(out, "balance_history.csv"), header("balance_history_2016.csv"), balance_rows)
    write(os.path.join(out, "payouts.csv"), header("payouts.csv"), [{
        "id": p["id"], "Amount": major(p["amount"], p["currency"]), "Created (UTC)": when(p["created"]), "Currency": p["currency"],
        "Livemode": "true" if p["livemode"] else "false", "Arrival Date (UTC)": when(p["arrival_date"]), "Status": p["status"],
        "Type": p.get("type") or "", "Method": p.get("method") or "", "Balance Transaction": p.get("balance_transaction") or "",
        "Failure Code": p.get("failure_code") or "", "Description": p.get("description") or ""} for p in lists["payouts"]])
    write(os.path.join(out, "invoices.csv"), header("invoices.csv") + ["Number", "Customer Email", "invoice_number (metadata)"], [{
        "id": i["id"], "Amount Due": major(i["amount_due"], i["currency"]), "Currency": i["currency"], "Customer": i.get("customer") or "",
        "Date (UTC)": when(i["created"]), "Paid": "true" if i["status"] == "paid" else "false", "Total": major(i["total"], i["currency"]),
        "Subtotal": major(i.get("subtotal", i["total"]), i["currency"]), "Amount Paid": major(i["amount_paid"], i["currency"]),
        "Status": i["status"], "Number": i.get("number") or "",
        **{column: when(t) for column, key in [("Paid At (UTC)", "paid_at"), ("Finalized At (UTC)", "finalized_at"),
                                                ("Voided At (UTC)", "voided_at"), ("Marked Uncollectible At (UTC)", "marked_uncollectible_at")]
           if (t := (i.get("status_transitions") or {}).get(key))}, "Customer Email": i.get("customer_email") or "",
        "invoice_number (metadata)": (i.get("metadata") or {}).get("invoice_number") or ""} for i in lists["invoices"]])
    with open(os.path.join(out, "balance_transactions.json"), "w", encoding="utf-8") as f:
        json.dump(transactions, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
