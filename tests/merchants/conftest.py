"""Merchants for the merchant API tests: each one signed in through its own APIClient."""

import itertools
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from merchants import services
from merchants.models import MerchantProfile

PASSWORD = "Sardines-du-Vieux-Port-2026"
_numbers = itertools.count(1)


@dataclass
class SignedInMerchant:
    email: str
    profile: MerchantProfile
    tokens: services.IssuedTokens
    client: APIClient


@pytest.fixture(autouse=True)
def _generous_auth_throttle(settings):
    """Sign-in is throttled per IP and every test client shares one; the throttle test sets its own rate."""
    settings.MERCHANT_AUTH = {**getattr(settings, "MERCHANT_AUTH", {}), "THROTTLE_RATE": "10000/minute"}


@pytest.fixture
def make_merchant(db):
    def make(email: str | None = None, *, consent: bool = True) -> SignedInMerchant:
        email = email or f"commerce{next(_numbers)}@exemple.fr"
        tokens = services.register_merchant(email=email, password=PASSWORD, personalisation_consent=consent)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
        profile = MerchantProfile.objects.get(user__username=email)
        return SignedInMerchant(email=email, profile=profile, tokens=tokens, client=client)

    return make


@pytest.fixture
def merchant(make_merchant) -> SignedInMerchant:
    return make_merchant("boulangerie.martin@exemple.fr")


@pytest.fixture
def other_merchant(make_merchant) -> SignedInMerchant:
    return make_merchant("fleurs.dupont@exemple.fr")


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("edith@eleasud.fr", "edith@eleasud.fr", PASSWORD)
