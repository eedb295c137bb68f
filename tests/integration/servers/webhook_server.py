"""A real HTTP server on 127.0.0.1 for the notify.webhook tests: answers each POST with the
next status of --statuses (the last one repeats) and appends the request, as one JSON line, to
--record before answering. Its port goes to --port-file once it listens."""
import argparse
import http.server
import json
import os
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--statuses", default="200")
    parser.add_argument("--body", default="ok")
    parser.add_argument("--delay-ms", type=int, default=0, help="wait before each answer")
    parser.add_argument("--retry-after", help="Retry-After header of each answer that is not 2xx")
    args = parser.parse_args()
    statuses = [int(s) for s in args.statuses.split(",")]
    served = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            with open(args.record, "a", encoding="utf-8") as record:
                record.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                         "body": body}) + "\n")
            if args.delay_ms > 0:
                # Not time.sleep: under libfaketime (make test-future) it fails with EINVAL.
                threading.Event().wait(args.delay_ms / 1000)
            status = statuses[min(len(served), len(statuses) - 1)]
            served.append(status)
            reply = args.body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(reply)))
            if args.retry_after and not 200 <= status < 300:
                self.send_header("Retry-After", args.retry_after)
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as port_file:
        port_file.write(str(server.server_address[1]))
    os.rename(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
