"""Search's field of short pieces: a tsvector on PostgreSQL, text elsewhere."""

from django.db import models

from articles.text import rendering


class GramsField(models.TextField):
    """An article's short pieces for search: a tsvector on PostgreSQL (indexed), text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


@GramsField.register_lookup
class HasGram(models.Lookup):
    """`search_grams__has="投資"`: the piece is among the article's grams (PostgreSQL)."""

    lookup_name = "has"

    def get_prep_lookup(self):
        return rendering.lexeme(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]
