"""Drafts, scheduled publishing, moderation and search behave as Wagtail editors expect."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.models import ModulePage

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/modules/{}/"


def draft_of(slug):
    return ModulePage.objects.get(slug=slug).get_latest_revision_as_object()


def test_a_saved_draft_stays_invisible_until_published(api_client):
    page = draft_of("whatsapp-business")
    published_title = page.title
    page.title = "WhatsApp Business — version de travail"
    revision = page.save_revision()

    assert api_client.get(DETAIL.format("whatsapp-business")).json()["title"] == published_title
    revision.publish()
    new_title = api_client.get(DETAIL.format("whatsapp-business")).json()["title"]
    assert new_title == "WhatsApp Business — version de travail"


def test_scheduled_publishing_goes_live_at_its_time(api_client):
    page = draft_of("gerer-ses-stocks")
    page.unpublish()
    page = draft_of("gerer-ses-stocks")
    page.go_live_at = timezone.now() + timedelta(seconds=1)
    page.save_revision().publish()
    assert api_client.get(DETAIL.format("gerer-ses-stocks")).status_code == 404

    time.sleep(1.2)  # the scheduled time passes; cron runs publish_scheduled every minute in production
    call_command("publish_scheduled", verbosity=0)
    assert api_client.get(DETAIL.format("gerer-ses-stocks")).status_code == 200


def test_modules_fall_under_the_default_moderation_workflow(django_user_model):
    editor = django_user_model.objects.create_superuser("edith", "edith@example.org", "x" * 12)
    page = ModulePage.objects.get(slug="campagnes-sms")
    workflow = page.get_workflow()
    assert workflow is not None and workflow.active

    workflow_state = workflow.start(page, editor)
    assert workflow_state.status == "in_progress"
    assert page.workflow_in_progress


def test_search_index_follows_publication(api_client):
    page = draft_of("annoncer-un-evenement")
    page.summary = "Faites connaître votre exposition de santons à tout le quartier."
    page.save_revision().publish()
    found = api_client.get("/api/v1/modules/", {"q": "santons"}).json()["results"]
    assert [m["slug"] for m in found] == ["annoncer-un-evenement"]
