"""``python -m lotse_mailsink [--port 8025]``: the inbox pages; SMTP on ``MAILSINK_SMTP_PORT``."""

import argparse

import uvicorn

parser = argparse.ArgumentParser(prog="python -m lotse_mailsink", description=__doc__)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8025)
args = parser.parse_args()
uvicorn.run("lotse_mailsink.web:create_app", factory=True, host=args.host, port=args.port)
