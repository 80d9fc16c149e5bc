"""gunicorn settings for production: `gunicorn newsroom.wsgi` reads this file.

Every value can be set from the environment; the defaults suit a small
machine. Workers are processes (sync), since the app does its work on the
CPU and in the database; more machines scale it out behind a shared
PostgreSQL and Redis (set REDIS_URL, or each process keeps its own page cache).
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so that memory it grew does not stay grown.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Django is loaded once, before the workers fork.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
