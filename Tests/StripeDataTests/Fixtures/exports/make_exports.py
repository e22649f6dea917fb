#!/usr/bin/env python3
"""Builds the export golden fixtures: the real Dashboard headers from
/work/shared/stripe-reference/csv-headers (copied into HEADERS below) with rows whose values come
from the official fixtures (stripe/openapi fixtures3.json: ch_1PgafuB7WZ01zgkWXYmPNZs8,
txn_1PgaxNB7WZ01zgkWEV3TLf40, po_1Pgc79B7WZ01zgkWu1KToYf4, in_1Pgc6tB7WZ01zgkWu9fdqL6I,
cus_QXg1o8vcGmoR32, created 1234567890 = 2009-02-13 23:31:30 UTC), plus rows that must be
rejected. Run it from this folder; it rewrites the *.csv files (the *.expected.txt goldens are
written by the Swift tests with UPDATE_GOLDEN=1)."""
import csv, io

HEADERS = {
 "payments_full": "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Description,Fee,Is Link,Mode,PaymentIntent ID,Payment Source Type,Refunded date (UTC),Statement Descriptor,Status,Seller Message,Taxes On Fee,Card ID,Card Name,Card Address Line1,Card Address Line2,Card Address City,Card Address State,Card Address Country,Card Address Zip,Card AVS Line1 Status,Card AVS Zip Status,Card Brand,Card CVC Status,Card Exp Month,Card Exp Year,Card Fingerprint,Card Funding,Card Issue Country,Card Last4,Card Tokenization Method,Customer ID,Customer Description,Customer Email,Customer Phone,Shipping Name,Shipping Address Line1,Shipping Address Line2,Shipping Address City,Shipping Address State,Shipping Address Country,Shipping Address Postal Code,Disputed Amount,Dispute Date (UTC),Dispute Evidence Due (UTC),Dispute Reason,Dispute Status,Invoice ID,Invoice Number,Checkout Session ID,Checkout Custom Field 1 Key,Checkout Custom Field 1 Value,Checkout Custom Field 2 Key,Checkout Custom Field 2 Value,Checkout Custom Field 3 Key,Checkout Custom Field 3 Value,Checkout Line Item Summary,Checkout Promotional Consent,Checkout Terms of Service Consent,Client Reference ID,Payment Link ID,UTM Campaign,UTM Content,UTM Medium,UTM Source,UTM Term,Application Fee,Application ID,Destination,Transfer,Transfer Group",
 "payments_metadata": "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Decline Reason,Description,Fee,Refunded date (UTC),Statement Descriptor,Status,Seller Message,Taxes On Fee,Card ID,Customer ID,Customer Description,Customer Email,Invoice ID,Transfer,payment_method_type (metadata),chapter_id (metadata),member_id (metadata),member_dues_id (metadata),save_payment_method (metadata)",
 "balance_history_2016": "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC)",
 "balance_history_2022": "id,Type,Source,Amount,Fee,Destination Platform Fee,Destination Platform Fee Currency,Net,Currency,Created (UTC),Available On (UTC),Description,Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC),Transfer Group",
 "balance_change_itemized": '"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net","reporting_category","description"',
 "payouts": "id,Amount,Created (UTC),Currency,Livemode,Arrival Date (UTC),Source Type,Destination,Status,Type,Method,Description,Balance Transaction,Failure Balance Transaction,Failure Message,Failure Code,Statement Descriptor,Trace ID,Trace ID Status,Destination Name,Destination Country,Destination Last 4",
 "invoices": "id,Amount Due,Closed,Currency,Customer,Date (UTC),Due Date (UTC),Ending Balance,Forgiven,Paid,Paid At (UTC),Marked Uncollectible At (UTC),Voided At (UTC),Finalized At (UTC),Minimum Line Item Period Start (UTC),Maximum Line Item Period End (UTC),Period Start (UTC),Period End (UTC),Starting Balance,Subscription,Subtotal,Total Discount Amount,Applied Coupons,Tax,Tax Percent,Total,Amount Paid,Status,Exclusive Tax Amount,Inclusive Tax Amount",
}
T = "2009-02-13 23:31:30"
ROWS = {
 "payments_full": [
  # the fixture charge, captured and paid (one test payment of 1.00 USD), with its invoice
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZs8", "Created date (UTC)": T, "Amount": "1.00", "Amount Refunded": "0.00", "Currency": "usd",
   "Captured": "true", "Converted Amount": "1.00", "Converted Currency": "usd", "Fee": "0.33", "Mode": "Test", "Status": "Paid",
   "Customer ID": "cus_QXg1o8vcGmoR32", "Customer Email": "jenny.rosen@example.com", "Invoice ID": "in_1Pgc6tB7WZ01zgkWu9fdqL6I",
   "Invoice Number": "INV-2026-0100", "Description": "My First Test Charge (created for API docs)"},
  # the same charge as an uncaptured authorisation (the fixture says captured: false), py_ id, JPY, decimal comma refund
  {"id": "py_1PgafuB7WZ01zgkWXYmPNZs9", "Created date (UTC)": "2009-02-13 23:40", "Amount": "5000", "Amount Refunded": "0,00", "Currency": "JPY",
   "Captured": "FALSE", "Mode": "test", "Status": "Uncaptured", "PaymentIntent ID": "pi_1PgafuB7WZ01zgkWpaymnt01"},
  # a refunded charge in KWD (three decimals)
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt0", "Created date (UTC)": "2009-02-14T08:00:00Z", "Amount": "12.500", "Amount Refunded": "12.500",
   "Currency": "kwd", "Captured": "true", "Mode": "Test", "Status": "Refunded", "Fee": "0.410", "Converted Currency": "kwd"},
  # bad rows: too many decimals; a date that is not one; a live row is fine here (mode is checked by the ledger)
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt1", "Created date (UTC)": T, "Amount": "10.005", "Currency": "usd", "Captured": "true", "Status": "Paid"},
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt2", "Created date (UTC)": "13/02/2009", "Amount": "10.00", "Currency": "usd", "Captured": "true", "Status": "Paid"},
  {"id": "cus_QXg1o8vcGmoR32", "Created date (UTC)": T, "Amount": "10.00", "Currency": "usd", "Captured": "true", "Status": "Paid"},
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt3", "Created date (UTC)": T, "Amount": "10.00", "Currency": "usd", "Captured": "maybe", "Status": "Paid"},
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt4", "Created date (UTC)": T, "Amount": "10.00", "Currency": "usd", "Captured": "true", "Status": "Exploded"},
 ],
 "payments_metadata": [
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZs8", "Created date (UTC)": T, "Amount": "1.00", "Amount Refunded": "0.40", "Currency": "usd",
   "Captured": "true", "Converted Currency": "eur", "Fee": "0.31", "Status": "Partially Refunded", "Customer ID": "cus_QXg1o8vcGmoR32",
   "member_id (metadata)": "M-17", "payment_method_type (metadata)": "card"},
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt5", "Created date (UTC)": T, "Amount": "25.00", "Amount Refunded": "0", "Currency": "eur",
   "Captured": "false", "Status": "Failed", "Decline Reason": "card_declined", "Customer Email": "max@example.de"},
  {"id": "ch_1PgafuB7WZ01zgkWXYmPNZt6", "Created date (UTC)": T, "Amount": "25.00", "Currency": "xyz", "Status": "Paid"},
 ],
 "balance_history_2016": [
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf40", "Type": "charge", "Source": "ch_1PgafuB7WZ01zgkWXYmPNZs8", "Amount": "1.00", "Fee": "0.33",
   "Net": "0.67", "Currency": "usd", "Created (UTC)": "2009-02-13 23:31", "Available On (UTC)": "2009-02-20 00:00",
   "Description": "My First Test Charge (created for API docs)", "Transfer": "po_1Pgc79B7WZ01zgkWu1KToYf4", "Transfer Date (UTC)": "2009-02-21 00:00"},
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf41", "Type": "refund", "Source": "re_1Pgc72B7WZ01zgkWqPvrRrPE", "Amount": "-1.00", "Fee": "0.00",
   "Net": "-1.00", "Currency": "usd", "Created (UTC)": "2009-02-14 10:00"},
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf42", "Type": "payout", "Source": "po_1Pgc79B7WZ01zgkWu1KToYf4", "Amount": "-11.00", "Fee": "0.00",
   "Net": "-11.00", "Currency": "usd", "Created (UTC)": "2009-02-21 00:00"},
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf43", "Type": "charge", "Source": "ch_x", "Amount": "1.OO", "Fee": "0.00", "Net": "1.00",
   "Currency": "usd", "Created (UTC)": "2009-02-21 00:00"},
 ],
 "balance_history_2022": [
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf40", "Type": "charge", "Source": "ch_1PgafuB7WZ01zgkWXYmPNZs8", "Amount": "1,00", "Fee": "0,33",
   "Destination Platform Fee": "0,00", "Destination Platform Fee Currency": "usd", "Net": "0,67", "Currency": "USD",
   "Created (UTC)": "2009-02-13 23:31", "Available On (UTC)": "2009-02-20 00:00", "Transfer Group": "group_1"},
  {"id": "txn_1PgaxNB7WZ01zgkWEV3TLf44", "Type": "stripe_fee", "Source": "", "Amount": "-2.00", "Fee": "0.00", "Net": "-2.00",
   "Currency": "usd", "Created (UTC)": "2009-02-28 00:00", "Description": "Radar fees"},
  {"id": "", "Type": "charge", "Amount": "1.00", "Fee": "0", "Net": "1.00", "Currency": "usd", "Created (UTC)": "2009-02-28 00:00"},
 ],
 "balance_change_itemized": [
  {"balance_transaction_id": "txn_1PgaxNB7WZ01zgkWEV3TLf40", "created_utc": T, "available_on_utc": "2009-02-20 00:00:00", "currency": "usd",
   "gross": "1.00", "fee": "0.33", "net": "0.67", "reporting_category": "charge", "description": "My First Test Charge (created for API docs)"},
  {"balance_transaction_id": "txn_1PgaxNB7WZ01zgkWEV3TLf45", "created_utc": "2009-02-15 12:00:00", "currency": "usd",
   "gross": "-10.00", "fee": "15.00", "net": "-25.00", "reporting_category": "dispute"},
  {"balance_transaction_id": "txn_1PgaxNB7WZ01zgkWEV3TLf46", "created_utc": "2009-02-22 00:00:00", "currency": "usd",
   "gross": "11.00", "fee": "0.00", "net": "11.00", "reporting_category": "payout_reversal"},
 ],
 "payouts": [
  {"id": "po_1Pgc79B7WZ01zgkWu1KToYf4", "Amount": "11.00", "Created (UTC)": T, "Currency": "usd", "Livemode": "false",
   "Arrival Date (UTC)": "2009-02-16 00:00:00", "Source Type": "card", "Destination": "ba_1Pgc79B7WZ01zgkWoU5vBiXt", "Status": "in_transit",
   "Type": "bank_account", "Method": "standard", "Description": "STRIPE PAYOUT", "Balance Transaction": "txn_1PgaxNB7WZ01zgkWEV3TLf42"},
  {"id": "po_1Pgc79B7WZ01zgkWu1KToYf5", "Amount": "20.00", "Created (UTC)": "2009-02-20 00:00:00", "Currency": "usd", "Livemode": "false",
   "Arrival Date (UTC)": "2009-02-23 00:00:00", "Status": "Failed", "Type": "bank_account", "Failure Code": "account_closed",
   "Failure Balance Transaction": "txn_1PgaxNB7WZ01zgkWEV3TLf47"},
  {"id": "po_1Pgc79B7WZ01zgkWu1KToYf6", "Amount": "20.00", "Created (UTC)": "2009-02-20 00:00:00", "Currency": "usd",
   "Arrival Date (UTC)": "2009-02-23 00:00:00", "Status": "lost in the post"},
 ],
 "invoices": [
  {"id": "in_1Pgc6tB7WZ01zgkWu9fdqL6I", "Amount Due": "10.00", "Closed": "false", "Currency": "usd", "Customer": "cus_QXg1o8vcGmoR32",
   "Date (UTC)": T, "Due Date (UTC)": T, "Paid": "false", "Starting Balance": "0.00", "Subtotal": "10.00", "Total": "10.00",
   "Amount Paid": "0.00", "Status": "draft"},
  {"id": "in_1Pgc6tB7WZ01zgkWu9fdqL6J", "Amount Due": "1250,00", "Closed": "TRUE", "Currency": "eur", "Customer": "cus_QXg1o8vcGmoR32",
   "Date (UTC)": "2009-02-14 09:00", "Paid": "TRUE", "Paid At (UTC)": "2009-02-15 09:00", "Subtotal": "1250,00", "Total": "1250,00",
   "Amount Paid": "1250,00", "Status": "paid"},
  {"id": "in_1Pgc6tB7WZ01zgkWu9fdqL6K", "Amount Due": "5000", "Currency": "jpy", "Customer": "cus_QXg1o8vcGmoR32",
   "Date (UTC)": "2009-02-14 09:00", "Total": "5000", "Amount Paid": "0", "Status": "Void"},
  {"id": "in_1Pgc6tB7WZ01zgkWu9fdqL6L", "Amount Due": "5000.5", "Currency": "jpy", "Status": "open"},
 ],
}
NEWLINE = {"invoices": "\r\n"}

for name, header in HEADERS.items():
    columns = next(csv.reader([header]))
    out = io.StringIO()
    nl = NEWLINE.get(name, "\n")
    out.write(header + nl)
    w = csv.writer(out, lineterminator=nl)
    for row in ROWS[name]:
        unknown = set(row) - set(columns)
        assert not unknown, (name, unknown)
        w.writerow([row.get(c, "") for c in columns])
    with open(name + ".csv", "w", newline="") as f:
        f.write(out.getvalue())
# Not an export: the header LedgerSync must reject with the list of what it looked for.
with open("not_an_export.csv", "w", newline="") as f:
    f.write("id,Created (UTC),Amount,Currency,Customer\nch_1,2009-02-13 23:31:30,1.00,usd,cus_1\n")
