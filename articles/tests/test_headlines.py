"""Japanese headlines break between phrases (BudouX's <wbr>s and site.css), never inside a word, and
no headline ends on a line of a character or two: in the HTML, and measured in a real browser."""

from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from unicodedata import category

import pytest
from django.core.management import call_command
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Category
from articles.tests.factories import ArticleFactory

# Words the issue saw cut at a line's end (「刷／新」, 「港／町市」, 「読め／ます」), and others of the demo.
WORDS = [
    "刷新",
    "港町市",
    "読めます",
    "避難所",
    "商店街",
    "図書館",
    "読書室",
    "潮位計",
    "防災アプリ",
    "利用方針",
]


def phrases(text: str) -> str:
    return engines["django"].from_string("{% load public %}{{ text|phrases }}").render({"text": text})


def test_a_japanese_headline_gets_a_break_between_its_phrases():
    assert phrases("AIで避難所の混雑を予測、港町市が防災アプリを刷新") == (
        "AIで<wbr>避難所の<wbr>混雑を<wbr>予測、<wbr>港町市が<wbr>防災アプリを<wbr>刷新"
    )


def test_an_english_headline_is_left_as_it_is():
    assert phrases("Night ferry to Kamome Island resumes") == "Night ferry to Kamome Island resumes"


def test_a_number_or_a_latin_word_in_a_japanese_headline_is_never_cut():
    # BudouX alone cuts this one into 「202」「6年」.
    assert phrases("新型ウイルス対策 English words 2026年") == "新型ウイルス対策 English words 2026年"
    assert "<wbr>" not in phrases("ＡＩ2026年")


def test_a_headline_is_escaped_phrase_by_phrase():
    shown = phrases('港町市が<script>alert("x")</script>を刷新&')
    assert "<wbr>" in shown and "<script" not in shown
    assert (
        shown.replace("<wbr>", "") == "港町市が&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;を刷新&amp;"
    )
    assert phrases("<b>Bold & brave</b>") == "&lt;b&gt;Bold &amp; brave&lt;/b&gt;"


class Headlines(HTMLParser):
    """The text of every h1, h2 and link of a page, with "|" where a <wbr> is."""

    RECORDED = {"h1", "h2", "a"}

    def __init__(self):
        super().__init__()
        self.open, self.found = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "wbr":
            for element in self.open:
                element[1].append("|")
        elif tag in self.RECORDED:
            self.open.append((tag, []))

    def handle_endtag(self, tag):
        if tag in self.RECORDED and self.open and self.open[-1][0] == tag:
            tag, parts = self.open.pop()
            self.found.append((tag, " ".join("".join(parts).split())))

    def handle_data(self, data):
        for element in self.open:
            element[1].append(data)


def headlines(client, url) -> list[tuple[str, str]]:
    parser = Headlines()
    parser.feed(client.get(url).content.decode())
    return parser.found


@pytest.mark.django_db
def test_every_headline_of_a_page_carries_its_phrases(client):
    now = timezone.now()
    ArticleFactory(
        title="浜通り商店街の朝市、20年目の春を迎える", tags=["港"], published=now - timedelta(days=1)
    )
    story = ArticleFactory(title="港町市が防災アプリを刷新", tags=["港"], published=now - timedelta(hours=1))
    ArticleFactory(title="Lantern boats return", tags=["港"], published=now - timedelta(days=2))
    section = Category.objects.create(name="地域", slug="chiiki")
    story.categories.set([section])

    article_page = headlines(client, story.get_absolute_url())
    assert ("h1", "港町市が|防災アプリを|刷新") in article_page
    assert ("a", "浜通り|商店街の|朝市、|20年目の|春を|迎える") in article_page  # related
    assert ("a", "前の記事 浜通り|商店街の|朝市、|20年目の|春を|迎える") in article_page  # previous
    assert ("a", "Lantern boats return") in article_page
    assert ("h2", "港町市が|防災アプリを|刷新") in headlines(client, section.get_absolute_url())
    assert ("h2", "Lantern boats return") in headlines(client, reverse("articles:search") + "?q=Lantern")


