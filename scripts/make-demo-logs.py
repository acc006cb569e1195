"""Writes the demo's sample AWS logs (ALB access logs and WAF logs) under examples/demo/logs.

The lines follow the layouts in AWS's documentation; addresses are documentation
ranges (RFC 5737 / RFC 3849). Deterministic: the same files every time.
Usage: python3 scripts/make-demo-logs.py
"""

import gzip
import json
import os
import random

ROOT = os.path.join(os.path.dirname(__file__), "..", "examples", "demo", "logs")
ACCOUNT = "123456789012"
rng = random.Random(42)

CLIENTS = ["192.0.2.10", "192.0.2.77", "198.51.100.23", "203.0.113.5", "2001:db8::1", "2001:db8:1::42"]
PATHS = ["/", "/index.html", "/api/orders?id=17", "/login?user=ana&password=hunter2", "/static/app.js", "/health"]
AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "python-requests/2.31.0"]


def write_gz(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw:
        # mtime=0 keeps the bytes identical across runs
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(("\n".join(lines) + "\n").encode())


def alb_line(minute, second):
    client = rng.choice(CLIENTS)
    port = rng.randint(1024, 65535)
    path = rng.choice(PATHS)
    status = rng.choice([200, 200, 200, 301, 404, 502])
    kind = rng.choice(["http", "https", "h2"])
    ts = f"2024-05-01T00:{minute:02d}:{second:02d}.{rng.randint(0, 999999):06d}Z"
    host = "www.example.com"
    scheme_port = "80" if kind == "http" else "443"
    url = f"{'http' if kind == 'http' else 'https'}://{host}:{scheme_port}{path}"
    tls = '- -' if kind == "http" else "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"
    target = "" if status == 502 else f"10.0.0.{rng.randint(1, 9)}:80"
    return (
        f'{kind} {ts} app/demo-alb/50dc6c495c0c9188 {client}:{port} {target or "-"} '
        f'0.000 {rng.random():.3f} 0.000 {status} {status if target else "-"} {rng.randint(30, 900)} {rng.randint(200, 9000)} '
        f'"GET {url} HTTP/1.1" "{rng.choice(AGENTS)}" {tls} '
        f'arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/demo-targets/73e2d6bc24d8a067 '
        f'"Root=1-58337262-36d228ad5d99923122bbe{rng.randint(100, 999)}" "{host}" '
        f'"{"-" if kind == "http" else "arn:aws:acm:us-east-1:" + ACCOUNT + ":certificate/12345678-1234-1234-1234-123456789012"}" '
        f'0 2024-05-01T00:{minute:02d}:{second:02d}.000000Z "forward" "-" "-" "{target or "-"}" "{status if target else "-"}" "-" "-" TID_{rng.randint(10**15, 10**16):x}'
    )


def waf_line(minute, second):
    client = rng.choice(CLIENTS)
    path = rng.choice(PATHS)
    uri, _, args = path.partition("?")
    headers = [
        {"name": "Host", "value": "www.example.com"},
        {"name": "User-Agent", "value": rng.choice(AGENTS)},
        {"name": "Authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.demo-token"},
        {"name": "Cookie", "value": "session=abc123; theme=dark"},
    ]
    action = rng.choice(["ALLOW", "ALLOW", "ALLOW", "BLOCK"])
    return json.dumps(
        {
            "timestamp": 1714521600000 + (minute * 60 + second) * 1000,
            "formatVersion": 1,
            "webaclId": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/demo-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "terminatingRuleId": "Default_Action" if action == "ALLOW" else "AWS-AWSManagedRulesSQLiRuleSet",
            "terminatingRuleType": "REGULAR" if action == "ALLOW" else "MANAGED_RULE_GROUP",
            "action": action,
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "ALB",
            "httpSourceId": f"{ACCOUNT}-app/demo-alb/50dc6c495c0c9188",
            "ruleGroupList": [],
            "rateBasedRuleList": [],
            "nonTerminatingMatchingRules": [],
            "requestHeadersInserted": None,
            "responseCodeSent": None,
            "httpRequest": {
                "clientIp": client,
                "country": "GB",
                "headers": headers,
                "uri": uri,
                "args": args,
                "httpVersion": "HTTP/1.1",
                "httpMethod": "GET",
                "requestId": f"1-{rng.randint(10**7, 10**8):x}-{rng.randint(10**15, 10**16):x}",
            },
            "labels": [],
        },
        separators=(",", ":"),
    )


def main():
    alb_dir = os.path.join(ROOT, "AWSLogs", ACCOUNT, "elasticloadbalancing", "us-east-1", "2024", "05", "01")
    for index, minute in enumerate([5, 10, 15]):
        name = f"{ACCOUNT}_elasticloadbalancing_us-east-1_app.demo-alb.50dc6c495c0c9188_20240501T00{minute:02d}Z_192.0.2.10_{index:08x}.log.gz"
        write_gz(os.path.join(alb_dir, name), [alb_line(minute - 5 + s // 60, s % 60) for s in range(0, 200)])
    for minute in [5, 6]:
        waf_dir = os.path.join(ROOT, "AWSLogs", ACCOUNT, "WAFLogs", "us-east-1", "demo-acl", "2024", "05", "01", "00", f"{minute:02d}")
        name = f"{ACCOUNT}_waflogs_us-east-1_demo-acl_20240501T00{minute:02d}Z_{minute:08x}.log.gz"
        write_gz(os.path.join(waf_dir, name), [waf_line(minute, s) for s in range(0, 60)])


if __name__ == "__main__":
    main()
