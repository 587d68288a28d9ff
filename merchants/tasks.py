"""Background work about merchants, on the project's task queue (see notifications/ and docs/ARCHITECTURE.md).

Arguments are JSON values (addresses, URLs), never model instances: a task may run minutes later, elsewhere."""

import logging

from django.conf import settings
from django_tasks import task

from merchants import services
from notifications.services import send_templated_email

logger = logging.getLogger(__name__)


@task(backend="background", queue_name="email")
def send_password_reset_email(*, email: str, base_url: str) -> bool:
    """Queues the reset e-mail if the address belongs to a merchant; an unknown address gets nothing.

    Deciding here rather than in the request keeps the request's answer and timing the same for every address.
    Delivery (with its SMTP retries) is notifications' `deliver_email`."""
    user = services.merchant_for_email(email)
    if user is None:
        logger.info("password reset asked for an address without a merchant account")
        return False
    send_templated_email(
        to=user.email,
        template="merchants/emails/password_reset",
        context={
            "link": services.password_reset_link(user=user, base_url=base_url),
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
    )
    logger.info("password reset e-mail queued user_id=%s", user.pk)
    return True
