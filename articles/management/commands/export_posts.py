"""manage.py export_posts DIR: write every article as a Jekyll/Hugo post."""

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.transfer import jekyll
from articles.transfer.export import export_post
from articles.transfer.posts import Outcome

from ._progress import Progress


class Command(BaseCommand):
    help = "Write each article to DIR as YYYY-MM-DD-<slug>.md: YAML front matter and the Markdown body."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--prune", action="store_true", help="Delete other .md files in DIR (left from earlier exports)."
        )

    def handle(self, *args, directory, prune, **options):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {directory}: {error.strerror}") from error
        articles = Article.objects.with_links().prefetch_related("legacy_addresses").order_by("pk")
        counts = Counter({outcome: 0 for outcome in Outcome})
        written = set()
        with Progress(articles.count(), stream=sys.stderr, label="exporting") as progress:
            for article in articles.iterator(chunk_size=500):
                post = export_post(article)
                written.add(jekyll.file_name(post))
                counts[self.write(directory, post)] += 1
                progress.step()
        self.leftovers(directory, written, prune)
        summary = ", ".join(f"{counts[o]} {o.value}" for o in Outcome)
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} article(s) to {directory}: {summary}."))
        if counts[Outcome.REFUSED]:
            raise CommandError(f"{counts[Outcome.REFUSED]} file(s) could not be written.", returncode=1)

    def leftovers(self, directory: Path, written: set[str], prune: bool):
        """Files of an earlier export whose article is gone or renamed would come back on import."""
        others = sorted(p for p in directory.glob("*.md") if p.name not in written)
        for path in others if prune else []:
            path.unlink()
        if others and prune:
            self.stdout.write(f"Deleted {len(others)} other .md file(s) from {directory}.")
        elif others:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(others)} other .md file(s) in {directory} are not from this export "
                    f"(first: {others[0].name}); --prune deletes them."
                )
            )

    def write(self, directory: Path, post) -> Outcome:
        target = directory / jekyll.file_name(post)
        text = jekyll.format_post(post).encode("utf-8")
        if target.exists() and target.read_bytes() == text:
            return Outcome.UNCHANGED
        outcome = Outcome.UPDATED if target.exists() else Outcome.CREATED
        try:
            # Write beside the target, then rename: a crash never leaves half a file.
            with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as temporary:
                temporary.write(text)
            os.replace(temporary.name, target)
        except OSError as error:
            self.stderr.write(self.style.ERROR(f"refused {target}: {error.strerror}"))
            return Outcome.REFUSED
        return outcome
