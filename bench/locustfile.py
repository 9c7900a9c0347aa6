"""Locust fallback for bench/run.py (BENCH_TOOL=locust): one path, no think time.

wrk is preferred: locust is Python and on a small machine takes CPU from the server
it measures, which lowers every figure.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/healthz")
MISS = os.environ.get("BENCH_MISS") == "1"
_counter = itertools.count()
HEADERS = {"Accept-Language": os.environ.get("BENCH_ACCEPT_LANGUAGE", "id-ID,id;q=0.9")}


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def visit(self) -> None:
        # As in report.lua: a unique parameter keeps the page cache out of the way.
        url = f"{PATH}{'&' if '?' in PATH else '?'}bench-miss={next(_counter)}" if MISS else PATH
        self.client.get(url, headers=HEADERS, name=PATH)
