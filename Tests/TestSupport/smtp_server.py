"""A real SMTP server on loopback for MailerTests (aiosmtpd).

usage: smtp_server.py OUTDIR [--user U --password P] [--fail-data N] [--fail-rcpt N] [--reject]

Prints the port it listens on (one line), then serves until stdin closes. Each accepted message is
saved as OUTDIR/NNN.eml with OUTDIR/NNN.json (mail_from, rcpt_tos, login). OUTDIR/log.txt gets one
line per DATA or RCPT answer, so a test can count attempts.
  --user/--password  require AUTH (PLAIN or LOGIN, allowed without TLS) with these credentials
  --fail-data N      answer the first N DATA commands with 451 (temporary)
  --fail-rcpt N      answer the first N RCPT commands with 451
  --reject           answer every RCPT with 550 (permanent)
No STARTTLS is offered.
"""
import argparse
import asyncio
import json
import os
import socket
import warnings
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, outdir, fail_data, fail_rcpt, reject):
        self.outdir = outdir
        self.fail_data = fail_data
        self.fail_rcpt = fail_rcpt
        self.reject = reject
        self.saved = 0

    def log(self, line):
        with open(os.path.join(self.outdir, "log.txt"), "a") as f:
            f.write(line + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            self.log("RCPT 550")
            return "550 5.1.1 mailbox unavailable"
        if self.fail_rcpt > 0:
            self.fail_rcpt -= 1
            self.log("RCPT 451")
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        self.log("RCPT 250")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data > 0:
            self.fail_data -= 1
            self.log("DATA 451")
            return "451 4.3.0 try again later"
        self.saved += 1
        base = os.path.join(self.outdir, "%03d" % self.saved)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "login": login}, f)
        self.log("DATA 250")
        return "250 Message accepted"


def main():
    warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS: intended here
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--fail-data", type=int, default=0)
    parser.add_argument("--fail-rcpt", type=int, default=0)
    parser.add_argument("--reject", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    kwargs = {}
    if args.user:
        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    port = free_port()
    controller = Controller(Handler(args.outdir, args.fail_data, args.fail_rcpt, args.reject),
                            hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(port, flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin (or dies)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
