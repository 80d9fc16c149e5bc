"""The copy desk's checks: for each code, texts it must find and texts it must let through."""

import pytest
from django.utils import translation

from articles.models import Article
from articles.tests.factories import ArticleFactory
from articles.text import copydesk

pytestmark = pytest.mark.django_db

CLEAN_JA = "港町市議会は火曜日、新しい防波堤の計画を承認した。工事は来年春に始まり、三年で終わる予定だ。"


def check(body=CLEAN_JA, *, title="防波堤の計画を承認", excerpt="", tags=(), **fields):
    article = Article(title=title, body=body, excerpt=excerpt, **fields)
    return copydesk.check(article, tags=list(tags))


def codes(findings, code=None):
    return [(f.code, f.severity, f.field, f.line) for f in findings if code is None or f.code == code]


def test_a_clean_article_has_no_findings():
    assert check() == []


# --- encoding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        {"title": "防波堤の計画を承\ufffd"},
        {"body": CLEAN_JA + "\n\n工事の総額は約30億円\ufffdなる。"},
        {"excerpt": "防波堤の計画\ufffd承認した。"},
        {"tags": ["港\ufffd"]},
    ],
)
def test_a_lost_character_blocks_in_any_field(where):
    found = codes(check(**where), "encoding")
    field = next(iter(where)) if next(iter(where)) != "tags" else "tags"
    assert [(code, severity, f) for code, severity, f, _line in found] == [("encoding", "block", field)]


@pytest.mark.parametrize(
    "body",
    [
        "```\nprint('港町\ufffd')\n```",
        "コードは `港町\ufffd` だった。",
        "[発表](https://example.jp/\ufffd/news)を参照。",
    ],
)
def test_a_lost_character_blocks_anywhere_even_in_code_and_addresses(body):
    assert [(f.code, f.kind) for f in check(body)] == [("encoding", "replacement")]


def test_a_lost_character_names_the_body_line_and_quotes_it():
    [finding] = check(CLEAN_JA + "\n\n工事の総額は約30億円\ufffdなる。")
    assert (finding.field, finding.line, finding.kind) == ("body", 3, "replacement")
    assert "30億円\ufffdなる" in finding.quote
    assert "U+FFFD" in finding.message


@pytest.mark.parametrize(
    ("original", "garbled_with"),
    [
        ("Café au lait", "cp1252"),
        ("日本語の記事", "cp1252"),
        ("It’s here", "cp1252"),
        ("naïve résumé", "latin-1"),
    ],
)
def test_utf8_read_as_a_western_codec_blocks_and_says_what_it_was(original, garbled_with):
    garbled = original.encode("utf-8").decode(garbled_with, errors="replace")
    # (cp1252 has no character for a few bytes: those become U+FFFD, found as such)
    [finding] = [f for f in check(f"記者が書いた。{garbled}。") if f.kind == "mojibake"]
    assert finding.severity == "block" and finding.code == "encoding"
    assert finding.params["fixed"] in original


def test_utf8_read_as_shift_jis_blocks():
    garbled = "こんにちは、港町のみなさん。".encode().decode("cp932", errors="replace")
    assert "縺" in garbled
    found = check(f"本文です。{garbled}")
    assert ("encoding", "block", "mojibake") in [(f.code, f.severity, f.kind) for f in found]
    assert {f.code for f in found} == {"encoding"}


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x00", "\x85", "\ufeff"])
def test_a_control_character_blocks_even_inside_code(char):
    found = check(f"本文です。\n\n```\nprint('a{char}b')\n```\n")
    assert [(f.code, f.kind, f.line) for f in found] == [("encoding", "control", 4)]
    assert f"U+{ord(char):04X}" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Café, été, Ça va, Größe, naïve, Æblegrød, ¿Qué?, São Paulo, SÃO PAULO, 5 °C, £20, «oui»",
        "絡まった糸は縺れやすい。縺れた糸をほどく作業は根気がいる。",
        "列1\t列2\tタブで区切った行",
        "```\nprint('Ã© is what mojibake looks like; æ—¥ too')\n```",
        "The bytes `0xEF 0xBF 0xBD` are U+FFFD; `Ã©` is é read as cp1252.",
        # German and French typography next to accented letters is no mojibake
        "„Die Straße ist zu groß“, sagte er. Das war groß… wirklich.",
        "Il a dit «\u00a0café\u00a0» puis « CAFÉ\u00a0» et “They call it ‘rosé’”, “We met at the café…”",
        "Le menu : 3×½ litre, 20\u00a0°C, « déjà vu » — voilà.",
    ],
)
def test_real_text_in_many_languages_and_quoted_code_is_not_an_encoding_problem(text):
    assert codes(check(text), "encoding") == []


