#!/usr/bin/env python3
"""Build LedgerSync sample scenarios from Stripe's official example objects.

Two modes:

  demo (default)  python3 samples/generate.py --seed 42 --out samples
      A small ledger of tuition installments plus Stripe event files, one story per row
      (see samples/README.md), with the outcome DESIGN.md §3-§5 prescribes in
      expected.csv / expected_payments.csv.

  bench           python3 samples/generate.py --invoices 45000 --events 100000 --format jsonl --out DIR
      A large ledger and a stream of full-size events for benchmarks, with expected files.

  check           python3 samples/generate.py --check DIR
      Validates a generated directory: every JSON parses, every event has
      id/type/created/data.object, the CSVs are well formed and agree with each other.

Every object is a copy of a fixture from stripe/openapi (fixtures3.json) with realistic values
set; nothing is invented beyond what the fixture has, except the few fields an older or newer
API version carries (charge.invoice, invoice.charge/payment_intent/paid/paid_out_of_band).
Standard library only; deterministic for a given --seed.
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import string
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIRS = [os.path.join(HERE, "stripe-fixtures"), "/work/shared/stripe-reference/fixtures"]
FIXTURE_NAMES = ["event", "charge", "invoice", "invoice_payment", "payment_intent", "refund",
                 "dispute", "payout", "balance_transaction", "customer", "checkout.session"]

API_OLD = "2024-06-20"          # invoice.charge / charge.invoice era
API_NEW = "2025-03-31.basil"    # invoice_payment era

ZERO_DECIMAL = set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = set("bhd jod kwd omr tnd".split())

LEDGER_COLUMNS = ["invoice_number", "customer_name", "customer_email", "stripe_customer_id",
                  "stripe_invoice_id", "program", "currency", "amount_due", "issue_date",
                  "due_date", "description", "notes", "status_override"]
DESIGN_COLUMNS = ["invoice_number", "customer_name", "customer_email", "stripe_customer_id",
                  "stripe_invoice_id", "currency", "amount_due", "issue_date", "due_date",
                  "description", "status_override"]
EXPECTED_COLUMNS = ["invoice_number", "status", "amount_paid", "amount_refunded",
                    "balance_due", "flag"]
EXPECTED_PAYMENT_COLUMNS = ["stripe_id", "kind", "status", "invoice_number", "flag"]

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
UTC = dt.timezone.utc

PROGRAMS = [
    ("DS", "Data Science Bootcamp", 4),
    ("UX", "UX Design Certificate", 3),
    ("FS", "Full-Stack Web Development", 4),
    ("EAP", "English for Academic Purposes", 2),
    ("MBA", "MBA Prep Intensive", 3),
    ("CYB", "Cybersecurity Analyst Track", 4),
]
FIRST = ["Amelia", "Noah", "Sofía", "Liam", "Chloé", "Mateo", "Priya", "Kwame", "Zoë", "Hiroshi",
         "Fatima", "Lukas", "Ana", "Oluwaseun", "Mei", "Jonas", "Isabela", "Arjun", "Léa",
         "Tomás", "Nadia", "Ethan", "Yuki", "Omar", "Grace", "Mikael", "Aisha", "Diego", "Hana",
         "Samuel", "Elif", "Rafael", "Ingrid", "Kofi", "María José", "Björn", "Saanvi", "Jakub"]
LAST = ["Okafor", "Müller", "García", "Nguyen", "Johansson", "Dubois", "Kowalski", "Tanaka",
        "Haddad", "O'Brien", "Rossi", "Silva", "Patel", "Andersen", "Mensah", "Novak", "Fischer",
        "Kim", "Moreau", "Alvarez", "Yilmaz", "Lindqvist", "Costa", "Nakamura", "Ibrahim",
        "Schmidt", "Fernández", "Walsh", "Takahashi", "Adeyemi", "Núñez", "Berg"]
MAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "gmx.de",
                "hotmail.co.uk", "web.de"]
CITIES = [("Boston", "MA", "02116", "US"), ("Austin", "TX", "78701", "US"),
          ("Chicago", "IL", "60607", "US"), ("Berlin", None, "10115", "DE"),
          ("Lisbon", None, "1100-148", "PT"), ("Seattle", "WA", "98101", "US"),
          ("Tokyo", None, "100-0005", "JP"), ("Kuwait City", None, "13001", "KW")]
CARDS = [("visa", "4242", "credit"), ("mastercard", "4444", "debit"), ("amex", "8431", "credit"),
         ("visa", "1881", "debit"), ("mastercard", "5100", "credit")]


# ---------------------------------------------------------------------------------------------
# money and time helpers

def decimals(currency):
    c = currency.lower()
    if c in ZERO_DECIMAL:
        return 0
    if c in THREE_DECIMAL:
        return 3
    return 2


def fmt(minor, currency):
    """Integer minor units → major-unit decimal string with the currency's decimals."""
    exp = decimals(currency)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    if exp == 0:
        return f"{sign}{minor}"
    whole, frac = divmod(minor, 10 ** exp)
    return f"{sign}{whole}.{frac:0{exp}d}"


def ts(day, hour=10, minute=0, second=0):
    """Unix seconds for a date plus a time of day (UTC)."""
    return int(dt.datetime(day.year, day.month, day.day, hour, minute, second,
                           tzinfo=UTC).timestamp())


# ---------------------------------------------------------------------------------------------
# fixtures and ids

class Fixtures:
    """The official example objects, kept as text; `new(name)` returns a fresh deep copy."""

    def __init__(self, directory=None):
        dirs = [directory] if directory else FIXTURE_DIRS
        for d in dirs:
            if d and all(os.path.exists(os.path.join(d, n + ".json")) for n in FIXTURE_NAMES):
                self.directory = d
                break
        else:
            raise SystemExit("generate.py: Stripe fixtures not found · looked in "
                             + ", ".join(d for d in dirs if d)
                             + " · pass --fixtures DIR (stripe-reference/fixtures)")
        self.text = {}
        for n in FIXTURE_NAMES:
            with open(os.path.join(self.directory, n + ".json"), encoding="utf-8") as f:
                # Re-serialised compactly: json.loads of this is a fast deep copy.
                self.text[n] = json.dumps(json.load(f), separators=(",", ":"))

    def new(self, name):
        return json.loads(self.text[name])


class Ids:
    """Stripe-shaped ids: prefix, a version digit, a time-ish part, the account's fixed
    10-character fragment, then random base62 — 24 characters after the underscore."""

    def __init__(self, rng, track=True):
        self.rng = rng
        self.account = self.b62(10)
        # Collisions of 12 random base62 characters are negligible; tracking every id of a
        # million-row bench would cost a gigabyte, so only the demo checks.
        self.track = track
        self.seen = set()

    def b62(self, n):
        r = self.rng
        return "".join(r.choice(B62) for _ in range(n))

    def tail(self, version="1"):
        while True:
            t = version + self.rng.choice("QR") + self.b62(4) + self.account + self.b62(8)
            if not self.track:
                return t
            if t not in self.seen:
                self.seen.add(t)
                return t

    def make(self, prefix, version="1"):
        return f"{prefix}_{self.tail(version)}"

    def customer(self):
        while True:
            c = "cus_" + self.rng.choice("QRS") + self.b62(13)
            if not self.track:
                return c
            if c not in self.seen:
                self.seen.add(c)
                return c


# ---------------------------------------------------------------------------------------------
# Stripe object builders (each starts from a fixture copy)

class Customer:
    def __init__(self, cid, name, email, city, created):
        self.id, self.name, self.email, self.city, self.created = cid, name, email, city, created


