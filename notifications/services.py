"""Sending e-mail: every message is rendered from French templates and delivered by the task queue.

A request never talks to SMTP. `send_templated_email` only enqueues a task on the background backend
(the database queue by default): the task row is written in the caller's transaction, so a message is
queued exactly when the write that caused it commits, and it survives a stopped worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(
    *,
    to: str | Sequence[str],
    template: str,
    context: Mapping[str, Any] | None = None,
    unsubscribe_url: str = "",
) -> None:
    """Queue one e-mail built from `<template>.subject.txt`, `<template>.txt` and `<template>.html`.

    `template` is a template path without extension, e.g. "merchants/emails/password_reset".
    `context` must be JSON-serialisable (it is stored with the task until the worker renders it).
    `unsubscribe_url` marks a non-essential message: its footer and its List-Unsubscribe header offer it.
    """
    from notifications.tasks import deliver_email

    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    deliver_email.enqueue(
        recipients=recipients,
        template=template,
        context=dict(context or {}),
        unsubscribe_url=unsubscribe_url,
        attempt=0,
    )


def build_message(
    *, recipients: Sequence[str], template: str, context: Mapping[str, Any], unsubscribe_url: str = ""
) -> EmailMultiAlternatives:
    """Render the three templates into one multipart message (text first, HTML alternative)."""
    full_context = {
        **context,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe_url,
    }
    subject = " ".join(render_to_string(f"{template}.subject.txt", full_context).split())
    text = render_to_string(f"{template}.txt", full_context)
    html = render_to_string(f"{template}.html", full_context)
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>"} if unsubscribe_url else {}
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(recipients),
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
