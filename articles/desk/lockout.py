"""django-axes: whose address a login comes from, and what a person sees when it is refused."""

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """A 429 page that says why and for how long, in the person's language."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


def client_address(request) -> str:
    """The visitor's address: behind our proxy, the last one it appended to X-Forwarded-For.

    gunicorn gives the proxy's own address as REMOTE_ADDR: every visitor would share it, and
    five wrong passwords from anyone would lock an account out for everyone. Addresses
    earlier in the header are the client's own say, so only the last is trusted.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