class Stripe:
    """Builds realistic Stripe objects and events from the fixtures."""

    def __init__(self, fx, ids, rng):
        self.fx, self.ids, self.rng = fx, ids, rng
        self.invoice_prefix_seq = {}

    # -- addresses, cards ---------------------------------------------------------------------
    def address(self, cust):
        city, state, postal, country = cust.city
        n = self.rng.randint(1, 999)
        return {"city": city, "country": country, "line1": f"{n} {self.rng.choice(['Elm', 'Harbor', 'Main', 'Linden', 'Park', 'Mill'])} Street",
                "line2": None, "postal_code": postal, "state": state}

    def customer_object(self, cust):
        o = self.fx.new("customer")
        o.update(id=cust.id, created=cust.created, email=cust.email, name=cust.name,
                 discount=None, description=f"Student {cust.name}", livemode=False,
                 invoice_prefix=self.ids.b62(8).upper(), currency=None, balance=0)
        o["address"] = self.address(cust)
        o["metadata"] = {"student_id": f"S{self.rng.randint(100000, 999999)}"}
        o["preferred_locales"] = ["en"]
        o["shipping"] = None
        return o

    # -- payment intents and charges ------------------------------------------------------------
    def payment_intent(self, pi, amount, currency, created, cust, metadata, status,
                       latest_charge, api, invoice=None, capture_method="automatic_async",
                       pm=None, description=None, pm_type="card"):
        o = self.fx.new("payment_intent")
        received = amount if status == "succeeded" else 0
        o.update(id=pi, amount=amount, currency=currency, created=created,
                 customer=cust.id if cust else None, metadata=dict(metadata), status=status,
                 latest_charge=latest_charge, amount_received=received,
                 amount_capturable=amount if status == "requires_capture" else 0,
                 canceled_at=None, capture_method=capture_method,
                 client_secret=f"{pi}_secret_{self.ids.b62(25)}", description=description,
                 last_payment_error=None, next_action=None, payment_method=pm,
                 payment_method_types=[pm_type], receipt_email=cust.email if cust else None,
                 shipping=None, transfer_data=None, livemode=False,
                 processing={"type": pm_type} if status == "processing" else None)
        o["amount_details"] = {"tip": {}}
        o["payment_method_configuration_details"] = {"id": self.ids.make("pmc"), "parent": None}
        o["managed_payments"] = {"enabled": False}
        if api == API_OLD:
            o["invoice"] = invoice
        return o

    def charge(self, ch, amount, currency, created, cust, metadata, api, pi=None,
               status="succeeded", captured=True, invoice=None, description=None,
               pm_type="card", email=None, refunds=(), amount_refunded=0, disputed=False):
        o = self.fx.new("charge")
        succeeded = status == "succeeded"
        o.update(id=ch, amount=amount, currency=currency, created=created,
                 customer=cust.id if cust else None, metadata=dict(metadata), status=status,
                 captured=captured and succeeded,
                 amount_captured=amount if (captured and succeeded) else 0,
                 amount_refunded=amount_refunded, refunded=amount_refunded >= amount and amount > 0,
                 paid=succeeded, payment_intent=pi, description=description, disputed=disputed,
                 balance_transaction=self.ids.make("txn", "3") if (captured and succeeded) else None,
                 calculated_statement_descriptor="NORTHBRIDGE ACADEMY",
                 receipt_email=email or (cust.email if cust else None),
                 receipt_url="https://pay.stripe.com/receipts/payment/CAca" + self.ids.b62(100),
                 shipping=None, source=None, transfer_data=None, livemode=False,
                 payment_method=self.ids.make("pm"))
        bd = o["billing_details"]
        bd["email"] = email or (cust.email if cust else None)
        bd["name"] = cust.name if cust else None
        bd["address"] = self.address(cust) if cust else bd["address"]
        o["outcome"] = {"advice_code": None, "network_advice_code": None,
                        "network_decline_code": None,
                        "network_status": "approved_by_network" if succeeded else None,
                        "reason": None, "seller_message": "Payment complete." if succeeded else None,
                        "type": "authorized" if succeeded else "pending"}
        if pm_type == "card":
            brand, last4, funding = self.rng.choice(CARDS)
            card = o["payment_method_details"]["card"]
            card.update(amount_authorized=amount, brand=brand, last4=last4, funding=funding,
                        network=brand, country=cust.city[3] if cust else "US",
                        exp_month=self.rng.randint(1, 12), exp_year=self.rng.randint(2027, 2031),
                        fingerprint=self.ids.b62(16),
                        authorization_code=f"{self.rng.randint(0, 999999):06d}",
                        network_transaction_id=str(self.rng.randint(10 ** 14, 10 ** 15 - 1)))
            card["overcapture"]["maximum_amount_capturable"] = amount
            card["installments"] = None
            card["wallet"] = None
        else:
            o["payment_method_details"] = {
                "type": "us_bank_account",
                "us_bank_account": {"account_holder_type": "individual",
                                    "account_type": "checking", "bank_name": "STRIPE TEST BANK",
                                    "fingerprint": self.ids.b62(16), "last4": "6789",
                                    "mandate": self.ids.make("mandate"),
                                    "payment_reference": None, "routing_number": "110000000"}}
            o["outcome"]["type"] = "authorized" if succeeded else "pending"
            o["outcome"]["seller_message"] = "Payment complete." if succeeded else "Payment pending."
        o["refunds"] = {"data": list(refunds), "has_more": False, "object": "list",
                        "url": f"/v1/charges/{ch}/refunds"}
        if api == API_OLD:
            o["invoice"] = invoice
        return o

    # -- invoices -------------------------------------------------------------------------------
    def stripe_invoice(self, inv, cust, amount, currency, created, due, status, api,
                       description, metadata=None, number=None, amount_paid=0, charge=None,
                       pi=None, out_of_band=False, status_times=None):
        o = self.fx.new("invoice")
        prefix = self.invoice_prefix_seq.setdefault(cust.id, [self.ids.b62(8).upper(), 0])
        if number is None and status != "draft":
            prefix[1] += 1
            number = f"{prefix[0]}-{prefix[1]:04d}"
        remaining = max(0, amount - amount_paid) if status in ("open", "draft") else 0
        if status == "paid":
            remaining = 0
        o.update(id=inv, customer=cust.id, customer_email=cust.email, customer_name=cust.name,
                 account_name="Northbridge Academy", amount_due=amount, amount_paid=amount_paid,
                 amount_remaining=remaining, currency=currency, created=created,
                 due_date=due, effective_at=created + 60 if status != "draft" else None,
                 description=description, number=number, status=status,
                 collection_method="send_invoice", auto_advance=status == "open",
                 attempted=amount_paid > 0, attempt_count=1 if amount_paid > 0 else 0,
                 subtotal=amount, subtotal_excluding_tax=amount, total=amount,
                 total_excluding_tax=amount, metadata=dict(metadata or {}),
                 ending_balance=0 if status != "draft" else None, starting_balance=0,
                 from_invoice=None, last_finalization_error=None, next_payment_attempt=None,
                 shipping_cost=None, shipping_details=None, customer_shipping=None,
                 webhooks_delivered_at=created + 5, livemode=False, amount_overpaid=0,
                 parent=None, account_country="US")
        if status != "draft":
            o["hosted_invoice_url"] = ("https://invoice.stripe.com/i/acct_" + self.ids.account
                                       + "/test_" + self.ids.b62(60) + "?s=ap")
            o["invoice_pdf"] = o["hosted_invoice_url"].replace("?s=ap", "/pdf?s=ap")
        o["customer_address"] = self.address(cust)
        times = {"finalized_at": None, "marked_uncollectible_at": None, "paid_at": None,
                 "voided_at": None}
        times.update(status_times or {})
        o["status_transitions"] = times
        line = o["lines"]["data"][0]
        line.update(id=self.ids.make("il"), invoice=inv, amount=amount, currency=currency,
                    description=description, subtotal=amount, taxes=[],
                    pretax_credit_amounts=[], period={"end": created, "start": created})
        line["parent"] = {"invoice_item_details": {"invoice_item": self.ids.make("ii"),
                                                   "proration": False,
                                                   "proration_details": {"credited_items": None},
                                                   "subscription": None},
                          "subscription_item_details": None, "type": "invoice_item_details"}
        line["pricing"] = {"type": "price_details",
                           "price_details": {"price": self.ids.make("price"),
                                             "product": "prod_" + self.ids.b62(14)},
                           "unit_amount_decimal": str(amount)}
        o["lines"]["url"] = f"/v1/invoices/{inv}/lines"
        o["payment_settings"]["payment_method_types"] = ["card", "us_bank_account"]
        o["total_pretax_credit_amounts"] = []
        o["total_taxes"] = []
        if api == API_OLD:
            # Fields removed in 2025-03-31.basil; the newer ones did not exist yet.
            for k in ("amount_overpaid", "parent", "total_pretax_credit_amounts", "total_taxes",
                      "customer_account", "automatically_finalizes_at"):
                o.pop(k, None)
            o["charge"] = charge
            o["payment_intent"] = pi
            o["paid"] = status == "paid"
            o["paid_out_of_band"] = out_of_band
            o["subscription"] = None
            o["tax"] = None
            o["total_tax_amounts"] = []
        return o

    def invoice_payment(self, inv, amount, currency, pi, created, paid_at):
        o = self.fx.new("invoice_payment")
        o.update(id="inpay_" + self.ids.tail("1"), invoice=inv, amount_paid=amount,
                 amount_requested=amount, currency=currency, created=created, is_default=True,
                 livemode=False, status="paid")
        o["payment"] = {"type": "payment_intent", "payment_intent": pi}
        o["status_transitions"] = {"canceled_at": None, "paid_at": paid_at}
        return o

    def checkout_session(self, pi, cust, amount, currency, created, metadata):
        o = self.fx.new("checkout.session")
        o.update(id="cs_test_a1" + self.ids.b62(56), amount_subtotal=amount,
                 amount_total=amount, currency=currency, created=created,
                 customer=cust.id, customer_email=cust.email, metadata=dict(metadata),
                 payment_intent=pi, payment_status="paid", status="complete",
                 expires_at=created + 86400, livemode=False, shipping_cost=None,
                 shipping_address_collection=None, currency_conversion=None,
                 success_url="https://northbridge.example/pay/success",
                 cancel_url="https://northbridge.example/pay/cancel",
                 url=None, client_reference_id=metadata.get("invoice_number"))
        o["customer_details"].update(email=cust.email, name=cust.name,
                                     address=self.address(cust))
        o["total_details"] = {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
        o["payment_method_configuration_details"] = {"id": self.ids.make("pmc"), "parent": None}
        o["collected_information"] = None
        o["managed_payments"] = {"enabled": False}
        o["custom_text"] = {"after_submit": None, "shipping_address": None, "submit": None,
                            "terms_of_service_acceptance": None}
        o["invoice_creation"]["enabled"] = False
        return o

    # -- refunds, disputes, payouts, balance transactions ---------------------------------------
    def balance_txn(self, txn, amount, fee, currency, created, source, type_, category, desc):
        o = self.fx.new("balance_transaction")
        o.update(id=txn, amount=amount, fee=fee, net=amount - fee, currency=currency,
                 created=created, available_on=created + 2 * 86400, source=source, type=type_,
                 reporting_category=category, description=desc, status="available")
        o["fee_details"] = ([{"amount": fee, "application": None, "currency": currency,
                              "description": "Dispute fee", "type": "stripe_fee"}] if fee else [])
        return o

    def refund(self, re, ch, pi, cust, amount, currency, created, status, reason=None):
        o = self.fx.new("refund")
        o.update(id=re, charge=ch, payment_intent=pi, amount=amount, currency=currency,
                 created=created, status=status, reason=reason,
                 customer=cust.id if cust else None, payment_method=self.ids.make("pm"),
                 balance_transaction=self.ids.make("txn", "3"),
                 receipt_number=f"{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}")
        o["metadata"] = {}
        o["destination_details"] = {"card": {"reference": str(self.rng.randint(10 ** 9, 10 ** 10)),
                                             "reference_status": "available" if status == "succeeded" else "pending",
                                             "reference_type": "acquirer_reference_number",
                                             "type": "refund"}, "type": "card"}
        if status == "failed":
            o["failure_reason"] = "lost_or_stolen_card"
            o["failure_balance_transaction"] = self.ids.make("txn", "3")
        return o

    def dispute(self, du, ch, pi, amount, currency, created, status, case_type, btxns):
        o = self.fx.new("dispute")
        o.update(id=du, charge=ch, payment_intent=pi, amount=amount, currency=currency,
                 created=created, status=status, livemode=False,
                 is_charge_refundable=case_type == "inquiry",
                 balance_transactions=btxns,
                 reason="general" if case_type == "inquiry" else "product_not_received")
        o["evidence_details"] = {"due_by": created + 9 * 86400 + 86399,
                                 "has_evidence": status in ("under_review", "won", "lost"),
                                 "past_due": False,
                                 "submission_count": 1 if status in ("under_review", "won", "lost") else 0,
                                 "enhanced_eligibility": {}}
        card = o["payment_method_details"]["card"]
        card.update(case_type=case_type, brand="visa", network="visa",
                    network_reason_code="10.4" if case_type == "inquiry" else "13.1")
        if status in ("under_review", "won", "lost"):
            o["evidence"]["uncategorized_text"] = ("Student attended all sessions; attendance "
                                                   "log and enrollment agreement attached.")
        return o

    def payout(self, po, amount, currency, created, status):
        o = self.fx.new("payout")
        o.update(id=po, amount=amount, currency=currency, created=created, status=status,
                 arrival_date=created + 2 * 86400, balance_transaction=self.ids.make("txn", "1"),
                 destination="ba_" + self.ids.tail("1"), livemode=False,
                 statement_descriptor="NORTHBRIDGE PAYOUT",
                 trace_id={"status": "supported" if status == "paid" else "pending",
                           "value": "0" + str(self.rng.randint(10 ** 13, 10 ** 14)) if status == "paid" else None})
        return o

    # -- events ---------------------------------------------------------------------------------
    def event(self, type_, obj, created, api, previous=None, automatic=False):
        e = self.fx.new("event")
        e["id"] = self.ids.make("evt", "3" if obj.get("id", "").split("_", 1)[-1][:1] == "3" else "1")
        e["api_version"] = api
        e["created"] = created
        e["data"] = {"object": obj}
        if previous is not None:
            e["data"]["previous_attributes"] = previous
        e["livemode"] = False
        e["pending_webhooks"] = 1
        e["request"] = ({"id": None, "idempotency_key": None} if automatic else
                        {"id": "req_" + self.ids.b62(14),
                         "idempotency_key": "%08x-%04x-4%03x-a%03x-%012x" % (
                             self.rng.getrandbits(32), self.rng.getrandbits(16),
                             self.rng.getrandbits(12), self.rng.getrandbits(12),
                             self.rng.getrandbits(48))})
        e["type"] = type_
        return e


# ---------------------------------------------------------------------------------------------
# scenario: rows, events and the expected outcome, built story by story

class Scenario:
    def __init__(self, rng, fx, year=2026, track_ids=True):
        self.rng = rng
        self.ids = Ids(rng, track_ids)
        self.s = Stripe(fx, self.ids, rng)
        self.year = year
        self.rows = []              # ledger rows (dicts), in order
        self.events = []            # (bucket, event)
        self.expected = {}          # invoice_number -> expected row
        self.payments = []          # expected payment rows
        self.seq = 0
        self.used_names = set()
        self.stories = []           # (invoice numbers, story name) for the README

    # -- people and rows ---------------------------------------------------------------------------
    def person(self, created_day=None, email_case=False, sponsor=None):
        r = self.rng
        while True:
            name = f"{r.choice(FIRST)} {r.choice(LAST)}"
            if name not in self.used_names:
                self.used_names.add(name)
                break
        local = (name.lower().replace(" ", ".").replace("'", "")
                 .translate(str.maketrans("áéíóúñüöäçëïôèàø", "aeiounuoaceioeao")))
        email = sponsor or f"{local}@{r.choice(MAIL_DOMAINS)}"
        day = created_day or dt.date(self.year - 1, r.randint(9, 12), r.randint(1, 28))
        c = Customer(self.ids.customer(), name, email, r.choice(CITIES[:6]), ts(day, 15))
        c.email_in_ledger = email if not email_case else (
            email.split("@")[0].title() + "@" + email.split("@")[1].upper())
        return c

    def next_number(self):
        self.seq += 1
        return f"INV-{self.year}-{self.seq:04d}"

    def row(self, cust, amount, currency="usd", program=None, part=(1, 1), issue=None,
            with_customer_id=True, stripe_invoice_id="", override="", notes="",
            amount_text=None, currency_text=None):
        code, pname, _ = program or self.rng.choice(PROGRAMS)
        issue = issue or dt.date(self.year, self.rng.randint(1, 3), self.rng.randint(1, 28))
        due = issue + dt.timedelta(days=30)
        k, n = part
        # The cohort is named after the first installment's month.
        first = issue - dt.timedelta(days=30 * (k - 1))
        term = "Spring" if first.month <= 6 else "Fall"
        desc = (f"Tuition installment {k} of {n} — {pname}, {term} {first.year} cohort"
                if n > 1 else f"Tuition in full — {pname}, {term} {first.year} cohort")
        r = {"invoice_number": self.next_number(), "customer_name": cust.name,
             "customer_email": cust.email_in_ledger,
             "stripe_customer_id": cust.id if with_customer_id else "",
             "stripe_invoice_id": stripe_invoice_id, "program": pname,
             "currency": currency_text or currency.upper(),
             "amount_due": amount_text if amount_text is not None else fmt(amount, currency),
             "issue_date": issue.isoformat(), "due_date": due.isoformat(),
             "description": desc, "notes": notes, "status_override": override,
             # private
             "_amount": amount, "_currency": currency.lower(), "_issue": issue, "_due": due}
        self.rows.append(r)
        return r

    def expect(self, row, status, paid=0, refunded=0, flag=""):
        cur = row["_currency"]
        D = row["_amount"]
        if status in ("paid", "overpaid", "refunded", "partially_refunded", "void",
                      "uncollectible"):
            balance = 0
        else:
            balance = max(0, D - (paid - refunded))
        self.expected[row["invoice_number"]] = {
            "invoice_number": row["invoice_number"], "status": status,
            "amount_paid": fmt(paid, cur), "amount_refunded": fmt(refunded, cur),
            "balance_due": fmt(balance, cur), "flag": flag}

    def expect_payment(self, stripe_id, kind, status, rows=(), flag=""):
        self.payments.append({"stripe_id": stripe_id, "kind": kind, "status": status,
                              "invoice_number": " ".join(r["invoice_number"] for r in rows),
                              "flag": flag})

    def emit(self, bucket, type_, obj, created, api, previous=None, automatic=False):
        e = self.s.event(type_, obj, created, api, previous, automatic)
        self.events.append((bucket, e))
        return e

    def story(self, name, *rows):
        self.stories.append((name, [r["invoice_number"] for r in rows]))

    # -- reusable payment flows ------------------------------------------------------------------
    def card_payment(self, cust, amount, currency, t, api, ch_meta=None, pi_meta=None,
                     invoice=None, status="succeeded", captured=True, pm_type="card",
                     description=None, bucket="payments", email=None, created_event=True):
        """A PaymentIntent and its charge; emits charge.* and payment_intent.* events."""
        tail = self.ids.tail("3")
        pi, ch = "pi_" + tail, "ch_" + tail
        pi_status = {"succeeded": "requires_capture" if not captured else "succeeded",
                     "pending": "processing"}[status]
        charge = self.s.charge(ch, amount, currency, t + 3, cust, ch_meta or {}, api, pi=pi,
                               status=status, captured=captured, invoice=invoice,
                               description=description, pm_type=pm_type, email=email)
        intent = self.s.payment_intent(pi, amount, currency, t, cust, pi_meta or {},
                                       pi_status, ch, api, invoice=invoice,
                                       capture_method="automatic_async" if captured else "manual",
                                       pm=charge["payment_method"], description=description,
                                       pm_type=pm_type)
        if created_event:
            self.emit(bucket, "payment_intent.created", dict(intent, status="requires_payment_method",
                                                             latest_charge=None, amount_received=0,
                                                             amount_capturable=0), t, api)
        if status == "pending":
            self.emit(bucket, "charge.pending", charge, t + 3, api)
            self.emit(bucket, "payment_intent.processing", intent, t + 4, api)
        else:
            self.emit(bucket, "charge.succeeded", charge, t + 4, api)
            self.emit(bucket, "payment_intent.amount_capturable_updated" if not captured
                      else "payment_intent.succeeded", intent, t + 5, api)
        return intent, charge

    def rand_time(self, row, lo=-5, hi=20):
        day = row["_due"] + dt.timedelta(days=self.rng.randint(lo, hi))
        return ts(day, self.rng.randint(8, 21), self.rng.randint(0, 59), self.rng.randint(0, 59))


# ---------------------------------------------------------------------------------------------
# the demo stories

def program(code):
    for p in PROGRAMS:
        if p[0] == code:
            return p
    raise KeyError(code)


def build_demo(sc):
    s, rng = sc.s, sc.rng
    customers = []

    def person(**kw):
        c = sc.person(**kw)
        customers.append(c)
        return c

    def api_any():
        return rng.choice([API_OLD, API_NEW])

    # 1. Paid in full by card, metadata invoice_number on the charge and intent (rule reference).
    c = person()
    r = sc.row(c, 125000, program=program("DS"), part=(1, 4), notes="Early-bird rate")
    t = sc.rand_time(r)
    _, ref_paid_charge = sc.card_payment(c, 125000, "usd", t, API_NEW,
                                         ch_meta={"invoice_number": r["invoice_number"]},
                                         pi_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "paid", 125000)
    sc.expect_payment(ref_paid_charge["id"], "charge", "succeeded", [r])
    sc.story("paid in full by card, metadata invoice_number (rule reference); "
             "its charge.succeeded is delivered twice (duplicate file)", r)
    # Later installments of the same student: open, no activity.
    for k in (2, 3):
        r2 = sc.row(c, 125000, program=program("DS"), part=(k, 4),
                    issue=r["_issue"] + dt.timedelta(days=30 * (k - 1) + 62))
        sc.expect(r2, "open")
        sc.story("future installment, no activity", r2)

    # 2. Paid through a Stripe invoice, OLD shape (charge.invoice, invoice.charge).
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 240000, program=program("FS"), part=(1, 2), stripe_invoice_id=inv)
    t = ts(r["_issue"], 9)
    desc = r["description"]
    s_inv = s.stripe_invoice(inv, c, 240000, "usd", t, ts(r["_due"], 23, 59), "open", API_OLD,
                             desc, metadata={"program": r["program"]},
                             status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_OLD)
    tp = sc.rand_time(r, -10, 0)
    intent, charge = sc.card_payment(c, 240000, "usd", tp, API_OLD, invoice=inv,
                                     description=f"Payment for Invoice {s_inv['number']}")
    paid = s.stripe_invoice(inv, c, 240000, "usd", t, s_inv["due_date"], "paid", API_OLD, desc,
                            metadata={"program": r["program"]}, number=s_inv["number"],
                            amount_paid=240000, charge=charge["id"], pi=intent["id"],
                            status_times={"finalized_at": t + 60, "paid_at": tp + 5})
    sc.emit("invoices", "invoice.paid", paid, tp + 6, API_OLD, automatic=True)
    sc.emit("invoices", "invoice.payment_succeeded", paid, tp + 6, API_OLD, automatic=True)
    sc.expect(r, "paid", 240000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story(f"paid via Stripe invoice, old API shape ({API_OLD}: charge.invoice, invoice.charge)", r)

    # 3. Paid through a Stripe invoice, NEW shape (invoice_payment, no charge.invoice).
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 240000, program=program("FS"), part=(1, 2), stripe_invoice_id=inv)
    t = ts(r["_issue"], 9, 30)
    desc = r["description"]
    s_inv = s.stripe_invoice(inv, c, 240000, "usd", t, ts(r["_due"], 23, 59), "open", API_NEW,
                             desc, metadata={"program": r["program"]},
                             status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_NEW)
    tp = sc.rand_time(r, -12, -1)
    intent, charge = sc.card_payment(c, 240000, "usd", tp, API_NEW,
                                     description=f"Payment for Invoice {s_inv['number']}")
    ip = s.invoice_payment(inv, 240000, "usd", intent["id"], t + 60, tp + 5)
    sc.emit("invoices", "invoice_payment.paid", ip, tp + 6, API_NEW, automatic=True)
    paid = s.stripe_invoice(inv, c, 240000, "usd", t, s_inv["due_date"], "paid", API_NEW, desc,
                            metadata={"program": r["program"]}, number=s_inv["number"],
                            amount_paid=240000,
                            status_times={"finalized_at": t + 60, "paid_at": tp + 5})
    sc.emit("invoices", "invoice.paid", paid, tp + 7, API_NEW, automatic=True)
    sc.expect(r, "paid", 240000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story(f"paid via Stripe invoice, new API shape ({API_NEW}: invoice_payment → payment intent → charge)", r)

    # 4. Installment partially paid by reference (metadata on the payment intent only).
    c = person()
    r = sc.row(c, 300000, program=program("CYB"), part=(1, 2),
               notes="Agreed to pay in two parts, see email 2026-01-14")
    t = sc.rand_time(r, -3, 3)
    _, charge = sc.card_payment(c, 100000, "usd", t, api_any(),
                                pi_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "partially_paid", 100000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("installment partially paid by reference (metadata on the payment intent only)", r)

    # 5. Customer and amount: no reference, customer id on the row, exact balance.
    c = person()
    r = sc.row(c, 85000, program=program("EAP"), part=(1, 2))
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 85000, "usd", t, api_any())
    sc.expect(r, "paid", 85000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("customer and amount: no reference, stripe_customer_id on the row, exact balance", r)
    r2 = sc.row(c, 85000, program=program("EAP"), part=(2, 2),
                issue=r["_issue"] + dt.timedelta(days=75))
    # Two rows of the same customer with the same balance: rule 3 takes the oldest by due_date.
    sc.expect(r2, "open")
    sc.story("second installment of the same amount: stays open (rule 3 takes the oldest due_date)", r2)

    # 6. Customer and amount by email: the row has no customer id, its email in another case.
    c = person(email_case=True)
    r = sc.row(c, 47500, program=program("UX"), part=(1, 1), with_customer_id=False)
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 47500, "usd", t, api_any())
    sc.expect(r, "paid", 47500)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("customer and amount by email: row without stripe_customer_id, email differs in case", r)

    # 7. One payment settles two open installments (the only 2-row set with that sum).
    c = person()
    base = dt.date(sc.year, 1, 10)
    ra = sc.row(c, 50000, program=program("MBA"), part=(1, 3), issue=base)
    rb = sc.row(c, 70000, program=program("MBA"), part=(2, 3), issue=base + dt.timedelta(days=31))
    rc = sc.row(c, 90000, program=program("MBA"), part=(3, 3), issue=base + dt.timedelta(days=59))
    t = sc.rand_time(rb, 0, 5)
    _, charge = sc.card_payment(c, 120000, "usd", t, api_any())
    sc.expect(ra, "paid", 50000)
    sc.expect(rb, "paid", 70000)
    sc.expect(rc, "open")
    sc.expect_payment(charge["id"], "charge", "succeeded", [ra, rb])
    sc.story("one payment settles two open installments exactly (500 + 700 = 1200)", ra, rb)
    sc.story("third installment of that customer: open", rc)

    # 8. Ambiguous: two different pairs sum to the payment → unmatched, ambiguous_match.
    c = person()
    base = dt.date(sc.year, 1, 6)
    amb = [sc.row(c, a, program=program("UX"), part=(i + 1, 4),
                  issue=base + dt.timedelta(days=28 * i))
           for i, a in enumerate([30000, 50000, 35000, 45000])]
    t = sc.rand_time(amb[1], 0, 3)
    _, charge = sc.card_payment(c, 80000, "usd", t, api_any())
    for a in amb:
        sc.expect(a, "open")
    sc.expect_payment(charge["id"], "charge", "succeeded", [], "ambiguous_match")
    sc.story("ambiguous: 300+500 and 350+450 both equal the 800 payment → all open", *amb)

    # 9. Unmatched payment: unknown customer, no reference.
    stranger = sc.person()
    t = ts(dt.date(sc.year, 2, 17), 16, 12)
    _, charge = sc.card_payment(stranger, 99900, "usd", t, api_any())
    sc.expect_payment(charge["id"], "charge", "succeeded", [], "unmatched_payment")

    # 10. Partial refund; the refund's pending snapshot is delivered after its succeeded one.
    c = person()
    r = sc.row(c, 150000, program=program("DS"), part=(1, 1))
    t = sc.rand_time(r)
    intent, charge = sc.card_payment(c, 150000, "usd", t, API_NEW,
                                     ch_meta={"invoice_number": r["invoice_number"]},
                                     pi_meta={"invoice_number": r["invoice_number"]})
    tr = t + 12 * 86400
    pending = s.refund(sc.ids.make("re", "3"), charge["id"], intent["id"], c, 30000, "usd",
                       tr, "pending", reason="requested_by_customer")
    done = dict(pending, status="succeeded")
    done["destination_details"] = dict(pending["destination_details"])
    sc.emit("refunds", "refund.updated", done, tr + 3600, API_NEW, previous={"status": "pending"},
            automatic=True)
    sc.emit("late", "refund.created", pending, tr, API_NEW)
    refunded_charge = dict(charge, amount_refunded=30000)
    refunded_charge["refunds"] = dict(charge["refunds"], data=[done])
    sc.emit("payments", "charge.refunded", refunded_charge, tr + 1, API_NEW,
            previous={"amount_refunded": 0})
    sc.expect(r, "partially_refunded", 150000, 30000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.expect_payment(done["id"], "refund", "succeeded", [r])
    sc.story("partial refund 300 of 1500 → partially_refunded; the refund's older `pending` "
             "snapshot is delivered after the `succeeded` one", r)

    # 11. Full refund.
    c = person()
    r = sc.row(c, 80000, program=program("EAP"), part=(1, 1),
               notes="Withdrew before start date - full refund approved")
    t = sc.rand_time(r)
    intent, charge = sc.card_payment(c, 80000, "usd", t, API_OLD,
                                     ch_meta={"invoice_number": r["invoice_number"]})
    tr = t + 9 * 86400
    ref = s.refund(sc.ids.make("re", "3"), charge["id"], intent["id"], c, 80000, "usd", tr,
                   "succeeded", reason="requested_by_customer")
    sc.emit("refunds", "refund.created", ref, tr, API_OLD)
    refunded_charge = dict(charge, amount_refunded=80000, refunded=True)
    refunded_charge["refunds"] = dict(charge["refunds"], data=[ref])
    sc.emit("payments", "charge.refunded", refunded_charge, tr + 1, API_OLD,
            previous={"amount_refunded": 0, "refunded": False})
    sc.expect(r, "refunded", 80000, 80000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.expect_payment(ref["id"], "refund", "succeeded", [r])
    sc.story("full refund → refunded", r)

    # 12. Failed refund: pending, then failed. No charge.refunded snapshot (its
    # amount_refunded would never go back down, see README).
    c = person()
    r = sc.row(c, 60000, program=program("UX"), part=(2, 3))
    t = sc.rand_time(r)
    intent, charge = sc.card_payment(c, 60000, "usd", t, API_NEW,
                                     ch_meta={"invoice_number": r["invoice_number"]})
    tr = t + 5 * 86400
    ref = s.refund(sc.ids.make("re", "3"), charge["id"], intent["id"], c, 60000, "usd", tr,
                   "pending", reason="requested_by_customer")
    sc.emit("refunds", "refund.created", ref, tr, API_NEW)
    failed = s.refund(ref["id"], charge["id"], intent["id"], c, 60000, "usd", tr, "failed",
                      reason="requested_by_customer")
    failed["balance_transaction"] = ref["balance_transaction"]
    sc.emit("refunds", "refund.failed", failed, tr + 4 * 86400, API_NEW, automatic=True)
    sc.expect(r, "paid", 60000, 0, "refund_failed")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.expect_payment(ref["id"], "refund", "failed", [r], "refund_failed")
    sc.story("refund pending then failed → paid, flag refund_failed", r)

    # 13-16. Disputes.
    def disputed_payment(amount, note=""):
        c = person()
        r = sc.row(c, amount, program=program("CYB"), part=(1, 1), notes=note)
        t = sc.rand_time(r)
        intent, charge = sc.card_payment(c, amount, "usd", t, API_NEW,
                                         ch_meta={"invoice_number": r["invoice_number"]},
                                         pi_meta={"invoice_number": r["invoice_number"]})
        return c, r, t, intent, charge

    def withdrawal(du, amount, t):
        return s.balance_txn(sc.ids.make("txn", "1"), -amount, 1500, "usd", t, du,
                             "adjustment", "dispute", f"Chargeback withdrawal for {du}")

    def reinstatement(du, amount, t):
        return s.balance_txn(sc.ids.make("txn", "1"), amount, -1500, "usd", t, du,
                             "adjustment", "dispute_reversal",
                             f"Chargeback reversal for {du}")

    # open
    c, r, t, intent, charge = disputed_payment(110000)
    td = t + 20 * 86400
    du = sc.ids.make("du", "1")
    d = s.dispute(du, charge["id"], intent["id"], 110000, "usd", td, "needs_response",
                  "chargeback", [withdrawal(du, 110000, td)])
    sc.emit("disputes", "charge.dispute.created", d, td, API_NEW, automatic=True)
    sc.emit("disputes", "charge.dispute.funds_withdrawn", d, td + 2, API_NEW, automatic=True)
    sc.expect(r, "disputed", 110000, 0, "disputed")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r], "disputed")
    sc.expect_payment(du, "dispute", "needs_response", [r], "disputed")
    sc.story("dispute open (needs_response) → disputed", r)

    # lost
    c, r, t, intent, charge = disputed_payment(110000, "Chargeback - contact student")
    td = t + 15 * 86400
    du = sc.ids.make("du", "1")
    w = withdrawal(du, 110000, td)
    d = s.dispute(du, charge["id"], intent["id"], 110000, "usd", td, "needs_response",
                  "chargeback", [w])
    sc.emit("disputes", "charge.dispute.created", d, td, API_NEW, automatic=True)
    d2 = s.dispute(du, charge["id"], intent["id"], 110000, "usd", td, "under_review",
                   "chargeback", [w])
    sc.emit("disputes", "charge.dispute.updated", d2, td + 6 * 86400, API_NEW,
            previous={"status": "needs_response"})
    d3 = s.dispute(du, charge["id"], intent["id"], 110000, "usd", td, "lost", "chargeback", [w])
    sc.emit("single", "charge.dispute.closed", d3, td + 40 * 86400, API_NEW,
            previous={"status": "under_review"}, automatic=True)
    sc.expect(r, "charged_back", 0, 0, "dispute_lost")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r], "dispute_lost")
    sc.expect_payment(du, "dispute", "lost", [r], "dispute_lost")
    sc.story("dispute lost → charged_back, amount_paid 0, balance due again", r)

    # won
    c, r, t, intent, charge = disputed_payment(95000)
    td = t + 11 * 86400
    du = sc.ids.make("du", "1")
    w = withdrawal(du, 95000, td)
    d = s.dispute(du, charge["id"], intent["id"], 95000, "usd", td, "needs_response",
                  "chargeback", [w])
    sc.emit("disputes", "charge.dispute.created", d, td, API_NEW, automatic=True)
    d3 = s.dispute(du, charge["id"], intent["id"], 95000, "usd", td, "won", "chargeback",
                   [w, reinstatement(du, 95000, td + 30 * 86400)])
    sc.emit("single", "charge.dispute.closed", d3, td + 30 * 86400, API_NEW,
            previous={"status": "under_review"}, automatic=True)
    sc.emit("disputes", "charge.dispute.funds_reinstated", d3, td + 30 * 86400 + 2, API_NEW,
            automatic=True)
    sc.expect(r, "paid", 95000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.expect_payment(du, "dispute", "won", [r])
    sc.story("dispute won → paid, no flag", r)

    # inquiry
    c, r, t, intent, charge = disputed_payment(72500)
    td = t + 8 * 86400
    du = sc.ids.make("du", "1")
    d = s.dispute(du, charge["id"], intent["id"], 72500, "usd", td, "warning_needs_response",
                  "inquiry", [])
    sc.emit("disputes", "charge.dispute.created", d, td, API_NEW, automatic=True)
    sc.expect(r, "paid", 72500, 0, "disputed")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r], "disputed")
    sc.expect_payment(du, "dispute", "warning_needs_response", [r], "disputed")
    sc.story("inquiry (warning_needs_response) → paid, flag disputed", r)

    # 17. Void by override, and a payment arrives anyway.
    c = person()
    r = sc.row(c, 62500, program=program("UX"), part=(3, 3), override="void",
               notes="Voided: student transferred to Fall cohort")
    t = sc.rand_time(r, 5, 15)
    _, charge = sc.card_payment(c, 62500, "usd", t, api_any(),
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "void", 62500, 0, "payment_on_void")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r], "payment_on_void")
    sc.story("status_override void and a payment arrives by reference → void, payment_on_void", r)

    # 18. Stripe invoice voided.
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 180000, program=program("MBA"), part=(1, 1), stripe_invoice_id=inv)
    t = ts(r["_issue"], 11)
    s_inv = s.stripe_invoice(inv, c, 180000, "usd", t, ts(r["_due"], 23, 59), "open", API_NEW,
                             r["description"], status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_NEW)
    v = s.stripe_invoice(inv, c, 180000, "usd", t, s_inv["due_date"], "void", API_NEW,
                         r["description"], number=s_inv["number"],
                         status_times={"finalized_at": t + 60, "voided_at": t + 7 * 86400})
    sc.emit("invoices", "invoice.voided", v, t + 7 * 86400, API_NEW)
    sc.expect(r, "void")
    sc.story("Stripe invoice voided (invoice.voided) → void", r)

    # 19. Stripe invoice marked uncollectible.
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 210000, program=program("DS"), part=(1, 1), stripe_invoice_id=inv)
    t = ts(r["_issue"], 11, 30)
    s_inv = s.stripe_invoice(inv, c, 210000, "usd", t, ts(r["_due"], 23, 59), "open", API_OLD,
                             r["description"], status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_OLD)
    u = s.stripe_invoice(inv, c, 210000, "usd", t, s_inv["due_date"], "uncollectible", API_OLD,
                         r["description"], number=s_inv["number"],
                         status_times={"finalized_at": t + 60,
                                       "marked_uncollectible_at": t + 75 * 86400})
    sc.emit("invoices", "invoice.marked_uncollectible", u, t + 75 * 86400, API_OLD)
    sc.expect(r, "uncollectible")
    sc.story("Stripe invoice marked uncollectible → uncollectible", r)

    # 20. Uncollectible by override, no payment.
    c = person()
    r = sc.row(c, 45000, program=program("EAP"), part=(2, 2), override="uncollectible",
               notes="Sent to collections agency")
    sc.expect(r, "uncollectible")
    sc.story("status_override uncollectible, no payment → uncollectible", r)

    # 21. Stripe invoice paid out of band (old shape: paid_out_of_band true, no charge).
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 160000, program=program("FS"), part=(2, 2), stripe_invoice_id=inv,
               notes="Paid by employer cheque")
    t = ts(r["_issue"], 10, 15)
    s_inv = s.stripe_invoice(inv, c, 160000, "usd", t, ts(r["_due"], 23, 59), "open", API_OLD,
                             r["description"], status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_OLD)
    tp = sc.rand_time(r, -5, 5)
    oob = s.stripe_invoice(inv, c, 160000, "usd", t, s_inv["due_date"], "paid", API_OLD,
                           r["description"], number=s_inv["number"], amount_paid=160000,
                           out_of_band=True,
                           status_times={"finalized_at": t + 60, "paid_at": tp})
    sc.emit("invoices", "invoice.paid", oob, tp, API_OLD)
    sc.expect(r, "paid", 160000)
    sc.expect_payment(inv, "manual", "paid", [r])
    sc.story("Stripe invoice paid out of band (old shape, paid_out_of_band true) → paid", r)

    # 22. Pending bank debit: never counts.
    c = person()
    r = sc.row(c, 135000, program=program("CYB"), part=(2, 4))
    t = sc.rand_time(r, -2, 2)
    _, charge = sc.card_payment(c, 135000, "usd", t, api_any(), status="pending",
                                pm_type="us_bank_account",
                                ch_meta={"invoice_number": r["invoice_number"]},
                                pi_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "open")
    sc.expect_payment(charge["id"], "charge", "pending", [])
    sc.story("pending ACH debit (charge.pending) with reference → open, never counts", r)

    # 23. Uncaptured authorisation: never counts.
    c = person()
    r = sc.row(c, 99000, program=program("MBA"), part=(1, 1))
    t = sc.rand_time(r, -2, 2)
    _, charge = sc.card_payment(c, 99000, "usd", t, api_any(), captured=False,
                                ch_meta={"invoice_number": r["invoice_number"]},
                                pi_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "open")
    sc.expect_payment(charge["id"], "charge", "uncaptured", [])  # Stripe: succeeded, captured false
    sc.story("uncaptured authorisation (captured false) with reference → open", r)

    # 24. Overpaid by reference.
    c = person()
    r = sc.row(c, 100000, program=program("EAP"), part=(1, 1))
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 120000, "usd", t, api_any(),
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "overpaid", 120000, 0, "overpaid")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r], "overpaid")
    sc.story("overpaid by reference (1200 on 1000) → overpaid, flag overpaid", r)

    # 25. Duplicate payment: a second same-amount charge on a paid row.
    c = person()
    r = sc.row(c, 90000, program=program("UX"), part=(1, 3))
    t = sc.rand_time(r)
    _, first = sc.card_payment(c, 90000, "usd", t, api_any(),
                               ch_meta={"invoice_number": r["invoice_number"]})
    _, second = sc.card_payment(c, 90000, "usd", t + 2 * 86400 + 613, api_any(),
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "overpaid", 180000, 0, "duplicate_payment")
    sc.expect_payment(first["id"], "charge", "succeeded", [r])
    sc.expect_payment(second["id"], "charge", "succeeded", [r], "duplicate_payment")
    sc.story("duplicate payment: second same-amount charge → overpaid, flag duplicate_payment", r)

    # 26. Currency mismatch: a eur payment referencing a usd row.
    c = person()
    r = sc.row(c, 75000, program=program("DS"), part=(2, 4))
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 75000, "eur", t, api_any(),
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "open", 0, 0, "currency_mismatch")
    sc.expect_payment(charge["id"], "charge", "succeeded", [], "currency_mismatch")
    sc.story("EUR payment referencing a USD row → not applied, open, currency_mismatch", r)

    # 27. EUR rows (Berlin / Lisbon students) paid by reference and by Stripe invoice.
    c = person()
    c.city = CITIES[3]
    r = sc.row(c, 98000, "eur", program=program("EAP"), part=(1, 2))
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 98000, "eur", t, api_any(),
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "paid", 98000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("EUR row paid by reference", r)
    r2 = sc.row(c, 98000, "eur", program=program("EAP"), part=(2, 2),
                issue=r["_issue"] + dt.timedelta(days=61))
    sc.expect(r2, "open")
    sc.story("EUR second installment, open", r2)

    # 28. JPY and KWD rows paid exactly.
    c = person()
    c.city = CITIES[6]
    r = sc.row(c, 150000, "jpy", program=program("EAP"), part=(1, 1), currency_text="JPY")
    t = sc.rand_time(r)
    _, charge = sc.card_payment(c, 150000, "jpy", t, API_NEW,
                                ch_meta={"invoice_number": r["invoice_number"]})
    sc.expect(r, "paid", 150000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("JPY row (zero-decimal) paid exactly by reference", r)

    c = person()
    c.city = CITIES[7]
    r = sc.row(c, 95500, "kwd", program=program("MBA"), part=(1, 1), currency_text="kwd")
    t = sc.rand_time(r)
    intent, charge = sc.card_payment(c, 95500, "kwd", t, API_NEW,
                                     ch_meta={"invoice_number": r["invoice_number"]})
    # Stripe may create two Event objects for one change: same snapshot, another event id.
    sc.emit("payments", "charge.succeeded", charge, t + 4, API_NEW)
    sc.expect(r, "paid", 95500)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("KWD row (three decimals, lowercase currency) paid exactly; its charge.succeeded "
             "snapshot also arrives under a second event id", r)

    # 29. A row with a bad cell: 12.345 USD.
    c = person()
    r = sc.row(c, 0, program=program("EAP"), part=(1, 1), amount_text="12.345",
               notes="Typo to fix")
    sc.expected[r["invoice_number"]] = {"invoice_number": r["invoice_number"], "status": "",
                                        "amount_paid": "", "amount_refunded": "",
                                        "balance_due": "", "flag": "invalid_row"}
    sc.story("bad cell: amount_due 12.345 on a USD row → invalid_row (compare the flag only)", r)

    # 30. Stripe invoice total differs from amount_due (1900 invoiced, row says 2000).
    c = person()
    inv = sc.ids.make("in")
    r = sc.row(c, 200000, program=program("CYB"), part=(1, 1), stripe_invoice_id=inv,
               notes="Scholarship discount applied in Stripe")
    t = ts(r["_issue"], 9, 45)
    s_inv = s.stripe_invoice(inv, c, 190000, "usd", t, ts(r["_due"], 23, 59), "open", API_NEW,
                             r["description"], status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_NEW)
    tp = sc.rand_time(r, -8, -1)
    intent, charge = sc.card_payment(c, 190000, "usd", tp, API_NEW,
                                     description=f"Payment for Invoice {s_inv['number']}")
    ip = s.invoice_payment(inv, 190000, "usd", intent["id"], t + 60, tp + 5)
    sc.emit("invoices", "invoice_payment.paid", ip, tp + 6, API_NEW, automatic=True)
    paid = s.stripe_invoice(inv, c, 190000, "usd", t, s_inv["due_date"], "paid", API_NEW,
                            r["description"], number=s_inv["number"], amount_paid=190000,
                            status_times={"finalized_at": t + 60, "paid_at": tp + 5})
    sc.emit("invoices", "invoice.paid", paid, tp + 7, API_NEW, automatic=True)
    sc.expect(r, "partially_paid", 190000, 0, "amount_mismatch")
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("Stripe invoice total 1900 vs amount_due 2000, paid in full in Stripe → "
             "partially_paid, flag amount_mismatch", r)

    # 31. Paid through Checkout: the reference is on the session only.
    c = person()
    r = sc.row(c, 115000, program=program("FS"), part=(1, 4))
    t = sc.rand_time(r)
    intent, charge = sc.card_payment(c, 115000, "usd", t, API_NEW)
    cs = s.checkout_session(intent["id"], c, 115000, "usd", t - 120,
                            {"invoice_number": r["invoice_number"]})
    sc.emit("payments", "checkout.session.completed", cs, t + 6, API_NEW)
    sc.expect(r, "paid", 115000)
    sc.expect_payment(charge["id"], "charge", "succeeded", [r])
    sc.story("paid through Checkout, invoice_number only in the session's metadata", r)

    # 32. A charge of a Stripe invoice no row has; its customer has an open row of the same
    # amount, which rule 3 must not take.
    c = person()
    r = sc.row(c, 120000, program=program("DS"), part=(3, 4))
    inv = sc.ids.make("in")
    t = ts(r["_issue"], 14)
    s_inv = s.stripe_invoice(inv, c, 120000, "usd", t, ts(r["_due"], 23, 59), "open", API_OLD,
                             "Housing deposit — Spring 2026", status_times={"finalized_at": t + 60})
    sc.emit("invoices", "invoice.finalized", s_inv, t + 60, API_OLD)
    tp = sc.rand_time(r, -4, 0)
    intent, charge = sc.card_payment(c, 120000, "usd", tp, API_OLD, invoice=inv,
                                     description=f"Payment for Invoice {s_inv['number']}")
    paid = s.stripe_invoice(inv, c, 120000, "usd", t, s_inv["due_date"], "paid", API_OLD,
                            "Housing deposit — Spring 2026", number=s_inv["number"],
                            amount_paid=120000, charge=charge["id"], pi=intent["id"],
                            status_times={"finalized_at": t + 60, "paid_at": tp + 5})
    sc.emit("invoices", "invoice.paid", paid, tp + 6, API_OLD, automatic=True)
    sc.expect(r, "open")
    sc.expect_payment(charge["id"], "charge", "succeeded", [], "unknown_invoice")
    sc.story("open row of a customer who paid a Stripe invoice no row has (same amount): "
             "stays open, the charge is flagged unknown_invoice", r)

    # 33. A payout carrying some of the money to the bank (no effect on statuses).
    tpo = ts(dt.date(sc.year, 3, 20), 0, 5)
    po = s.payout(sc.ids.make("po", "1"), 1184213, "usd", tpo, "paid")
    sc.emit("single", "payout.paid", po, tpo + 2 * 86400, API_NEW, automatic=True)
    sc.expect_payment(po["id"], "payout", "paid", [])

    # 34. Irrelevant events: must be ignored.
    plan_event = sc.s.fx.new("event")
    plan = plan_event["data"]["object"]
    tplan = ts(dt.date(sc.year - 1, 11, 3), 12)
    plan.update(id="price_" + sc.ids.tail("1"), created=tplan, product="prod_" + sc.ids.b62(14),
                amount=49900, amount_decimal="49900", nickname="Alumni membership (monthly)")
    sc.emit("catalog", "plan.created", plan, tplan, API_OLD)
    sub_cust = customers[0]
    sub = {"id": sc.ids.make("sub"), "object": "subscription", "customer": sub_cust.id,
           "status": "active", "created": tplan + 86400, "currency": "usd",
           "collection_method": "charge_automatically", "livemode": False, "metadata": {},
           "current_period_start": tplan + 86400, "current_period_end": tplan + 31 * 86400,
           "items": {"object": "list", "has_more": False,
                     "url": "/v1/subscription_items?subscription=",
                     "data": [{"id": "si_" + sc.ids.b62(14), "object": "subscription_item",
                               "created": tplan + 86400, "quantity": 1, "metadata": {},
                               "price": {"id": plan["id"], "object": "price",
                                         "unit_amount": 49900, "currency": "usd",
                                         "product": plan["product"],
                                         "recurring": {"interval": "month",
                                                       "interval_count": 1}}}]}}
    sc.emit("catalog", "customer.subscription.created", sub, tplan + 86400, API_OLD)

    # Customers first (list object), as the API would page them.
    for cust in customers + [stranger]:
        sc.emit("catalog", "customer.created", s.customer_object(cust), cust.created, API_OLD)

    # The first charge.succeeded is delivered again, byte for byte (a webhook retry).
    for bucket, e in sc.events:
        if e["type"] == "charge.succeeded" and e["data"]["object"]["id"] == ref_paid_charge["id"]:
            sc.redelivered = e
            break


# ---------------------------------------------------------------------------------------------
# writing

def write_ledger(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(LEDGER_COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in LEDGER_COLUMNS])


def write_table(path, columns, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])


