"""A mission in real browsers, against the real API: the student (students' space, /espace/) accepts it,
proposes a session and writes the report; the merchant (their app, /app/aide/…) confirms the slot, confirms the
session took place and rates; the referent downloads the certificate. axe-core: no serious or critical
violation on the students' space screens."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from merchants import services as merchant_services
from missions import services
from missions.models import Appointment, Mission
from tests.e2e import test_merchant_app as merchant_app
from tests.e2e.test_merchant_app import PASSWORD, check_accessibility, signed_in
from tests.factories import MEMBER_PASSWORD, ReferentFactory, SchoolFactory, StudentFactory

# The merchant app's browser fixtures (one Chromium per module, a fresh context per page).
new_page = merchant_app.new_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]


def sign_in_to_espace(page, live_server, email):
    page.goto(f"{live_server.url}/espace/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def axe(page, screen):
    from axe_playwright_python.sync_playwright import Axe

    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, (screen, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations])


def test_a_mission_from_the_students_acceptance_to_the_referents_certificate(live_server, new_page):
    school = SchoolFactory(name="Lycée professionnel Le Chatelier", postcode="13003")
    student = StudentFactory(first_name="Yasmine", last_name="Benali", school=school, themes=["vendre-en-ligne"])
    referent = ReferentFactory(school=school, display_name="Mme Durand")
    merchant_services.register_merchant(email="epicerie@exemple.fr", password=PASSWORD, personalisation_consent=True)
    merchant = merchant_services.log_in_merchant(email="epicerie@exemple.fr", password=PASSWORD).session.user
    mission = services.request_help(
        merchant=merchant.merchant_profile,
        need="Je voudrais lancer le click & collect.",
        theme=student.themes.get(),
        opening_hours="Du mardi au samedi, 9 h – 19 h",
        contact_phone="04 91 00 00 00",
    )
    services.propose_student(mission=mission, student=student, coordinator=None)

    # The student accepts the mission and proposes a session.
    page = new_page()
    sign_in_to_espace(page, live_server, student.user.email)
    page.get_by_role("heading", name="Mes missions").wait_for()
    axe(page, "student list")
    page.get_by_role("link", name=re.compile("Vendre en ligne")).click()
    page.get_by_role("button", name="Accepter la mission").click()
    page.get_by_text("Acceptée par l'étudiant").wait_for()
    page.get_by_text("04 91 00 00 00").wait_for()  # the contact the merchant shared, now the mission is active
    axe(page, "student mission")
    starts = timezone.localtime() + timedelta(days=3)
    page.get_by_label("Date et heure").fill(starts.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Modalité").select_option("in_shop")
    page.get_by_role("button", name="Proposer ce créneau").click()
    page.locator(".session").first.wait_for()
    appointment = Appointment.objects.get(mission=mission)
    assert appointment.status == "proposed" and appointment.proposed_by == "student"

    # The merchant confirms the slot in their app.
    merchant_page = new_page()
    signed_in(merchant_page, live_server, "epicerie@exemple.fr", f"/app/aide/{mission.pk}/")
    merchant_page.get_by_text("Yasmine B.").wait_for()
    check_accessibility(merchant_page, "help: a session to confirm")
    merchant_page.get_by_role("button", name="Confirmer ce créneau").click()
    merchant_page.get_by_text("Planifiée").wait_for()
    assert Mission.objects.get(pk=mission.pk).status == "in_progress"

    # The session took place: the student writes the report.
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    page.reload()
    page.get_by_label("Ce qui a été mis en place").fill("Click & collect activé sur la fiche Google.")
    page.get_by_label("Temps passé (minutes)").fill("90")
    page.get_by_label("Prochaine étape").fill("Former l'équipe.")
    page.get_by_role("button", name="Envoyer le compte rendu").click()
    page.get_by_text("Compte rendu :").wait_for()
    page.get_by_label("Votre message").fill("Merci pour l'accueil, à bientôt !")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("Merci pour l'accueil, à bientôt !").wait_for()
    page.get_by_role("button", name="Marquer la mission comme terminée").click()
    page.get_by_text("Terminée").first.wait_for()

    # The merchant confirms the session happened, reads the message and rates.
    merchant_page.reload()
    merchant_page.get_by_text("Merci pour l'accueil, à bientôt !").wait_for()
    merchant_page.get_by_role("button", name="Confirmer que la séance a eu lieu").click()
    merchant_page.get_by_text("A eu lieu").wait_for()
    merchant_page.get_by_label("5 sur 5").check()
    merchant_page.get_by_role("button", name="Envoyer ma note").click()
    merchant_page.get_by_text("Vous avez donné 5 sur 5").wait_for()
    mission.refresh_from_db()
    assert mission.status == "done" and mission.satisfaction == 5
    assert Appointment.objects.get(pk=appointment.pk).status == "held"

    # The referent validates the hours and downloads the certificate.
    referent_page = new_page()
    sign_in_to_espace(referent_page, live_server, referent.user.email)
    referent_page.get_by_role("heading", name=re.compile("Les missions des élèves")).wait_for()
    axe(referent_page, "referent list")
    referent_page.get_by_role("link", name=re.compile("Vendre en ligne")).click()
    referent_page.get_by_role("button", name="Valider les heures").click()
    referent_page.get_by_text("validées par le référent").wait_for()
    axe(referent_page, "referent mission")
    with referent_page.expect_download() as download:
        referent_page.get_by_role("button", name="Télécharger l'attestation (PDF)").click()
    assert download.value.suggested_filename == f"attestation-mission-{mission.pk}.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
    assert "Attestation de mission" in text and "Yasmine Benali" in text and "1 h 30" in text and "5/5" in text
    assert "Heures validées par Mme Durand" in text
