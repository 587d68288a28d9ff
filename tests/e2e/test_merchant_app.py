"""The merchants' app as a person uses it, in Debian's chromium (mobile 390×844 and desktop): open before sign-up,
every account flow, help requests, the PWA (installability, offline reading, the offline events queue), sessions
that survive reloads, and accessibility (axe-core: no serious or critical violation on any screen).

One browser for the session (tests/e2e/conftest.py); each test opens its own context (a fresh device: storage, service worker).
"""

import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from cms.models import ModulePage
from merchants import services
from merchants.models import EngagementEvent, MerchantProfile, MerchantSession
from missions import services as mission_services
from missions.models import Mission
from tests.factories import StudentFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Sardines-du-Vieux-Port-2026"
NEW_PASSWORD = "Calanques-et-Navettes-2027"
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"


@pytest.fixture
def new_page(browser):  # `browser`: the test process's chromium (tests/e2e/conftest.py)
    contexts = []

    def make(viewport=PHONE):
        context = browser.new_context(
            locale="fr-FR", viewport=viewport, is_mobile=viewport == PHONE, has_touch=viewport == PHONE
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def check_accessibility(page, screen):
    """axe-core on the current screen: no violation of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    page.locator("main[aria-busy]").wait_for(state="detached")
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, (screen, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations])


def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


# The events waiting in the device's outbox (IndexedDB), read as the app stores them.
QUEUED = (
    "new Promise(r => { const q = indexedDB.open('eleasud'); q.onsuccess = () => {"
    " const t = q.result.transaction('outbox').objectStore('outbox').getAll(); t.onsuccess = () => r(t.result); }; })"
)


def wait_until(page, expression, arg=None, timeout=20.0):
    """page.wait_for_function evaluates a string, which the app's CSP forbids; page.evaluate does not."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        page.wait_for_timeout(100)


def signed_in(page, live_server, email, path="/app/etapes/"):
    """A merchant whose device already holds a session (as after a sign-in)."""
    if not MerchantProfile.objects.filter(user__username=email).exists():
        services.register_merchant(email=email, password=PASSWORD, personalisation_consent=True)
    tokens = services.log_in_merchant(email=email, password=PASSWORD)
    page.goto(f"{live_server.url}/app/installer/")
    pair = {"token": tokens.access, "expires": tokens.access_expires_at.isoformat()}
    page.evaluate(
        "([access, refresh, owner]) => { localStorage.setItem('eleasud.access', access);"
        " localStorage.setItem('eleasud.refresh', refresh); localStorage.setItem('eleasud.outbox.owner', owner); }",
        [json.dumps(pair), tokens.refresh, email],
    )
    page.goto(f"{live_server.url}{path}")
    return MerchantProfile.objects.get(user__username=email)


def test_a_visitor_browses_reads_a_module_picks_a_sector_then_signs_up(live_server, new_page):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/app/")
    page.get_by_role("heading", name="Par où commencer ?").wait_for()
    page.locator("[data-start] .next-card").first.wait_for()
    no_horizontal_overflow(page)
    screenshot(page, "app-explore-phone.png")

    page.get_by_label("Votre activité").select_option("artisanat-bouche")
    page.get_by_text("Suggestions mises à jour").wait_for(state="attached")
    assert page.evaluate("localStorage.getItem('eleasud.sector')") == "artisanat-bouche"
    for sectors in page.locator("[data-start] .next-card").evaluate_all("cards => cards.map(c => c.dataset.module)"):
        module = ModulePage.objects.get(slug=sectors)
        targets = list(module.target_sectors.values_list("slug", flat=True))
        assert not targets or "artisanat-bouche" in targets

    page.get_by_label("Rechercher une fiche").fill("avis clients")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("heading", name=re.compile(r"fiches? trouvées?")).wait_for()

    page.get_by_role("link", name="Être visible en ligne").click()
    page.wait_for_url(re.compile(r"/app/themes/etre-visible/$"))
    page.locator(".next-card__title a").first.click()
    page.wait_for_url(re.compile(r"/app/modules/[\w-]+/$"))
    page.locator(".step").first.wait_for()
    assert page.get_by_role("button", name="Étape faite").count() == 0  # reading needs no account
    no_horizontal_overflow(page)

    page.goto(f"{live_server.url}/app/")  # the sector stays chosen on this device
    assert page.get_by_label("Votre activité").input_value() == "artisanat-bouche"
    page.get_by_role("link", name="Créer un compte").first.click()
    page.get_by_label("Adresse e-mail").fill("epicerie.noailles@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/app/profil/\?bienvenue=1$"))
    page.get_by_label("Code postal du commerce").wait_for()
    no_horizontal_overflow(page)  # the size bands wrap at 390 px
    tabbar = page.locator("#main-nav").bounding_box()
    assert tabbar["y"] + tabbar["height"] <= PHONE["height"] and tabbar["x"] >= 0
    assert tabbar["width"] <= PHONE["width"]
    assert MerchantProfile.objects.filter(user__username="epicerie.noailles@exemple.fr").exists()


