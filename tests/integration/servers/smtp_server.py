"""A real SMTP server (aiosmtpd, Debian python3-aiosmtpd) on 127.0.0.1 for the notify.email
tests. Each message accepted is appended, decoded, as one JSON line to --record. Options:
--reject ADDR answers RCPT TO:<ADDR> with 550, --defer ADDR with 451; --auth USER:PASSWORD
requires that login (in clear: the test is on loopback); --cert/--key offer STARTTLS and require
it (with --implicit-tls: TLS from the first byte, as smtps:// expects). Its port goes to
--port-file once it listens."""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--defer", action="append", default=[])
    parser.add_argument("--auth")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true",
                        help="TLS from the first byte (smtps://) instead of STARTTLS")
    return parser.parse_args()


class Handler:
    def __init__(self, args):
        self.args = args

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.args.reject:
            return "550 5.1.1 <%s>: no such user here" % address
        if address in self.args.defer:
            return "451 4.3.0 <%s>: mailbox busy, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        entry = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            # MIME's canonical line end is CRLF; the tests compare with plain line breaks.
            "body": message.get_content().replace("\r\n", "\n"),
            # STARTTLS sets session.ssl; implicit TLS shows only on the transport.
            "tls": session.ssl is not None
                   or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": session.authenticated,
        }
        with open(self.args.record, "a", encoding="utf-8") as record:
            record.write(json.dumps(entry) + "\n")
        return "250 2.0.0 Message accepted"


def authenticator_for(credentials):
    user, password = credentials.split(":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        # handled=False: aiosmtpd then answers 535 itself (True would leave the client waiting).
        return AuthResult(success=ok, handled=False)

    return authenticate


def main():
    args = parse_args()
    tls_context = None
    if args.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)
    handler = Handler(args)

    def protocol():
        starttls_context = None if args.implicit_tls else tls_context
        return SMTP(handler, hostname="localhost", tls_context=starttls_context,
                    require_starttls=starttls_context is not None,
                    authenticator=authenticator_for(args.auth) if args.auth else None,
                    auth_required=args.auth is not None, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    implicit = tls_context if args.implicit_tls else None
    server = loop.run_until_complete(loop.create_server(protocol, "127.0.0.1", 0, ssl=implicit))
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as port_file:
        port_file.write(str(server.sockets[0].getsockname()[1]))
    os.rename(temporary, args.port_file)
    loop.run_forever()


if __name__ == "__main__":
    main()
