"""The unsubscribe page of the non-essential mission e-mails (reminders, rating requests). The link carries a
signed token; a GET only shows the question (mail scanners follow links), the POST records the choice."""

from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from missions import notifications, services


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = notifications.user_for_unsubscribe_token(token)
    if user is None:
        raise Http404("Lien de désabonnement invalide.")
    done = request.method == "POST"
    if done:
        services.set_email_preferences(user=user, reminders=False)
    return TemplateResponse(request, "missions/unsubscribe.html", {"done": done})
