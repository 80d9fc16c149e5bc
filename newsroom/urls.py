from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from newsroom.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("editor/", include("articles.desk.editor_urls")),
    path("", include("articles.site.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_CEILING:
    # What Django serves when a view does nothing: the benchmark's ceiling.
    urlpatterns.insert(0, path("bench/ceiling/", lambda request: HttpResponse(b"ceiling\n")))