# --- marker -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (CLEAN_JA + "\n\n---END---", "end_marker"),
        (CLEAN_JA + "\n\n[END]", "end_marker"),
        (CLEAN_JA + "\n\nEND OF ARTICLE", "end_marker"),
        (CLEAN_JA + "\n\n=== EOF ===", "end_marker"),
        (CLEAN_JA + "<|endoftext|>", "token"),
        ("[INST] 記事を書いて [/INST]" + CLEAN_JA, "token"),
        ("{{ author_name }}記者が報告する。" + CLEAN_JA, "token"),
        ("{% include ad.html %}\n\n" + CLEAN_JA, "token"),
        (CLEAN_JA + "TODO: 数字を確認", "placeholder"),
        ("The council approved TK million for the wall.", "placeholder"),
        ("The budget is XXX yen.", "placeholder"),
        ("The wall will cost TK.", "placeholder"),
        ("TKTK: 市長の発言を確認", "placeholder"),
        ("総工費は[要確認]円。" + CLEAN_JA, "placeholder"),
        ("総工費は【要確認】円。" + CLEAN_JA, "placeholder"),
        ("Lorem ipsum dolor sit amet.", "placeholder"),
        ("市長の名前は〓〓。" + CLEAN_JA, "placeholder"),
        (CLEAN_JA + "\n\n---\ntitle: 別の記事\ndate: 2026-01-01\n---\n\n本文。", "front_matter"),
        (CLEAN_JA + "\n\n```python\nprint('never closed')\n\n後の段落。", "open_fence"),
    ],
)
def test_leftovers_of_tools_and_templates_block(body, kind):
    found = [f for f in check(body) if f.code == "marker"]
    assert [(f.severity, f.kind) for f in found] == [("block", kind)]


def test_a_marker_names_its_line():
    [finding] = check(CLEAN_JA + "\n\n二段落目。\n\n---END---")
    assert (finding.code, finding.line, finding.quote) == ("marker", 5, "---END---")


def test_a_placeholder_in_the_title_blocks():
    assert codes(check(title="見出し（要確認）"), "marker") == [("marker", "block", "title", None)]


@pytest.mark.parametrize(
    "body",
    [
        "The weekend ended. At the end of the day, the council agreed.",
        "Tokyo, TKO and XXL are words; so are todo (Spanish) and Endo.",
        "市の説明は以上だ。" + CLEAN_JA,
        CLEAN_JA + "\n\n---\n\n次の章。\n\n---\n\n最後の章。",
        CLEAN_JA + "\n\n---\nNote: 市の発表による。\n\n後の段落。",
        "```yaml\n---\ntitle: 例\ndate: 2026-01-01\n---\n```\n\nコードの中の front matter は例として書いたもの。",
        "```\nTODO: this is code\n<|endoftext|>\n{{ name }}\n---END---\n```\n\n" + CLEAN_JA,
        "テンプレートでは `{{ title }}` と `TODO` を書く。" + CLEAN_JA,
        "~~~\n閉じたコード\n~~~\n\n" + CLEAN_JA,
    ],
)
def test_ordinary_text_and_code_have_no_markers(body):
    assert codes(check(body), "marker") == []


# --- duplicate --------------------------------------------------------------------

PARAGRAPH = (
    "港町市は十六日、沖合の埋め立て地にデータセンターを建設する計画を発表した。総事業費は約三百億円になる。"
)
OTHER = "計画では洋上風力発電所からの電力を優先的に使う。市の担当者は地元の雇用にもつながると話している。"


def test_a_repeated_paragraph_blocks_and_names_both_lines():
    found = check(f"{PARAGRAPH}\n\n{OTHER}\n\n{PARAGRAPH}")
    assert codes(found) == [("duplicate", "block", "body", 5)]
    with translation.override("en"):
        assert found[0].params == {"other": 1} and "line 1." in found[0].message


