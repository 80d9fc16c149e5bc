from html.parser import HTMLParser

import pytest

from articles.text.rendering import make_excerpt, reading_time, render_markdown


class _Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    return _Elements(html).elements


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='vbscript:msgbox(1)'>x</a>",
        '<iframe src="https://example.com"></iframe>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<svg onload="alert(1)"></svg>',
        '<form action="https://evil.example"><input></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    ],
)
def test_dangerous_markup_is_removed(markdown):
    html = render_markdown(markdown)
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "style", "svg", "form", "input", "meta"}
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert (
                    attrs[name].split(":")[0].lower() in {"http", "https", "mailto"} or ":" not in attrs[name]
                )


def test_characters_xml_forbids_are_dropped_from_the_html():
    # The feeds carry the stored HTML as it is: a control character would make them unreadable.
    html = render_markdown("前\x01後\x0bの\ufffe文。\n\n次\x1fの段落。")
    assert html == "<p>前後の文。</p>\n<p>次の段落。</p>"


def test_headings_code_tables_and_safe_links_survive():
    html = render_markdown(
        "## 投資の背景\n\n"
        "```python\nprint('こんにちは')\n```\n\n"
        "| 年 | 額 |\n|---|---|\n| 2025 | 40億ドル |\n\n"
        "[記事](https://example.com/a) と [連絡](mailto:desk@example.com)\n"
    )
    assert '<h2 id="投資の背景">投資の背景</h2>' in html
    assert '<pre><code class="language-python">' in html
    assert "<table>" in html and "<td>40億ドル</td>" in html
    assert '<a href="https://example.com/a" rel="noopener noreferrer">記事</a>' in html
    assert 'href="mailto:desk@example.com"' in html


def test_code_blocks_keep_only_a_language_class():
    html = render_markdown('<code class="evil big">x</code>')
    assert "class" not in html


JAPANESE_LEAD = (
    "港町市議会は火曜日、老朽化した防波堤を建て替える計画を全会一致で承認した。"
    "総事業費は約48億円で、工事は来年春に始まり、完成は2030年を見込む。"
    "市は工事期間中も漁港の利用を続けられるよう、区画ごとに工事を進める方針だ。"
    "地元の漁業協同組合は計画を歓迎している。"
)


def test_japanese_excerpt_is_cut_at_a_sentence_end_within_about_120_characters():
    excerpt = make_excerpt(render_markdown(JAPANESE_LEAD + "\n\n次の段落。"))
    assert excerpt.endswith("。")
    assert JAPANESE_LEAD.startswith(excerpt)
    assert 60 <= len(excerpt) <= 130
    assert "次の段落" not in excerpt


def test_short_first_paragraph_is_the_whole_excerpt():
    assert make_excerpt(render_markdown("短い導入です。\n\n本文が続く。")) == "短い導入です。"


def test_english_excerpt_is_cut_at_a_sentence_end_within_about_50_words():
    sentence = "The council approved a plan to rebuild the old harbour wall on Tuesday evening. "
    excerpt = make_excerpt(render_markdown(sentence * 8))
    assert excerpt.endswith("evening.")
    assert 30 <= len(excerpt.split()) <= 55


def test_excerpt_without_sentence_end_is_cut_at_a_word_with_an_ellipsis():
    excerpt = make_excerpt(render_markdown("harbour " * 120))
    assert excerpt.endswith("harbour…")
    assert len(excerpt.split()) <= 50


def test_excerpt_never_cuts_inside_a_link():
    text = (
        "word " * 45 + "[a link whose text runs on for many words past the budget](https://example.com) tail."
    )
    excerpt = make_excerpt(render_markdown(text))
    assert "a link" not in excerpt
    assert excerpt.endswith("word…")


def test_excerpt_never_splits_a_character_from_its_marks():
    # Hiragana "か" + combining dakuten, 200 times: no sentence end, so a hard cut.
    excerpt = make_excerpt(render_markdown("か\u3099" * 200))
    body = excerpt.rstrip("…")
    assert not body.endswith("か")  # the mark stays with its character
    assert body.endswith("\u3099")


def test_excerpt_skips_headings_and_is_plain_text():
    html = render_markdown("# 見出し\n\n**太字**と[リンク](https://example.com)の段落。")
    assert make_excerpt(html) == "太字とリンクの段落。"


def test_reading_time_for_japanese_counts_letters_at_600_a_minute():
    assert reading_time("あ" * 600) == 1
    assert reading_time("あ" * 601) == 2
    assert reading_time("字" * 4200 + "、。「」" * 300) == 7  # punctuation is not reading


def test_reading_time_for_english_counts_words_at_230_a_minute():
    assert reading_time("word " * 230) == 1
    assert reading_time("word " * 231) == 2


def test_reading_time_of_mixed_text_adds_both_and_is_at_least_one():
    # 4,233 Japanese letters and 125 Latin-script words: 7.06 + 0.54 minutes.
    text = ("投資" * 2116 + "字") + " Anthropic" * 125
    assert reading_time(text) == 8
    assert reading_time("") == 1


def test_excerpt_of_a_paragraph_that_is_one_long_link_is_never_empty():
    excerpt = make_excerpt(render_markdown("[" + "word " * 70 + "](https://example.com)"))
    assert excerpt.startswith("word word") and len(excerpt.split()) == 70