# In the page: each headline's text, the line each character of it is on (measured with a Range
# around each), and where its <wbr>s are. Labels ("前の記事") and times beside a headline are left out.
MEASURE = """(selector) => [...document.querySelectorAll(selector)].map((headline) => {
  const skip = (node) => node !== headline && node.nodeType === 1 && node.matches("span, time");
  const walker = document.createTreeWalker(headline, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT,
    {acceptNode: (node) => skip(node) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = "", line = 0, previous = null;
  const lines = [], wbr = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === 1) {
      if (node.localName === "wbr") wbr.push(text.length);
      continue;
    }
    for (let i = 0; i < node.data.length; i++) {
      if (!/\\s/.test(node.data[i])) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (box && previous && box.top > previous.top + previous.height / 2) line++;
        if (box) previous = box;
      }
      text += node.data[i];
      lines.push(line);
    }
  }
  return {text, lines, wbr, where: `${headline.localName} in .${headline.parentElement.closest("[class]")?.className}`};
})"""
HEADLINES = "main h1, main h2, main h3, main li > a, .prev-next a"


def between_words(before: str, after: str) -> bool:
    """Is a line break between these characters one between words, without a <wbr>: at a space, after
    a hyphen or closing punctuation (、。」), before an opening bracket (「)?"""
    return before.isspace() or category(before) in {"Pd", "Pe", "Pf", "Po"} or category(after) in {"Ps", "Pi"}


def faults(headline: dict) -> list[str]:
    """What is wrong with how a headline was broken into lines: a break inside a word (but at a
    <wbr>, see between_words()), or a last line of one or two characters."""
    text, lines, wbr = headline["text"], headline["lines"], set(headline["wbr"])
    breaks = [at for at in range(1, len(text)) if lines[at] != lines[at - 1]]
    shown = (
        headline["where"]
        + ": "
        + "／".join(
            text[start:end].strip() for start, end in zip([0, *breaks], [*breaks, len(text)], strict=True)
        )
    )
    found = []
    for at in breaks:
        if not (at in wbr or between_words(text[at - 1], text[at])):
            found.append(f"breaks inside a word: {shown}")
        for word in WORDS:
            start = text.find(word)
            if start >= 0 and start < at < start + len(word):
                found.append(f"breaks {word}: {shown}")
    last = "".join(text[breaks[-1] :].split()) if breaks else ""
    if breaks and len(last) <= 2:
        found.append(f"ends on a line of {len(last)}: {shown}")
    return found


@pytest.fixture
def demo(live_server):
    """The demo newsroom (seed_demo): its article, section and front pages."""
    call_command("seed_demo", stdout=StringIO())
    pages = [reverse("articles:home")]
    pages += [article.get_absolute_url() for article in Article.objects.published()]
    pages += [section.get_absolute_url() for section in Category.objects.in_menu()]
    return [live_server.url + page for page in pages]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_no_demo_headline_breaks_inside_a_word_or_ends_on_a_character_or_two(demo, browser, width):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    page = context.new_page()
    found, measured = {}, 0
    for url in demo:
        page.goto(url)
        for headline in page.evaluate(MEASURE, HEADLINES):
            measured += max(headline["lines"], default=0) > 0
            for fault in faults(headline):
                found.setdefault(url, []).append(fault)
    context.close()
    assert not found, "\n".join(f"{url} {fault}" for url, faults in found.items() for fault in faults)
    assert measured >= 5  # headlines of more than one line were measured


# The bottom of the first line of the page's first headline (an article's h1, a list's first h2).
FIRST_HEADLINE = """() => {
  const headline = document.querySelector("main article :is(h1, h2)");
  const text = document.createTreeWalker(headline, NodeFilter.SHOW_TEXT).nextNode();
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(text, 1);
  return range.getBoundingClientRect().bottom;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_first_headline_is_on_the_first_screen(demo, browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 667})
    page = context.new_page()
    home, article, section = demo[0], demo[1], demo[-1]
    found = {}
    for url in (home, article, section):
        page.goto(url)
        found[url] = page.evaluate(FIRST_HEADLINE)
    context.close()
    assert {url: bottom for url, bottom in found.items() if bottom > 667} == {}
