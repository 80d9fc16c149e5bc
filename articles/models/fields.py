"""Fields of the content model: search's short pieces (a tsvector on PostgreSQL, text elsewhere),
and the hero image, refused in a form when Pillow cannot read it whole."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from PIL import Image

from articles.images import UNREADABLE
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


@GramsField.register_lookup
class HasEveryGram(HasGram):
    """`search_grams__has_all=["市議", "議会"]`: every piece is among the article's grams (PostgreSQL)."""

    lookup_name = "has_all"

    def get_prep_lookup(self):
        return " & ".join(map(rendering.lexeme, self.rhs))


class Among(models.Lookup):
    """`Among(F("pk"), ArraySubquery(ids))`: the value is one of the array's (PostgreSQL's = ANY).

    An index answers it as one branch of an OR (a BitmapOr beside the other
    branches' indexes), where IN (SELECT ...) would be checked row by row.
    """

    lookup_name = "among"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class DecodedImageField(forms.ImageField):
    """An image upload read whole: Django checks only its header (verify()), and a truncated
    JPEG passes, to fail when its renditions are made (articles/images.py reads it whole too)."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            with Image.open(upload) as image:
                image.load()
        except UNREADABLE as error:
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error
        finally:
            upload.seek(0)
        return upload


class HeroImageField(models.ImageField):
    """An article's hero image: its forms read an upload whole (DecodedImageField)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DecodedImageField, **kwargs})
