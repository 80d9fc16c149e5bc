from datetime import datetime, timedelta

import factory
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from articles import caching, keys
from articles.desk import workflow
from articles.desk.roles import ensure_roles
from articles.models import Article, Author, Byline, Category, PublicChange, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True

    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")

    @factory.post_generation
    def permissions(self, create, codenames, **kwargs):
        if create and codenames:
            self.user_permissions.set(Permission.objects.filter(codename__in=codenames))

    @factory.post_generation
    def role(self, create, name, **kwargs):
        """Writer, Editor or Chief: the groups the roles migration makes."""
        if create and name:
            if not Group.objects.filter(name=name).exists():  # a flushed database (live-server tests)
                ensure_roles(Group, Permission)
            self.groups.set([Group.objects.get(name=name)])


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"記者 {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = "港町の市政を担当。"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"セクション{n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


def publisher() -> User:
    user, _ = User.objects.get_or_create(
        username="factory-publisher", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


class ArticleFactory(factory.django.DjangoModelFactory):
    """A draft with one byline.

    `published=True` publishes it (through the workflow) an hour ago;
    `published=<datetime>` publishes it at that time (a future one schedules it).
    """

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"市議会が新しい防波堤の計画を承認 {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    body = "港町市議会は火曜日、新しい防波堤の計画を承認した。工事は来年春に始まる。\n\n二段落目です。"

    @factory.post_generation
    def authors(self, create, authors, **kwargs):
        if not create:
            return
        for position, author in enumerate(authors or [AuthorFactory()]):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, tags, **kwargs):
        if create and tags:
            self.tags.set(Tag.objects.named(tags))

    @factory.post_generation
    def categories(self, create, categories, **kwargs):
        if create and categories:
            self.categories.set(categories)

    @factory.post_generation
    def published(self, create, when, **kwargs):
        if create and when:
            moment = when if isinstance(when, datetime) else timezone.now() - timedelta(hours=1)
            workflow.publish_through_review(self, by=publisher(), publish_at=moment, via="command")


def time_comes(article) -> None:
    """A scheduled `article`'s time comes, as if the clock had moved on: its time (with its links'
    copy of it) and the public state's next scheduled publication (which it was, or one before it)
    are moved a second into the past, with no save that would record a change. The pages kept
    until its time are dropped, as their lifetime would have ended (caching.lifetime())."""
    came = timezone.now() - timedelta(seconds=1)
    Article.objects.filter(pk=article.pk).update(published_at=came)
    PublicChange.objects.filter(upcoming__isnull=False).update(upcoming=came)
    article.refresh_from_db()
    article.copy_state_to_links()
    caching.purge({keys.ALL})  # every page kept since it was scheduled lived until its time
