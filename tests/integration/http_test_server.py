#!/usr/bin/env python3
"""A real HTTP (or, with --tls CERT KEY, HTTPS) server on 127.0.0.1 for http_plugin_test.cpp.

Prints the port it listens on, then serves until killed:
  /json                     200, a JSON object
  /echo                     200, JSON: the request's method, path, query, headers and body
  /status/CODE              that status, a short text body
  /flaky?key=K&fails=N&code=C[&retry_after=S]
                            status C (with Retry-After: S) for the first N requests of key K,
                            then 200 and JSON {"served": number of requests of K}
  /slow?seconds=S           200 after S seconds
  /big?bytes=N              200, N bytes of text
  /redirect                 302 to /json
"""
import http.server
import json
import ssl
import sys
import threading
import urllib.parse

counts = {}
counts_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, value):
        self.reply(200, json.dumps(value).encode(), "application/json")

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/json":
            self.reply_json({"hello": "world", "numbers": [1, 2, 3]})
        elif url.path == "/echo":
            self.reply_json({"method": self.command, "path": url.path, "query": query,
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body.decode("utf-8", "replace")})
        elif url.path.startswith("/status/"):
            code = int(url.path[len("/status/"):])
            self.reply(code, ("status %d" % code).encode())
        elif url.path == "/flaky":
            with counts_lock:
                served = counts[query["key"]] = counts.get(query["key"], 0) + 1
            if served <= int(query["fails"]):
                extra = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
                self.reply(int(query["code"]), b"try again later", headers=extra)
            else:
                self.reply_json({"served": served})
        elif url.path == "/slow":
            # Not time.sleep: under libfaketime (make test-future) it fails with EINVAL.
            threading.Event().wait(float(query["seconds"]))
            self.reply_json({"slept": float(query["seconds"])})
        elif url.path == "/big":
            self.reply(200, b"x" * int(query["bytes"]))
        elif url.path == "/redirect":
            self.reply(302, b"moved", headers=[("Location", "/json")])
        else:
            self.reply(404, b"no such path")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # A client that gave up (a timeout, a refused certificate) is expected here: stay quiet.
    server.handle_error = lambda request, address: None
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
