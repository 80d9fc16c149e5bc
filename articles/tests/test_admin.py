import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Author, Tag
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def article_form(author, **fields):
    data = {
        "title": "新しい記事",
        "slug": "",
        "body": "港町の新しい話題です。\n\n二段落目。",
        "excerpt": "",
        "tags": "港, ＡＩ",
        "hero_alt": "",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "1",
        "bylines-MAX_NUM_FORMS": "1000",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "0",
    }
    data.update(fields)
    return data


def test_add_and_change_pages_render_with_the_markdown_editor(editor_client):
    article = ArticleFactory()
    for url in [
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
    ]:
        html = editor_client.get(url).content.decode()
        assert 'class="markdownx"' in html
        assert f'data-markdownx-urls-path="{reverse("editor:preview")}"' in html
        assert f'data-markdownx-upload-urls-path="{reverse("editor:upload")}"' in html
        assert "markdownx/js/markdownx" in html


def test_status_is_not_a_form_field(editor_client):
    article = ArticleFactory()
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="status"' not in html
    assert 'name="_workflow" value="submit"' in html
    assert "保存して審査に提出" in html  # the button says what it does, in the UI language


def test_writer_sees_no_publish_button_and_cannot_publish_by_posting_it(client, writer):
    author = AuthorFactory()
    client.force_login(writer)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'value="publish"' not in html and 'value="submit"' in html

    client.post(reverse("admin:articles_article_add"), article_form(author, _workflow="publish"))
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer


def test_editor_creates_an_article_with_byline_and_folded_tags(editor_client, editor):
    author = AuthorFactory()
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(author))

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.slug == "新しい記事"
    assert article.byline() == [author]
    assert sorted(article.tags.names()) == ["AI", "港"]
    assert article.excerpt == "港町の新しい話題です。"
    assert article.created_by == editor


def test_save_and_submit_then_an_editor_approves_and_publishes(client, writer, editor):
    author = AuthorFactory()
    client.force_login(writer)
    response = client.post(reverse("admin:articles_article_add"), article_form(author, _workflow="submit"))
    article = Article.objects.get()
    assert response.status_code == 302 and article.status == Article.Status.IN_REVIEW
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert 'name="title"' not in client.get(url).content.decode()  # what is reviewed is frozen
    client.post(reverse("admin:articles_article_workflow", args=[article.pk]), {"_workflow": "approve"})
    client.post(reverse("admin:articles_article_workflow", args=[article.pk]), {"_workflow": "publish"})
    article.refresh_from_db()
    assert article.is_public
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_publish_at_a_future_time_schedules_the_article(editor_client, writer, editor):
    from articles.desk import workflow

    article = ArticleFactory(created_by=writer)
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "approve", by=editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    workflow_url = reverse("admin:articles_article_workflow", args=[article.pk])
    editor_client.post(workflow_url, {"_workflow": "publish", "_publish_at": "2000-01-01T09:00"})
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED  # a time in the past would backdate it
    editor_client.post(workflow_url, {"_workflow": "publish", "_publish_at": "2999-01-01T09:00"})
    article.refresh_from_db()
    assert article.is_scheduled
    assert article.title not in Client().get(reverse("articles:home")).content.decode().replace("<wbr>", "")
    html = editor_client.get(url).content.decode()
    assert "2999" in html and "badge-scheduled" in html


def test_an_article_needs_a_byline(editor_client):
    data = article_form(AuthorFactory(), **{"bylines-TOTAL_FORMS": "0", "bylines-0-author": ""})
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "at least one author" in response.content.decode() or "著者" in response.content.decode()
    assert not Article.objects.exists()


def test_the_same_author_twice_is_a_form_error_not_a_crash(editor_client):
    author = AuthorFactory()
    data = article_form(
        author, **{"bylines-TOTAL_FORMS": "2", "bylines-1-author": str(author.pk), "bylines-1-position": "1"}
    )
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert not Article.objects.exists()


def test_derived_excerpt_is_shown_as_a_hint_and_keeps_following_the_body(editor_client):
    author = AuthorFactory()
    article = ArticleFactory(authors=[author], body="最初の段落。")
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert 'placeholder="最初の段落。"' in editor_client.get(url).content.decode()

    assert editor_client.post(url, change_form(article, body="書き換えた段落。")).status_code == 302
    article.refresh_from_db()
    assert article.excerpt == "書き換えた段落。"


