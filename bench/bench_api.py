"""Catalogue API latency, in-process, every case measured side by side in one run.

    .venv/bin/python bench/bench_api.py [--repeats 30]

Builds a throw-away SQLite database with the real starter catalogue, then times requests through the
whole Django stack (middleware, routing, serialization) with the test client. ``ratio`` is each case's
median over the full module list's, measured in the same run: it shows what ETag revalidation (304)
saves and what the shared render cache saves ("first render" empties the cache before each request). No network: this measures our code, not a socket.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["ELEASUD_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", str(ROOT / "content_fixtures"), "--no-progress", verbosity=0)


def timed(client, path: str, *, repeats: int, cold: bool = False, **headers) -> tuple[float, float, int]:
    from django.core.cache import cache

    client.get(path, **headers)  # warm-up
    samples = []
    status = 0
    for _ in range(repeats):
        if cold:
            cache.clear()  # nothing rendered yet for this catalogue version
        start = time.perf_counter()
        response = client.get(path, **headers)
        samples.append(time.perf_counter() - start)
        status = response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        from django.test import Client

        client = Client()
        etag_list = client.get("/api/v1/modules/?page_size=100")["ETag"]
        etag_detail = client.get("/api/v1/modules/lancer-le-click-and-collect/")["ETag"]
        cases = [
            ("modules, full list, first render", "/api/v1/modules/?page_size=100", {"cold": True}),
            ("modules, full list (46, page_size=100)", "/api/v1/modules/?page_size=100", {}),
            (
                "modules, same list revalidated (304)",
                "/api/v1/modules/?page_size=100",
                {"HTTP_IF_NONE_MATCH": etag_list},
            ),
            (
                "modules, filtered, first render",
                "/api/v1/modules/?sector=restauration&theme=vendre-en-ligne",
                {"cold": True},
            ),
            ("modules, full-text q=, first render", "/api/v1/modules/?q=mots%20de%20passe", {"cold": True}),
            ("module detail, first render", "/api/v1/modules/lancer-le-click-and-collect/", {"cold": True}),
            ("module detail", "/api/v1/modules/lancer-le-click-and-collect/", {}),
            (
                "module detail revalidated (304)",
                "/api/v1/modules/lancer-le-click-and-collect/",
                {"HTTP_IF_NONE_MATCH": etag_detail},
            ),
            ("taxonomy", "/api/v1/taxonomy/", {}),
        ]
        rows = [(label, *timed(client, path, repeats=args.repeats, **headers)) for label, path, headers in cases]

    baseline = rows[0][1]
    print(f"{'case':<44} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'ratio':>6}")
    for label, median, p95, status in rows:
        print(f"{label:<44} {status:>6} {median * 1000:>10.2f} {p95 * 1000:>8.2f} {median / baseline:>6.2f}")
    return rows


if __name__ == "__main__":
    main()
