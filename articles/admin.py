"""The desk is registered with Django's admin in articles/desk/; the admin looks for it here."""

from articles.desk import admin, owners_admin, pages_admin  # noqa: F401 - registers the desk's models
