"""The reference client (frontend/, served at /app/ and /preview/) in a real browser, against the real API.

Without a trained model the recommender falls back to a popularity/catalogue ranking, which is enough here:
the client only relies on the shape of /me/recommendations/.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from cms.models import ModulePage
from merchants.models import EngagementEvent, MerchantProfile, MerchantSession

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalogue"),
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Sardines-du-Vieux-Port-2026"


def screenshot(page, name, **options):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), **options)


def sign_up(page, live_server, email):
    page.goto(f"{live_server.url}/app/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/app/profil/\?bienvenue=1$"))
    page.get_by_label("Code postal du commerce").wait_for()


def card_slugs(page):
    return page.locator(".next-card").evaluate_all("cards => cards.map(c => c.dataset.module)")


def test_a_new_merchant_signs_up_follows_a_next_step_and_it_leaves_the_list(live_server, browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_up(page, live_server, "boulangerie.martin@exemple.fr")

    page.get_by_label("Secteur d'activité").select_option("artisanat-bouche")
    page.get_by_label("De 2 à 5 personnes", exact=True).check()
    page.get_by_label("Code postal du commerce").fill("13001")
    page.get_by_label("Page Facebook", exact=True).check()
    page.get_by_label("Être trouvé par de nouveaux clients", exact=True).check()
    page.get_by_label("Personnaliser mes suggestions").check()
    page.get_by_role("button", name="Voir mes prochaines étapes").click()

    page.wait_for_url(re.compile(r"/app/etapes/$"))
    cards = page.locator(".next-card")
    cards.nth(4).wait_for()
    assert cards.count() == 5
    for i in range(5):
        assert cards.nth(i).locator(".reasons li").count() >= 1
    profile = MerchantProfile.objects.get(user__email="boulangerie.martin@exemple.fr")
    assert profile.postcode == "13001" and profile.sector.slug == "artisanat-bouche" and profile.personalisation_consent
    assert [c.slug for c in profile.capabilities.all()] == ["page-facebook"]
    screenshot(page, "client-next-steps-phone.png")

    slug = card_slugs(page)[0]
    cards.first.locator(".next-card__title a").click()
    page.wait_for_url(re.compile(rf"/app/modules/{slug}/\?rec="))
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Étape faite").first.click()
    page.locator("[data-step='0'].step--done").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "client-module-phone.png")
    page.locator("[data-step='0']").evaluate("step => step.scrollIntoView({block: 'start'})")
    screenshot(page, "client-module-phone-steps.png")
    page.set_viewport_size(DESKTOP)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "client-module-desktop.png")

    page.get_by_role("button", name="J'ai terminé").click()
    page.get_by_role("heading", name="Bravo, c'est fait !").wait_for()
    page.get_by_label("4 sur 5").check()
    # The screen-reader announcer repeats the text: wait for the visible thanks in the page itself.
    page.locator("#main").get_by_text("Merci pour votre note !").wait_for()
    events = list(EngagementEvent.objects.filter(merchant=profile, module_slug=slug).order_by("occurred_at", "id"))
    assert [(e.kind, e.value) for e in events] == [
        ("viewed", None),
        ("started", None),
        ("step_completed", 0),
        ("completed", None),
        ("rated", 4),
    ]
    assert len({e.recommendation_id for e in events}) == 1 and events[0].recommendation_id is not None

    page.reload()  # the rating is the merchant's, not the page's: it is still shown after a reload
    page.get_by_label("4 sur 5").wait_for()
    assert page.get_by_label("4 sur 5").is_checked()
    assert page.locator("#main").get_by_text("Merci pour votre note !").is_visible()

    page.get_by_role("link", name="Voir mes prochaines étapes").click()
    page.wait_for_url(re.compile(r"/app/etapes/$"))
    page.locator(".next-card").first.wait_for()
    assert slug not in card_slugs(page)


def test_pas_pour_moi_removes_a_card_for_good_even_after_the_access_token_expired(live_server, browser_page):
    page = browser_page
    sign_up(page, live_server, "primeur.noailles@exemple.fr")
    page.get_by_role("link", name="Mes étapes").click()
    page.locator(".next-card").nth(4).wait_for()
    screenshot(page, "client-next-steps-desktop.png", full_page=True)
    dismissed = card_slugs(page)[0]

    # The access token expires: the next call gets a 401, the client refreshes once and retries.
    MerchantSession.objects.update(access_expires_at=timezone.now() - timedelta(seconds=1))
    page.get_by_role("button", name=re.compile("^Pas pour moi")).first.click()
    # the card folds into one line with an undo button, which takes the focus
    page.locator(f".next-card--dismissed[data-module='{dismissed}']").wait_for()
    assert page.evaluate("document.activeElement.dataset.action") == "undo-dismiss"
    event = EngagementEvent.objects.get(module_slug=dismissed, kind="dismissed")
    assert event.recommendation_id is not None

    # A reload loses the in-memory access token; the refresh token kept in localStorage signs back in.
    page.reload()
    page.locator(".next-card").first.wait_for()
    assert dismissed not in card_slugs(page)
    assert page.get_by_role("button", name="Se déconnecter").is_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/app/connexion/$"))
    assert page.evaluate("localStorage.getItem('eleasud.refresh')") is None
    assert MerchantSession.objects.count() == 0


def test_the_apis_field_errors_are_shown_next_to_their_fields(live_server, browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/app/inscription/")
    page.get_by_label("Adresse e-mail").fill("cordonnier@exemple.fr")
    page.get_by_label("Mot de passe").fill("1234")
    page.get_by_role("button", name="Créer mon compte").click()
    password_error = page.locator("#password-error")
    password_error.wait_for()
    assert "10 caractères" in password_error.inner_text()
    assert page.get_by_label("Mot de passe").get_attribute("aria-invalid") == "true"

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_label("Code postal du commerce").fill("1300")
    page.get_by_role("button", name="Voir mes prochaines étapes").click()

    postcode_error = page.locator("#postcode-error")
    postcode_error.wait_for()
    assert "5 chiffres" in postcode_error.inner_text()
    postcode = page.get_by_label("Code postal du commerce")
    assert postcode.get_attribute("aria-invalid") == "true"
    assert "postcode-error" in postcode.get_attribute("aria-describedby")
    assert page.evaluate("document.activeElement.id") == "postcode"  # focus moved to the first field to fix
    screenshot(page, "client-profile-error-phone.png")
    assert MerchantProfile.objects.get(user__email="cordonnier@exemple.fr").postcode == ""


def test_an_editor_previews_a_draft_with_the_apps_module_renderer(live_server, browser_page):
    page = browser_page
    module = ModulePage.objects.get(slug="rgpd-les-bases").get_latest_revision_as_object()
    module.title = "RGPD : les bases (brouillon)"
    preview = module.create_page_preview()
    steps = sum(1 for block in module.body if block.block_type == "step")

    response = page.goto(f"{live_server.url}/preview/?content_type=cms.modulepage&token={preview.token}")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"  # the admin frames it
    page.get_by_role("heading", level=1, name="RGPD : les bases (brouillon)").wait_for()
    assert page.get_by_text("Aperçu du brouillon").is_visible()
    assert page.locator(".step").count() == steps >= 3
    assert page.get_by_role("button", name="Étape faite").count() == 0  # nothing to record in a preview
    screenshot(page, "client-preview-desktop.png")

    page.goto(f"{live_server.url}/preview/?content_type=cms.modulepage&token=id=1:forged")
    page.get_by_role("heading", name="Aperçu expiré").wait_for()
