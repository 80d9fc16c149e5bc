"""Benchmark: the copy desk's check() on a 100 KB article.

    python -m articles.benchmarks.copydesk [--kb 100] [--runs 100]

Two articles of the given size: a clean one (Japanese and English prose with
headings, lists, tables, code and links, no sentence twice) and a broken one
(the same text with every fifth paragraph repeated, leftovers and lost
characters), so that the slow path of reporting many findings is measured
too. Prints the median, 95th percentile and worst of `runs` checks. Not a test: the
figure goes in the README.
"""

import argparse
import os
import random
import statistics
import tempfile
import time

PLACES = ["港町市", "北浜町", "青空村", "桜川区", "白樺市", "南港区", "東台町", "緑ヶ丘市"]
BODIES = ["市議会", "教育委員会", "商工会", "漁業協同組合", "観光協会", "消防本部", "図書館", "病院"]
TOPICS = ["防波堤の補修", "路線バスの再編", "給食の無償化", "空き家の活用", "駅前の再開発", "森林の保全"]
ACTIONS = ["計画を発表した", "予算案を承認した", "説明会を開いた", "調査結果をまとめた", "見直しを決めた"]
ENGLISH = [
    "The {body} of {place} met on day {n} to discuss {topic}, and members asked for a second survey.",
    "Residents of {place} told reporters on day {n} that {topic} had changed their weekly routine.",
]


def sentence(rng: random.Random, n: int) -> str:
    place, body, topic = rng.choice(PLACES), rng.choice(BODIES), rng.choice(TOPICS)
    if n % 5 == 0:
        return (
            rng.choice(ENGLISH).format(body="council", place="Minatomachi", topic="the bus plan", n=n) + " "
        )
    return f"{place}の{body}は第{n}回の会合で、{topic}について{rng.choice(ACTIONS)}。"


def clean_article(size: int, seed: int = 7) -> str:
    """Markdown of about `size` bytes in which no sentence comes twice."""
    rng, parts, n = random.Random(seed), [], 0
    while sum(len(p.encode()) for p in parts) < size:
        section = len(parts)
        parts.append(f"## 第{section}節の見出し")
        for _ in range(4):
            sentences = []
            for _ in range(rng.randint(3, 6)):
                n += 1
                sentences.append(sentence(rng, n))
            parts.append("".join(sentences).strip())
        parts.append(
            f"- 項目{section}の一つ目は「{rng.choice(TOPICS)}」\n- 項目{section}の二つ目は（{rng.choice(PLACES)}）"
        )
        parts.append("| 年 | 件数 |\n|---|---|\n| 2025 | 0 |\n| 2026 | 0 |")
        parts.append(f"```python\nprint('section {section}')  # TODO in code is fine\n```")
        parts.append(f"[市の発表](https://www.example.jp/news/{section}) と [著者](/authors/desk/) を参照。")
    return "\n\n".join(parts)


def broken_article(size: int) -> str:
    paragraphs = clean_article(size).split("\n\n")
    for index in range(0, len(paragraphs), 5):
        paragraphs.append(paragraphs[index])
        paragraphs[index] += "文字化けの例\ufffd。TODO: 確認"
    return "\n\n".join(paragraphs) + "\n\n---END---"


# Hostile texts: what they cost is what a save holding the database's write lock may cost.
HOSTILE = {
    "32,000 brackets": "「" * 16000 + "）" * 16000,
    "30,000 '![a'": "![a" * 30000,
    "50,000 '[a'": "[a" * 50000,
    "20,000 '<img '": "<img " * 20000,
    "10,000 short paragraphs": "\n\n".join(f"短い段落{n}。" for n in range(10000)),
    "12,000 rules and keys": "---\na: b\n" * 12000,
    "3,000 paragraphs twice": "\n\n".join(
        [
            f"港町市議会は第{n}回の会合で、新しい防波堤の計画について議論し、予算案を承認した。"
            for n in range(3000)
        ]
        * 2
    ),
    "one 100 KB line": "あ" * 33000,
}


def measure(text: str, runs: int) -> tuple[float, float, float, int]:
    from articles.models import Article
    from articles.text import copydesk

    article = Article(title="ベンチマーク用の記事", body=text, excerpt="")
    copydesk.check(article, tags=["ベンチ"])  # the first call also loads the URL resolver
    times, findings = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        findings = len(copydesk.check(article, tags=["ベンチ"]))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], max(times), findings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:  # a fresh database: the link check asks it
        os.environ.update(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            DEBUG="",  # as in production
            SECRET_KEY="bench-only-secret-key",  # noqa: S106 - a throwaway for this run
            DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        )
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        for name, text in [
            ("clean", clean_article(options.kb * 1000)),
            ("broken", broken_article(options.kb * 1000)),
        ]:
            median, p95, worst, findings = measure(text, options.runs)
            size = len(text.encode()) / 1000
            print(
                f"{name:6} {size:6.1f} KB  median {median:5.1f} ms  95th percentile {p95:5.1f} ms  "
                f"worst {worst:5.1f} ms  {findings} finding(s)"
            )
        for name, text in HOSTILE.items():
            median, _p95, worst, findings = measure(text, 5)
            size = len(text.encode()) / 1000
            print(f"hostile: {name:26} {size:6.1f} KB  median {median:6.1f} ms  worst {worst:6.1f} ms")


if __name__ == "__main__":
    main()
