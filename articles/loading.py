"""What public pages show around an article's text, read in few hand-written queries.

A page of the public site is read far more often than it is written, and with
the page cache off (or on a cache miss) its cost was mostly Django building
SQL: about half a millisecond a query, against a few hundredths for SQLite or
PostgreSQL to answer it. So, as PublicChange.state does, the queries run on
every public page are written here as plain SQL, each one read for many
articles at once:

- `attach()`: the byline, tags and sections of a list of articles, in one
  query (three prefetches through the ORM cost about 2 ms for one article);
  PublicList reads them in the same query as its articles;
- `neighbours()`: the public articles just before and after one; `around()`, for an article
  page, reads them with the articles sharing the most tags with it, in one query;
- `state()`: PublicChange.state(), what every public response needs (its Last-Modified,
  the page cache's mark, the menu's sections); PublicList reads it with a
  page's articles, as one more row of the same statement (`carrying_state()`);
- `all_sections()`: the sections of the menu, where the state has not been read;
- `owner()`: the author, tag or section of an author, tag or section page;
- `PublicList`: the home, author, tag and section pages' lists, the feeds'
  entries (`entries()`), and the article of an article page (`with_slug()`).

They return model instances, so templates read them as they read any article
(a feed, which writes a few fields and names, gets plain FeedEntry records),
and each follows the ORM query it replaces: published() for what is public,
the same orders and the same indexes.
"""

import json
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, models
from django.db.models.base import ModelState
from django.utils import timezone

from . import linkstate


def _database():
    """The default database's connection: `django.db.connection` is a proxy that looks it up again
    (through an asgiref local) on every attribute read, thirty times a page here."""
    return connections[DEFAULT_DB_ALIAS]


def cursor(db=None):
    """A cursor for the queries of public pages: on PostgreSQL, one whose statements stay prepared.

    Planning took PostgreSQL more time than answering did (0.1-1.1 ms against
    0.02-0.9 ms for each query of an article page, 1,000 articles), for
    queries whose text is the same on every request. Bound on the server and
    prepared, each is planned once per connection, for any values (the
    settings force PostgreSQL's generic plans, as it otherwise kept planning
    several of them for their values). So only queries whose best plan does
    not depend on their values come here: a public list by its index, a row by
    its key. Search's does depend on the words (a generic plan took 1.3 s for a
    rare one) and stays out. PREPARED_STATEMENTS=0 turns this off, for a pooler
    that cannot keep statements. The cursor stays Django's wrapper, so the
    queries are logged and counted as any other.
    """
    db = db or _database()
    wrapper = db.cursor()
    if db.vendor == "postgresql" and db.settings_dict["OPTIONS"].get("prepare_threshold") is not None:
        wrapper.cursor.close()
        wrapper.cursor = _prepared_cursor_class()(db.connection)
    return wrapper


def checked(read):
    """read(), which only reads (a public page, or its first query), with its first query as the
    connection's health check too.

    With CONN_HEALTH_CHECKS, Django asks a connection kept from an earlier
    request "SELECT 1" before the request's first query: a round trip that cost
    each public page 0.14 ms of its process's time and 0.08 ms of PostgreSQL's.
    Here that first query is the check: if it fails because the connection is
    gone (the server restarted, a pooler dropped it), the connection is closed
    and read() runs once more on a new one. A query that fails on a working
    connection raises as before; inside a transaction Django checks as usual.
    """
    db = _database()
    if db.connection is None or not db.health_check_enabled or db.health_check_done or db.in_atomic_block:
        return read()
    db.health_check_done = True
    try:
        return read()
    except (InterfaceError, OperationalError):
        if db.is_usable():
            raise
        db.close()
        return read()


