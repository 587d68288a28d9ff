"""The engine is a library: importing it never imports Django."""

import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "recommender" / "engine"


def test_importing_the_whole_engine_does_not_import_django():
    code = (
        "import sys, recommender.engine, recommender.engine.evaluation, recommender.engine.explain, "
        "recommender.engine.ranking, recommender.engine.simulate, recommender.engine.features, recommender.engine.weights; "
        "assert 'django' not in sys.modules, 'django was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ENGINE.parents[1])


def test_no_engine_source_mentions_a_django_import():
    for path in ENGINE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