def test_a_paragraph_repeated_inside_a_longer_one_blocks():
    question = "あなたはこの港町の挑戦を、どのように評価しますか？"
    found = check(f"{PARAGRAPH}{question}\n\n{question}\n\n{OTHER}\n\n{PARAGRAPH}")
    assert [(f.severity, f.kind, f.line, f.params["other"]) for f in found] == [
        ("block", "inner_paragraph", 3, 1),
        ("block", "inner_paragraph", 7, 1),
    ]


def test_repeats_are_found_after_normalising_width_and_spaces():
    fullwidth = PARAGRAPH.replace("三百", "３００").replace("。総", "。 総")
    halfwidth = PARAGRAPH.replace("三百", "300")
    found = check(f"{fullwidth}\n\n{OTHER}\n\n{halfwidth}")
    assert [(f.code, f.severity) for f in found if f.code == "duplicate"] == [("duplicate", "block")]


def test_a_repeated_sentence_warns_and_names_both_lines():
    sentence = "市の担当者は地元の雇用にもつながると話している。"
    found = check(f"{PARAGRAPH}{sentence}\n\n別の話題に移る。新しい橋の工事も始まった。{sentence}")
    assert codes(found) == [("duplicate", "warn", "body", 3)]
    assert found[0].params == {"other": 1}


def test_an_english_repeated_sentence_warns():
    sentence = "The council voted seven to two in favour of the new harbour wall."
    found = check(f"Work starts in spring. {sentence}\n\nCosts rose. {sentence} Nobody objected.")
    assert [(f.code, f.severity, f.line) for f in found] == [("duplicate", "warn", 3)]


@pytest.mark.parametrize(
    "body",
    [
        # Stock phrases, answers and short headings come back; that is no mistake.
        f"{PARAGRAPH}（写真：編集部撮影）\n\n{OTHER}（写真：編集部撮影）",
        "### Q&A\n\nQ. 工事はいつ？ A. 来年春。\n\n### Q&A\n\nQ. 費用は？ A. 未定ではない。",
        "Read more below. The council met.\n\nRead more below. The mayor spoke.",
        "- はい\n- はい\n- いいえ",
        "| 年 | 件数 |\n|---|---|\n| 2025 | 0 |\n| 2026 | 0 |\n| 2027 | 0 |",
        f"```\n{PARAGRAPH}\n```\n\n```\n{PARAGRAPH}\n```",
        f"{PARAGRAPH}\n\n{OTHER}",
    ],
)
def test_short_stock_phrases_tables_and_code_are_not_duplicates(body):
    assert codes(check(body), "duplicate") == []


# --- title and excerpt ------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "港町市が沖合の埋め立て地にデータセンターを建設する計画を発表、総事業費は約三百億円",
        "x" * 71,
    ],
)
def test_an_empty_or_overlong_title_warns(title):
    assert codes(check(title=title), "title") == [("title", "warn", "title", None)]


@pytest.mark.parametrize(
    "title",
    [
        "港町市がデータセンター計画を発表、総事業費は約三百億円",
        "Harbour town council approves a new sea wall after a long debate",
    ],
)
def test_a_title_that_fits_a_search_result_is_fine(title):
    assert codes(check(title=title), "title") == []


def test_a_typed_excerpt_longer_than_a_snippet_warns():
    assert codes(check(excerpt=PARAGRAPH * 3), "excerpt") == [("excerpt", "warn", "excerpt", None)]
    assert codes(check(excerpt="a " * 90), "excerpt") == [("excerpt", "warn", "excerpt", None)]


def test_a_short_typed_excerpt_or_a_derived_one_is_fine():
    assert codes(check(excerpt=PARAGRAPH), "excerpt") == []
    derived = ArticleFactory(body=PARAGRAPH * 5)
    derived.excerpt = derived._loaded_excerpt = PARAGRAPH * 3  # as long as any typed one that warns
    assert derived.excerpt_is_derived and codes(copydesk.check(derived), "excerpt") == []


# --- alt_text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "![](https://img.example.com/a.jpg)",
        "![ ](/media/a.jpg)",
        '<img src="a.jpg">',
        '<img alt="" src="a.jpg">',
    ],
)
def test_an_image_without_alt_text_warns(body):
    assert codes(check(f"{CLEAN_JA}\n\n{body}"), "alt_text") == [("alt_text", "warn", "body", 3)]


