"""/healthz: whether this app server can serve, and what is degraded, for a load balancer.

It answers 200 while the database answers (503 when it does not), and says
how the cache is: "ok", "unreachable" (Redis is away: pages are served
without it) or "local" (each process's own memory, no Redis configured);
and how purges reach the edge caches (Varnish): "not configured", "ok", or
the address that fails and why. It never reads or fills the page cache,
and nothing may keep its answer.
"""

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from newsroom import edge


def database_answers() -> bool:
    try:
        connection.ensure_connection()
        return connection.is_usable()
    except DatabaseError:
        return False


def cache_state() -> str:
    backend = caches["default"]
    if not hasattr(backend, "ping"):
        return "local"
    return "ok" if backend.ping() else "unreachable"


@never_cache
def healthz(request):
    serving = database_answers()
    report = {
        "serving": serving,
        "database": "ok" if serving else "unreachable",
        "cache": cache_state(),
        "edge_purges": edge.purger.state(),
    }
    return JsonResponse(report, status=200 if serving else 503)
