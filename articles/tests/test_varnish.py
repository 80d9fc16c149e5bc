"""The VCL (deploy/varnish/newsroom.vcl) in a real varnishd, in front of a stand-in app server.

The stand-in answers every path with the headers a test chose (by default a
public page with a key named after its path) and counts what it was asked.
Tests share one varnishd and use paths of their own; what they check is what a
client sees and what reached the app.
"""

import gzip
import http.client
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.tests.edge import free_port

PUBLIC = "public, max-age=60, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400"
# A page kept a second, with no stale copy while the app answers (as near a scheduled publication).
SHORT = "public, s-maxage=1, stale-if-error=86400"


class Backend:
    """A stand-in app server on 127.0.0.1:`port`; stop() and start() again keep the port."""

    def __init__(self):
        self.port = free_port()
        self.headers = {}  # path → the headers it answers with
        self.status = {}  # path → the status it answers with (200)
        self.requests = []  # (method, path with query, headers) of each request Varnish passed on
        self.server = None

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, headers: dict, *, status: int = 200) -> str:
        """Answer `path` with `status` and these headers instead of a public page keyed key_of(path)."""
        self.status[path] = status
        self.headers[path] = headers
        return path

    def seen(self, path: str) -> list:
        """The requests for `path` (with its query) that reached the app."""
        return [request for request in self.requests if request[1] == path]

    def handler(self):
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if "X-Forwarded-For" in self.headers:  # not the probe, which is Varnish's own
                    backend.requests.append((self.command, self.path, self.headers))
                length = int(self.headers.get("Content-Length") or 0)
                body = f"{self.command} {self.path} #{len(backend.requests)} {self.rfile.read(length)!r}"
                path = self.path.partition("?")[0]
                headers = backend.headers.get(path, {"Cache-Control": PUBLIC, "xkey": f"{key_of(path)} all"})
                self.send_response(backend.status.get(path, 200))
                for name, value in {"Surrogate-Key": headers.get("xkey", ""), **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body.encode())))
                self.end_headers()
                self.wfile.write(body.encode())

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

            def log_message(self, *args):
                pass

        return Handler


def fetch(edge, path: str, method: str = "GET", *, body=None, raw=False, **headers) -> tuple[int, dict, str]:
    """Ask Varnish: the status, headers (lower-case names) and body (bytes if `raw`) the client
    gets. Headers are given as keyword arguments (X_Forwarded_Host=…); None sends none."""
    sent = {name.replace("_", "-"): value for name, value in headers.items() if value is not None}
    connection = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return (
        response.status,
        {k.lower(): v for k, v in response.getheaders()},
        content if raw else content.decode(),
    )


def unique(name: str) -> str:
    """A path no other test asks for."""
    return f"/{name}/{uuid.uuid4().hex[:8]}/"


def key_of(path: str) -> str:
    """The key of the stand-in's public page at `path`."""
    return "p" + path.strip("/").replace("/", "-")


@pytest.fixture(scope="module")
def backend():
    backend = Backend()
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def edge(varnish, backend):
    with varnish(backend.port, probe_interval="100ms") as edge:
        yield edge


def test_an_anonymous_page_is_fetched_once_then_served_from_the_cache(edge, backend):
    path = unique("page")
    first = fetch(edge, path)
    second = fetch(edge, path)
    head = fetch(edge, path, "HEAD")
    assert first[0] == second[0] == head[0] == 200
    assert (first[1]["x-cache"], second[1]["x-cache"], head[1]["x-cache"]) == ("miss", "hit", "hit")
    assert second[2] == first[2]
    assert "age" in second[1]
    assert len(backend.seen(path)) == 1


def test_surrogate_keys_stay_in_varnish(edge):
    _status, headers, _body = fetch(edge, unique("keys"))
    assert "xkey" not in headers
    assert "surrogate-key" not in headers


@pytest.mark.parametrize("cookie", ["sessionid=abc", "_ga=1; csrftoken=xyz", "csrftoken=xyz;sessionid=abc"])
def test_a_session_or_csrf_cookie_passes_and_nothing_is_kept(edge, backend, cookie):
    path = unique("personal")
    for _ in range(2):
        status, headers, _body = fetch(edge, path, Cookie=cookie)
        assert (status, headers["x-cache"]) == (200, "miss")
    assert [request[2]["Cookie"] for request in backend.seen(path)] == [cookie, cookie]
    assert fetch(edge, path)[1]["x-cache"] == "miss"
    assert fetch(edge, path)[1]["x-cache"] == "hit"


