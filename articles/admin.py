"""The desk is registered with Django's admin in articles/desk/admin.py; the admin looks for it here."""

from articles.desk import admin  # noqa: F401 - registers the desk's models
