from articles.site import addresses


class LegacyAddressMiddleware:
    """Answer a request for an old address, or for a withdrawn article, that would otherwise be a 404.

    An address an article had (on the old site, or here before its slug or
    date changed) redirects permanently to where the article is now; the
    address of an article that was withdrawn answers 410 Gone (addresses.py).
    Only a request that would otherwise be a 404 is looked up, so public
    pages pay nothing for it, and an address another public article took over
    serves that article.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        return addresses.answer(request) or response
