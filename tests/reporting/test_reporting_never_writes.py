"""`reporting` is selectors only: its figures are computed without a single write, and its pure modules
(aggregates, disclosure, periods, areas) never import Django."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from reporting import selectors
from reporting.periods import parse_period

REPORTING = Path(__file__).resolve().parents[2] / "reporting"
WRITES = re.compile(
    r"\.(save|delete|update|bulk_create|bulk_update|get_or_create|update_or_create|create)\(|transaction\.atomic|\.cursor\("
)
PURE = ["aggregates", "disclosure", "periods", "areas"]


def test_no_reporting_source_calls_a_write():
    # The pure modules cannot reach the database (next test); every other module is checked line by line.
    sources = [p for p in REPORTING.rglob("*.py") if "migrations" not in p.parts and p.stem not in PURE]
    assert sources
    for path in sources:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if WRITES.search(code):
                pytest.fail(f"{path.relative_to(REPORTING.parent)}:{number} writes: {line.strip()}")


def test_the_pure_modules_do_not_import_django():
    code = (
        "import sys; " + "; ".join(f"import reporting.{name}" for name in PURE) + "; assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPORTING.parent)


@pytest.mark.django_db
def test_computing_a_period_sends_no_write_to_the_database(demo_population):
    statements = []

    def refuse_writes(execute, sql, params, many, context):
        statements.append(sql)
        verb = sql.lstrip().split(None, 1)[0].upper()
        assert verb in {"SELECT", "SAVEPOINT", "RELEASE"}, f"reporting wrote: {sql[:120]}"
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_writes):
        observatory = selectors.observatory_for(period=parse_period("2026"), k=10)
    assert observatory.total.values["merchants_active"] > 0
    assert statements, "the wrapper saw the queries"
