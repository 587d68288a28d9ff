"""What raises the content version (cms.models.ContentVersion), connected in CmsConfig.ready.

- Every page action Wagtail logs (publish, unpublish, move, delete, copy, revision, privacy change): a new
  `PageLogEntry` row. The loader and the admin both go through these actions.
- Any page row deleted by other code (the shell, a cascade).
- Taxonomy terms and the diagnostic (questionnaires, bands, questions, answers and their many-to-many fields),
  saved or deleted.

Queryset `.update()` calls send no signal: code that writes published content that way must also call
`cms.services.bump_content_version()` (the admin's move fix-up logs a revision first, which is enough).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save


def _bump(**kwargs):
    from cms.services import bump_content_version

    if kwargs.get("raw"):
        return  # fixtures being loaded: the row comes with them
    bump_content_version()


def _bump_on_new_log_entry(created=False, **kwargs):
    if created:
        _bump(**kwargs)


def connect():
    from wagtail.models import PageLogEntry, get_page_models

    from cms.models import (
        Capability,
        DiagnosticAnswer,
        DiagnosticQuestion,
        DiagnosticQuestionnaire,
        Goal,
        Level,
        MaturityBand,
        Sector,
        Theme,
    )

    post_save.connect(_bump_on_new_log_entry, sender=PageLogEntry, dispatch_uid="cms.version.page_log")
    for model in get_page_models():
        post_delete.connect(_bump, sender=model, dispatch_uid=f"cms.version.delete.{model._meta.label_lower}")
    for model in (
        Theme,
        Sector,
        Goal,
        Capability,
        Level,
        DiagnosticQuestionnaire,
        MaturityBand,
        DiagnosticQuestion,
        DiagnosticAnswer,
    ):
        label = model._meta.label_lower
        post_save.connect(_bump, sender=model, dispatch_uid=f"cms.version.save.{label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"cms.version.delete.{label}")
    for through in (DiagnosticQuestion.excluded_sectors.through, DiagnosticAnswer.capabilities.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"cms.version.m2m.{through._meta.label_lower}")
