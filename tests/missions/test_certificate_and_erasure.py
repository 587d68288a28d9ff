"""The mission certificate (a real PDF, its text read back), the merchant's export of their missions, and what
erasing a merchant keeps: the anonymised record (trade, arrondissement, dates, hours, rating) that the student's
certificate and the agency's figures still need — and nothing that identifies the merchant."""

import io

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from cms.models import Sector
from merchants.services import update_profile
from missions import services
from missions.models import Message, Mission, MissionTransition
from tests.merchants.conftest import PASSWORD
from tests.missions.conftest import ESPACE

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(merchant, student, referent, mission_for):
    """A bakery of the 2nd arrondissement, helped by Yasmine for 1 h 30, rated 4, hours validated."""
    update_profile(
        merchant=merchant.profile,
        business_name="Boulangerie Martin",
        sector=Sector.objects.order_by("pk").first(),
        postcode="13002",
    )
    mission = mission_for(merchant, student, "done")
    services.post_message(mission=mission, author=merchant.profile.user, role="merchant", body="Merci Yasmine !")
    services.update_coordinator_notes(mission=mission, notes="Commerçante très disponible, rappeler en mars.")
    services.rate_mission(mission=mission, satisfaction=4, comment="Très utile.")
    services.validate_hours(mission=mission, referent=referent.record)
    return mission


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_referent_downloads_the_certificate_with_what_the_school_needs(finished, referent):
    text = pdf_text(referent.client.get(f"{ESPACE}{finished.pk}/certificate/"))
    sector = Sector.objects.order_by("pk").first().name
    for expected in (
        "Attestation de mission",
        "Yasmine Benali",
        "Lycée professionnel Le Chatelier",
        sector,
        "Marseille 2e",
        "1 h 30 déclarées, dont 0 h confirmées",
        "4/5",
        "Fiche Google créée, horaires et photos ajoutés.",
        "Heures validées par Mme Durand",
    ):
        assert expected in text, expected
    assert "Boulangerie Martin" not in text and "boulangerie.martin" not in text


def test_no_certificate_before_the_mission_is_done(merchant, student, referent, mission_for):
    mission = mission_for(merchant, student, "in_progress")
    response = referent.client.get(f"{ESPACE}{mission.pk}/certificate/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "L'attestation est disponible une fois la mission terminée."


def test_the_export_holds_missions_sessions_and_messages_but_never_the_coordinations_notes(finished, merchant):
    export = merchant.client.get("/api/v1/me/export/").json()
    [mission] = export["missions"]
    assert mission["need"] == "Je voudrais lancer le click & collect."
    assert mission["shared_contact"]["phone"] == "04 91 00 00 00"
    assert mission["student"] == {"name": "Yasmine B.", "school": "Lycée professionnel Le Chatelier"}
    assert mission["sessions"][0]["report"] == "Fiche Google créée, horaires et photos ajoutés."
    assert [m["body"] for m in mission["messages"]] == ["Merci Yasmine !"]
    assert mission["satisfaction"] == 4 and mission["satisfaction_comment"] == "Très utile."
    text = str(export)
    assert "rappeler en mars" not in text and "coordinator_notes" not in text


def test_erasing_the_merchant_keeps_the_anonymised_record_and_the_certificate(finished, merchant, referent):
    user_id = merchant.profile.user_id
    assert merchant.client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not get_user_model().objects.filter(pk=user_id).exists()

    mission = Mission.objects.get(pk=finished.pk)
    assert mission.merchant is None and mission.status == "done"
    assert (mission.need, mission.contact_phone, mission.shop_address, mission.contact_name) == ("", "", "", "")
    assert mission.satisfaction_comment == "" and mission.coordinator_notes == ""
    assert mission.satisfaction == 4 and mission.done_at and mission.arrondissement == "Marseille 2e"
    assert not Message.objects.filter(mission=mission).exists()
    assert not MissionTransition.objects.filter(mission=mission, actor_id=user_id).exists()
    assert mission.appointments.get().report_minutes == 90

    text = pdf_text(referent.client.get(f"{ESPACE}{finished.pk}/certificate/"))
    assert "Marseille 2e" in text and "4/5" in text and "1 h 30" in text
    assert "Boulangerie Martin" not in text


def test_erasing_a_merchant_cancels_their_open_missions_and_tells_the_student(merchant, student, mission_for):
    mission = mission_for(merchant, student, "matched")
    assert merchant.client.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    mission.refresh_from_db()
    assert mission.status == "cancelled" and mission.merchant is None
    last = MissionTransition.objects.filter(mission=mission).last()
    assert (last.to_status, last.actor_role, last.actor) == ("cancelled", "system", None)
    assert student.client.get(f"{ESPACE}{mission.pk}/").json()["merchant_contact"] is None


def test_a_finished_module_mission_counts_as_engagement_only_with_consent(make_merchant, student, mission_for):
    from merchants.models import EngagementEvent

    for consent in (True, False):
        owner = make_merchant(consent=consent)
        mission = mission_for(owner, student, "in_progress")
        Mission.objects.filter(pk=mission.pk).update(module=mission.theme.modules.live().first())
        services.complete_mission(mission=Mission.objects.get(pk=mission.pk), user=student.user)
        completed = EngagementEvent.objects.filter(merchant=owner.profile, kind="completed")
        assert completed.count() == (1 if consent else 0)
        assert Mission.objects.get(pk=mission.pk).counted_as_engagement is consent
