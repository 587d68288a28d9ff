"""E-mail goes through the real task queue: queued in the caller's transaction, sent by the worker,
retried while the mail server is down, delivered once it is back."""

import socket
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core import mail
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox(Message):
    """A real SMTP server's mailbox: what arrived over the wire."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def test_nothing_is_sent_until_the_worker_runs_then_one_french_message_arrives(run_task_worker):
    call_command("send_test_email", "gerante@exemple.fr", stdout=StringIO())

    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_task_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gerante@exemple.fr"]
    assert message.subject == "Message de test de EleaSud"
    assert "la file de tâches et le serveur de messagerie fonctionnent" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_bad_address_is_refused_by_the_command_naming_it():
    with pytest.raises(CommandError, match="address: 'pas-une-adresse'"):
        call_command("send_test_email", "pas-une-adresse")
    assert not DBTaskResult.objects.exists()


def test_a_message_is_retried_while_smtp_is_down_and_delivered_once_it_is_back(settings, run_task_worker):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_RETRY_DELAYS = [0, 0, 0]
    call_command("send_test_email", "boulanger@exemple.fr", stdout=StringIO())

    run_task_worker(max_tasks=1)  # the server is down: connection refused

    assert DBTaskResult.objects.filter(status="READY").count() == 1, "the failed delivery was queued again"

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        run_task_worker()
    finally:
        server.stop()

    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "boulanger@exemple.fr"
    assert inbox.messages[0]["Subject"] == "Message de test de EleaSud"
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_after_the_last_retry_the_task_is_marked_failed_not_dropped(settings, run_task_worker):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.EMAIL_RETRY_DELAYS = [0]
    call_command("send_test_email", "fleuriste@exemple.fr", stdout=StringIO())

    run_task_worker()

    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL"]  # the first attempt scheduled a retry; the retry failed for good
