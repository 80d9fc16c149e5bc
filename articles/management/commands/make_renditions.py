"""manage.py make_renditions: make the hero image renditions an article lacks (articles/images.py)."""

from django.core.management.base import BaseCommand

from articles import images, purges
from articles.models import Article

BATCH = 200


class Command(BaseCommand):
    help = (
        "Make the renditions of hero images saved before renditions were made, or made by an older "
        "spec (saving an article makes its own). Changes no text and no status."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="remake",
            help="Make every image's renditions again, files included (after a change of quality).",
        )

    def handle(self, *args, remake, **options):
        made = unreadable = 0
        articles = Article.objects.exclude(hero_image="").only("hero_image", "hero_renditions").order_by("pk")
        for article in articles.iterator(chunk_size=BATCH):
            if images.is_current(article.hero_renditions) and not remake:
                continue
            renditions = images.make(article.hero_image, replace=remake)
            # The list alone: no new version, no revision, no "updated" for readers.
            Article.objects.filter(pk=article.pk).update(hero_renditions=renditions)
            made += bool(renditions)
            unreadable += not renditions
        if made:
            purges.everything_changed()  # pages kept show the originals; they are drawn anew
        self.stdout.write(f"{made} image(s) given renditions; {unreadable} could not be read.")
