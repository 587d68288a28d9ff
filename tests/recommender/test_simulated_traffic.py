"""simulate_recommendation_traffic: demo merchants ask the real serving and act on what they are shown, with
events tied to the impressions, so the editors' report has rates; replaying it adds nothing."""

import re
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from merchants.models import EngagementEvent
from recommender import selectors
from recommender.engine.simulate import SimulationParams
from recommender.management.commands.seed_demo_merchants import demo_users
from recommender.management.commands.simulate_recommendation_traffic import act_on_list
from recommender.models import Impression

TRAFFIC = ("simulate_recommendation_traffic", "--rounds", "2", "--merchants", "12", "--seed", "3", "--no-progress")


@pytest.mark.django_db
def test_demo_traffic_records_events_tied_to_real_impressions(trained_model, capsys):
    call_command(*TRAFFIC)

    impressions = Impression.objects.filter(merchant__user__in=demo_users())
    assert 0 < impressions.count() <= 2 * 12 * 5
    assert set(impressions.values_list("model_version_id", "strategy").distinct()) == {(trained_model.pk, "hybrid")}
    assert impressions.values("merchant").distinct().count() == 12
    shown_at = dict(impressions.values_list("recommendation_id", "created_at"))
    shown = set(impressions.values_list("recommendation_id", "module_slug"))
    events = EngagementEvent.objects.filter(recommendation_id__isnull=False)
    assert events.filter(kind="viewed").exists() and events.filter(kind="started").exists()
    now = timezone.now()
    for recommendation_id, module_slug, occurred_at in events.values_list(
        "recommendation_id", "module_slug", "occurred_at"
    ):
        assert (recommendation_id, module_slug) in shown
        assert shown_at[recommendation_id] <= occurred_at <= now
        assert occurred_at >= now - timedelta(days=2)
    assert "click-through" in capsys.readouterr().out


@pytest.mark.django_db
def test_after_demo_traffic_the_editors_report_shows_rates(trained_model, client, django_user_model):
    call_command(*TRAFFIC)

    rates = [row["ctr"] for row in selectors.module_report() if row["impressions"]]
    assert rates and all(0 <= rate <= 1 for rate in rates) and max(rates) > 0
    version = next(row for row in selectors.model_version_report() if row["version"] == trained_model)
    assert 0 < version["ctr"] <= 1 and 0 < version["completion_rate"] <= version["ctr"]

    editor = django_user_model.objects.create_superuser("edith@eleasud.fr", "edith@eleasud.fr", "Sardines-2026-ok")
    client.force_login(editor)
    page = client.get("/admin/reports/recommandations/").content.decode()
    assert re.search(r"<td>\d+ %</td>", page)


@pytest.mark.django_db
def test_running_the_same_traffic_again_adds_nothing(trained_model, capsys):
    call_command(*TRAFFIC)
    counts = Impression.objects.count(), EngagementEvent.objects.count()
    capsys.readouterr()

    call_command(*TRAFFIC)
    assert (Impression.objects.count(), EngagementEvent.objects.count()) == counts
    assert "24 visit(s) already simulated" in capsys.readouterr().out


@pytest.mark.django_db
def test_traffic_refuses_demo_merchants_it_cannot_recover(trained_model):
    with pytest.raises(CommandError, match="not seeded with --seed 4"):
        call_command("simulate_recommendation_traffic", "--seed", "4", "--no-progress")
    assert not Impression.objects.exists()


@settings(max_examples=60, deadline=None)
@given(
    utilities=st.lists(st.floats(-4, 4), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    n_steps=st.integers(0, 6),
)
def test_simulated_actions_follow_the_product_flow(utilities, seed, n_steps):
    steps = [n_steps] * len(utilities)
    lists = act_on_list(utilities, steps, [30] * len(utilities), np.random.default_rng(seed), SimulationParams())
    assert len(lists) == len(utilities)
    for actions in lists:
        kinds = [action.kind for action in actions]
        times = [action.after for action in actions if action.kind != "bookmarked"]
        assert times == sorted(times) and all(t > 0 for t in times)
        if "started" in kinds:
            assert kinds[0] == "viewed" and "dismissed" not in kinds
            values = [a.value for a in actions if a.kind == "step_completed"]
            assert values == list(range(len(values)))
            assert ("completed" in kinds) == (len(values) == n_steps)
        else:
            assert not {"step_completed", "completed", "rated"} & set(kinds)
        if "dismissed" in kinds:
            assert "started" not in kinds
