"""The rule pages (/rules/): every rule the product cites has a page in English and Japanese,
every page belongs to SPEC.md's numbering, and every cited number on a page links to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from deployments import rule_selectors
from deployments.rules.ruletext import RULE_NUMBER

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "SPEC.md"
BOOK = rule_selectors.rule_book()
# Where the product cites rules: the recipes, checks and other rule data, the templates, and the
# Python that builds what pages and commands say. Migrations only repeat model help texts.
CITING = [
    *(ROOT / "deployments").rglob("*.py"),
    *(ROOT / "certauthority").rglob("*.py"),
    *(ROOT / "core").rglob("*.py"),
    *(ROOT / "templates").rglob("*.html"),
]


def _spec_numbers() -> list[str]:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is not beside the checkout")
    return re.findall(r"^- (R\d+(?:\.\d+)+) ", SPEC.read_text(encoding="utf-8"), re.MULTILINE)


def _cited() -> dict[str, str]:
    """Each R-number cited in the product -> one file that cites it."""
    cited: dict[str, str] = {}
    for path in CITING:
        if "migrations" in path.parts:
            continue
        for number in RULE_NUMBER.findall(path.read_text(encoding="utf-8")):
            if number.startswith("R"):
                cited.setdefault(number, str(path.relative_to(ROOT)))
    return cited


def test_every_rule_the_product_cites_has_a_page():
    cited = _cited()
    assert len(cited) > 40  # the scan finds the recipes' citations
    missing = {n: where for n, where in cited.items() if BOOK.get(n) is None}
    assert missing == {}, "add these rules to deployments/rules/packs/cms21/rule_texts.py"


def test_every_page_is_a_rule_of_spec_md_and_spec_md_has_no_rule_without_a_page():
    assert list(BOOK.numbers()) == _spec_numbers()


def test_the_texts_are_our_own_words_not_spec_md_s_sentences():
    words = (
        re.findall(r"[a-z0-9]+", SPEC.read_text(encoding="utf-8").lower()) if SPEC.exists() else []
    )
    spec_runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    copied = []
    for rule in BOOK.rules:
        mine = re.findall(r"[a-z0-9]+", str(rule.summary).lower())
        copied += [
            rule.number for i in range(len(mine) - 7) if " ".join(mine[i : i + 8]) in spec_runs
        ]
    assert copied == []


def test_every_rule_has_a_japanese_title_and_explanation():
    def texts(language: str) -> list[tuple[str, str]]:
        with translation.override(language):
            return [(str(r.title), str(r.summary)) for r in BOOK.rules]

    english, japanese = texts("en"), texts("ja")
    same = [
        n
        for n, en, ja in zip(BOOK.numbers(), english, japanese, strict=True)
        if en[1] == ja[1] or not re.search("[\u3040-\u30ff]", ja[0] + ja[1])
    ]
    assert same == []


def test_the_index_lists_every_rule_by_chapter(client_as, viewer):
    page = client_as(viewer).get(reverse("rules:index")).content.decode()
    for number in BOOK.numbers():
        assert f'href="/rules/{number}/"' in page
    assert "Which certificates a deployment needs" in page


def test_a_rule_page_explains_the_rule_with_its_neighbours_and_users(client_as, viewer):
    page = client_as(viewer).get("/rules/R4.7.1/").content.decode()
    assert "Web Bridges trust the Call Bridges" in page
    assert "concatenated trust bundle" in page
    assert 'id="rule-previous" href="/rules/R4.7/"' in page
    assert 'id="rule-next" href="/rules/R4.8/"' in page
    # Back to where it is used: the knowledge page's recipes that cite R4.7.1.
    assert 'href="/deployments/knowledge/#recipe-web_bridge"' in page


def test_a_rule_page_speaks_japanese(client_as, viewer):
    client = client_as(viewer)
    client.cookies["django_language"] = "ja"
    page = client.get("/rules/R3.9/").content.decode()
    assert "データベースクラスター" in page
    assert "postgres" in page
    assert "The cluster needs a server certificate" not in page


@pytest.mark.parametrize("path", ["/rules/R9.9/", "/rules/R2.5.1/", "/rules/X2.5/"])
def test_an_unknown_rule_is_a_404_that_names_it(client_as, viewer, path):
    response = client_as(viewer).get(path)
    assert response.status_code == 404


def test_a_malformed_rule_number_is_a_404(client_as, viewer):
    assert client_as(viewer).get("/rules/R2.5<script>/").status_code == 404


def test_rule_pages_need_a_login_and_a_role(client, client_as, nobody):
    assert client.get("/rules/R2.5/").status_code == 302
    assert client_as(nobody).get("/rules/R2.5/").status_code == 403


def _render(text: str) -> str:
    return Template("{% load rulelinks %}{{ text|rule_links }}").render(Context({"text": text}))


def test_rule_links_link_known_numbers_and_escape_the_rest():
    html = _render('<script>alert("R2.5")</script> see R4.7.1, not R9.9, R4.7.123 or R4.7.1x')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a class="rule-link" href="/rules/R2.5/"' in html
    assert 'href="/rules/R4.7.1/"' in html
    assert "R9.9" in html and "/rules/R9.9/" not in html  # not a rule: plain text
    assert "/rules/R4.7.1x" not in html and "/rules/R4.7/" not in html
    assert html.count("<a ") == 2


def test_rule_links_handle_a_long_hostile_text():
    text = "R1." * 20000 + "<b>" + "R1.1" * 5000
    html = _render(text)
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_every_rule_cited_on_the_deployment_pages_is_a_working_link(
    client_as, viewer, load_example
):
    deployment = load_example("single-split")
    # A self-signed Call Bridge gives the findings page something to cite (R5.1).
    deployment.certificate_plans.filter(basename="callbridge").update(signer="self_signed")
    client = client_as(viewer)
    pages = [
        reverse("deployments:knowledge"),
        reverse("deployments:plan", args=[deployment.pk]),
        reverse("deployments:findings", args=[deployment.pk]),
        reverse("certauthority:ca-list"),
    ]
    linked: set[str] = set()
    for url in pages:
        html = client.get(url).content.decode()
        links = set(re.findall(r'href="/rules/([^"/]+)/"', html))
        assert links, f"{url} cites no rule as a link"
        # No number shown as plain text outside a link on these pages.
        text = re.sub(r"<a [^>]*>.*?</a>", "", html, flags=re.DOTALL)
        text = re.sub(r"<[^>]+>", " ", text)
        plain = [n for n in RULE_NUMBER.findall(text) if BOOK.get(n)]
        assert plain == [], f"{url} shows {plain} without a link"
        linked |= links
    for number in linked:
        assert client.get(f"/rules/{number}/").status_code == 200, number
