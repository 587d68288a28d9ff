"""Background work about merchants, run by the task queue (django-tasks; see docs/ARCHITECTURE.md).

Arguments are JSON values (ids, addresses), never model instances: a task may run minutes later, elsewhere."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from merchants import services

logger = logging.getLogger(__name__)


@task()
def send_password_reset_email(*, email: str, base_url: str) -> bool:
    """Sends the reset link if the address belongs to a merchant; an unknown address gets nothing."""
    user = services.merchant_for_email(email)
    if user is None:
        logger.info("password reset asked for an address without a merchant account")
        return False
    context = {
        "link": services.password_reset_link(user=user, base_url=base_url),
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    message = EmailMultiAlternatives(
        subject="EleaSud : choisir un nouveau mot de passe",
        body=render_to_string("merchants/email/password_reset.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("merchants/email/password_reset.html", context), "text/html")
    message.send()
    logger.info("password reset e-mail sent user_id=%s", user.pk)
    return True
