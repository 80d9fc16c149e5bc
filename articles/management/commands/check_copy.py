"""manage.py check_copy: read every article with the copy desk again and keep its findings."""

from django.core.management.base import BaseCommand
from django.utils import translation

from articles.models import Article
from articles.text import copydesk

BATCH = 200


class Command(BaseCommand):
    help = (
        "Run the copy desk over articles and store the findings (after an upgrade, "
        "or when its rules changed). Changes no text and no status."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unchecked", action="store_true", help="Only articles the copy desk has not read yet."
        )

    def handle(self, *args, unchecked, **options):
        with translation.override("en"):
            articles = Article.objects.order_by("pk").prefetch_related("tags")
            if unchecked:
                articles = articles.filter(findings__isnull=True)
            checked = blocked = 0
            batch = []
            for article in articles.iterator(chunk_size=BATCH):
                tags = [tag.name for tag in article.tags.all()]
                findings = copydesk.review(article, tags=tags)
                blocked += bool(copydesk.blocking(findings))
                batch.append(article)
                if len(batch) == BATCH:
                    self.store(batch)
                    batch = []
                checked += 1
            self.store(batch)
        self.stdout.write(f"{checked} article(s) checked; {blocked} with findings that block publication.")

    def store(self, batch):
        # Only the findings: no new version, no revision, no change of "updated".
        Article.objects.bulk_update(batch, ["findings", "blocking_findings", "warning_findings"])
