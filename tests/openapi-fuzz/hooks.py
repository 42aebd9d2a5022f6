"""Signs the fuzz's 0Pools webhooks as 0Pools does, so the fuzz reaches what lies
behind the signature check (reading, storing and applying events), not only the 401.

`0Pools-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
over the bytes requests will send for the body (`json.dumps` of it, as requests does).
Only the placeholder that schemathesis.toml configures as the scheme's credential
(`sign-me`) is replaced: a case the fuzz sends without it, or with a wrong value of its
own (to check that auth is not ignored), stays as the fuzz made it.
"""

import hashlib
import hmac
import json
import os
import time

import schemathesis
from schemathesis.core import NOT_SET

HEADER = "0Pools-Signature"
PLACEHOLDER = "sign-me"


def raw_body(body):
    if body is NOT_SET:
        return b""
    if isinstance(body, bytes):
        return body
    if body is None:
        return b"null"
    return json.dumps(body, allow_nan=False).encode("utf-8")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path != "/webhooks/0pools" or not case.headers:
        return
    name = next((n for n in case.headers if n.lower() == HEADER.lower()), None)
    if name is None or case.headers[name] != PLACEHOLDER:
        return
    secret = os.environ["QW_FUZZ_WEBHOOK_SECRET"].encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret, timestamp.encode() + b"." + raw_body(case.body), hashlib.sha256).hexdigest()
    case.headers[name] = f"t={timestamp},v1={digest}"
