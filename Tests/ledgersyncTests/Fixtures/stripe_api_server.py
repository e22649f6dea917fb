#!/usr/bin/env python3
"""A small stand-in for the Stripe API, for LedgerSync's pull tests. Loopback only.

It serves GET /v1/<endpoint> list objects ({"object":"list","data":[…],"has_more":…}, newest
first) with `limit` (1–100, default 10), `starting_after` and `created[gte]`/`created[lt]`, built
from one of:
  --scenario DIR   a folder of Stripe event files (samples/events): /v1/events serves every event;
                   each list endpoint serves the latest snapshot of each object of its type;
  --fixtures DIR   the official example objects (stripe-reference/fixtures): each list endpoint
                   serves --copies copies of its fixture with distinct ids and created times.
`/v1/balance_transactions?payout=po_…` lists the --extra transactions whose private `_payout` names
that payout (400 for a payout with `automatic: false`, as Stripe answers); keys starting with `_`
are never served. It checks `Authorization: Bearer <--key>` (401 otherwise), records every request (path, query,
Authorization, Stripe-Version) and the ids of every page it answers as JSON lines in --log, and injects failures with --fail, a comma
list of ENDPOINT:N:KIND (the N-th request to that endpoint), ENDPOINT:N-M:KIND (the N-th to the M-th)
or ENDPOINT:N+:KIND (the N-th and every later one), KIND an HTTP status (429 comes with
Retry-After: 1; 429forever with an absurdly long one), drop (close the connection, no answer) or samepage (answer as if there were no
starting_after: the first page again, as a broken server might).
It prints "PORT <n>" on standard output once it listens. Python 3 standard library only.
"""
import argparse, copy, glob, json, os, signal, socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qsl

LIST_TYPES = {
    "charges": "charge", "refunds": "refund", "disputes": "dispute", "invoices": "invoice",
    "payouts": "payout", "balance_transactions": "balance_transaction", "payment_intents": "payment_intent",
    "checkout/sessions": "checkout.session", "invoice_payments": "invoice_payment", "customers": "customer",
}


def read_events(folder):
    events = []
    for path in sorted(glob.glob(os.path.join(folder, "*"))):
        text = open(path, encoding="utf-8").read()
        if path.endswith(".jsonl"):
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            doc = json.loads(text)
            items = doc["data"] if isinstance(doc, dict) and doc.get("object") == "list" else (doc if isinstance(doc, list) else [doc])
        events.extend(items)
    return events


def scenario_lists(folder):
    events = read_events(folder)
    unique = {}
    for e in events:
        unique.setdefault(e["id"], e)
    lists = {"events": sorted(unique.values(), key=lambda e: (-e["created"], e["id"]))}
    latest = {}
    for e in sorted(unique.values(), key=lambda e: (e["created"], e["id"])):
        obj = e["data"]["object"]
        latest[obj["id"]] = obj  # the newest event's snapshot of each object
    for endpoint, kind in LIST_TYPES.items():
        objs = [o for o in latest.values() if o.get("object") == kind]
        lists[endpoint] = sorted(objs, key=lambda o: (-o.get("created", 0), o["id"]))
    return lists


def fixture_lists(folder, copies):
    lists = {"events": []}
    for endpoint, kind in LIST_TYPES.items():
        path = os.path.join(folder, kind + ".json")
        if not os.path.exists(path):
            lists[endpoint] = []
            continue
        base = json.load(open(path, encoding="utf-8"))
        objs = []
        for i in range(copies):
            o = copy.deepcopy(base)
            o["id"] = "%s_%04d" % (base["id"], i)
            o["created"] = 1_700_000_000 + i * 60
            if "currency" in o and o["currency"] == "currency":
                o["currency"] = "usd"
            objs.append(o)
        lists[endpoint] = sorted(objs, key=lambda o: (-o["created"], o["id"]))
    return lists


