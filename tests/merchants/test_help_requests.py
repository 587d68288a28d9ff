"""Help requests ("mise en relation"): the merchant asks, staff match a student helper in the Wagtail admin and
follow up, the merchant sees the status and rates the help once it is done."""

import factory
import pytest
from django.urls import reverse

from cms.models import Theme
from merchants import services
from merchants.models import HelpRequest, StudentHelper

pytestmark = pytest.mark.django_db

HELP = "/api/v1/me/help-requests/"


class StudentHelperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentHelper
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Étudiant {n}")
    school = "IUT d'Aix-Marseille"
    availability = "Le mercredi après-midi"

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(Theme.objects.filter(slug__in=extracted))


def ask(merchant, **fields):
    payload = {"theme": "vendre-en-ligne", "message": "Je voudrais lancer le click & collect.", **fields}
    return merchant.client.post(HELP, payload, format="json")


def test_a_merchant_asks_for_help_on_a_theme_and_sees_it_listed(merchant):
    response = ask(merchant, availability="Le lundi matin")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new" and body["status_label"] == "Nouvelle" and body["helper"] is None
    assert body["theme"]["slug"] == "vendre-en-ligne" and body["module"] is None
    assert body["availability"] == "Le lundi matin"
    listed = merchant.client.get(HELP).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert merchant.client.get(f"{HELP}{body['id']}/").json() == body


def test_asking_about_a_module_takes_its_theme(merchant):
    response = merchant.client.post(
        HELP, {"module": "rgpd-les-bases", "message": "Je ne comprends pas le registre."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["theme"]["slug"] == "se-proteger" and response.json()["module"]["slug"] == "rgpd-les-bases"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"theme": None, "message": "Aide"}, "theme"),
        ({"theme": "astrologie", "message": "Aide"}, "theme"),
        ({"theme": "vendre-en-ligne", "module": "n-existe-pas", "message": "Aide"}, "module"),
        ({"theme": "vendre-en-ligne"}, "message"),
        ({"theme": "vendre-en-ligne", "message": "x" * 2001}, "message"),
    ],
)
def test_an_invalid_help_request_is_a_400_naming_the_field(merchant, payload, field):
    payload = {key: value for key, value in payload.items() if value is not None}
    response = merchant.client.post(HELP, payload, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert not HelpRequest.objects.exists()


def test_statuses_follow_the_allowed_transitions_only():
    Status = HelpRequest.Status
    helper = StudentHelperFactory.build()
    assert services.transition_errors(current=Status.NEW, new=Status.MATCHED, helper=helper) == {}
    assert "helper" in services.transition_errors(current=Status.NEW, new=Status.MATCHED, helper=None)
    assert "status" in services.transition_errors(current=Status.NEW, new=Status.DONE, helper=helper)
    assert "status" in services.transition_errors(current=Status.DONE, new=Status.IN_PROGRESS, helper=helper)
    assert "status" in services.transition_errors(current=Status.CANCELLED, new=Status.NEW, helper=None)
    assert services.transition_errors(current=Status.MATCHED, new=Status.NEW, helper=None) == {}


def test_the_whole_journey_from_need_to_satisfaction(merchant):
    help_id = ask(merchant).json()["id"]
    assert merchant.client.post(f"{HELP}{help_id}/rating/", {"satisfaction": 5}, format="json").status_code == 409

    helper = StudentHelperFactory(themes=["vendre-en-ligne"])
    help_request = HelpRequest.objects.get(pk=help_id)
    services.move_help_request(help_request=help_request, status="matched", helper=helper)
    body = merchant.client.get(f"{HELP}{help_id}/").json()
    assert body["status"] == "matched" and body["helper"] == {"name": helper.name, "school": helper.school}
    assert body["matched_at"] is not None and body["closed_at"] is None

    with pytest.raises(services.InvalidTransition):
        services.move_help_request(help_request=help_request, status="done")
    services.move_help_request(help_request=help_request, status="in_progress")
    services.move_help_request(help_request=help_request, status="done")
    rated = merchant.client.post(
        f"{HELP}{help_id}/rating/", {"satisfaction": 5, "comment": "Merci, c'est en ligne !"}, format="json"
    )
    assert rated.status_code == 200
    assert rated.json()["satisfaction"] == 5 and rated.json()["closed_at"] is not None
    bad = merchant.client.post(f"{HELP}{help_id}/rating/", {"satisfaction": 6}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.json()["error"]["fields"]
    # a finished request cannot be cancelled
    cancelled = merchant.client.post(f"{HELP}{help_id}/cancel/")
    assert cancelled.status_code == 409 and cancelled.json()["error"]["code"] == "invalid_transition"


def test_a_merchant_cancels_an_open_request(merchant):
    help_id = ask(merchant).json()["id"]
    response = merchant.client.post(f"{HELP}{help_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert HelpRequest.objects.get(pk=help_id).closed_at is not None


def test_helpers_are_suggested_by_theme_least_busy_first(merchant):
    from merchants.selectors import suggested_helpers

    busy = StudentHelperFactory(name="Alice", themes=["vendre-en-ligne"])
    free = StudentHelperFactory(name="Zoé", themes=["vendre-en-ligne", "se-proteger"])
    StudentHelperFactory(name="Bruno", themes=["se-proteger"])
    StudentHelperFactory(name="Inactive", themes=["vendre-en-ligne"], active=False)
    services.move_help_request(
        help_request=HelpRequest.objects.get(pk=ask(merchant).json()["id"]), status="matched", helper=busy
    )
    assert list(suggested_helpers(theme=Theme.objects.get(slug="vendre-en-ligne"))) == [free, busy]


# --- Wagtail admin -----------------------------------------------------------------------------


def test_staff_match_a_helper_in_the_admin_with_suggestions_and_checked_transitions(client, editor, merchant):
    helper = StudentHelperFactory(name="Yasmine", themes=["vendre-en-ligne"])
    help_id = ask(merchant).json()["id"]
    client.force_login(editor)
    edit_url = reverse("helprequest:edit", args=[help_id])

    page = client.get(edit_url)
    assert page.status_code == 200
    assert "Suggestions pour le thème" in page.content.decode() and "Yasmine" in page.content.decode()

    refused = client.post(edit_url, {"status": "done", "helper": helper.pk, "staff_notes": ""})
    assert refused.status_code == 200  # the form again, with the error
    assert HelpRequest.objects.get(pk=help_id).status == "new"

    accepted = client.post(edit_url, {"status": "matched", "helper": helper.pk, "staff_notes": "Appelée le 3."})
    assert accepted.status_code == 302
    stored = HelpRequest.objects.get(pk=help_id)
    assert stored.status == "matched" and stored.helper == helper and stored.matched_at is not None
    assert stored.staff_notes == "Appelée le 3."
    assert merchant.client.get(f"{HELP}{help_id}/").json()["helper"]["name"] == "Yasmine"

    listing = client.get(reverse("helprequest:index"), {"status": "matched"})
    assert listing.status_code == 200 and f"Demande n° {help_id}" in listing.content.decode()
    assert (
        client.get(reverse("helprequest:index"), {"theme": Theme.objects.get(slug="se-proteger").pk}).status_code == 200
    )
    assert client.get(reverse("helprequest:inspect", args=[help_id])).status_code == 200
    # staff never create nor delete requests: they come from merchants
    assert client.get("/admin/merchants/help-requests/new/").status_code in (302, 403)
    assert client.post(reverse("helprequest:delete", args=[help_id])).status_code in (302, 403)
    assert HelpRequest.objects.filter(pk=help_id).exists()