def test_a_hero_image_without_alt_text_warns():
    found = check(hero_image_url="https://img.example.com/hero.jpg")
    assert codes(found, "alt_text") == [("alt_text", "warn", "hero_alt", None)]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ("![港の朝](https://img.example.com/a.jpg)", {}),
        ('<img src="a.jpg" alt="港の朝">', {}),
        ("```\n![](code.jpg)\n```", {}),
        (CLEAN_JA, {"hero_image_url": "https://img.example.com/h.jpg", "hero_alt": "防波堤の完成予想図"}),
    ],
)
def test_images_with_alt_text_are_fine(body, fields):
    assert codes(check(body, **fields), "alt_text") == []


# --- link -------------------------------------------------------------------------


@pytest.fixture
def public_article():
    return ArticleFactory(slug="bouhatei", published=True)


def test_a_link_to_a_missing_article_warns(public_article):
    found = check(f"{CLEAN_JA}\n\n[前の記事](/2020/01/02/no-such-article/)を参照。")
    assert codes(found, "link") == [("link", "warn", "body", 3)]
    assert "/2020/01/02/no-such-article/" in found[0].message


def test_a_link_to_an_unpublished_or_scheduled_article_warns(public_article, settings):
    from datetime import timedelta

    from django.utils import timezone

    draft = ArticleFactory(slug="shitagaki")
    scheduled = ArticleFactory(slug="yotei", published=timezone.now() + timedelta(days=1))
    body = f"[下書き]({draft.get_absolute_url()}) と [予定]({settings.SITE_URL.rstrip('/')}{scheduled.get_absolute_url()})"
    found = check(body)
    assert [f.kind for f in found if f.code == "link"] == ["link_unpublished", "link_unpublished"]


def test_a_link_with_the_wrong_date_warns_and_gives_the_right_address(public_article):
    found = check("[記事](/1999/01/01/bouhatei/)")
    assert [f.kind for f in found] == ["link_moved"]
    assert public_article.get_absolute_url() in found[0].message


def test_a_link_to_a_page_this_site_does_not_have_warns():
    assert [f.kind for f in check("[ここ](/no/such/page/)")] == ["link_missing"]


def test_links_that_work_are_fine(public_article, settings):
    from articles.models import LegacyAddress

    LegacyAddress.objects.create(path="/old/bouhatei", article=public_article)
    host = settings.SITE_URL.rstrip("/")
    body = (
        f"[記事]({public_article.get_absolute_url()})、[絶対]({host}{public_article.get_absolute_url()})、"
        "[旧アドレス](/old/bouhatei.html)、[外部](https://www.example.org/x)、[著者](/authors/someone/)、"
        "[メール](mailto:desk@example.com)、[画像](/static/css/site.css)、[節](#top)。\n\n"
        f"[ref]: {public_article.get_absolute_url()}"
    )
    assert codes(check(body), "link") == []


def test_links_are_checked_in_two_queries_however_many(public_article, django_assert_max_num_queries):
    body = "\n\n".join(f"[記事{n}](/2020/01/{n:02d}/missing-{n}/) [旧{n}](/old/{n}/)" for n in range(1, 21))
    with django_assert_max_num_queries(2):
        found = check(body)
    assert len([f for f in found if f.code == "link"]) == 40


# --- brackets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("市長は「工事を急ぐと述べた。", "unclosed"),
        ("市長は工事を急ぐ」と述べた。", "unopened"),
        ("計画（第二期は未定。", "unclosed"),
        ("The plan (phase two is open.", "unclosed"),
        ("『港町物語を読んだ。", "unclosed"),
        ("“We will build it, she said.", "unclosed"),
        ('He said "we will build it.', "straight_quotes"),
        ("市長は「工事（第二期」を急ぐ）と述べた。", "unclosed"),
    ],
)
def test_unbalanced_brackets_and_quotes_warn(text, kind):
    found = [f for f in check(text) if f.code == "brackets"]
    assert found and found[0].kind == kind and found[0].severity == "warn" and found[0].line == 1


def test_unbalanced_brackets_in_the_title_warn():
    assert codes(check(title="市長「工事を急ぐ"), "brackets") == [("brackets", "warn", "title", None)]