def test_a_help_request_from_a_module_page_through_to_its_rating(live_server, new_page):
    page = new_page(DESKTOP)
    signed_in(page, live_server, "fleuriste.castellane@exemple.fr", "/app/modules/lancer-le-click-and-collect/")
    page.get_by_role("link", name="Demander de l'aide pour cette fiche").click()
    page.wait_for_url(re.compile(r"/app/aide/nouvelle/\?module=lancer-le-click-and-collect$"))
    assert "Lancer le click" in page.get_by_label("Votre besoin").input_value()  # pre-filled
    page.get_by_label("Vos disponibilités").fill("Le lundi matin")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.get_by_text("Votre demande est envoyée").wait_for()
    request = Mission.objects.get(merchant__user__username="fleuriste.castellane@exemple.fr")
    assert request.module.slug == "lancer-le-click-and-collect" and request.availability == "Le lundi matin"
    assert page.locator(".badge").first.inner_text() == "Nouvelle"

    # the coordination proposes a student, who accepts; sessions happen; the mission is closed as done
    student = StudentFactory(themes=["vendre-en-ligne"])
    coordinator = UserFactory(username="coordination@eleasud.fr", is_staff=True)
    mission_services.propose_student(mission=request, student=student, coordinator=coordinator)
    mission_services.accept_mission(mission=request, user=student.user)
    Mission.objects.filter(pk=request.pk).update(status="in_progress")
    request = mission_services.close_mission_as_done(mission=request, coordinator=coordinator)
    helper_name = student.public_name
    page.reload()
    page.get_by_text(helper_name).wait_for()
    check_accessibility(page, "help: done")
    page.get_by_label("4 sur 5").check()
    page.get_by_label("Un commentaire").fill("Très clair, merci !")
    page.get_by_role("button", name="Envoyer ma note").click()
    page.get_by_text("Vous avez donné 4 sur 5").wait_for()
    request.refresh_from_db()
    assert request.satisfaction == 4 and request.satisfaction_comment == "Très clair, merci !"

    page.get_by_role("link", name="Mes demandes d'aide").click()
    page.get_by_role("link", name="Demander de l'aide").click()
    page.get_by_label("Thème").select_option("se-proteger")
    page.get_by_label("Votre besoin").fill("Je voudrais sécuriser mes mots de passe.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Annuler ma demande").click()
    page.locator(".badge", has_text="Annulée").wait_for()
    assert Mission.objects.filter(status="cancelled", theme__slug="se-proteger").count() == 1
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Mes demandes d'aide").click()
    page.locator(".help-card").nth(1).wait_for()
    screenshot(page, "app-help-phone.png")


