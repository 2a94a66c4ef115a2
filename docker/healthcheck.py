"""Container healthcheck of the web service: GET /healthz/ as the reverse proxy would.

It sends the first ALLOWED_HOSTS name as Host and X-Forwarded-Proto: https, so that
neither the host check nor the HTTPS redirect of production settings gets in the way.
Exit status 0 = healthy.
"""

import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
host = next((h for h in hosts if h != "*" and not h.startswith(".")), "localhost")
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz/",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure at all means unhealthy
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
