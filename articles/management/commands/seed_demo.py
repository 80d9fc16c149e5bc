"""Load the demo newsroom: authors, sections (in their order), articles, the site's own pages
(about, contact, editorial policy, privacy) and staff accounts.

Idempotent: a second run finds everything by its slug or username and
creates nothing. Passwords of new accounts are random and printed once.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.demo import drawings
from articles.desk import workflow
from articles.desk.roles import ensure_roles
from articles.models import Article, Author, Byline, Category, SitePage, Tag

CONTENT = Path(__file__).resolve().parents[2] / "demo" / "content.yaml"

# username -> (is_superuser, role)
STAFF = {"chief": (True, "Chief"), "editor": (False, "Editor"), "writer": (False, "Writer")}


class Command(BaseCommand):
    help = "Create demo authors, sections, articles and staff accounts (idempotent)."

    def handle(self, *args, **options):
        content = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
        with transaction.atomic():
            chief = self.create_staff()
            authors = {a["slug"]: self.author(a) for a in content["authors"]}
            sections = {c["slug"]: self.section(c) for c in content["categories"]}
            for page in content["pages"]:
                self.site_page(page)
            created = sum(self.article(a, authors, sections, chief) for a in content["articles"])
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: {created} new article(s)."))

    def create_staff(self) -> User:
        ensure_roles(Group, Permission)
        for username, (is_superuser, role) in STAFF.items():
            user = User.objects.filter(username=username).first()
            if user:
                self.stdout.write(f"  {username}: exists, password unchanged")
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username,
                email=f"{username}@example.com",
                password=password,
                is_staff=True,
                is_superuser=is_superuser,
            )
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username}: password {password}  (shown once)")
        return User.objects.get(username="chief")

    def author(self, data) -> Author:
        author, _ = Author.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "bio": data.get("bio", ""),
                "is_desk": data.get("is_desk", False),
            },
        )
        return author

    def section(self, data) -> Category:
        section, _ = Category.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "description": data.get("description", ""),
                "position": data["position"],
            },
        )
        return section

    def site_page(self, data) -> SitePage:
        page, _ = SitePage.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "title": data["title"],
                "description": data["description"],
                "body": data["body"],
                "position": data["position"],
            },
        )
        return page

    def article(self, data, authors, sections, chief) -> bool:
        if Article.objects.filter(slug=data["slug"]).exists():
            return False
        article = Article.objects.create(
            title=data["title"], slug=data["slug"], body=data["body"],
            excerpt=data.get("excerpt") or "", created_by=chief,
            language=data.get("language") or settings.LANGUAGE_CODE, feature=data.get("feature") or "",
            **hero(data),
        )  # fmt: skip
        if data.get("translation"):  # the same story, in the other language: listed before it
            article.translation = Article.objects.get(slug=data["translation"])
            article.save()
        for position, slug in enumerate(data["authors"]):
            Byline.objects.create(article=article, author=authors[slug], position=position)
        article.categories.set([sections[slug] for slug in data.get("categories", [])])
        article.tags.set(Tag.objects.named(data.get("tags", [])))
        when = timezone.now() - timedelta(days=data["days_ago"], hours=1)
        workflow.publish_through_review(article, by=chief, publish_at=when, via="command")
        return True


def hero(data) -> dict:
    """The fields of the article's hero image, drawn for the demo (articles/demo/drawings.py)."""
    if "hero" not in data:
        return {}
    image = data["hero"]
    return {
        "hero_image": ContentFile(drawings.draw(image["scene"]), name=f"{image['scene']}.jpg"),
        "hero_alt": image["alt"],
        "hero_caption": image["caption"],
        "hero_credit": image["credit"],
    }
