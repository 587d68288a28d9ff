"""Background tasks of the notifications app: delivering e-mail, with retries when SMTP fails."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from notifications.services import build_message

logger = logging.getLogger(__name__)

# What a mail server that is down, refusing or timing out raises. Anything else (a missing template,
# a bad address) is a bug: retrying would not help, so the task fails and the worker logs it.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


@task(backend="background", queue_name="email")
def deliver_email(
    *, recipients: list[str], template: str, context: dict[str, Any], unsubscribe_url: str = "", attempt: int = 0
) -> str:
    message = build_message(recipients=recipients, template=template, context=context, unsubscribe_url=unsubscribe_url)
    try:
        message.send()
    except TRANSIENT_ERRORS as error:
        delays = settings.EMAIL_RETRY_DELAYS
        if attempt >= len(delays):
            logger.error("E-mail %s not delivered after %d attempts: %s", template, attempt + 1, error)
            raise
        delay = delays[attempt]
        logger.warning("E-mail %s not delivered (%s); retry %d in %ss", template, error, attempt + 1, delay)
        deliver_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            recipients=recipients,
            template=template,
            context=context,
            unsubscribe_url=unsubscribe_url,
            attempt=attempt + 1,
        )
        return "retry scheduled"
    return "sent"
