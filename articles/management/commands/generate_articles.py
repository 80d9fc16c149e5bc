"""manage.py generate_articles --count N: a large archive of realistic published articles, fast.

For benchmarks and trying things at scale: Japanese and English bodies of a
few thousand characters, 1–2 authors, a section and 2–5 tags each, published
over the last five years. Rows are inserted in bulk (no revision or event is
kept for generated articles); the HTML, excerpt, reading time and search
text are derived as a save would, from text whose Markdown is plain
paragraphs and headings, in worker processes (`--jobs`) while this one
writes to the database. On PostgreSQL the search indexes are built once at
the end instead of row by row, and the tables are analysed: until
autovacuum got to them, the planner took them for nearly empty, and a feed
of a new 1,000-article database cost PostgreSQL about 8 ms instead of 1.
"""

import multiprocessing
import random
import uuid
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from html import escape

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import purges
from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
from articles.text import rendering

BATCH = 1000
BULK = 10_000  # from this many articles on, PostgreSQL's search indexes are built at the end
PLACES = ["港町市", "北浜町", "青空村", "桜川区", "白樺市", "南港区", "東台町", "緑ヶ丘市"]
BODIES = ["市議会", "教育委員会", "商工会", "漁業協同組合", "観光協会", "消防本部", "図書館", "病院"]
TOPICS = [
    "防波堤の補修",
    "路線バスの再編",
    "給食の無償化",
    "空き家の活用",
    "駅前の再開発",
    "森林の保全",
    "投資計画",
]
ACTIONS = ["計画を発表した", "予算案を承認した", "説明会を開いた", "調査結果をまとめた", "見直しを決めた"]
ENGLISH = [
    "The {body} of {place} met for the {n}th time to discuss {topic}, and members asked for a second survey.",
    "Residents of {place} said that {topic} had changed their weekly routine, according to survey {n}.",
    "Officials expect phase {n} of {topic} to be finished by autumn, though costs keep rising.",
]
EN_PLACES = ["Minatomachi", "Kitahama", "Aozora", "Sakuragawa", "Shirakaba"]
EN_TOPICS = ["the harbour wall", "the bus network", "school lunches", "empty houses", "the station square"]
SECTIONS = ["地域", "政治", "経済", "文化", "スポーツ", "テクノロジー", "投資分析", "English"]


class Command(BaseCommand):
    help = "Bulk-create N realistic published articles (for benchmarks and trying things at scale)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many articles to create.")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same articles.")
        parser.add_argument(
            "--jobs", type=int, default=2, help="Processes that write the texts (the database gets one)."
        )

    def handle(self, *args, count, seed, jobs, **options):
        run = uuid.uuid4().hex[:6]  # slugs of this run never clash with an earlier one's
        authors, sections, tags = self.owners(count, run)
        now = timezone.now()
        batches = [(seed, run, start, min(BATCH, count - start)) for start in range(0, count, BATCH)]
        if connection.in_atomic_block:
            jobs = 1  # called inside a transaction (a test): the connection must stay open, no workers
        with _search_indexes_set_aside(count), purges.one_change():
            if jobs > 1:
                connection.close()  # the workers are forked: none of them shares this process's connection
            with multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else nullcontext() as pool:
                prepared = pool.imap(_prepare, batches) if pool else map(_prepare, batches)
                done = 0
                for (batch_seed, _run, start, size), rows in zip(batches, prepared, strict=True):
                    rng = random.Random(f"{batch_seed}-{start}-links")
                    with transaction.atomic():
                        self.batch(rng, rows, now=now, authors=authors, sections=sections, tags=tags)
                    done += size
                    self.stderr.write(f"\r{done:,} / {count:,}", ending="")
        purges.everything_changed()  # bulk inserts send no signals: the public pages change all the same
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # allowed in a transaction, unlike VACUUM
        self.stderr.write("")
        self.stdout.write(f"{count:,} article(s) created.")

    def owners(self, count, run):
        author_count = max(5, min(400, count // 250))
        authors = Author.objects.bulk_create(
            Author(
                name=f"記者 {run}-{n}", slug=f"gen-{run}-{n}", is_desk=n == 0, search_name=f" 記者 {run}-{n} "
            )
            for n in range(author_count)
        )
        sections = [
            Category.objects.get_or_create(slug=slugify(name, allow_unicode=True), defaults={"name": name})[0]
            for name in SECTIONS
        ]
        tag_count = max(20, min(2000, count // 50))
        tags = Tag.objects.bulk_create(
            Tag(name=f"話題{run}-{n}", slug=f"topic-{run}-{n}", key=f"話題{run}-{n}")
            for n in range(tag_count)
        )
        return authors, sections, tags

    def batch(self, rng, rows, *, now, authors, sections, tags):
        articles = Article.objects.bulk_create(
            Article(
                **row,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=row_minutes),
                findings=[],
            )
            for row, row_minutes in rows
        )
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position)
            for article in articles
            for position, author in enumerate(rng.sample(authors, rng.choice([1, 1, 2])))
        )
        Article.categories.through.objects.bulk_create(
            Article.categories.through(article=article, category=rng.choice(sections)) for article in articles
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag=tag)
            for article in articles
            for tag in rng.sample(tags, rng.randint(2, 5))
        )