@pytest.mark.parametrize(
    "text",
    [
        "市長は「工事を『早く』進める（来年春）」と述べた。(Reuters)",
        'He said "we will build it" and left.',
        "Steps: a) survey, b) design, c) build. Done :) Great ;-)",
        "手順は1）測量、2）設計、3）施工の順だ。",
        "1) 測量\n2) 設計",
        "“The wall will hold,\n\n“and it will last,” she said.",
        "顔文字(^^)も使える。",
        "[市の発表](https://example.jp/a_(b)) を参照。",
    ],
)
def test_balanced_text_enumerations_smileys_and_continued_quotes_are_fine(text):
    assert codes(check(text), "brackets") == []


# --- width ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "full", "half"),
    [
        ("ＡＩの導入が進む。市はAIを使う。", "ＡＩ", "AI"),
        ("第１２回の会合。出席者は12人。", "１２", "12"),
    ],
)
def test_full_width_and_half_width_forms_of_the_same_letters_warn(body, full, half):
    found = [f for f in check(body) if f.code == "width"]
    assert [(f.severity, f.params) for f in found] == [("warn", {"full": full, "half": half})]


def test_full_width_in_the_title_and_half_width_in_the_body_warn():
    found = check("市はAIを使う。", title="ＡＩを導入")
    assert codes(found, "width") == [("width", "warn", "title", None)]


def test_half_width_katakana_warns():
    found = check("市の担当者はﾃﾞｰﾀセンターについて話した。")
    assert [(f.code, f.kind, f.params) for f in found] == [("width", "half_kana", {"found": "ﾃﾞｰﾀ"})]


@pytest.mark.parametrize(
    "body",
    [
        "2026年にAIを導入する。5Gも整える。",
        "第１２回の会合。出席者は十二人。",
        "`ＡＩ` と書くコード例と AI の文字。",
        "[リンク](https://example.jp/AI12) の先に ＡＢＣ と書いた。",
    ],
)
def test_one_form_throughout_is_fine(body):
    assert codes(check(body), "width") == []


# --- the API ----------------------------------------------------------------------


def test_blocking_findings_come_first_and_survive_storage():
    article = Article(title="ＡＩ計画\ufffd", body="市はAIを使う。\n\n---END---")
    findings = copydesk.review(article, tags=[])
    assert [f.severity for f in findings] == ["block", "block", "warn"]
    assert (article.blocking_findings, article.warning_findings) == (2, 1)
    assert copydesk.stored(article) == findings
    with translation.override("en"):
        assert copydesk.summary(copydesk.blocking(findings)) == "encoding (title); marker (body, line 3)"


def test_messages_are_in_the_language_of_the_request():
    [finding] = check(CLEAN_JA + "\n\n---END---")
    with translation.override("ja"):
        japanese = finding.message
    with translation.override("en"):
        english = finding.message
    assert english.startswith("“---END---” is an end marker")
    assert japanese != english and "---END---" in japanese


# --- what a careful desk writes is not blocked ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "絡まった糸は縺れやすい。糸が縺れると、縺れた部分をほどくのに時間がかかる。縺れを防ぐには巻き方が大事だ。",
        "A new TK Maxx store opens on Friday. TKこと小室哲哉さんも来場した。",
        "The Super Bowl XXX rematch never happened.",
        "The venue is still TBD, organisers said.\n\n| 日程 | 会場 |\n|---|---|\n| 5月 | TBD |",
        "TODOリストアプリの利用者が増えている。a TODO list app, they said.",
        "新駅の名称は港町中央（仮）で、着工時期（未定）は来年以降になる。",
        "（ここに至るまでの経緯は後述する）",
        "BERT の学習では単語を [MASK] に置き換える。",
        "## End\n\nEnd\n\nThe end of an era.",
        "---\nWhere: Dockside Pier 3\nWhen: Saturdays\n---\n\n本文。",
        "---\nQ: いつ始まる？\nA: 来年です。\n---",
    ],
)
def test_ordinary_journalism_is_never_blocked(body):
    assert copydesk.blocking(check(body)) == []


def test_a_series_box_at_the_top_and_bottom_and_a_repeated_credit_are_not_blocked():
    box = "*この記事は連載「港町の百年」の第3回です。第1回は市の成り立ち、第2回は港の拡張を取り上げました。*"
    credit = "写真：港町タイムズ編集部撮影（2026年3月）"
    answer = "市の担当者によると、申し込みは窓口か郵送で受け付けている。"
    body = f"{box}\n\n{PARAGRAPH}\n\n{credit}\n\n### 問1\n\n{answer}\n\n{OTHER}\n\n{credit}\n\n### 問2\n\n{answer}\n\n{box}"
    found = check(body)
    assert copydesk.blocking(found) == []
    assert {(f.kind, f.severity) for f in found if f.code == "duplicate"} == {("same_paragraph", "warn")}


