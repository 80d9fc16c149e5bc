"""Dates as a news site writes them, per language (FORMAT_MODULE_PATH): what a module leaves out,
Django's own locale gives."""
