"""The site's own pages (about, contact…) and its web app manifest."""

from django.conf import settings
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.generic import DetailView

from articles import keys
from articles.models import SitePage

# The manifest's colours: the logo's blue for an installed site's title bar, the page's white behind
# its icon while it starts.
THEME_COLOR, BACKGROUND_COLOR = "#0b3c6e", "#ffffff"


class SitePageView(DetailView):
    model = SitePage
    context_object_name = "site_page"
    template_name = "articles/site_page.html"

    def get_object(self, queryset=None):
        page = super().get_object(queryset)
        keys.shows(self.request, keys.site_page(page.pk))
        return page


def manifest(request):
    """The web app manifest: what a phone shows of the site added to its home screen."""
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        # Full bleed, the letter within the circle a launcher may cut it to.
        {
            "src": static("img/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    home = reverse("articles:home")
    return JsonResponse(
        {
            "name": settings.SITE_NAME,
            "short_name": settings.SITE_NAME,
            "lang": get_language(),
            "id": home,
            "start_url": home,
            "scope": home,
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": icons,
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
