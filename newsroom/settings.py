"""Newsroom settings: one file, read from the environment.

Development defaults are safe (SQLite, local-memory cache, DEBUG off unless
asked for); production is the same file with other environment variables.
Every variable is listed in the README.
"""

import os
import re
import struct
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# Each variable is read once, here. A value that means one thing is taken (in any case, with
# spaces around it); anything else stops the start with one line that names the variable and says
# what it takes, rather than a traceback from deep inside Django or a silent default.
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def refuse(name: str, value: str, accepted: str):
    shown = re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", value)  # a password stays out of logs
    raise ImproperlyConfigured(f"{name}={shown!r} is not valid: {name} takes {accepted}.")


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return default if value == "" else False
    return refuse(name, value, "1, true, yes or on, or 0, false, no, off or nothing")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value == "":
        return default
    if not value.isdigit():
        return refuse(name, value, f"a whole number of 0 or more (by default {default})")
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env(name) or default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    return refuse(name, value, f"one of {', '.join(choices)} (in any case)")


def database(default: str) -> dict:
    """DATABASE_URL as Django's DATABASES entry: PostgreSQL or SQLite, or a clear refusal."""
    value = env("DATABASE_URL") or default
    accepted = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///PATH"
    try:
        config = dj_database_url.parse(
            value, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except ValueError:
        return refuse("DATABASE_URL", value, accepted)
    usable = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
    if config["ENGINE"] not in usable or not config["NAME"]:
        return refuse("DATABASE_URL", value, accepted)
    return config


def redis_url() -> str:
    """REDIS_URL, if set: a redis://, rediss:// or unix:// address, or a clear refusal."""
    value = env("REDIS_URL")
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or not (
        (parts.scheme in {"redis", "rediss"} and parts.hostname) or (parts.scheme == "unix" and parts.path)
    ):
        return refuse("REDIS_URL", value, "redis://HOST:6379/0, rediss://HOST:6380/0 or unix:///PATH")
    return value


def logo_size(value: str, folders: list[Path]) -> tuple[int, int]:
    """SITE_LOGO's width and height: a PNG's, or an SVG's (its width and height, else its viewBox's),
    the file found under one of `folders`; else a clear refusal. The masthead gives them to its <img>,
    so that the page does not move when the logo arrives."""
    accepted = (
        "a .svg or .png file under static/ whose size can be read (an SVG's width and height, or its "
        "viewBox), such as img/logo.svg, or nothing for the name in text"
    )
    relative = Path(value)
    kind = relative.suffix.lower()
    found = [folder / relative for folder in folders if (folder / relative).is_file()]
    if relative.is_absolute() or ".." in relative.parts or kind not in {".svg", ".png"} or not found:
        return refuse("SITE_LOGO", value, accepted)
    size = png_size(found[0]) if kind == ".png" else svg_size(found[0])
    return size or refuse("SITE_LOGO", value, accepted)


def png_size(path: Path) -> tuple[int, int] | None:
    head = path.read_bytes()[:24]
    if not head.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return struct.unpack(">II", head[16:24])  # the IHDR chunk, always first


def svg_size(path: Path) -> tuple[int, int] | None:
    try:
        root = ElementTree.parse(path).getroot()  # noqa: S314 - the operator's own file, not a visitor's
    except ElementTree.ParseError:
        return None
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        return None
    given = [root.get(side, "").strip().removesuffix("px") for side in ("width", "height")]
    box = root.get("viewBox", "").replace(",", " ").split()[2:]
    for sides in (given, box):
        size = tuple(round(float(side)) for side in sides if re.fullmatch(r"\d+(\.\d+)?", side))
        if len(size) == 2 and min(size) > 0:
            return size
    return None


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for a development-only key."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "markdownx",
    "simple_history",
    "axes",
    "articles",
]