def dump_pretty(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_demo(sc, out):
    os.makedirs(out, exist_ok=True)
    ev_dir = os.path.join(out, "events")
    os.makedirs(ev_dir, exist_ok=True)
    for name in os.listdir(ev_dir):
        if name.endswith((".json", ".jsonl")):
            os.remove(os.path.join(ev_dir, name))
    write_ledger(os.path.join(out, "ledger.csv"), sc.rows)
    exp = [sc.expected[r["invoice_number"]] for r in sc.rows]
    write_table(os.path.join(out, "expected.csv"), EXPECTED_COLUMNS, exp)
    write_table(os.path.join(out, "expected_payments.csv"), EXPECTED_PAYMENT_COLUMNS,
                sorted(sc.payments, key=lambda p: p["stripe_id"]))

    buckets = {}
    for bucket, e in sc.events:
        buckets.setdefault(bucket, []).append(e)
    for b in buckets.values():
        b.sort(key=lambda e: (e["created"], e["id"]))

    def list_object(events):
        # GET /v1/events pages newest first.
        data = sorted(events, key=lambda e: (e["created"], e["id"]), reverse=True)
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/events"}

    files = {}
    files["01_customers_and_catalog.list.json"] = dump_pretty(list_object(buckets.pop("catalog")))
    files["02_payments.jsonl"] = "".join(
        json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n"
        for e in buckets.pop("payments"))
    files["03_stripe_invoices.array.json"] = dump_pretty(buckets.pop("invoices"))
    files["04_refunds.list.json"] = dump_pretty(list_object(buckets.pop("refunds")))
    files["05_disputes.jsonl"] = "".join(
        json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n"
        for e in buckets.pop("disputes"))
    for e in buckets.pop("single"):
        files[f"06_{e['type']}_{e['id']}.json"] = dump_pretty(e)
    redo = sc.redelivered
    files[f"07_redelivered_{redo['id']}.json"] = dump_pretty(redo)
    for e in buckets.pop("late"):
        files[f"08_late_{e['type']}_{e['id']}.json"] = dump_pretty(e)
    if buckets:
        raise SystemExit(f"generate.py: events left unwritten in buckets {sorted(buckets)}")
    for name, text in files.items():
        with open(os.path.join(ev_dir, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return files


def write_stories(sc, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write("| rows | story |\n|---|---|\n")
        for name, numbers in sc.stories:
            f.write(f"| {', '.join(numbers)} | {name} |\n")


# ---------------------------------------------------------------------------------------------
# bench mode: a large ledger and a stream of full-size events

BENCH_STORIES = [  # (weight, name)
    (44, "ref_paid"), (12, "stripe_invoice_old"), (16, "stripe_invoice_new"),
    (8, "ref_partial"), (3, "partial_refund"), (2, "full_refund"), (1, "dispute_won"),
    (1, "dispute_lost"), (1, "overpaid"), (12, "open"),
]


def bench(args, fx):
    rng = random.Random(args.seed)
    sc = Scenario(rng, fx, track_ids=False)
    s = sc.s
    out = args.out
    os.makedirs(out, exist_ok=True)
    ev_path = os.path.join(out, "events." + ("jsonl" if args.format == "jsonl" else "json"))
    budget = args.events
    written = 0
    names = [n for w, n in BENCH_STORIES for _ in range(w)]
    recent = []
    pending_payout = {}

    ledger = open(os.path.join(out, "ledger.csv"), "w", encoding="utf-8", newline="")
    expected = open(os.path.join(out, "expected.csv"), "w", encoding="utf-8", newline="")
    payments = open(os.path.join(out, "expected_payments.csv"), "w", encoding="utf-8", newline="")
    events = open(ev_path, "w", encoding="utf-8", newline="")
    lw = csv.writer(ledger, lineterminator="\n")
    ew = csv.writer(expected, lineterminator="\n")
    pw = csv.writer(payments, lineterminator="\n")
    lw.writerow(LEDGER_COLUMNS)
    ew.writerow(EXPECTED_COLUMNS)
    pw.writerow(EXPECTED_PAYMENT_COLUMNS)
    first = [True]

    def put(e):
        nonlocal written
        line = json.dumps(e, separators=(",", ":"), ensure_ascii=False)
        if args.format == "jsonl":
            events.write(line + "\n")
        else:
            events.write(("[\n" if first[0] else ",\n") + line)
            first[0] = False
        written += 1
        if len(recent) < 512:
            recent.append(line)
        elif rng.random() < 0.01:
            recent[rng.randrange(512)] = line

    def flush_story():
        evs = sc.events
        sc.events = []
        for _, e in evs:
            put(e)
        for r in sc.rows:
            lw.writerow([r[c] for c in LEDGER_COLUMNS])
            x = sc.expected[r["invoice_number"]]
            ew.writerow([x[c] for c in EXPECTED_COLUMNS])
        for p in sc.payments:
            pw.writerow([p[c] for c in EXPECTED_PAYMENT_COLUMNS])
        sc.rows, sc.payments, sc.expected = [], [], {}

    def payout_for(currency, amount, t):
        acc = pending_payout.setdefault(currency, [0, 0])
        acc[0] += amount
        acc[1] += 1
        if acc[1] >= 400:
            po = s.payout(sc.ids.make("po", "1"), acc[0] - acc[0] * 3 // 100, currency, t + 2 * 86400, "paid")
            sc.emit("b", "payout.paid", po, t + 4 * 86400, API_NEW, automatic=True)
            sc.expect_payment(po["id"], "payout", "paid", [])
            pending_payout[currency] = [0, 0]

    # When the event budget is short for the ledger, spread the paying stories evenly over it
    # instead of crowding them into the first rows.
    cost = {"ref_paid": 2, "stripe_invoice_old": 5, "stripe_invoice_new": 6,
            "ref_partial": 2, "partial_refund": 4, "full_refund": 4, "dispute_won": 4,
            "dispute_lost": 4, "overpaid": 2, "open": 0}
    per_row = sum(cost[n] for n in names) / len(names) * 1.01  # + payouts
    active = min(1.0, budget / max(1.0, args.invoices * per_row))
    customers_left = 0
    cust = None
    part = 0
    for i in range(args.invoices):
        if customers_left == 0:
            cust = _bench_person(sc)
            customers_left = rng.choice([1, 2, 3, 4])
            part = 0
            prog = rng.choice(PROGRAMS)
            currency = rng.choices(["usd", "eur", "jpy", "kwd"], [90, 8, 1, 1])[0]
            base_amount = {"usd": rng.choice([45000, 62500, 85000, 125000, 240000]),
                           "eur": rng.choice([49000, 98000, 150000]),
                           "jpy": rng.choice([150000, 300000]),
                           "kwd": rng.choice([95500, 150000])}[currency]
            start = dt.date(sc.year, 1, 1) + dt.timedelta(days=rng.randint(0, 120))
            n_parts = customers_left
        part += 1
        customers_left -= 1
        story = rng.choice(names) if rng.random() < active else "open"
        issue = start + dt.timedelta(days=30 * (part - 1))
        inv = sc.ids.make("in") if story.startswith("stripe_invoice") else ""
        r = sc.row(cust, base_amount, currency, program=prog, part=(part, n_parts), issue=issue,
                   stripe_invoice_id=inv)
        D = base_amount
        if written + cost[story] + 1 > budget:
            story = "open"
        meta = {"invoice_number": r["invoice_number"], "student_id": cust.student_id,
                "program": prog[1], "installment": f"{part}/{n_parts}"}
        t = sc.rand_time(r)
        if story == "open":
            sc.expect(r, "open")
        elif story in ("ref_paid", "ref_partial", "overpaid", "partial_refund", "full_refund",
                       "dispute_won", "dispute_lost"):
            amount = {"ref_partial": D // 2 // 10 * 10, "overpaid": D + D // 10 // 10 * 10}.get(story, D)
            api = rng.choice([API_OLD, API_NEW])
            intent, charge = sc.card_payment(cust, amount, currency, t, api, ch_meta=meta,
                                             pi_meta=meta, bucket="b", created_event=False)
            sc.expect_payment(charge["id"], "charge", "succeeded", [r],
                              "overpaid" if story == "overpaid" else "")
            payout_for(currency, amount, t)
            if story == "ref_paid":
                sc.expect(r, "paid", D)
            elif story == "ref_partial":
                sc.expect(r, "partially_paid", amount)
            elif story == "overpaid":
                sc.expect(r, "overpaid", amount, 0, "overpaid")
            elif story in ("partial_refund", "full_refund"):
                ra = D if story == "full_refund" else D // 4 // 10 * 10
                ref = s.refund(sc.ids.make("re", "3"), charge["id"], intent["id"], cust, ra,
                               currency, t + 86400 * 7, "succeeded", reason="requested_by_customer")
                sc.emit("b", "refund.created", ref, ref["created"], api)
                rc = dict(charge, amount_refunded=ra, refunded=ra == amount)
                rc["refunds"] = dict(charge["refunds"], data=[ref])
                sc.emit("b", "charge.refunded", rc, ref["created"] + 1, api,
                        previous={"amount_refunded": 0})
                sc.expect(r, "refunded" if story == "full_refund" else "partially_refunded", D, ra)
                sc.expect_payment(ref["id"], "refund", "succeeded", [r])
            else:
                du = sc.ids.make("du", "1")
                td = t + 86400 * 14
                w = s.balance_txn(sc.ids.make("txn", "1"), -amount, 1500, currency, td, du,
                                  "adjustment", "dispute", f"Chargeback withdrawal for {du}")
                d = s.dispute(du, charge["id"], intent["id"], amount, currency, td,
                              "needs_response", "chargeback", [w])
                sc.emit("b", "charge.dispute.created", d, td, API_NEW, automatic=True)
                final = "won" if story == "dispute_won" else "lost"
                d2 = s.dispute(du, charge["id"], intent["id"], amount, currency, td, final,
                               "chargeback", [w])
                sc.emit("b", "charge.dispute.closed", d2, td + 30 * 86400, API_NEW,
                        previous={"status": "under_review"}, automatic=True)
                if final == "won":
                    sc.expect(r, "paid", D)
                    sc.expect_payment(du, "dispute", "won", [r])
                else:
                    sc.expect(r, "charged_back", 0, 0, "dispute_lost")
                    sc.expect_payment(du, "dispute", "lost", [r], "dispute_lost")
        else:
            api = API_OLD if story == "stripe_invoice_old" else API_NEW
            ti = ts(issue, 9)
            s_inv = s.stripe_invoice(inv, cust, D, currency, ti, ts(r["_due"], 23, 59), "open",
                                     api, r["description"], status_times={"finalized_at": ti + 60})
            sc.emit("b", "invoice.finalized", s_inv, ti + 60, api)
            if api == API_OLD:
                intent, charge = sc.card_payment(cust, D, currency, t, api, invoice=inv,
                                                 description=f"Payment for Invoice {s_inv['number']}",
                                                 bucket="b", created_event=False)
                paid = s.stripe_invoice(inv, cust, D, currency, ti, s_inv["due_date"], "paid", api,
                                        r["description"], number=s_inv["number"], amount_paid=D,
                                        charge=charge["id"], pi=intent["id"],
                                        status_times={"finalized_at": ti + 60, "paid_at": t + 5})
                sc.emit("b", "invoice.paid", paid, t + 6, api, automatic=True)
                sc.emit("b", "invoice.payment_succeeded", paid, t + 6, api, automatic=True)
            else:
                intent, charge = sc.card_payment(cust, D, currency, t, api,
                                                 description=f"Payment for Invoice {s_inv['number']}",
                                                 bucket="b", created_event=False)
                ip = s.invoice_payment(inv, D, currency, intent["id"], ti + 60, t + 5)
                sc.emit("b", "invoice_payment.paid", ip, t + 6, api, automatic=True)
                paid = s.stripe_invoice(inv, cust, D, currency, ti, s_inv["due_date"], "paid", api,
                                        r["description"], number=s_inv["number"], amount_paid=D,
                                        status_times={"finalized_at": ti + 60, "paid_at": t + 5})
                sc.emit("b", "invoice.paid", paid, t + 7, api, automatic=True)
                sc.emit("b", "invoice.payment_succeeded", paid, t + 7, api, automatic=True)
            sc.expect(r, "paid", D)
            sc.expect_payment(charge["id"], "charge", "succeeded", [r])
            payout_for(currency, D, t)
        flush_story()

    # Fill the budget: webhook retries (identical events) — they change nothing.
    while written < budget:
        if recent:
            line = rng.choice(recent)
            if args.format == "jsonl":
                events.write(line + "\n")
            else:
                events.write(",\n" + line)
            written += 1
        else:
            break
    if args.format != "jsonl":
        events.write("[\n]\n" if first[0] else "\n]\n")
    for f in (ledger, expected, payments, events):
        f.close()
    return ev_path, written


def _bench_person(sc):
    """Customers beyond the name pool: numbered, still unique by email and id."""
    r = sc.rng
    n = len(sc.ids.seen)
    name = f"{r.choice(FIRST)} {r.choice(LAST)}"
    local = (name.lower().replace(" ", ".").replace("'", "")
             .translate(str.maketrans("áéíóúñüöäçëïôèàø", "aeiounuoaceioeao")))
    c = Customer(sc.ids.customer(), name, f"{local}.{n}@{r.choice(MAIL_DOMAINS)}",
                 r.choice(CITIES[:6]), ts(dt.date(sc.year - 1, 10, 1), 12))
    c.email_in_ledger = c.email
    c.student_id = f"S{r.randint(100000, 999999)}"
    return c


# ---------------------------------------------------------------------------------------------
# --check: the generated files are well formed and agree with each other

class CheckError(Exception):
    pass


def iter_events(path):
    """Yields (where, event) for every event in a file of any §8 shape."""
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        doc = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise CheckError(f"{path}:{n}: not JSON ({err})") from None
                    yield f"{path}:{n}", doc
        return
    with open(path, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as err:
            raise CheckError(f"{path}: not JSON ({err})") from None
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and doc.get("object") == "list":
        items = doc.get("data")
        if not isinstance(items, list):
            raise CheckError(f"{path}: list object without a data array")
    elif isinstance(doc, dict):
        items = [doc]
    else:
        raise CheckError(f"{path}: neither an event, an array nor a list object")
    for n, e in enumerate(items):
        yield f"{path}[{n}]", e


def check_event(where, e):
    if not isinstance(e, dict) or e.get("object") != "event":
        raise CheckError(f"{where}: not an event object")
    if not (isinstance(e.get("id"), str) and e["id"].startswith("evt_")):
        raise CheckError(f"{where}: id missing or not evt_…")
    if not isinstance(e.get("type"), str) or "." not in e["type"]:
        raise CheckError(f"{where}: type missing")
    if not isinstance(e.get("created"), int) or e["created"] < 1_000_000_000:
        raise CheckError(f"{where}: created missing or not unix seconds")
    if e.get("livemode") is not False:
        raise CheckError(f"{where}: livemode must be false (test-mode sample)")
    obj = (e.get("data") or {}).get("object")
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or "object" not in obj:
        raise CheckError(f"{where}: data.object missing or without id/object")
    if obj.get("livemode", False) is not False:
        raise CheckError(f"{where}: data.object.livemode must be false")
    if e["type"].startswith(("charge.", "payment_intent.", "invoice.")) and e["type"] != "charge.dispute.created":
        if "currency" in obj and obj["currency"] != obj["currency"].lower():
            raise CheckError(f"{where}: currency not lowercase")
    return obj


def read_csv(path, columns):
    with open(path, "rb") as f:
        raw = f.read()
    if b"\r" in raw:
        raise CheckError(f"{path}: contains CR; line endings must be LF")
    text = raw.decode("utf-8")
    rows = list(csv.reader(text.splitlines(keepends=True), strict=True))
    if not rows:
        raise CheckError(f"{path}: empty")
    if columns is not None and rows[0] != columns:
        raise CheckError(f"{path}: header {rows[0]} is not {columns}")
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(rows[0]):
            raise CheckError(f"{path}:{n}: {len(r)} cells, header has {len(rows[0])}")
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def check(directory):
    ledger = read_csv(os.path.join(directory, "ledger.csv"), None)
    header = list(ledger[0].keys()) if ledger else []
    missing = [c for c in DESIGN_COLUMNS if c not in header]
    if missing:
        raise CheckError(f"ledger.csv: missing columns {missing}")
    numbers = [r["invoice_number"] for r in ledger]
    if len(set(numbers)) != len(numbers):
        raise CheckError("ledger.csv: duplicate invoice_number")
    expected = read_csv(os.path.join(directory, "expected.csv"), EXPECTED_COLUMNS)
    if [r["invoice_number"] for r in expected] != numbers:
        raise CheckError("expected.csv: invoice_number column differs from ledger.csv")
    by_number = {r["invoice_number"]: r for r in ledger}
    statuses = {"open", "partially_paid", "paid", "overpaid", "refunded", "partially_refunded",
                "disputed", "charged_back", "void", "uncollectible", ""}
    for x in expected:
        if x["status"] not in statuses:
            raise CheckError(f"expected.csv: {x['invoice_number']}: unknown status {x['status']}")
        cur = by_number[x["invoice_number"]]["currency"].lower()
        for col in ("amount_paid", "amount_refunded", "balance_due"):
            v = x[col]
            if v and (("." in v) != (decimals(cur) > 0) or
                      (decimals(cur) and len(v.split(".")[1]) != decimals(cur))):
                raise CheckError(f"expected.csv: {x['invoice_number']}: {col} {v} has not "
                                 f"{decimals(cur)} decimals for {cur}")
    pays = read_csv(os.path.join(directory, "expected_payments.csv"), EXPECTED_PAYMENT_COLUMNS)
    ids = [p["stripe_id"] for p in pays]
    if len(set(ids)) != len(ids):
        raise CheckError("expected_payments.csv: duplicate stripe_id")
    for p in pays:
        for n in p["invoice_number"].split():
            if n not in by_number:
                raise CheckError(f"expected_payments.csv: {p['stripe_id']}: unknown row {n}")

    paths = []
    ev_dir = os.path.join(directory, "events")
    if os.path.isdir(ev_dir):
        paths = [os.path.join(ev_dir, n) for n in sorted(os.listdir(ev_dir))]
    paths += [os.path.join(directory, n) for n in sorted(os.listdir(directory))
              if n.startswith("events.")]
    if not paths:
        raise CheckError(f"{directory}: no events")
    seen_objects = set()
    event_ids = {}
    count = 0
    for p in paths:
        for where, e in iter_events(p):
            obj = check_event(where, e)
            seen_objects.add(obj["id"])
            body = event_ids.get(e["id"])
            if body is not None and body != e["created"]:
                raise CheckError(f"{where}: event id {e['id']} reused for a different event")
            event_ids[e["id"]] = e["created"]
            count += 1
    absent = [i for i in ids if i not in seen_objects]
    if absent:
        raise CheckError(f"expected_payments.csv: ids never seen in the events: {absent[:5]}")
    return {"rows": len(ledger), "expected_payments": len(pays), "event_files": len(paths),
            "events": count, "distinct_event_ids": len(event_ids)}


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=None, help="output directory (demo: samples/)")
    ap.add_argument("--fixtures", default=None, help="directory of Stripe fixture JSON files")
    ap.add_argument("--invoices", type=int, default=None, help="bench mode: ledger rows")
    ap.add_argument("--events", type=int, default=None, help="bench mode: events to write")
    ap.add_argument("--format", choices=["jsonl", "json"], default="jsonl",
                    help="bench mode: JSON Lines or one JSON array")
    ap.add_argument("--check", metavar="DIR", default=None,
                    help="validate a generated directory and exit")
    args = ap.parse_args(argv)

    if args.check:
        try:
            summary = check(args.check)
        except (CheckError, json.JSONDecodeError, csv.Error, UnicodeDecodeError, OSError) as err:
            print(f"check failed · {err}", file=sys.stderr)
            return 1
        print("check ok · " + ", ".join(f"{k} {v}" for k, v in summary.items()))
        return 0

    fx = Fixtures(args.fixtures)
    if args.invoices is not None or args.events is not None:
        if not args.out:
            ap.error("bench mode needs --out DIR")
        args.invoices = args.invoices or 45000
        args.events = args.events if args.events is not None else round(args.invoices * 2.36)
        path, n = bench(args, fx)
        size = os.path.getsize(path)
        print(f"wrote {args.invoices} invoices, {n} events ({size / 1e6:.1f} MB) to {args.out}")
        return 0

    out = args.out or HERE
    sc = Scenario(random.Random(args.seed), fx)
    build_demo(sc)
    files = write_demo(sc, out)
    write_stories(sc, os.path.join(out, "STORIES.md"))
    total = sum(len(t.encode("utf-8")) for t in files.values())
    print(f"wrote {len(sc.rows)} invoices, {len(sc.events) + 1} events in {len(files)} files "
          f"({total / 1e3:.0f} kB), {len(sc.payments)} expected payments to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