def test_account_password_change_reset_by_email_export_and_deletion(live_server, new_page, settings, run_task_worker):
    settings.MERCHANT_APP_BASE_URL = live_server.url
    email = "cordonnerie.prado@exemple.fr"
    page = new_page(PHONE)
    signed_in(page, live_server, email, "/app/compte/")
    page.get_by_role("heading", name="Mon compte", exact=True).wait_for()
    no_horizontal_overflow(page)
    screenshot(page, "app-account-phone.png")

    page.get_by_label("Personnaliser mes suggestions").uncheck()
    page.locator("[data-consent-status]", has_text="Personnalisation désactivée").first.wait_for()
    assert not MerchantProfile.objects.get(user__username=email).personalisation_consent

    other_device = services.log_in_merchant(email=email, password=PASSWORD)
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer mon mot de passe").click()
    page.get_by_text("Mot de passe changé").first.wait_for()
    assert MerchantSession.objects.filter(user__username=email).count() == 1
    assert not MerchantSession.objects.filter(pk=other_device.session.pk).exists()

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger mes données").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == "eleasud-mes-donnees.json"
    assert exported["account"]["email"] == email and exported["profile"]["personalisation_consent"] is False

    page.get_by_role("button", name="Me déconnecter de tous les appareils").click()
    page.get_by_text("Vous êtes déconnecté de tous vos appareils").wait_for()
    assert MerchantSession.objects.filter(user__username=email).count() == 0

    # Forgotten password, end to end: the e-mail is sent by the task worker and read from the outbox.
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("heading", name="Regardez vos e-mails").wait_for()
    run_task_worker()
    [message] = mail.outbox
    link = re.search(r"https?://\S+/app/mot-de-passe/nouveau/#\S+", message.body).group(0)
    page.goto(link)
    check_accessibility(page, "new password")
    page.get_by_label("Nouveau mot de passe").fill("Une-Phrase-Pour-Le-Prado-2028")
    page.get_by_role("button", name="Enregistrer et me connecter").click()
    page.wait_for_url(re.compile(r"/app/etapes/$"))
    page.locator(".next-card").first.wait_for()
    assert "token=" not in page.url

    page.get_by_role("link", name="Compte").click()
    page.get_by_label("Confirmez avec votre mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    page.locator("#password-error").wait_for()
    assert MerchantProfile.objects.filter(user__username=email).exists()
    page.get_by_label("Confirmez avec votre mot de passe").fill("Une-Phrase-Pour-Le-Prado-2028")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    page.get_by_text("Votre compte et vos données ont été supprimés").wait_for()
    assert not MerchantProfile.objects.filter(user__username=email).exists()


def test_the_fixes_on_module_pages_and_next_steps(live_server, new_page):
    page = new_page(PHONE)
    profile = signed_in(page, live_server, "poissonnerie.estaque@exemple.fr", "/app/modules/creer-sa-fiche-google/")
    page.get_by_role("button", name="☆ Garder pour plus tard").click()
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Étape faite").first.click()
    page.locator("[data-step='0'].step--done").wait_for()
    page.locator("[data-step='0'] button").click()  # a ticked step can be unticked
    page.locator("[data-step='0']:not(.step--done)").wait_for()
    page.get_by_role("button", name="J'ai terminé").click()
    page.get_by_role("heading", name="Bravo, c'est fait !").wait_for()
    page.reload()
    page.get_by_role("heading", name="Bravo, c'est fait !").wait_for()
    assert page.locator(".step").count() == page.locator(".step--done").count() > 0  # ticked after a reload
    kinds = list(EngagementEvent.objects.filter(merchant=profile).values_list("kind", flat=True))
    assert kinds.count("step_uncompleted") == 1

    page.get_by_role("link", name="Progrès").click()
    page.get_by_role("heading", name="Ma progression").wait_for()
    assert page.get_by_role("heading", name="Gardées pour plus tard").count() == 0  # completed: not kept for later

    page.get_by_role("link", name="Mes étapes").click()
    page.locator(".next-card").nth(4).wait_for()
    first = page.locator(".next-card").first
    slug = first.get_attribute("data-module")
    first.get_by_role("button", name=re.compile("^Pas pour moi")).click()
    page.get_by_role("button", name=re.compile("^Annuler")).wait_for()
    assert EngagementEvent.objects.filter(merchant=profile, module_slug=slug, kind="dismissed").exists()
    page.get_by_role("button", name=re.compile("^Annuler")).click()
    first.get_by_role("button", name=re.compile("^Pas pour moi")).wait_for()
    assert EngagementEvent.objects.filter(merchant=profile, module_slug=slug, kind="undismissed").exists()
    page.reload()
    page.locator(".next-card").nth(4).wait_for()
    assert slug in page.locator(".next-card").evaluate_all("cards => cards.map(c => c.dataset.module)")
    screenshot(page, "app-next-steps-phone.png")


def test_installable_offline_after_a_first_visit_and_twenty_reloads_without_lockout(live_server, new_page):
    page = new_page(PHONE)
    profile = signed_in(page, live_server, "glacier.vieux-port@exemple.fr", "/app/etapes/")
    wait_until(page, "navigator.serviceWorker.controller !== null")

    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"] and json.loads(manifest["data"])["display"] == "standalone"

    # Twenty reloads: no refresh is spent while the access token is valid, nobody is locked out.
    sessions = MerchantSession.objects.filter(user=profile.user).order_by("pk")
    refreshed_before = list(sessions.values_list("pk", "refreshed_at"))
    for _ in range(20):
        page.reload()
        page.locator(".next-card").first.wait_for()
    assert page.get_by_text("Requête ralentie").count() == 0
    assert list(sessions.values_list("pk", "refreshed_at")) == refreshed_before

    # The recommended modules are fetched ahead; one module is opened online.
    slugs = page.locator(".next-card").evaluate_all("cards => cards.map(c => c.dataset.module)")
    wait_until(
        page,
        "async (slugs) => { const c = await caches.open('eleasud-data');"
        " const keys = (await c.keys()).map(r => new URL(r.url).pathname);"
        " return slugs.every(s => keys.includes(`/api/v1/modules/${s}/`)); }",
        slugs,
    )
    page.locator(".next-card__title a").first.click()
    page.locator(".step").first.wait_for()
    wait_until(page, f"{QUEUED} .then(events => events.length === 0)")  # its "viewed" has reached the server
    before = EngagementEvent.objects.filter(merchant=profile).count()

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/app/modules/{slugs[1]}/")
    page.locator(".step").first.wait_for()
    banner = page.locator("#offline-banner")
    assert "hors connexion" in banner.inner_text()
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Étape faite").first.click()
    page.locator("[data-step='0'].step--done").wait_for()
    page.get_by_text(re.compile(r"\d+ actions? .* au retour du réseau")).wait_for()
    check_accessibility(page, "module offline")
    screenshot(page, "app-offline-phone.png")
    page.reload()  # still offline: the page and what was done come back from the device
    page.locator("[data-step='0'].step--done").wait_for()
    queued = page.evaluate(QUEUED)
    assert sorted(e["kind"] for e in queued) == ["started", "step_completed", "viewed", "viewed"]
    assert EngagementEvent.objects.filter(merchant=profile).count() == before

    page.context.set_offline(False)
    banner.wait_for(state="hidden")
    stored = EngagementEvent.objects.filter(merchant=profile, event_id__in=[e["event_id"] for e in queued])
    assert sorted(stored.values_list("kind", flat=True)) == ["started", "step_completed", "viewed", "viewed"]
    assert EngagementEvent.objects.filter(merchant=profile).count() == before + 4  # each stored once


PUBLIC_SCREENS = [
    ("explore", "/app/decouvrir/", "[data-start] .next-card"),
    ("theme", "/app/themes/etre-visible/", ".next-card"),
    ("module", "/app/modules/creer-sa-fiche-google/", ".step"),
    ("sign-in", "/app/connexion/", "form"),
    ("sign-up", "/app/inscription/", "form"),
    ("forgotten-password", "/app/mot-de-passe/oublie/", "form"),
    ("install", "/app/installer/", ".steps-list"),
]
SIGNED_IN_SCREENS = [
    ("next-steps", "/app/etapes/", ".next-card"),
    ("module-signed-in", "/app/modules/lancer-le-click-and-collect/", ".help-offer"),
    ("progress", "/app/progression/", ".theme-card"),
    ("diagnostic", "/app/diagnostic/", ".question"),
    ("profile", "/app/profil/", "#postcode"),
    ("help", "/app/aide/", ".help-card"),
    ("help-request", "/app/aide/{help_id}/", ".facts-list"),
    ("help-new", "/app/aide/nouvelle/?module=lancer-le-click-and-collect", "#message"),
    ("account", "/app/compte/", "[data-delete]"),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_screen_passes_axe_without_overflow(live_server, new_page, viewport):
    page = new_page(viewport)
    for name, path, ready in PUBLIC_SCREENS:
        page.goto(f"{live_server.url}{path}")
        page.locator(ready).first.wait_for()
        check_accessibility(page, f"{name} ({viewport['width']})")
        no_horizontal_overflow(page)
        if viewport == PHONE and name in ("module", "install"):
            screenshot(page, f"app-{name}-phone.png")
    profile = signed_in(page, live_server, f"axe-{viewport['width']}@exemple.fr", "/app/installer/")
    help_id = mission_services.request_help(
        merchant=profile, module=ModulePage.objects.get(slug="creer-sa-fiche-google"), need="Un coup de main ?"
    ).pk
    for name, path, ready in SIGNED_IN_SCREENS:
        page.goto(f"{live_server.url}{path.format(help_id=help_id)}")
        page.locator(ready).first.wait_for()
        check_accessibility(page, f"{name} ({viewport['width']})")
        no_horizontal_overflow(page)
        if viewport == PHONE and name in ("module-signed-in", "progress", "profile"):
            screenshot(page, f"app-{name}-phone.png")