def parse_failures(spec):
    rules = []
    for item in filter(None, (spec or "").split(",")):
        endpoint, n, kind = item.rsplit(":", 2)
        if n.endswith("+"):
            first, last = int(n[:-1]), None
        elif "-" in n:
            first, last = (int(x) for x in n.split("-", 1))
        else:
            first = last = int(n)
        rules.append((endpoint, first, last, kind))
    return rules


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        server = self.server
        url = urlparse(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        endpoint = url.path[len("/v1/"):] if url.path.startswith("/v1/") else url.path
        with server.lock:
            server.counts[endpoint] = server.counts.get(endpoint, 0) + 1
            n = server.counts[endpoint]
            with open(server.log, "a", encoding="utf-8") as log:
                log.write(json.dumps({"path": url.path, "query": query, "n": n,
                                      "authorization": self.headers.get("Authorization"),
                                      "stripe_version": self.headers.get("Stripe-Version"),
                                      "user_agent": self.headers.get("User-Agent")}) + "\n")
        same_page = False
        for (ep, first, last, kind) in server.failures:
            if ep == endpoint and n >= first and (last is None or n <= last):
                if kind == "samepage":
                    same_page = True
                    continue
                if kind in ("429", "429forever"):
                    wait = "1" if kind == "429" else "99999999999999999999999"
                    return self.send_json(429, {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"}}, {"Retry-After": wait})
                if kind.isdigit():
                    return self.send_json(int(kind), {"error": {"type": "api_error", "message": "Something went wrong"}})
                if kind == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
        if self.headers.get("Authorization") != "Bearer " + server.key:
            return self.send_json(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})
        if endpoint not in server.lists:
            return self.send_json(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})
        params = dict(query)
        items = server.lists[endpoint]
        if endpoint == "balance_transactions" and "payout" in params:
            # Only the transactions an automatic payout carried (each extra object's private `_payout`).
            payout = next((o for o in server.lists["payouts"] if o["id"] == params["payout"]), None)
            if payout is None:
                return self.send_json(404, {"error": {"type": "invalid_request_error", "message": "No such payout"}})
            if payout.get("automatic") is False:
                return self.send_json(400, {"error": {"type": "invalid_request_error",
                                                      "message": "Balance transaction history can only be filtered on automatic transfers, not manual."}})
            items = [o for o in items if o.get("_payout") == params["payout"]]
        if "created[gte]" in params:
            items = [o for o in items if o.get("created", 0) >= int(params["created[gte]"])]
        if "created[lt]" in params:
            items = [o for o in items if o.get("created", 0) < int(params["created[lt]"])]
        limit = max(1, min(100, int(params.get("limit", "10"))))
        start = 0
        if "starting_after" in params and not same_page:
            ids = [o["id"] for o in items]
            if params["starting_after"] not in ids:
                return self.send_json(400, {"error": {"type": "invalid_request_error", "message": "No such object: starting_after"}})
            start = ids.index(params["starting_after"]) + 1
        page = [{k: v for k, v in o.items() if not k.startswith("_")} for o in items[start:start + limit]]
        with server.lock:
            with open(server.log, "a", encoding="utf-8") as log:
                log.write(json.dumps({"path": url.path, "served": [o["id"] for o in page]}) + "\n")
        self.send_json(200, {"object": "list", "url": url.path, "has_more": start + limit < len(items), "data": page})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario")
    ap.add_argument("--fixtures")
    ap.add_argument("--copies", type=int, default=25)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail", default="")
    ap.add_argument("--exit-on-eof", action="store_true", help="exit when standard input closes")
    ap.add_argument("--extra", help="a JSON array of more objects, each added to the list of its type")
    ap.add_argument("--dump", help="write the list objects served (JSON) to this file and exit")
    args = ap.parse_args()
    lists = scenario_lists(args.scenario) if args.scenario else fixture_lists(args.fixtures, args.copies)
    if args.extra:
        by_kind = {kind: endpoint for endpoint, kind in LIST_TYPES.items()}
        for o in json.load(open(args.extra, encoding="utf-8")):
            lists[by_kind[o["object"]]].append(o)
        for endpoint in LIST_TYPES:
            lists[endpoint].sort(key=lambda o: (-o.get("created", 0), o["id"]))
    if args.dump:
        json.dump(lists, open(args.dump, "w", encoding="utf-8"))
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.lists, server.key, server.log = lists, args.key, args.log
    server.failures, server.counts, server.lock = parse_failures(args.fail), {}, threading.Lock()
    # A test runner may start us with SIGTERM ignored; and when the test goes away (its end of our
    # standard input closes), so do we: no server outlives its test.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.exit_on_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