def test_other_cookies_are_dropped_and_share_the_page(edge, backend):
    path = unique("analytics")
    assert fetch(edge, path, Cookie="_ga=GA1.1.1; _gid=2")[1]["x-cache"] == "miss"
    assert fetch(edge, path, Cookie="_ga=GA1.1.9; mysessionid=3")[1]["x-cache"] == "hit"
    assert fetch(edge, path)[1]["x-cache"] == "hit"
    [(_method, _path, headers)] = backend.seen(path)
    assert "Cookie" not in headers


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/login/?next=/admin/", "/editor/1/", "/markdownx/upload/", "/preview/9/", "/healthz"],
)
def test_the_desk_previews_and_health_are_never_kept(edge, backend, path):
    before = len(backend.seen(path))
    for _ in range(2):
        status, headers, _body = fetch(edge, path)
        assert (status, headers["x-cache"]) == (200, "miss")
    assert len(backend.seen(path)) == before + 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "private, max-age=600"},
        {"Cache-Control": "no-store"},
        {"Cache-Control": "no-cache"},
        {"Cache-Control": "max-age=0"},
        {"Cache-Control": PUBLIC, "Set-Cookie": "csrftoken=abc; Path=/"},
    ],
    ids=["private", "no-store", "no-cache", "max-age=0", "set-cookie"],
)
def test_a_response_the_app_says_not_to_keep_is_not_kept(edge, backend, headers):
    path = backend.answer(unique("unkept"), headers)
    for _ in range(2):
        assert fetch(edge, path)[1]["x-cache"] == "miss"
    assert len(backend.seen(path)) == 2


def test_tracking_parameters_are_dropped_and_the_rest_sorted(edge, backend):
    path = unique("campaign")
    first = fetch(edge, f"{path}?utm_source=news&q=tokyo&FBCLID=x&page=2&gclid=y&utm_medium=mail")
    again = [
        fetch(edge, f"{path}?page=2&q=tokyo"),
        fetch(edge, f"{path}?q=tokyo&page=2&msclkid=1"),
        fetch(edge, f"{path}?_ga=1&page=2&q=tokyo&mc_cid=3&"),
    ]
    assert first[1]["x-cache"] == "miss"
    assert [response[1]["x-cache"] for response in again] == ["hit", "hit", "hit"]
    assert [request[1] for request in backend.requests if request[1].startswith(path)] == [
        f"{path}?page=2&q=tokyo"
    ]
    assert fetch(edge, f"{path}?utm_campaign=spring")[1]["x-cache"] == "miss"
    assert backend.seen(path), "a page with nothing but tracking parameters is asked for bare"


def test_forwarding_headers_from_clients_never_reach_the_app(edge, backend):
    forged = {"X_Forwarded_Host": "evil.example", "X_Forwarded_Port": "444", "Forwarded": "host=evil.example"}
    cached, passed = unique("forwarded"), "/admin/forwarded/"
    fetch(edge, cached, **forged)
    fetch(edge, passed, **forged, Cookie="sessionid=abc")
    for path in (cached, passed):
        [(_method, _path, headers)] = backend.seen(path)
        assert not {"X-Forwarded-Host", "X-Forwarded-Port", "Forwarded"} & set(headers.keys())


def test_http_and_https_pages_are_kept_apart(edge):
    path = unique("scheme")
    assert fetch(edge, path)[1]["x-cache"] == "miss"
    assert fetch(edge, path, X_Forwarded_Proto="https")[1]["x-cache"] == "miss"
    assert fetch(edge, path, X_Forwarded_Proto="https")[1]["x-cache"] == "hit"


def test_one_compressed_copy_serves_every_client(edge, backend):
    path = backend.answer(
        unique("gzip"), {"Cache-Control": PUBLIC, "Content-Type": "text/html; charset=utf-8"}
    )
    status, headers, body = fetch(edge, path, Accept_Encoding="gzip, deflate, br", raw=True)
    assert (status, headers["x-cache"], headers["content-encoding"]) == (200, "miss", "gzip")
    page = gzip.decompress(body).decode()
    assert page.startswith(f"GET {path}")
    for accepted in ("br;q=1.0, gzip;q=0.8", "br", None):
        status, headers, body = fetch(edge, path, Accept_Encoding=accepted, raw=True)
        plain = "content-encoding" not in headers
        assert (headers["x-cache"], plain) == ("hit", accepted != "br;q=1.0, gzip;q=0.8")
        assert (body if plain else gzip.decompress(body)).decode() == page
    assert len(backend.seen(path)) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_pass(edge, backend, method):
    path = unique("form")
    for _ in range(2):
        status, headers, body = fetch(edge, path, method, body="q=1")
        assert (status, headers["x-cache"]) == (200, "miss")
        assert body.startswith(method) and body.endswith("b'q=1'")
    assert len(backend.seen(path)) == 2


