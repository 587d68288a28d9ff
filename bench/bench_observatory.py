"""Cost of a period's observatory tables, measured side by side in one run (pure Python, no database).

    .venv/bin/python bench/bench_observatory.py [--seed 0]

Synthetic merchants (sectors, ~40 areas, size bands, diagnostics, events, help requests) over a catalogue of
45 modules; times `aggregates.build_tables` for a year with every table, with the one-way tables only (what a
monthly series needs), and with k = 1 (no suppression to compute) — medians of 3 runs. `ratio` is each time
over the 300-merchant full build's, measured in the same run.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reporting.aggregates import Catalogue, Diagnostic, Event, HelpRequest, MerchantRecord, build_tables  # noqa: E402

THEMES = [
    "etre-visible",
    "attirer-fideliser",
    "vendre-en-ligne",
    "encaisser-gerer",
    "se-proteger",
    "se-faire-accompagner",
]
CAPABILITIES = [f"cap-{i}" for i in range(34)]
MODULES = [f"module-{i}" for i in range(45)]
START = datetime(2026, 1, 1, tzinfo=UTC)


def population(n: int, rng: random.Random) -> list[MerchantRecord]:
    records = []
    for _ in range(n):
        diagnostics = sorted(
            (
                Diagnostic(
                    START + timedelta(days=rng.randrange(330)),
                    rng.randrange(101),
                    rng.choice("abcd"),
                    {t: rng.randrange(101) for t in THEMES},
                    frozenset(rng.sample(CAPABILITIES, 5)),
                )
                for _ in range(rng.randrange(1, 4))
            ),
            key=lambda d: d.at,
        )
        events = sorted(
            (
                Event(
                    START + timedelta(days=rng.randrange(330)),
                    rng.choice(["viewed", "started", "completed"]),
                    rng.choice(MODULES),
                )
                for _ in range(rng.randrange(10, 60))
            ),
            key=lambda e: e.at,
        )
        helps = [
            HelpRequest(START + timedelta(days=rng.randrange(300)), rng.choice(THEMES), None, False, None)
            for _ in range(rng.random() < 0.2)
        ]
        records.append(
            MerchantRecord(
                rng.choice("ABCDEFGHI"),
                f"area-{rng.randrange(40)}",
                rng.choice(["1", "2-5", "6-10", "11-49"]),
                diagnostics,
                events,
                helps,
            )
        )
    return records


def median_seconds(fn, repeats=3) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    catalogue = Catalogue(
        module_theme={m: rng.choice(THEMES) for m in MODULES},
        module_builds={m: tuple(rng.sample(CAPABILITIES, 2)) for m in MODULES},
        capability_theme={c: rng.choice(THEMES) for c in CAPABILITIES},
        bands=tuple("abcd"),
        warnings=(("facturation-electronique-reception", "Recevoir vos factures électroniques"),),
    )
    year = dict(
        start=START, end=START.replace(year=2027), catalogue=catalogue, themes=THEMES, capabilities=CAPABILITIES
    )
    rows = []
    for n in (300, 3000):
        records = population(n, rng)
        for label, options in (
            ("every table, k=10", {"k": 10}),
            ("one-way only, k=10", {"k": 10, "one_way_only": True}),
            ("every table, k=1", {"k": 1}),
        ):
            rows.append(
                (
                    n,
                    label,
                    median_seconds(lambda records=records, options=options: build_tables(records, **year, **options)),
                )
            )
    base = rows[0][2]
    print(f"{'merchants':>9}  {'build':<20} {'seconds':>8} {'ratio':>6}")
    for n, label, seconds in rows:
        print(f"{n:>9}  {label:<20} {seconds:>8.3f} {seconds / base:>6.2f}")


if __name__ == "__main__":
    main()
