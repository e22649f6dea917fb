#!/usr/bin/env python3
"""Test client for `ledgersync serve`: signs requests with Stripe's official library and sends them.

  serve-client.py wait URL [SECONDS]                  GET URL/healthz until it answers 200
  serve-client.py drained URL [SECONDS]               GET URL/readyz until the backlog is 0
  serve-client.py samples URL SAMPLES_DIR OLD NEW     every sample event, signed for a rotated secret;
                                                      then a replay, a forgery, a wrong content type
  serve-client.py burst URL SECRET N PREFIX THREADS   N distinct charge.succeeded events, concurrently;
                                                      prints "ack ID" / "fail ID" lines as answers come
  serve-client.py event PREFIX I                      prints the body of synthetic event I
  serve-client.py live URL SECRET PREFIX              sends one live-mode event; prints its status

Output is JSON (or the ack/fail lines for burst) on standard output.
"""
import concurrent.futures
import glob
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

import stripe


def sign(payload, secrets, timestamp=None):
    """A Stripe-Signature header carrying one v1 per secret, as Stripe sends while a secret is rolled."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    parts = [f"t={timestamp}"]
    for secret in secrets:
        header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
        parts += [p for p in header.split(",") if p.startswith("v1=")]
    return ",".join(parts)


def sample_events(directory):
    """Every event of samples/events as its own compact JSON body, in file order."""
    bodies = []
    for path in sorted(glob.glob(os.path.join(directory, "*"))):
        text = open(path, encoding="utf-8").read()
        if path.endswith(".jsonl"):
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            value = json.loads(text)
            if isinstance(value, dict) and value.get("object") == "list":
                items = value["data"]
            elif isinstance(value, list):
                items = value
            else:
                items = [value]
        bodies += [json.dumps(item, separators=(",", ":")) for item in items if item.get("object") == "event"]
    return bodies


def synthetic_event(prefix, i, created=1780000000, livemode=False):
    """A charge.succeeded event with ids unique to (prefix, i); unmatched (no invoice reference)."""
    charge = {
        "id": f"ch_{prefix}{i:07d}", "object": "charge", "amount": 1000 + i % 5000, "amount_captured": 1000 + i % 5000,
        "amount_refunded": 0, "balance_transaction": None, "billing_details": {"email": None, "name": None},
        "captured": True, "created": created + i, "currency": "usd", "customer": None, "description": None,
        "disputed": False, "invoice": None, "livemode": livemode, "metadata": {}, "paid": True, "payment_intent": None,
        "receipt_email": None, "refunded": False, "refunds": {"object": "list", "data": [], "has_more": False},
        "status": "succeeded",
    }
    event = {
        "id": f"evt_{prefix}{i:07d}", "object": "event", "api_version": "2024-06-20", "created": created + i,
        "data": {"object": charge}, "livemode": livemode, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "type": "charge.succeeded",
    }
    return json.dumps(event, separators=(",", ":"))


def post(url, body, header, content_type="application/json", connection=None):
    parsed = urllib.parse.urlparse(url)
    own = connection is None
    conn = connection or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        conn.request("POST", parsed.path, body=body.encode(), headers={"Content-Type": content_type, "Stripe-Signature": header})
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, text
    finally:
        if own:
            conn.close()


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def wait(base, seconds, drained=False):
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            if drained:
                status, text = get(base + "/readyz")
                last = json.loads(text)
                if last["backlog"] == 0:
                    print(json.dumps({"ok": True, "readyz": last}))
                    return
            else:
                status, _ = get(base + "/healthz")
                if status == 200:
                    print(json.dumps({"ok": True}))
                    return
        except Exception as error:  # not up yet
            last = str(error)
        time.sleep(0.05)
    print(json.dumps({"ok": False, "last": last}))


def samples(base, directory, old, new):
    url = base + "/stripe/webhook"
    results = []
    bodies = sample_events(directory)
    for i, body in enumerate(bodies):
        secrets = [[old], [new], [old, new]][i % 3]
        status, _ = post(url, body, sign(body, secrets))
        results.append({"id": json.loads(body)["id"], "status": status})
    first = bodies[0]
    stale = int(time.time()) - 3600
    replay_status, replay_text = post(url, first, sign(first, [new], timestamp=stale))
    forged_status, _ = post(url, first, sign(first, ["whsec_not_the_endpoint_secret"]))
    wrong_type, _ = post(url, first, sign(first, [new]), content_type="text/plain")
    tampered = first.replace('"livemode":false', '"livemode":true', 1)
    tampered_status, _ = post(url, tampered, sign(first, [new]))
    print(json.dumps({
        "results": results, "replay": replay_status, "replayReason": replay_text, "forged": forged_status,
        "wrongType": wrong_type, "tampered": tampered_status,
    }))


def burst(base, secret, count, prefix, threads):
    url = base + "/stripe/webhook"
    lock = threading.Lock()
    bodies = [synthetic_event(prefix, i) for i in range(count)]

    def worker(indices):
        parsed = urllib.parse.urlparse(url)
        conn = None
        for i in indices:
            body = bodies[i]
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
                status, _ = post(url, body, sign(body, [secret]), connection=conn)
                line = f"{'ack' if 200 <= status < 300 else 'fail'} evt_{prefix}{i:07d}"
            except Exception:
                line = f"fail evt_{prefix}{i:07d}"
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, [range(t, count, threads) for t in range(threads)]))


def main(argv):
    command = argv[1]
    if command == "wait":
        wait(argv[2], float(argv[3]) if len(argv) > 3 else 20)
    elif command == "drained":
        wait(argv[2], float(argv[3]) if len(argv) > 3 else 20, drained=True)
    elif command == "samples":
        samples(argv[2], argv[3], argv[4], argv[5])
    elif command == "burst":
        burst(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]))
    elif command == "live":
        body = synthetic_event(argv[4], 0, livemode=True)
        status, _ = post(argv[2] + "/stripe/webhook", body, sign(body, [argv[3]]))
        print(json.dumps({"status": status}))
    elif command == "event":
        print(synthetic_event(argv[2], int(argv[3])))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
