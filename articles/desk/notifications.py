"""E-mail the people an editorial step concerns, once it has been committed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

# action -> whom it concerns: the desk (editors) or the article's own writers
AUDIENCE = {"submit": "editors", "request_changes": "writers", "approve": "writers", "publish": "writers"}


def editors():
    can_review = Q(groups__permissions__codename="review_article") | Q(
        user_permissions__codename="review_article"
    )
    return get_user_model().objects.filter(Q(is_superuser=True) | can_review, is_active=True).distinct()


def writers(article):
    users = [article.created_by] + [author.user for author in article.byline() if author.user_id]
    return [user for user in users if user and user.is_active]


def send_for(event) -> int:
    """Mail the people `event` concerns (never its actor); return how many were sent."""
    audience = AUDIENCE.get(event.action)
    if audience is None or event.via != "admin":
        return 0  # an import or a command is nobody's news
    article = event.article
    people = editors() if audience == "editors" else writers(article)
    addresses = sorted({user.email for user in people if user.email and user != event.actor})
    if not addresses:
        return 0
    link = settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])
    subject = _("[%(site)s] “%(title)s”: %(status)s") % {
        "site": settings.SITE_NAME,
        "title": " ".join(article.title.split()),  # a header is one line
        "status": article.get_status_display(),
    }
    lines = [
        _("%(who)s: %(action)s.")
        % {"who": event.actor or _("Someone"), "action": event.get_action_display()},
        event.comment,
        link,
    ]
    body = "\n\n".join(line for line in lines if line)
    return send_mass_mail([(subject, body, None, [address]) for address in addresses])
