"""Time to first byte of the public portal's pages, on this machine.

    python -m bench.portal --requests 200

Serves the real intake app (uvicorn, SQLite, fresh keyring) in-process on a free port and
fetches each public page in each language over HTTP/1.1 keep-alive, one request at a time,
printing p50 / p95 / max time to first byte and the bytes sent per page (HTML + CSS + JS).
The target is a first byte under 50 ms.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.stats import percentile, summary_ms
from services.intake.i18n import LANGUAGES
from services.intake.local_portal import local_portal

PATHS = ("/", "/{lang}/", "/{lang}/tell/teen", "/{lang}/tell/adult", "/{lang}/follow-up")
ASSETS = ("/static/portal.css", "/static/exit.js")


def _first_byte(sock: socket.socket, host: str, path: str) -> tuple[float, int]:
    """Seconds to the first response byte, and the response's size in bytes."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    started = time.perf_counter()
    sock.sendall(request)
    data = sock.recv(65536)
    first = time.perf_counter() - started
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return first, len(head) + 4 + length


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, local_portal(Path(folder)) as portal:
        address = urlsplit(portal.url)
        sock = socket.create_connection((address.hostname, address.port))
        assets = sum(_first_byte(sock, address.netloc, a)[1] for a in ASSETS)
        print(f"{'page':<22}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'bytes':>8}")
        every: list[float] = []
        for template in PATHS:
            for lang in LANGUAGES if "{lang}" in template else ("",):
                path = template.format(lang=lang)
                _first_byte(sock, address.netloc, path)  # warm
                runs = [_first_byte(sock, address.netloc, path) for _ in range(args.requests)]
                times = [t * 1000 for t, _ in runs]
                every += times
                size = runs[0][1] + assets
                print(
                    f"{path:<22}{statistics.median(times):8.2f}{percentile(times, 95):8.2f}"
                    f"{max(times):8.2f}{size:8d}"
                )
        sock.close()
        print(summary_ms("all pages, time to first byte", [t / 1000 for t in every]))


if __name__ == "__main__":
    main()
