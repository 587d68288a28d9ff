"""Writes about the catalogue made from the admin (the loader has its own: cms/content_loading.py)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cms.models import ContentVersion, ModulePage, SourceCheck, Theme, ThemePage


def bump_content_version() -> None:
    """Published content changed (cms/signals.py calls this): every catalogue ETag and cached render changes.

    One UPDATE inside the caller's transaction, so readers see the new number exactly when they can see the
    new content."""
    if not ContentVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now()):
        ContentVersion.objects.get_or_create(pk=1)


class UnknownSource(LookupError):
    """The module has no source with that key (any more)."""


@transaction.atomic
def mark_source_rechecked(*, module: ModulePage, source_key: str, user) -> SourceCheck:
    """Someone re-read a source and confirmed it: record who and when, and date the source today.

    The date goes into a new revision made by `user` (so the page history shows it); that revision is
    published when the module was live with no pending draft, else it joins the draft editors will publish.
    """
    module = ModulePage.objects.select_for_update().get(pk=module.pk)
    had_pending_draft = module.has_unpublished_changes
    draft = module.get_latest_revision_as_object()
    sources = list(draft.sources.all())
    source = next((s for s in sources if s.key == source_key), None)
    if source is None:
        raise UnknownSource(source_key)
    today = timezone.localdate()
    source.checked_on = today
    draft.sources = sources
    draft.facts_checked_on = min(s.checked_on for s in sources)
    revision = draft.save_revision(user=user, log_action=True)
    if module.live and not had_pending_draft:
        revision.publish(user=user)
    return SourceCheck.objects.create(module=module, source_key=source.key, source_url=source.url, checked_by=user)


@transaction.atomic
def align_theme_with_parent(*, module: ModulePage, user) -> Theme | None:
    """After a move: give the module its new theme page's theme (a new revision, published if the module was
    live without a pending draft). Returns the new theme, or None when nothing had to change."""
    module = ModulePage.objects.select_for_update().get(pk=module.pk)
    parent = module.get_parent().specific
    if not isinstance(parent, ThemePage):
        return None
    draft = module.get_latest_revision_as_object()
    if module.theme_id == parent.theme_id and draft.theme_id == parent.theme_id:
        return None
    had_pending_draft = module.has_unpublished_changes
    draft.theme = parent.theme
    revision = draft.save_revision(user=user, log_action=True)
    if module.live and not had_pending_draft:
        revision.publish(user=user)
    else:  # the live page's theme follows the tree now; the draft carries it too
        ModulePage.objects.filter(pk=module.pk).update(theme=parent.theme)
    return parent.theme