def _prepare(batch):
    """One batch's articles as field values, with what a save would derive (run in a worker)."""
    seed, run, start, size = batch
    rng = random.Random(f"{seed}-{start}")
    postgresql = connection.vendor == "postgresql"
    rows = []
    for n in range(start, start + size):
        title, markdown, html = _text(rng, n)
        excerpt = rendering.make_excerpt(html)
        text, title_text = rendering.article_searchable(title, excerpt, html), rendering.searchable(title)
        row = {
            "title": title,
            "slug": f"gen-{run}-{n}",
            "body": markdown,
            "body_html": html,
            "excerpt": excerpt,
            "reading_time": rendering.reading_time(rendering.plain_text(html)),
            "search_text": text,
            "search_title": title_text,
            "search_grams": rendering.grams(text) if postgresql else "",
            "search_words": rendering.words(text, title_text) if postgresql else "",
        }
        rows.append((row, rng.randint(1, 5 * 365 * 24 * 60)))
    return rows


# The search indexes of migrations 0005 and 0020: built once after a bulk load rather than
# kept up to date row by row, which is several times slower. (A run killed in between leaves
# them out: this is a tool for benchmarks and trials, not for a newsroom's own database.)
_SEARCH_INDEXES = ("article_search_grams", "article_search_words")


@contextmanager
def _search_indexes_set_aside(count: int):
    if connection.vendor != "postgresql" or connection.in_atomic_block or count < BULK:
        yield  # a few rows, or inside a transaction (a test): kept up to date as they come
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(_SEARCH_INDEXES)]
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")  # a GIN index builds faster in memory
            for _name, definition in definitions:
                cursor.execute(definition)


def _text(rng, n):
    """(title, Markdown, HTML) of about 2,000–4,000 characters; every fourth article in English."""
    english = n % 4 == 0
    paragraphs, headings = [], []
    for part in range(rng.randint(8, 12)):
        if part and part % 3 == 0:
            headings.append(len(paragraphs))
        paragraphs.append(
            "".join(_sentence(rng, n * 100 + part * 10 + k, english) for k in range(rng.randint(5, 8)))
        )
    title = (
        f"Report {n}: {rng.choice(EN_TOPICS)}"
        if english
        else f"{rng.choice(PLACES)}の{rng.choice(TOPICS)} 第{n}報"
    )
    markdown, html = [], []
    for index, paragraph in enumerate(paragraphs):
        if index in headings:
            heading = f"Part {index}" if english else f"その{index}"
            markdown.append(f"## {heading}")
            html.append(f'<h2 id="{escape(heading.lower().replace(" ", "-"))}">{escape(heading)}</h2>')
        markdown.append(paragraph.strip())
        html.append(f"<p>{escape(paragraph.strip())}</p>")
    return title, "\n\n".join(markdown), "\n".join(html)


def _sentence(rng, n, english):
    if english:
        template = rng.choice(ENGLISH)
        return (
            template.format(body="council", place=rng.choice(EN_PLACES), topic=rng.choice(EN_TOPICS), n=n)
            + " "
        )
    return f"{rng.choice(PLACES)}の{rng.choice(BODIES)}は第{n}回の会合で、{rng.choice(TOPICS)}について{rng.choice(ACTIONS)}。"