# --- what slipped through before -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        CLEAN_JA + "\r\n\r\n---END---\r\n\r\n関連記事はこちら。",
        CLEAN_JA + "\n\n> ---END---",
        CLEAN_JA + "\n\n——END——",
        CLEAN_JA + "\n\n- END",
        CLEAN_JA + "\n\n## END",
        CLEAN_JA + "\n\n本文終わり",
        "LOREM IPSUM dolor.",
        "Lorem\nipsum dolor sit amet.",
        CLEAN_JA + "\n\n---\ntitle: 別の記事\nauthor:\n  name: 山田\n\ntags: [港]\n---\n\n本文。",
    ],
)
def test_leftovers_are_found_in_quotes_lists_crlf_and_every_case(body):
    assert [f.code for f in copydesk.blocking(check(body))] == ["marker"]


def test_a_front_matter_block_needs_a_key_front_matter_has():
    assert [f.kind for f in check(CLEAN_JA + "\n\n---\nlayout: post\n---\n\n後の段落。")] == ["front_matter"]
    assert check(CLEAN_JA + "\n\n---\nfoo: 1\nbar: 2\n---\n\n後の段落。") == []


def test_a_sentence_repeated_as_a_list_item_warns():
    sentence = "市の担当者は地元の雇用にもつながると話している。"
    found = check(f"{PARAGRAPH}{sentence}\n\n- {sentence}")
    assert [(f.code, f.severity, f.line) for f in found] == [("duplicate", "warn", 3)]


def test_a_paragraph_repeated_whole_in_quotes_blocks():
    found = check(f"> {PARAGRAPH}\n\n{OTHER}\n\n> {PARAGRAPH}")
    assert [(f.code, f.severity, f.line) for f in found] == [("duplicate", "block", 5)]


def test_a_repeated_sentence_is_reported_at_its_own_line_in_a_long_paragraph():
    sentence = "市の担当者は地元の雇用にもつながると話している。"
    found = check(f"{PARAGRAPH}\n{sentence}\n\n別の話題に移る。\n新しい橋の工事も始まった。\n{sentence}")
    assert [(f.kind, f.line, f.params) for f in found] == [("same_sentence", 6, {"other": 2})]


def test_the_width_finding_names_forms_that_are_really_there():
    [finding] = check("ＡＩの導入。AppleとITの話。")
    assert finding.params == {"full": "ＡＩ", "half": "Apple"}
    [finding] = check("ＡＩの導入。AppleとAIの話。")
    assert finding.params == {"full": "ＡＩ", "half": "AI"}


def test_quotes_show_the_line_as_written_with_its_link():
    [finding] = check("[CafÃ©](https://example.com/menu) の記事。")
    assert finding.quote == "[CafÃ©](https://example.com/menu) の記事。"


def test_inline_code_holds_no_images_or_links_to_check():
    assert check("例：`![](x.jpg)` と `[x](/2020/01/01/nope/)` を書く。") == []


def test_a_link_to_a_scheduled_article_says_so(settings):
    from datetime import timedelta

    from django.utils import timezone

    scheduled = ArticleFactory(slug="yotei", published=timezone.now() + timedelta(days=1))
    [finding] = check(f"[予定]({scheduled.get_absolute_url()})")
    with translation.override("en"):
        assert "(scheduled)" in finding.message
    with translation.override("ja"):
        assert "（予約）" in finding.message


def test_a_text_full_of_one_mistake_reports_a_bounded_number_of_findings():
    article = Article(title="見出し", body="本文。\n\n" + ")" * 40000)
    findings = copydesk.review(article, tags=[])
    assert len(findings) == copydesk.MAX_PER_CODE and article.warning_findings == copydesk.MAX_PER_CODE
    with translation.override("en"):
        assert copydesk.summary(findings).endswith("; and 45 more")


def test_the_correction_note_is_read_too():
    found = check(correction_note="初出時の金額\ufffdを訂正しました。")
    assert codes(found) == [("encoding", "block", "correction_note", None)]


def test_a_tag_name_is_checked_on_its_own():
    assert [f.kind for f in copydesk.check_tag_name("TODO:")] == ["placeholder"]
    assert copydesk.check_tag_name("港町") == []
