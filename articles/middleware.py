from django.http import HttpResponsePermanentRedirect

from .models import LegacyAddress


class LegacyAddressMiddleware:
    """Send a request for an old site's address on to the article now there.

    Only a request that would otherwise be a 404 is looked up, so public pages
    pay nothing for it. The article's current address is used, so a later
    change of slug or date does not break the old link.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        legacy = (
            LegacyAddress.objects.select_related("article")
            .filter(path=LegacyAddress.normalize(request.path))
            .first()
        )
        if legacy is None or not legacy.article.is_public:
            return response
        return HttpResponsePermanentRedirect(legacy.article.get_absolute_url())