@cache
def _prepared_cursor_class():
    """Made on first use: the PostgreSQL backend is imported only where it is used."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True, binary=True, **kwargs)

    return PreparedCursor


def _in(db, ids: list, uses: int) -> tuple[str, list | dict]:
    """`column IN ids` as SQL after the column, for a statement that tests it `uses` times, and the
    statement's parameters.

    On PostgreSQL the ids are bound once, as the text of an array: the statement
    is then the same for every number of ids (and stays prepared), and psycopg's
    writer of Python lists, bound once per use, took a third of the query's time
    in the process.
    """
    if db.vendor == "postgresql":
        return " = ANY(%(ids)s::bigint[])", {"ids": "{" + ",".join(str(int(pk)) for pk in ids) + "}"}
    return f" IN ({', '.join(['%s'] * len(ids))})", list(ids) * uses


def attach(articles: list, *, sections: bool = True) -> list:
    """Give each article its `loaded_byline`, `loaded_tags` and `loaded_sections`: one query for a page.

    Authors come in byline order, tags and sections in name order, as
    Article.byline(), tag_list() and sections() give them (those read these
    lists when present). Each instance holds the fields a public page shows;
    reading any other loads it. An author or tag on several of the articles
    is one instance, shared by them. Without `sections` (the feeds show
    none), the sections are not read, and sections() would query them.
    """
    db = _database()
    kinds = 3 if sections else 2
    # Each id is bound once per kind on SQLite: groups small enough for its limit (999 on some builds).
    group = (db.features.max_query_params or 3000) // kinds
    rows = []
    for first in range(0, len(articles), group):
        among, params = _in(db, [article.pk for article in articles[first : first + group]], kinds)
        with cursor(db) as reading:
            reading.execute(_links_sql(db, among, sections) + _ORDER[db.vendor == "sqlite"], params)
            rows += reading.fetchall()
    return _attached(db, articles, rows, sections)


# The public state asked for by a public request, to come with its page's articles (carrying_state()).
_CARRIED = ContextVar("newsroom_carried_state", default=None)
# The kind of the state's row, after the articles (-1) and their links (0-2).
_STATE_KIND = 4


@contextmanager
def carrying_state(deliver):
    """Inside, the first PublicList statement to run also reads the state(), and gives it to `deliver`.

    A public page then needs no statement of its own for it, which cost an
    article page or a feed a tenth of its time (a round trip, and the
    database's work and ours for one more statement). Read with the page's
    articles, at the same moment, it is as current as they are.
    """
    token = _CARRIED.set([deliver])
    try:
        yield
    finally:
        _CARRIED.reset(token)


def _carried():
    """(the deliverer, if the state is still wanted by this request, else None; then mark it taken)."""
    wanted = _CARRIED.get()
    if not wanted:
        return None
    return wanted.pop()


def state() -> tuple:
    """(last change, newest publication that has come, next scheduled one, the menu's sections), in one
    statement: see PublicChange.state()."""
    db = _database()
    sql, params = _state_sql(db, db.ops.adapt_datetimefield_value(timezone.now()))
    with cursor(db) as reading:
        reading.execute(f"SELECT {sql}", params)
        return _read_state(db, reading.fetchone()[0])


def _state_sql(db, now) -> tuple[str, list]:
    """The state at `now` as one text value (JSON: the three times, then [id, name, slug] of every
    section, in name order), as SQL of a column, and its parameters.

    The publication times follow Article.objects.published() and scheduled();
    the sections come in Category.objects.all()'s order.
    """
    from .models import Article, PublicChange

    articles = Article._meta.db_table
    sections, section_params = _menu_sql(now)
    if db.vendor == "postgresql":
        array = "json_build_array"
        listed = f"(SELECT json_agg(json_build_array(id, name, slug) ORDER BY name) {sections})"
    else:  # SQLite's order of an aggregate's rows is not promised: _read_state() sorts them
        array = "json_array"
        listed = f"json((SELECT json_group_array(json_array(id, name, slug)) {sections}))"
    sql = (
        f"{array}((SELECT changed_at FROM {PublicChange._meta.db_table} WHERE id = 1),"  # noqa: S608 - table names
        f" (SELECT MAX(published_at) FROM {articles} WHERE status = %s AND published_at <= %s),"
        f" (SELECT MIN(published_at) FROM {articles} WHERE status = %s AND published_at > %s),"
        f" {listed})"
    )
    if db.vendor == "postgresql":
        sql += "::text"
    published = Article.Status.PUBLISHED
    return sql, [published, now, published, now, *section_params]


def _menu_sql(now) -> tuple[str, list]:
    """The sections of the menu at `now`, those with a public article (as SQL from FROM on), and
    its parameters.

    A section whose articles are all drafts, in review, scheduled or withdrawn
    is not public: its name in the menu would tell what is being written
    before anything is out. Each section is one look-up in its links' index.
    """
    from .models import Category

    table, _article, owner = owner_links(Category)
    public, params = public_links("l", now=now)
    sql = (
        f"FROM {Category._meta.db_table} c WHERE EXISTS"  # noqa: S608 - table names
        f" (SELECT 1 FROM {table} l WHERE l.{owner} = c.id AND {public})"
    )
    return sql, params


def _read_state(db, text: str) -> tuple:
    changed_at, released, upcoming, rows = json.loads(text)
    rows = rows or []  # PostgreSQL aggregates no rows to NULL
    if db.vendor == "sqlite":
        rows.sort(key=itemgetter(1))  # by code point, as SQLite's BINARY collation orders them
    return (_moment(changed_at), _moment(released), _moment(upcoming), sections(rows, db.alias))


def _moment(text):
    """A time as JSON gives it: PostgreSQL's with its offset, SQLite's as stored (UTC, naive)."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _carrying(db, sql: str, params: list, now, columns: int, place: int) -> tuple[str, list, object]:
    """The UNION ALL `sql` of `columns` columns and its `params`, with the state as one more SELECT
    (its kind first, its JSON at `place`, counted from 0, NULL elsewhere) when this request still
    wants it; and the deliverer of what the row holds, or None."""
    deliver = _carried()
    if not deliver:
        return sql, params, None
    state, state_params = _state_sql(db, now)
    values = [str(_STATE_KIND)] + ["NULL"] * (columns - 1)
    values[place] = state
    return f"{sql} UNION ALL SELECT {', '.join(values)}", [*params, *state_params], deliver


def _links_sql(db, among: str, sections: bool, padding: str = "") -> str:
    """The byline, tag and section rows of the articles whose id is `among` (SQL after the column):
    (kind, position, sort_name, tie, article_id, id, name, slug, is_desk, user_id), then `padding`.

    One SELECT per kind, joined by UNION ALL; "kind" tells them apart and
    leads the order: bylines by position then id, tags and sections by name.
    """
    from .models import Article, Author, Byline, Category, Tag, TaggedArticle

    no = "FALSE" if db.vendor == "postgresql" else "0"  # of is_desk's type
    sql = (
        f"SELECT 0 AS kind, b.position AS position, '' AS sort_name, b.id AS tie, b.article_id,"  # noqa: S608 - table names
        f" a.id, a.name, a.slug, a.is_desk, a.user_id{padding}"
        f" FROM {Byline._meta.db_table} b JOIN {Author._meta.db_table} a ON a.id = b.author_id"
        f" WHERE b.article_id{among}"
        f" UNION ALL SELECT 1, 0, t.name, t.id, ta.content_object_id, t.id, t.name, t.slug, {no}, NULL{padding}"
        f" FROM {TaggedArticle._meta.db_table} ta JOIN {Tag._meta.db_table} t ON t.id = ta.tag_id"
        f" WHERE ta.content_object_id{among}"
    )
    if sections:
        sql += (
            f" UNION ALL SELECT 2, 0, c.name, c.id, l.article_id, c.id, c.name, c.slug, {no}, NULL{padding}"  # noqa: S608
            f" FROM {Article.categories.through._meta.db_table} l"
            f" JOIN {Category._meta.db_table} c ON c.id = l.category_id"
            f" WHERE l.article_id{among}"
        )
    return sql


def _attached(db, articles: list, rows: list, sections: bool) -> list:
    """attach()'s work on rows of _links_sql(), in the order of _ORDER (sorted here on SQLite)."""
    from .models import Author, Category, Tag

    if db.vendor == "sqlite":
        rows.sort(key=_ORDER_KEY)
    found = {0: defaultdict(list), 1: defaultdict(list), 2: defaultdict(list)}
    made = {}
    for kind, _position, _sort_name, _tie, article_id, pk, name, slug, is_desk, user_id in rows:
        item = made.get((kind, pk))
        if item is None:
            if kind == 0:
                item = _shown(
                    Author, db.alias, id=pk, name=name, slug=slug, is_desk=bool(is_desk), user_id=user_id
                )
            else:
                item = _shown(Tag if kind == 1 else Category, db.alias, id=pk, name=name, slug=slug)
            made[kind, pk] = item
        found[kind][article_id].append(item)
    for article in articles:
        article.loaded_byline = found[0][article.pk]
        article.loaded_tags = found[1][article.pk]
        if sections:
            article.loaded_sections = found[2][article.pk]
    return articles


_LINK_COLUMNS = 10  # of _links_sql()'s rows

# attach()'s order: kind, then position, name and id. SQLite compares text code point by code point
# (its BINARY collation, which the ORM's order_by() gets there too), as Python does, and sorting
# the rows here took a tenth of the time SQLite's sorter took for a compound SELECT. PostgreSQL
# sorts by its collation, which Python does not know.
_ORDER = (" ORDER BY 1, 2, 3, 4", "")
_ORDER_KEY = itemgetter(0, 1, 2, 3)


def neighbours(article) -> tuple:
    """(the public article just before this one, the one just after), each None at an end."""
    return around(article, limit=0)[0]


def around(article, limit: int = 4) -> tuple:
    """(neighbours(), up to `limit` related articles) in one query, for an article page.

    Related articles share the most tags with this one, newest first (see _related_sql()).
    """
    parts = [_neighbours_sql(article), _related_sql(article, limit) if limit else None]
    parts = [part for part in parts if part is not None]
    if not parts:
        return (None, None), []
    # Each part's rows carry its `side` (0 before, 1 after, 2 related) and `shared_tags`.
    sql = " UNION ALL ".join(part for part, _params in parts) + " ORDER BY 5, 6 DESC, 4 DESC, 1 DESC"
    params = [value for _part, part_params in parts for value in part_params]
    rows = _articles(sql, params, ("title", "slug", "published_at"), ("side", "shared_tags"))
    found = {row.side: row for row in rows if row.side < 2}
    return (found.get(0), found.get(1)), [row for row in rows if row.side == 2]


def _neighbours_sql(article) -> tuple[str, list] | None:
    """The public articles just before and after this one: SQL of (id, title, slug, published_at, side,
    shared_tags), and its parameters.

    By publication time, then id, as the lists order them. Each side is a
    range and an exclusion, which the publication-time index serves (an OR of
    "before" and "at the same time, lower id" made PostgreSQL read far more of
    it).
    """
    from .models import Article

    if article.published_at is None:
        return None
    table = Article._meta.db_table
    at = _database().ops.adapt_datetimefield_value(article.published_at)
    public, public_params = _public("n")
    shown = "id, title, slug, published_at"
    sql = (
        f"SELECT {shown}, side, 0 AS shared_tags FROM ("  # noqa: S608 - table names
        f"SELECT * FROM (SELECT {shown}, 0 AS side FROM {table} n WHERE {public}"
        f" AND published_at <= %s AND NOT (published_at = %s AND id >= %s)"
        f" ORDER BY published_at DESC, id DESC LIMIT 1) earlier"
        f" UNION ALL SELECT * FROM (SELECT {shown}, 1 AS side FROM {table} n WHERE {public}"
        f" AND published_at >= %s AND NOT (published_at = %s AND id <= %s)"
        f" ORDER BY published_at, id LIMIT 1) later) sides"
    )
    return sql, [*public_params, at, at, article.pk] * 2


# Related articles are chosen among the public articles most recently published with each tag of
# the article: a tag on a third of a large archive would otherwise have every view count all of it.
RELATED_WINDOW = 50


def _related_sql(article, limit: int) -> tuple[str, list] | None:
    """Up to `limit` public articles sharing the most tags with this one: SQL of (id, title, slug,
    published_at, side, shared_tags), and its parameters.

    Counted among the RELATED_WINDOW public articles most recently published
    with each of its tags, read from the tag links alone: each link carries its
    article's status and publication time (linkstate.py), and their index on
    (tag, status, time, article) gives each window in order. A page then costs
    the same whether its tags are on ten articles or on thirty thousand, and
    only the chosen few are read from the articles table. (Checking each
    window's articles in that table took PostgreSQL 1.9 ms of an article
    page's 2.9.)
    """
    from .models import Article, TaggedArticle

    tag_ids = [tag.pk for tag in article.tag_list()]
    if not tag_ids:
        return None
    tagged, table = TaggedArticle._meta.db_table, Article._meta.db_table
    published_at = linkstate.PUBLISHED_AT
    public, public_params = public_links("ta")
    recent = " UNION ALL ".join(
        f"SELECT * FROM (SELECT ta.content_object_id AS id, ta.{published_at} AS published_at"  # noqa: S608
        f" FROM {tagged} ta WHERE ta.tag_id = %s AND {public} AND ta.content_object_id <> %s"
        f" ORDER BY ta.{published_at} DESC, ta.content_object_id DESC LIMIT {int(RELATED_WINDOW)}) t{n}"
        for n in range(len(tag_ids))
    )
    # The windows are counted from the index alone; only the chosen few are read from the table.
    sql = (
        f"SELECT a.id, a.title, a.slug, a.published_at, 2 AS side, top.shared_tags FROM ("  # noqa: S608
        f"SELECT id, published_at, COUNT(*) AS shared_tags FROM ({recent}) recent"
        f" GROUP BY id, published_at ORDER BY shared_tags DESC, published_at DESC, id DESC"
        f" LIMIT {int(limit)}) top"
        f" JOIN {table} a ON a.id = top.id"
    )
    return sql, [value for tag_id in tag_ids for value in (tag_id, *public_params, article.pk)]


def _public(alias: str, *, status="status", published_at="published_at", now=None) -> tuple[str, list]:
    """Article.objects.published() on the articles table as `alias`: the SQL condition and its parameters.

    On a link table, `status` and `published_at` name the link's copy of its article's state.
    `now`, as the database takes it, is the moment it is public at (by default, this one).
    """
    from .models import Article

    if now is None:
        now = _database().ops.adapt_datetimefield_value(timezone.now())
    return f"{alias}.{status} = %s AND {alias}.{published_at} <= %s", [Article.Status.PUBLISHED, now]


def public_links(alias: str, now=None) -> tuple[str, list]:
    """_public() on a link table as `alias`: the links of public articles, by their copy of its state."""
    return _public(alias, status=linkstate.STATUS, published_at=linkstate.PUBLISHED_AT, now=now)


def owner_links(model) -> tuple[str, str, str]:
    """The links of an author, tag or section (`model`): (their table, the article's column, the owner's)."""
    from .models import Article, Author, Byline, Category, Tag, TaggedArticle

    return {
        Author: (Byline._meta.db_table, "article_id", "author_id"),
        Tag: (TaggedArticle._meta.db_table, "content_object_id", "tag_id"),
        Category: (Article.categories.through._meta.db_table, "article_id", "category_id"),
    }[model]


class PublicList:
    """Published articles, newest first, all or one author's, tag's or section's.

    For the lists (as the paginator reads them: a count that stops one past
    the last page, then the page), the feeds and the article of an article
    page (with_slug()). Its queries are those of
    Article.objects.published().summarized(), or for_listing() with
    fields=Article.SHOWN_FIELDS, filtered by the owner (by_author(),
    tagged(), in_category()), written out, and in the same statement the
    articles' bylines, tags and sections, as attach() reads them (see
    _with_links()); a feed's articles come as entries() with the names of
    their byline and tags. test_loading holds them to the ORM's.

    An owner's list is read from its links, which carry their article's status
    and publication time (see linkstate.py): their index gives a page in order,
    whether the owner has three articles or thirty thousand, new or old. Joined
    to the articles instead, the planners walked the archive newest first, or
    sorted every article of the owner: half a second at 100,000 articles on
    PostgreSQL for a tag on one old article, 40-100 ms for one on the 5,000
    oldest.
    """

    SUMMARY_FIELDS = ("title", "slug", "published_at", "created_at", "excerpt", "reading_time")

    def __init__(self, owner=None, *, fields=SUMMARY_FIELDS, body_utf8=False):
        from .models import Article

        self.model = Article
        self.fields = fields
        # What summaries show; an article page gives Article.SHOWN_FIELDS, the feeds FEED_FIELDS.
        columns = [f"a.{Article._meta.get_field(name).column}" for name in ("id", *fields)]
        # The feeds copy an article's HTML into their XML as stored: read as UTF-8 bytes (as
        # `body_utf8`), it is never decoded and encoded again, which cost a feed a fifth of its time.
        self.extra = ("body_utf8",) if body_utf8 else ()
        if body_utf8:
            columns.append(_AS_UTF8.get(_database().vendor, "%s") % "a.body_html")
        self.shown, self.width = ", ".join(columns), len(columns)
        public, self.params = _public("a")
        self.source = f"FROM {Article._meta.db_table} a WHERE {public}"
        self.of_owner = owner is not None
        # What count_up_to() counts, and the SQL of a page. The limit and the offset are written
        # into it (at {limit} and {offset}) rather than bound: the generic plan of a statement
        # bound by them would not know how few rows are read (see cursor()).
        self.counted = self.source
        self.page = (
            f"SELECT {self.shown} {self.source}"  # noqa: S608 - no input
            f" ORDER BY a.published_at DESC, a.id DESC LIMIT {{limit}} OFFSET {{offset}}"
        )
        if self.of_owner:
            # The owner's public links.
            table, article, owner_column = owner_links(type(owner))
            public_link, self.params = public_links("o")
            self.counted = f"FROM {table} o WHERE o.{owner_column} = %s AND {public_link}"
            chosen = (
                f"SELECT o.{article} {self.counted}"  # noqa: S608 - no input
                f" ORDER BY o.{linkstate.PUBLISHED_AT} DESC, o.{article} DESC LIMIT {{limit}} OFFSET {{offset}}"
            )
            self.page = _rows_of(self.shown, chosen)
            self.params.insert(0, owner.pk)
        self.now = self.params[-1]  # the moment the list is public at: the state is read at it too

    def count_up_to(self, limit: int) -> int:
        # In any order: counting needs no sort, and stops at `limit`. An owner's count reads its
        # links' index; the whole site's, the public index.
        sql = f"SELECT COUNT(*) FROM (SELECT 1 {self.counted} LIMIT {int(limit)}) counted"  # noqa: S608
        with cursor() as counting:
            counting.execute(sql, self.params)
            return counting.fetchone()[0]

    def __getitem__(self, window: slice) -> list:
        start = window.start or 0
        sql = self.page.replace("{limit}", str(int(window.stop - start))).replace("{offset}", str(int(start)))
        return self._with_links(sql, self.params)

    def entries(self, limit: int) -> list:
        """The newest `limit` articles as a feed writes them (FeedEntry), in one statement.

        The articles' rows, then the names of their byline and tags, each
        numbered in attach()'s order by the database: a feed writes names only.
        Articles and authors or tags as model instances, with their links in a
        statement of their own, cost a feed about a millisecond: a fifth of it.
        The links are numbered apart from the articles, so that the bodies do not
        go through a sort (that cost PostgreSQL 0.4 ms a feed).
        """
        if self.fields != self.model.FEED_FIELDS or not self.extra:
            raise ValueError(
                "a feed's entries: PublicList(owner, fields=Article.FEED_FIELDS, body_utf8=True)"
            )
        db = _database()
        chosen = self.page.replace("{limit}", str(int(limit))).replace("{offset}", "0")
        links = _links_sql(db, _AMONG_CHOSEN[db.vendor == "sqlite"], sections=False)
        sql = (
            f"WITH chosen AS ({chosen}) SELECT -1, 0, chosen.* FROM chosen UNION ALL"  # noqa: S608 - no input
            f" SELECT l.kind, ROW_NUMBER() OVER (ORDER BY l.kind, l.position, l.sort_name, l.tie),"
            f" l.article_id, l.name{', NULL' * (self.width - 2)} FROM ({links}) l"
        )
        # The state's JSON, if carried, in the title's column.
        sql, params, deliver = _carrying(db, sql, self.params, self.now, self.width + 2, 3)
        with cursor(db) as reading:
            reading.execute(sql, params)
            rows = reading.fetchall()
        attnames, converters = _reading(db, self.model, self.fields)
        found, links = {}, []
        for row in rows:
            if row[0] == -1:
                values = list(row[2:])
                for position, convert, column in converters:
                    values[position] = convert(values[position], column, db)
                entry = FeedEntry(**dict(zip((*attnames, "body_utf8"), values, strict=True)))
                found[entry.pk] = entry
            elif row[0] == _STATE_KIND:
                deliver(_read_state(db, row[3]))
            else:
                links.append(row)
        for kind, _number, article_id, name, *_ in sorted(links, key=_NUMBER):
            (found[article_id].authors if kind == 0 else found[article_id].tags).append(name)
        return sorted(found.values(), key=_publication, reverse=True)

    def with_slug(self, slug: str):
        """The public article of this slug (a slug is unique), or None: as published().get(slug=slug)."""
        if self.of_owner:
            raise ValueError("an article is found by its slug among all of the site's")
        found = self._with_links(f"SELECT {self.shown} {self.source} AND a.slug = %s", [*self.params, slug])  # noqa: S608
        return found[0] if found else None

    def _with_links(self, chosen: str, params: list) -> list:
        """The articles that the SQL `chosen` selects (as `shown`), newest first, each with its byline,
        tags and sections as attach() gives them, in one statement.

        The articles' rows, then their link rows, each padded with empty
        columns to the other's shape. A statement of their own cost a page a
        tenth of a millisecond of PostgreSQL's time and twice that of its own.
        """
        db = _database()
        # The articles' rows lead (kind -1, as _ORDER sorts): their columns after the links' ten.
        article_rows = "-1, 0, '', 0, chosen.id" + ", NULL" * (_LINK_COLUMNS - 5) + ", chosen.*"
        links = _links_sql(db, _AMONG_CHOSEN[db.vendor == "sqlite"], True, ", NULL" * self.width)
        sql = f"WITH chosen AS ({chosen}) SELECT {article_rows} FROM chosen UNION ALL {links}"  # noqa: S608
        # The state's JSON, if carried, in the column of the links' names for sorting, after them all.
        sql, params, deliver = _carrying(db, sql, params, self.now, _LINK_COLUMNS + self.width, 2)
        with cursor(db) as reading:
            reading.execute(sql + _ORDER[db.vendor == "sqlite"], params)
            rows = reading.fetchall()
        if deliver:
            deliver(_read_state(db, next(row[2] for row in rows if row[0] == _STATE_KIND)))
        articles = _articles_of(
            db, [row[_LINK_COLUMNS:] for row in rows if row[0] == -1], self.fields, self.extra
        )
        # In the lists' order, which the union does not keep.
        articles.sort(key=_publication, reverse=True)
        links = [row[:_LINK_COLUMNS] for row in rows if -1 < row[0] < _STATE_KIND]
        return _attached(db, articles, links, True)


# The links of the chosen articles. PostgreSQL's planner, joining the links to the chosen few
# (as IN (SELECT ...) asks), read all of a small archive's links (a millisecond at 1,000 articles);
# given their ids as an array, it looks each one up in the links' index, as for attach().
_AMONG_CHOSEN = (" = ANY(ARRAY(SELECT id FROM chosen))", " IN (SELECT id FROM chosen)")


_NUMBER = itemgetter(1)


class FeedEntry:
    """An article as a feed writes it: PublicList.entries()'s fields, its HTML as UTF-8 bytes, and the
    names of its byline (in byline order) and of its tags (in name order, as tag_list())."""

    __slots__ = ("pk", "title", "slug", "excerpt", "published_at", "revised_at", "guid", "body_utf8")
    __slots__ += ("authors", "tags")

    def __init__(self, id, title, slug, excerpt, published_at, revised_at, guid, body_utf8):  # noqa: A002 - the column
        self.pk, self.title, self.slug, self.excerpt = id, title, slug, excerpt
        self.published_at, self.revised_at, self.guid, self.body_utf8 = (
            published_at,
            revised_at,
            guid,
            body_utf8,
        )
        self.authors, self.tags = [], []


def _publication(article) -> tuple:
    """The lists' order, newest first when reversed: publication time, then id."""
    return article.published_at, article.pk


def _rows_of(shown: str, chosen: str) -> str:
    """The `shown` columns of the articles whose ids the SQL `chosen` gives, newest first."""
    from .models import Article

    return (
        f"SELECT {shown} FROM {Article._meta.db_table} a WHERE a.id IN ({chosen})"  # noqa: S608 - no input
        f" ORDER BY a.published_at DESC, a.id DESC"
    )


# A text column as the bytes of its UTF-8. PostgreSQL's textsend() gives the text as the client's
# encoding, which Django sets to UTF-8; convert_to() checked every byte again (a quarter of a
# millisecond of PostgreSQL's time for a feed's twenty articles).
_AS_UTF8 = {"sqlite": "CAST(%s AS BLOB)", "postgresql": "textsend(%s)"}


def _articles(sql: str, params: list, names: tuple, extra: tuple = ()) -> list:
    """Articles from rows of ("id", *names, *extra), as Article.from_db() makes them (see _rows_as())."""
    db = _database()
    with cursor(db) as reading:
        reading.execute(sql, params)
        rows = reading.fetchall()
    return _articles_of(db, rows, names, extra)


def _articles_of(db, rows: list, names: tuple, extra: tuple = ()) -> list:
    """_articles() of rows already read."""
    from .models import Article

    articles = _instances(Article, db, rows, names, extra)
    for article in articles:
        article.prerendered = None
        article.remember_loaded()
    return articles


def owner(model, slug: str):
    """The author, tag or section of this slug, or None: as model.objects.get(slug=slug), in less time."""
    names = tuple(field.name for field in model._meta.concrete_fields if field.name != "id")
    columns = ", ".join(model._meta.get_field(name).column for name in ("id", *names))
    sql = f"SELECT {columns} FROM {model._meta.db_table} WHERE slug = %s"  # noqa: S608 - no input
    found = _rows_as(model, sql, [slug], names)
    return found[0] if found else None


def _rows_as(model, sql: str, params: list, names: tuple, extra: tuple = ()) -> list:
    """Instances of `model` from rows of ("id", *names, *extra), as from_db() makes them, without __init__.

    Each value goes through the converters the ORM applies (SQLite's dates
    and UUIDs are text); `extra` names values that are not fields, kept as
    the database gives them. Model.__init__ goes through every field of the
    model, deferred or not, and with RawQuerySet's own work took half the
    time of reading a feed's twenty articles.
    """
    db = _database()
    with cursor(db) as reading:
        reading.execute(sql, params)
        rows = reading.fetchall()
    return _instances(model, db, rows, names, extra)


def _instances(model, db, rows, names: tuple, extra: tuple = ()) -> list:
    """_rows_as() of rows already read."""
    attnames, converters = _reading(db, model, names)
    attnames = attnames + extra
    instances = []
    for row in rows:
        values = list(row)
        for position, convert, column in converters:
            values[position] = convert(values[position], column, db)
        instances.append(_shown(model, db.alias, **dict(zip(attnames, values, strict=True))))
    return instances


def _reading(db, model, names: tuple) -> tuple:
    """The attribute names of ("id", *names) and the ORM's converters of their columns, as
    (position, converter, column): worked out once per connection, as they cost 80 µs for an article."""
    known = _READINGS.setdefault(db, {})
    if (model, names) not in known:
        fields = [model._meta.get_field(name) for name in ("id", *names)]
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = db.ops.get_db_converters(column) + field.get_db_converters(db)
            converters.extend((position, convert, column) for convert in found)
        known[model, names] = tuple(field.attname for field in fields), converters
    return known[model, names]


_READINGS = WeakKeyDictionary()  # connection -> {(model, names): (attnames, converters)}


def all_sections() -> list:
    """The sections of the menu (those with a public article: _menu_sql()) in name order, for a page
    that did not read the public state.

    A public page has them already, from PublicChange.state() (see freshness.sections()).
    """
    db = _database()
    listed, params = _menu_sql(db.ops.adapt_datetimefield_value(timezone.now()))
    with cursor(db) as reading:
        reading.execute(f"SELECT id, name, slug {listed} ORDER BY name", params)
        return sections(reading.fetchall(), db.alias)


def sections(rows, alias: str) -> list:
    """Sections from rows of (id, name, slug), read from the database `alias`."""
    from .models import Category

    return [_shown(Category, alias, id=pk, name=name, slug=slug) for pk, name, slug in rows]


def _shown(model, db, **values):
    """An instance of `model` holding `values`, as from_db() makes it; any other field loads when read.

    Built without __init__: a feed's twenty articles bring about a hundred
    authors, tags and sections, and running __init__ and its signals for each
    cost about a millisecond.
    """
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding, instance._state.db = False, db
    instance.__dict__.update(values)
    return instance


class LoadedIterable(models.query.ModelIterable):
    """Articles from a QuerySet, each with its byline, tags and sections: attach() for each batch read."""

    def __iter__(self):
        batch = []
        for article in super().__iter__():
            batch.append(article)
            if len(batch) == self.chunk_size:
                yield from attach(batch)
                batch = []
        yield from attach(batch)
