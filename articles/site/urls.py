from django.urls import path, register_converter

from articles.caching import public
from articles.desk import preview
from articles.site import feeds, pages, views
from articles.site.converters import DayConverter, MonthConverter, UnicodeSlugConverter, YearConverter
from articles.site.sitemaps import news_sitemap, robots_txt, sitemap_index, sitemap_part

register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")
register_converter(DayConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("preview/<int:pk>/", preview.staff_preview, name="preview"),
    path("preview/s/<str:signed>/", preview.shared_preview, name="shared_preview"),
    path("", public(views.home), name="home"),
    path("latest/", public(views.ArticleListView.as_view()), name="latest"),
    path(
        "<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/",
        public(views.ArticleDetailView.as_view()),
        name="detail",
    ),
    path("authors/<uslug:slug>/", public(views.AuthorView.as_view()), name="author"),
    path("tags/<uslug:slug>/", public(views.TagView.as_view()), name="tag"),
    path("categories/<uslug:slug>/", public(views.CategoryView.as_view()), name="category"),
    path("search/", public(views.SearchView.as_view()), name="search"),
    path("archive/<yyyy:year>/", public(views.YearArchive.as_view()), name="archive_year"),
    path("archive/<yyyy:year>/<mm:month>/", public(views.MonthArchive.as_view()), name="archive_month"),
    path("sitemap.xml", public(sitemap_index), name="sitemap"),
    path("sitemap-news.xml", public(news_sitemap), name="news_sitemap"),
    path("sitemap-<slug:section>.xml", public(sitemap_part), name="sitemap_section"),
    path("robots.txt", public(robots_txt), name="robots"),
    path("feed/", public(feeds.LatestFeed()), name="feed"),
    path("feed/atom/", public(feeds.LatestAtomFeed()), name="feed_atom"),
    path("authors/<uslug:slug>/feed/", public(feeds.AuthorFeed()), name="author_feed"),
    path("authors/<uslug:slug>/feed/atom/", public(feeds.AuthorAtomFeed()), name="author_feed_atom"),
    path("tags/<uslug:slug>/feed/", public(feeds.TagFeed()), name="tag_feed"),
    path("tags/<uslug:slug>/feed/atom/", public(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("categories/<uslug:slug>/feed/", public(feeds.CategoryFeed()), name="category_feed"),
    path("categories/<uslug:slug>/feed/atom/", public(feeds.CategoryAtomFeed()), name="category_feed_atom"),
    path("manifest.webmanifest", public(pages.manifest), name="manifest"),
    # Last: a site page (about, contact…) takes an address no other page has (SitePage.clean()).
    path("<uslug:slug>/", public(pages.SitePageView.as_view()), name="site_page"),
]
