"""manage.py import_posts PATH [PATH …]: bring Jekyll/Hugo posts in."""

import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import translation

from articles.transfer import jekyll
from articles.transfer.posts import Outcome, Prepared, import_posts, prepare

from ._progress import Progress

# Fewer files than this are not worth starting another process for.
PARALLEL_FROM = 50


def prepare_all(files: list[Path], jobs: int) -> Iterator[Prepared]:
    """Each file prepared, in order: by `jobs - 1` other processes while this one writes, if worth it.

    The other processes start here and now, before the writing opens a transaction.
    """
    if (
        jobs < 2
        or len(files) < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
        or connection.in_atomic_block  # called inside a transaction: its connection must stay open
    ):
        return map(prepare, files)
    connections.close_all()  # a forked process must not share this one's database connection
    return _prepared_by(multiprocessing.get_context("fork").Pool(jobs - 1), files)


def _prepared_by(pool, files: list[Path]) -> Iterator[Prepared]:
    with pool:
        yield from pool.imap(prepare, files, chunksize=16)


class Command(BaseCommand):
    help = (
        "Import Markdown posts with YAML front matter (Jekyll, Hugo): each file on its own, "
        "committed in groups."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", type=Path, help="Files, or folders searched for *.md and *.markdown."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")
        parser.add_argument(
            "--status",
            choices=["as-file", "draft"],
            default="as-file",
            help="as-file: publish what the file says is published; draft: import everything as drafts.",
        )
        parser.add_argument("--user", help="Who the import is recorded as (default: the first superuser).")
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Processes at work: with 2 or more, others read and render the files while this one "
            "writes them (default: 2 where there are two cores; 1 for none).",
        )

    def handle(self, *args, **options):
        # Reports speak one language, the one of the command line and its docs.
        with translation.override("en"):
            self.run(**options)

    def run(self, *, paths, dry_run, status, user, verbosity, jobs, **options):
        actor = self.actor(user)
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        files = jekyll.find_posts(paths)
        counts = Counter({outcome: 0 for outcome in Outcome})
        unpublished = blocked = 0
        with Progress(len(files), stream=sys.stderr, label="importing") as progress:
            results = import_posts(
                prepare_all(files, jobs), user=actor, as_draft=status == "draft", dry_run=dry_run
            )
            for result in results:
                counts[result.outcome] += 1
                unpublished += any(note.startswith("not published") for note in result.notes)
                blocked += any(finding.is_blocking for finding in result.findings)
                progress.clear()
                self.report(result, verbosity)
                progress.step()
        summary = ", ".join(f"{counts[o]} {o.value}" for o in Outcome)
        prefix = "Dry run, nothing written: " if dry_run else ""
        style = self.style.ERROR if counts[Outcome.REFUSED] else self.style.SUCCESS
        held = (
            f" {unpublished} kept as draft(s): publishing was refused (see the notes)." if unpublished else ""
        )
        if blocked:
            held += f" {blocked} with findings the copy desk blocks (see above)."
        self.stdout.write(style(f"{prefix}{len(files)} file(s): {summary}.{held}"))
        if counts[Outcome.REFUSED]:
            raise CommandError(f"{counts[Outcome.REFUSED]} file(s) refused.", returncode=1)

    def actor(self, username):
        users = get_user_model().objects
        if username:
            try:
                user = users.get(username=username)
            except users.model.DoesNotExist:
                raise CommandError(f"No user named {username!r}.") from None
        else:
            user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError("Give --user USERNAME: there is no superuser to record the import as.")
        if not (
            user.is_active
            and user.has_perm("articles.add_article")
            and user.has_perm("articles.change_article")
        ):
            raise CommandError(f"{user.username!r} may not add and change articles, so cannot import them.")
        return user

    def report(self, result, verbosity):
        if result.outcome == Outcome.REFUSED:
            self.stderr.write(self.style.ERROR(f"refused {result.message}"))
            return
        if verbosity >= 2 or result.notes or result.findings:
            self.stdout.write(f"{result.outcome.value}: {result.path}")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(f"  note: {note}"))
        for finding in result.findings:
            style = self.style.ERROR if finding.is_blocking else self.style.WARNING
            quote = f" “{finding.quote}”" if finding.quote else ""
            self.stdout.write(
                style(f"  {finding.severity} {finding.code} ({finding.where()}): {finding.message}{quote}")
            )
