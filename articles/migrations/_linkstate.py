"""Each byline, tag link and section link carried its article's status and publication time
(migrations 0010 to 0014; no longer: the owners' pages are read through the ORM).

An author's, tag's or section's page lists the owner's public articles
newest first. With the links alone the database must find every article of
the owner and sort them: a tag on the 5,000 oldest of 100,000 articles cost
PostgreSQL 40-100 ms a page. With the article's state on the link, an index on
(owner, status, publication time, article) reads a page in order and stops,
whatever the owner's size or age (see loading.PublicList).

The copy is the database's own work, so that no path can forget it: a
trigger fills a link's copy when the link is written, and another rewrites
the copies when an article's status or publication time changes (a save, the
workflow, queryset.update(), a bulk insert). Django does not know the columns;
they are read only by loading.py's SQL. On SQLite, a migration that rebuilds
one of these tables (SQLite alters a table by copying it) loses them, and must
call install() again; test_linkstate fails until it does.
"""

# (table, the article's column, the owner's column, the owner index's name)
LINKS = [
    ("articles_byline", "article_id", "author_id", "byline_public_idx"),
    ("articles_taggedarticle", "content_object_id", "tag_id", "tagged_public_idx"),
    ("articles_article_categories", "article_id", "category_id", "section_public_idx"),
]
STATUS, PUBLISHED_AT = "article_status", "article_published_at"
ARTICLES = "articles_article"
TRIGGER = "articles_link_state"  # on each link table (PostgreSQL: also the name of its function, + table)
ARTICLE_TRIGGER = "articles_article_state"  # on the articles table


def install(schema_editor) -> None:
    """Add the columns, their indexes and the triggers, and fill the copies of existing links."""
    vendor = schema_editor.connection.vendor
    timestamp = "timestamp with time zone" if vendor == "postgresql" else "datetime"
    for table, article, owner, index in LINKS:
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {STATUS} varchar(20) NULL")
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {PUBLISHED_AT} {timestamp} NULL")
        schema_editor.execute(f"UPDATE {table} SET {_copy_of(f'{table}.{article}')}")  # noqa: S608
        schema_editor.execute(
            f"CREATE INDEX {index} ON {table} ({owner}, {STATUS}, {PUBLISHED_AT} DESC, {article} DESC)"
        )
    for statement in (_postgresql_statements if vendor == "postgresql" else _sqlite_statements)():
        schema_editor.execute(statement)


def remove(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER {ARTICLE_TRIGGER} ON {ARTICLES}")
        schema_editor.execute(f"DROP FUNCTION {ARTICLE_TRIGGER}()")
    else:
        schema_editor.execute(f"DROP TRIGGER {ARTICLE_TRIGGER}")
    for table, _article, _owner, index in LINKS:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER {TRIGGER} ON {table}")
            schema_editor.execute(f"DROP FUNCTION {TRIGGER}_{table}()")
        else:
            schema_editor.execute(f"DROP TRIGGER {TRIGGER}_{table}")
            schema_editor.execute(f"DROP TRIGGER {TRIGGER}_{table}_moved")
        schema_editor.execute(f"DROP INDEX {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {PUBLISHED_AT}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {STATUS}")


def _copy_of(article: str) -> str:
    """SET's assignment of a link's copy from the article whose id is the SQL `article` (both NULL
    for none: a link written before its article, which a deferred foreign key allows)."""
    return (
        f"({STATUS}, {PUBLISHED_AT}) = (SELECT a.status, a.published_at FROM {ARTICLES} a"  # noqa: S608
        f" WHERE a.id = {article})"
    )


def _copies_of(alias: str) -> str:
    """The statements that set every link's copy of the article `alias` (NEW in a trigger)."""
    return "".join(
        f" UPDATE {table} SET {STATUS} = {alias}.status, {PUBLISHED_AT} = {alias}.published_at"  # noqa: S608
        f" WHERE {article} = {alias}.id;"
        for table, article, _owner, _index in LINKS
    )


def _sqlite_statements() -> list[str]:
    changed = "OLD.status IS NOT NEW.status OR OLD.published_at IS NOT NEW.published_at"
    statements = [
        f"CREATE TRIGGER {ARTICLE_TRIGGER} AFTER UPDATE OF status, published_at ON {ARTICLES}"
        f" FOR EACH ROW WHEN {changed} BEGIN{_copies_of('NEW')} END"
    ]
    for table, article, _owner, _index in LINKS:
        # SQLite cannot change the row a BEFORE trigger inserts: the link is updated after.
        copy = f" UPDATE {table} SET {_copy_of(f'NEW.{article}')} WHERE id = NEW.id; END"  # noqa: S608
        statements.append(
            f"CREATE TRIGGER {TRIGGER}_{table} AFTER INSERT ON {table} FOR EACH ROW BEGIN{copy}"
        )
        statements.append(
            f"CREATE TRIGGER {TRIGGER}_{table}_moved AFTER UPDATE OF {article} ON {table}"
            f" FOR EACH ROW BEGIN{copy}"
        )
    return statements


def _postgresql_statements() -> list[str]:
    changed = "OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at"
    statements = [
        f"CREATE FUNCTION {ARTICLE_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN{_copies_of('NEW')} RETURN NULL; END $$",
        f"CREATE TRIGGER {ARTICLE_TRIGGER} AFTER UPDATE OF status, published_at ON {ARTICLES}"
        f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {ARTICLE_TRIGGER}()",
    ]
    for table, article, _owner, _index in LINKS:
        statements.append(
            f"CREATE FUNCTION {TRIGGER}_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"  # noqa: S608
            f" SELECT a.status, a.published_at INTO NEW.{STATUS}, NEW.{PUBLISHED_AT}"
            f" FROM {ARTICLES} a WHERE a.id = NEW.{article}; RETURN NEW; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF {article} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_{table}()"
        )
    return statements