def test_change_list_filters_and_search(editor_client):
    section = CategoryFactory()
    ArticleFactory(title="防波堤の記事", categories=[section], tags=["港"])
    base = reverse("admin:articles_article_changelist")
    assert "防波堤の記事" in editor_client.get(base + "?q=防波堤").content.decode()
    for query in [
        "?status__exact=draft",
        f"?categories__id__exact={section.pk}",
        f"?tags__id__exact={Tag.objects.get().pk}",
    ]:
        assert editor_client.get(base + query).status_code == 200


def test_author_and_section_admins_render(editor, client):
    editor.is_superuser = True
    editor.save()
    client.force_login(editor)
    AuthorFactory(name="港町タイムズ編集部", is_desk=True)
    assert "港町タイムズ編集部" in client.get(reverse("admin:articles_author_changelist")).content.decode()
    assert client.get(reverse("admin:articles_author_add")).status_code == 200
    assert client.get(reverse("admin:articles_category_add")).status_code == 200
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "byline", "field_name": "author", "term": "港町"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["港町タイムズ編集部"]
    assert Author.objects.count() == 1


def test_tags_can_be_separated_the_japanese_way(editor_client):
    author = AuthorFactory()
    editor_client.post(
        reverse("admin:articles_article_add"), article_form(author, tags="港、防災，AI, 朝市 祭り")
    )
    assert sorted(Article.objects.get().tags.names()) == sorted(["港", "防災", "AI", "朝市 祭り"])


def test_an_overlong_tag_is_a_form_error_not_a_500(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_form(AuthorFactory(), tags="港, " + "長" * 101)
    )
    assert response.status_code == 200
    assert "101" in response.content.decode()
    assert not Article.objects.exists()


def test_adding_a_tag_that_differs_only_in_width_or_case_is_a_form_error(editor, client):
    editor.is_superuser = True
    editor.save()
    client.force_login(editor)
    Tag.objects.create(name="AI")
    for name in ["ＡＩ", "ai"]:
        response = client.post(reverse("admin:articles_tag_add"), {"name": name, "slug": f"x-{len(name)}"})
        assert response.status_code == 200
        assert "AI" in response.content.decode()
    assert Tag.objects.count() == 1


def test_saving_only_a_new_title_keeps_the_derived_excerpt(editor_client):
    author = AuthorFactory()
    article = ArticleFactory(authors=[author], body="最初の段落。\n\n次。")
    byline = article.bylines.get()
    form = article_form(
        author,
        title="見出しだけ変更",
        body=article.body,
        version=str(article.version),
        **{
            "bylines-INITIAL_FORMS": "1",
            "bylines-0-id": str(byline.pk),
            "bylines-0-article": str(article.pk),
        },
    )
    assert (
        editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), form).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.title == "見出しだけ変更"
    assert article.excerpt == "最初の段落。" and article.excerpt_is_derived


def change_form(article, **fields):
    byline = article.bylines.get()
    fields = {"slug": article.slug, **fields}  # as the form shows it: the address stays unless changed
    return article_form(
        byline.author,
        version=str(article.version),
        **{
            "bylines-INITIAL_FORMS": "1",
            "bylines-0-id": str(byline.pk),
            "bylines-0-article": str(article.pk),
        },
        **fields,
    )


def test_the_change_form_carries_the_version_in_a_hidden_field(editor_client):
    article = ArticleFactory()
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'<input type="hidden" name="version" value="{article.version}"' in html


def test_a_stale_save_is_refused_naming_who_saved_and_keeps_the_submitted_text(client, editor):
    from django.test import Client

    from articles.tests.factories import StaffFactory

    article = ArticleFactory(body="元の本文。")
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = change_form(article, body="私が書き直した本文。")  # the version both opened

    colleague = Client()
    colleague.force_login(StaffFactory(username="tanaka", role="Editor"))
    assert colleague.post(url, change_form(article, body="田中さんの本文。")).status_code == 302

    client.force_login(editor)
    response = client.post(url, opened)
    html = response.content.decode()
    assert response.status_code == 200
    assert "tanaka" in html and "私が書き直した本文。" in html
    article.refresh_from_db()
    assert article.body == "田中さんの本文。"


def test_a_hand_made_post_without_a_version_changes_nothing(editor_client):
    article = ArticleFactory(title="元の見出し")
    data = change_form(article, title="勝手な見出し")
    del data["version"]
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "元の見出し"