def test_a_purge_drops_exactly_the_pages_with_its_keys(edge, backend):
    key, other = f"article-{uuid.uuid4().hex[:8]}", f"home-{uuid.uuid4().hex[:8]}"
    both = backend.answer(unique("both"), {"Cache-Control": PUBLIC, "xkey": f"{key} {other} all"})
    keyed = backend.answer(unique("keyed"), {"Cache-Control": PUBLIC, "xkey": f"{key} all"})
    unrelated = backend.answer(unique("unrelated"), {"Cache-Control": PUBLIC, "xkey": f"{other} all"})
    pages = (both, keyed, unrelated)
    before = {path: fetch(edge, path)[2] for path in pages}

    status, headers, body = fetch(edge, "/", "PURGE", xkey_purge=key)

    assert (status, headers["x-purged"], body.strip()) == (200, "2", "2")
    after = {path: fetch(edge, path) for path in pages}
    assert [after[path][1]["x-cache"] for path in pages] == ["miss", "miss", "hit"]
    assert after[both][2] != before[both]
    assert after[unrelated][2] == before[unrelated]


def test_a_purge_takes_several_keys(edge):
    paths = [unique("several") for _ in range(3)]
    for path in paths:
        fetch(edge, path)
    keys = " ".join(key_of(path) for path in paths[:2])
    assert fetch(edge, "/any/path/", "PURGE", xkey_purge=keys)[1]["x-purged"] == "2"
    assert [fetch(edge, path)[1]["x-cache"] for path in paths] == ["miss", "miss", "hit"]


def test_a_purge_without_keys_is_refused(edge):
    status, headers, _body = fetch(edge, "/", "PURGE")
    assert status == 400
    assert "x-purged" not in headers


def test_a_purge_from_outside_the_acl_is_refused(varnish, backend):
    path = unique("guarded")
    with varnish(backend.port, purgers=("192.0.2.1", "198.51.100.0/24")) as guarded:
        fetch(guarded, path)
        status, headers, _body = fetch(guarded, "/", "PURGE", xkey_purge="all")
        assert status == 403
        assert "x-purged" not in headers
        assert fetch(guarded, path)[1]["x-cache"] == "hit"


def test_a_stale_page_is_served_while_a_new_one_is_fetched(edge, backend):
    path = backend.answer(
        unique("revalidate"), {"Cache-Control": "public, s-maxage=1, stale-while-revalidate=30"}
    )
    first = fetch(edge, path)
    time.sleep(1.2)
    stale = fetch(edge, path)
    assert (stale[0], stale[1]["x-cache"], stale[2]) == (200, "hit", first[2])
    _wait_for(lambda: len(backend.seen(path)) == 2)
    _wait_for(lambda: fetch(edge, path)[2] != first[2])


def test_without_stale_while_revalidate_an_expired_page_is_fetched_again(edge, backend):
    path = backend.answer(unique("scheduled"), {"Cache-Control": SHORT})
    first = fetch(edge, path)
    time.sleep(1.2)
    status, headers, body = fetch(edge, path)
    assert (status, headers["x-cache"]) == (200, "miss")
    assert body != first[2]


def test_a_stale_page_is_served_when_the_app_fails(edge, backend):
    path = backend.answer(unique("failing"), {"Cache-Control": SHORT})
    first = fetch(edge, path)
    time.sleep(1.2)
    backend.status[path] = 500
    for _ in range(2):
        status, headers, body = fetch(edge, path)
        assert (status, headers["x-cache"], body) == (200, "hit", first[2])
    backend.status[path] = 200
    assert fetch(edge, path)[2] != first[2]


def test_an_uncached_page_shows_the_apps_error(edge, backend):
    path = backend.answer(unique("broken"), {"Cache-Control": "no-cache"}, status=500)
    status, _headers, body = fetch(edge, path)
    assert status == 500
    assert body.startswith(f"GET {path}")


def test_pages_are_served_from_the_cache_while_the_app_is_down(varnish):
    app = Backend()
    app.start()
    with varnish(app.port, probe_interval="1s") as down:
        short = app.answer("/short/", {"Cache-Control": SHORT})
        revalidated = app.answer(
            "/revalidated/", {"Cache-Control": "public, s-maxage=1, stale-while-revalidate=30"}
        )
        pages = {path: fetch(down, path)[2] for path in (short, revalidated, "/long/")}
        time.sleep(1.2)
        app.stop()
        # The probe has not seen it yet (it needs two failures): the refresh fails, the copy is served.
        status, headers, body = fetch(down, short)
        assert (status, headers["x-cache"], body) == (200, "hit", pages[short])
        down.wait_for_backend("sick")
        for path, body in pages.items():
            status, headers, served = fetch(down, path)
            assert (status, headers["x-cache"], served) == (200, "hit", body)
        assert fetch(down, "/never-fetched/")[0] == 503


def _wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within 5 s"
        time.sleep(0.05)