MIDDLEWARE = [
    # Kept public pages are served here, before anything else runs: a page is kept with every
    # header the middleware below gave it (security, Content-Security-Policy, Permissions-Policy).
    "articles.caching.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag from the rendered body, 304 for a matching If-None-Match or
    # If-Modified-Since (views set Last-Modified where they know it).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Revisions record who saved them.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 404 for an article's old address becomes a 301 to it; for a withdrawn article, a 410
    # (inside the others, so that these answers carry every header a page does).
    "articles.site.middleware.LegacyAddressMiddleware",
    # Refuses logins after repeated failures (django-axes); last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers keep reading while one writer writes (WAL); a writer takes its
    # lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page's queries are small: starting parallel workers for one took longer than the query
    # (25 ms for a section's count at 100,000 articles, against a few ms without).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather=0".strip()
    # Reading a row by its index costs little more than reading it in order, with the tables in
    # memory or on SSD: PostgreSQL's default (4, for spinning disks) made the generic plan of a
    # page's bylines and tags read all 2,000 tags and 400 authors, at 100,000 articles, to find
    # the 90 it shows (1.7 against 1.2 ms a statement).
    options["options"] += " -c random_page_cost=1.1"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared Redis cache when REDIS_URL is set (several app servers), else each process's own memory.
REDIS_URL = redis_url()
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, answering as an empty cache while Redis is away (newsroom/cache.py).
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a public page may be served from the cache (0: never). Changes end it sooner.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Varnish caches in front of the site, sent each purge (newsroom/edge.py): none, none is sent.
VARNISH_PURGE_URLS = env_list("VARNISH_PURGE_URLS")
for _address in VARNISH_PURGE_URLS:
    if not (_address.startswith(("http://", "https://")) and urlsplit(_address).hostname):
        refuse(
            "VARNISH_PURGE_URLS", _address, "addresses such as http://varnish.internal:6081/, comma-separated"
        )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "ja", list(dict(LANGUAGES)))
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE") or "Asia/Tokyo"
if TIME_ZONE not in zoneinfo.available_timezones():
    refuse("TIME_ZONE", TIME_ZONE, "a zone of the IANA database, such as Asia/Tokyo or UTC")
USE_I18N = True
USE_TZ = True
# Dates and times as a news site writes them (newsroom/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "newsroom.storage.StaticStorage"},
}
# Serve files straight from the app folders too, so that a checkout works
# (and tests run) before `collectstatic`; collected files win when present.
WHITENOISE_USE_FINDERS = True

# Behind a proxy that ends TLS and says so in X-Forwarded-Proto.
# (Also: the client's address is then the last one the proxy appended to X-Forwarded-For.)
BEHIND_PROXY = env_bool("BEHIND_HTTPS_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Served over HTTPS (production, HTTPS=1): plain HTTP is redirected, browsers are told to stay
# on HTTPS, and cookies travel only over it.
if env_bool("HTTPS"):
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer asks over plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    # Both bind every subdomain, and preloading is hard to undo: each is asked for by name.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# No script but our own files, anywhere (the only script element of a public page is JSON-LD
# data, which browsers do not run). Styles may be inline for the admin's widgets; images may
# come from any HTTPS address (imported articles link their pictures).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# Admin login (django-axes): after AXES_FAILURE_LIMIT failures for one user from one address,
# that pair is refused for AXES_COOLOFF_MINUTES; logins and lockouts are logged ("axes").
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "articles.desk.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "articles.desk.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner at every start; logins and lockouts are still logged
AXES_SENSITIVE_PARAMETERS = []  # the log names the account and the address, for whoever investigates

# Newsroom
SITE_NAME = env("SITE_NAME") or "Newsroom"
# The masthead's logo: a file under static/ (an SVG or a PNG; its size is read here), or nothing
# for the name in text. Its alternative text is SITE_NAME. Unset: the one shipped, where static/ is
# (a copy of the code alone, for makemessages, has none).
STATIC_FOLDERS = [*STATICFILES_DIRS, STATIC_ROOT]
SHIPPED_LOGO = "img/logo.svg" if any((folder / "img/logo.svg").is_file() for folder in STATIC_FOLDERS) else ""
SITE_LOGO = env("SITE_LOGO", SHIPPED_LOGO)
SITE_LOGO_SIZE = logo_size(SITE_LOGO, STATIC_FOLDERS) if SITE_LOGO else None
SITE_URL = env("SITE_URL").rstrip("/")
if SITE_URL and not (SITE_URL.startswith(("https://", "http://")) and urlsplit(SITE_URL).hostname):
    refuse("SITE_URL", SITE_URL, "the public address with its scheme, such as https://news.example.com")
ARTICLES_PER_PAGE = 20
# Lists stop at this page (an OFFSET grows with the page); the archives by month reach everything.
MAX_LIST_PAGES = 50
# A search stops at this page: counting its matches reads each one's text.
MAX_SEARCH_PAGES = 25
# bench/run.py sets this to serve /bench/ceiling/: fixed bytes through the whole middleware stack.
BENCH_CEILING = bool(os.environ.get("BENCH_CEILING"))
FEED_ITEMS = 20

# Tags: ＡＩ, AI and ai are one tag (articles/tagging.py); editors separate
# tags with commas, full-width commas or 、, and may use spaces inside a name.
TAGGIT_TAGS_FROM_STRING = "articles.text.tagging.parse_tags"
TAGGIT_STRING_FROM_TAGS = "articles.text.tagging.format_tags"

# django-markdownx: its own endpoints are replaced by hardened ones
# (articles/editor.py); the widget is pointed at them here.
MARKDOWNX_URLS_PATH = reverse_lazy("editor:preview")
MARKDOWNX_UPLOAD_URLS_PATH = reverse_lazy("editor:upload")
MARKDOWNX_SERVER_CALL_LATENCY = 600
EDITOR_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# E-mail (editorial notifications): the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
}
