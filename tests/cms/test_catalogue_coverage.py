"""The catalogue is large enough to publish, and every sector has its own path (issue 10, section 3)."""

import pytest
from django.db.models import Count

from cms.models import ModulePage, ModuleRelation, Sector

pytestmark = pytest.mark.django_db

# A module "written for" a sector targets it among at most this many sectors; an empty list means "every sector"
# and does not count: a generic module does not use a plumber's or a hotelier's vocabulary.
MAX_SECTORS_OF_A_SECTOR_MODULE = 3
MIN_SECTOR_MODULES = 3
MIN_PUBLISHED_MODULES = 90


def sector_specific_modules():
    return (
        ModulePage.objects.live()
        .annotate(n_sectors=Count("target_sectors", distinct=True))
        .filter(n_sectors__gte=1, n_sectors__lte=MAX_SECTORS_OF_A_SECTOR_MODULE)
    )


def test_the_catalogue_publishes_at_least_ninety_modules():
    assert ModulePage.objects.live().count() >= MIN_PUBLISHED_MODULES


def test_every_sector_has_at_least_three_modules_written_for_it():
    specific = sector_specific_modules()
    short = {}
    for sector in Sector.objects.all():
        slugs = list(specific.filter(target_sectors=sector).values_list("slug", flat=True))
        if len(slugs) < MIN_SECTOR_MODULES:
            short[sector.slug] = slugs
    assert not short, f"sectors with fewer than {MIN_SECTOR_MODULES} modules written for them: {short}"


def test_a_sector_path_starts_somewhere_a_beginner_can_start():
    """Each sector's own modules include one a merchant can open first: beginner level, nothing required."""
    specific = sector_specific_modules()
    without_entry = [
        sector.slug
        for sector in Sector.objects.all()
        if not specific.filter(
            target_sectors=sector, level__slug="debutant", capabilities_required__isnull=True
        ).exists()
    ]
    assert not without_entry, f"sectors whose own modules all need a prerequisite or a higher level: {without_entry}"


def test_each_sector_path_links_its_own_modules_together():
    """First, next, then: a sector's own modules point to one another through their related modules."""
    specific = sector_specific_modules()
    unlinked = {}
    for sector in Sector.objects.all():
        own = set(specific.filter(target_sectors=sector).values_list("pk", flat=True))
        links = ModuleRelation.objects.filter(module_id__in=own, related_module_id__in=own).count()
        if links < 2:
            unlinked[sector.slug] = links
    assert not unlinked, f"sectors whose own modules link to each other fewer than twice: {unlinked}"
