"""The web pages in real headless Chromium (Debian's package, driven by Playwright).

The browser is /usr/bin/chromium (``.ci/run`` installs it; Playwright's own
download cannot work here). The server is the real app over the real store
(``serve_helpers.served``). A hostile article (script tags, event handlers,
``javascript:`` URLs, quote marks inside attributes) is shown on every page
that shows article text, and nothing of it may run or become markup; a
control runs the same check on the payloads left unescaped, and it fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from serve_helpers import HOSTILE_ID, HOSTILE_TEXT, PAYLOADS

pytest.importorskip("pytest_playwright", reason="the dev extra (playwright) is not installed")

from playwright.sync_api import Page, expect

pytestmark = pytest.mark.model

CHROMIUM = Path("/usr/bin/chromium")
PORT_ALDER = "port-alder-harbor-budget"
VALMONT = "valmont-water-warning"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (.ci/run does)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(served: str) -> str:
    return served


@pytest.fixture(scope="session")
def records(served: str) -> dict[str, dict[str, Any]]:
    """The stored records by input name, from the API."""
    out = {}
    with httpx.Client(base_url=served) as c:
        for doc in (PORT_ALDER, VALMONT, HOSTILE_ID):
            out[doc] = c.get(f"/api/articles/{doc}").json()
    return out


#: the WCAG contrast ratio of an element's text colour against its background colour
CONTRAST = """el => {
    const lum = c => {
        const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
            v = Number(v) / 255;
            return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const s = getComputedStyle(el);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}"""


def label(a: dict[str, Any]) -> str:
    return str(a["source"]["name"] or a["source"]["text"]) if a["source"] else "(no source)"


# --------------------------------------------------------------------------- the article page


def test_serve_browser_article_highlights_source_cue_and_content(
    page: Page, records: dict[str, dict[str, Any]]
) -> None:
    record = records[VALMONT]
    page.goto(f"/articles/{record['id']}")
    expect(page.locator("h1")).to_have_text(record["title"])
    assert page.locator("#text").text_content() == record["text"]  # highlighting drops nothing
    styles = {}
    for role in ("source", "cue", "content"):
        spans = page.locator(f"#text .hl.r-{role}")
        assert spans.count() > 0, role
        styles[role] = spans.first.evaluate(
            "el => { const s = getComputedStyle(el); "
            "return [s.fontWeight, s.fontStyle, s.backgroundColor]; }"
        )
    assert int(styles["source"][0]) >= 600  # roles differ by more than colour
    for role in ("source", "cue", "content"):
        ratio = page.locator(f"#text .hl.r-{role}").first.evaluate(CONTRAST)
        assert ratio >= 7, (role, ratio)  # WCAG AAA for the highlighted text
    assert styles["cue"][1] == "italic"
    assert len({s[2] for s in styles.values()}) == 3
    assert page.locator(".pick").count() == len(record["attributions"])
    removed = page.locator(".removed li")
    assert removed.count() == len(record["removed"]) > 0
    expect(page.locator("#removed-h")).to_contain_text("Removed as boilerplate")


def test_serve_browser_clicking_a_highlight_shows_its_details(
    page: Page, records: dict[str, dict[str, Any]]
) -> None:
    record = records[VALMONT]
    page.goto(f"/articles/{record['id']}")
    expect(page.locator(".detail:visible")).to_have_count(0)
    cue = page.locator("#text .hl.r-cue").first
    aid = cue.get_attribute("data-a").split()[0]  # type: ignore[union-attr]
    a = next(x for x in record["attributions"] if x["id"] == aid)
    cue.click()
    detail = page.locator(f"#detail-{aid}")
    expect(detail).to_be_visible()
    expect(page.locator(".detail:visible")).to_have_count(1)
    expect(detail.locator("h2")).to_have_text(label(a))
    expect(detail.locator(".kind")).to_have_text(a["kind"].replace("_", " "))
    expect(detail).to_contain_text(f"{a['confidence']:.2f}")
    expect(page.locator(f'#text .hl.sel[data-a~="{aid}"]').first).to_be_visible()
    assert page.url.endswith(f"#{aid}")


def test_serve_browser_keyboard_selects_an_attribution_with_titles_and_date(
    page: Page, records: dict[str, dict[str, Any]]
) -> None:
    record = records[VALMONT]
    page.goto(f"/articles/{record['id']}")
    a = next(x for x in record["attributions"] if x["source"]["name"] == "Halvard Njoku")
    page.locator(f"#pick-{a['id']}").focus()
    page.keyboard.press("Enter")
    detail = page.locator(f"#detail-{a['id']}")
    expect(detail).to_be_visible()
    expect(page.locator(f"#pick-{a['id']}")).to_have_attribute("aria-pressed", "true")
    expect(detail.locator(".titles")).to_have_text("Utility director")
    expect(detail.locator(".when")).to_have_text("not dated in the text")


def test_serve_browser_via_chain_reads_outermost_first(
    page: Page, records: dict[str, dict[str, Any]]
) -> None:
    record = records[PORT_ALDER]
    by_id = {a["id"]: a for a in record["attributions"]}
    outer = next(a for a in record["attributions"] if a["via"])
    chain = f"{label(outer)} ← {label(by_id[outer['via']])}"
    page.goto(f"/articles/{record['id']}#{outer['via']}")  # the inner one, from the address
    expect(page.locator(f"#detail-{outer['via']} .via")).to_have_text(chain)
    page.locator(f"#pick-{outer['id']}").click()
    expect(page.locator(f"#detail-{outer['id']} .via")).to_have_text(chain)
    assert chain.startswith("Local media ← two officials")


def test_serve_browser_speaker_link_leads_to_the_speakers_statements(
    page: Page, records: dict[str, dict[str, Any]], served: str
) -> None:
    record = records[HOSTILE_ID]
    a = next(x for x in record["attributions"] if (x["source"] or {}).get("name") == "Lina Marsh")
    page.goto(f"/articles/{record['id']}")
    page.locator(f"#pick-{a['id']}").click()
    page.locator(f"#detail-{a['id']} h2 a").click()
    speaker = httpx.get(f"{served}/api/speakers/Lina Marsh", follow_redirects=True).json()
    expect(page).to_have_url(f"{served}/speakers/{speaker['id']}")
    expect(page.locator("h1")).to_have_text("Lina Marsh")
    total = speaker["statements"]["total"]
    expect(page.locator(".quote")).to_have_count(total)
    # by the date each statement was made: "said on Tuesday" (March 31), then the article's date
    expect(page.locator(".timeline .when")).to_have_text(["2026-03", "2026-04"])
    widths = page.locator(".timeline .bar").evaluate_all("els => els.map(e => e.style.width)")
    assert widths == ["100%", "100%"]
    expect(page.locator(".quote .meta").first).to_contain_text("said 2026-04-02")
    expect(page.locator(".quote .meta").last).to_contain_text("said 2026-03-31")
    page.locator(".quote a", has_text="Pier Vote").first.click()  # and back to the article
    expect(page.locator(".detail:visible")).to_have_count(1)


def test_serve_browser_narrow_screen_has_no_sideways_scroll(
    page: Page, records: dict[str, dict[str, Any]]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (f"/articles/{records[VALMONT]['id']}", "/quotes", "/speakers", "/paste", "/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(f"/articles/{records[VALMONT]['id']}")
    page.locator("#text .hl.r-cue").first.click()
    expect(page.locator(".detail:visible")).to_be_in_viewport()


def test_serve_browser_first_tab_reaches_the_skip_link(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()


# --------------------------------------------------------------------------- search and paste


def test_serve_browser_home_search_finds_quotes(page: Page) -> None:
    page.goto("/")
    expect(page.locator(".figures")).to_contain_text("articles")
    page.get_by_label("Search what was said").fill("reservoir")
    page.get_by_role("button", name="Search quotes").click()
    expect(page).to_have_url(re.compile(r"/quotes\?about=reservoir"))
    expect(page.locator(".quote").first).to_contain_text("reservoir")


def test_serve_browser_paste_an_article(page: Page) -> None:
    page.goto("/paste")
    page.locator("#paste-text").fill(
        "Harbor master Ines Okafor said on April 7 that the north pier would reopen in May.\n\n"
        '"We are not in a crisis yet," said Halvard Njoku, the utility director.'
    )
    page.locator("#paste-published").fill("2031-04-09")
    page.locator("#paste-submit").click()
    expect(page.locator("#paste-status")).to_have_text("Done: 2 attributions.", timeout=30_000)
    cards = page.locator("#paste-result .card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator("h3")).to_have_text("Ines Okafor")
    expect(cards.nth(0)).to_contain_text("2031-04-07")
    expect(cards.nth(1).locator("h3")).to_have_text("Halvard Njoku")
    page.locator("#paste-text-view .hl.r-source", has_text="Halvard Njoku").click()
    expect(cards.nth(1)).to_have_class(re.compile(r"\bsel\b"))


def test_serve_browser_paste_shows_the_servers_refusal(page: Page) -> None:
    page.goto("/paste")
    page.locator("#paste-text").fill("   ")
    page.locator("#paste-submit").click()
    expect(page.locator("#paste-status")).to_have_text("Error: the text is empty")
    expect(page.locator("#paste-result .card")).to_have_count(0)


# --------------------------------------------------------------------------- hostile text


def assert_inert(page: Page) -> None:
    """Nothing of the payloads ran or became markup; fails on the control below."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # let an injected onerror/onload fire, if there were one
    assert page.evaluate("typeof window.__pwned") == "undefined"
    injected = page.evaluate(
        """() => {
            const found = [];
            for (const el of document.querySelectorAll("*")) {
                for (const at of el.attributes) {
                    if (at.name.startsWith("on")) found.push(el.tagName + " " + at.name);
                    if (/^\\s*javascript:/i.test(at.value)) found.push(el.tagName + " " + at.name);
                }
                if (["IMG", "SVG", "IFRAME", "B"].includes(el.tagName.toUpperCase()))
                    found.push(el.tagName);
                if (el.tagName === "SCRIPT" && !/^\\/static\\/\\w+\\.js$/.test(
                        el.getAttribute("src") || "")) found.push("inline script");
            }
            return found;
        }"""
    )
    assert injected == []


@pytest.mark.parametrize(
    "path",
    [
        "/articles/{id}",
        "/articles/{id}#a1",
        "/articles?q=pier",
        "/quotes?about=pier",
        "/quotes?speaker=Stroud",
        "/speakers/Lina%20Marsh",
        "/speakers",
        "/",
    ],
)
def test_serve_browser_hostile_article_stays_text(
    page: Page, records: dict[str, dict[str, Any]], path: str
) -> None:
    record = records[HOSTILE_ID]
    page.goto(path.format(id=record["id"]))
    assert_inert(page)
    if path.startswith("/articles/{id}"):
        assert page.locator("#text").text_content() == HOSTILE_TEXT
        expect(page.locator("h1")).to_have_text(record["title"])  # the title's tags, as text
        expect(page.locator(".article-head")).to_contain_text(record["url"])  # not a link
        page.locator(".pick").first.click()
        if "#" not in path:  # hover what could carry an injected onmouseover, once
            for el in page.locator("#text .hl").all()[:40]:
                el.hover()
        assert_inert(page)
    elif path not in ("/", "/speakers"):  # the pages that show the article's words
        assert any(p in page.locator("main").inner_text() for p in (*PAYLOADS, "Pier Vote"))


def test_serve_browser_hostile_text_pasted_stays_text(page: Page) -> None:
    page.goto("/paste")
    page.locator("#paste-text").fill(HOSTILE_TEXT)
    page.locator("#paste-submit").click()
    expect(page.locator("#paste-status")).to_contain_text("Done", timeout=30_000)
    assert page.locator("#paste-text-view").text_content() == HOSTILE_TEXT
    assert_inert(page)


def test_serve_browser_control_unescaped_payloads_are_caught(page: Page) -> None:
    """The check can fail: the same payloads, written into a page unescaped, run and are found."""
    page.set_content("<main>" + "".join(PAYLOADS[:4]) + "</main>")
    with pytest.raises(AssertionError):
        assert_inert(page)
    assert page.evaluate("typeof window.__pwned") == "number"


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize(
    ("path", "api", "noun"),
    [
        ("/articles", "/api/articles", "article"),
        ("/quotes", "/api/quotes", "attribution"),
        ("/quotes?speaker=Varga3", "/api/quotes?speaker=Varga3", "attribution"),
    ],
)
def test_serve_lists_count_and_page_like_the_api(
    page: Page, many_served: str, path: str, api: str, noun: str
) -> None:
    sep = "&" if "?" in api else "?"
    total = httpx.get(f"{many_served}{api}{sep}limit=1", timeout=30).json()["total"]
    assert total > 0
    page.goto(many_served + path)
    count = page.locator("p.count")
    expect(count).to_contain_text(f"{total} {noun}")
    shown = page.locator("ol.quotes > li, ol.articles > li, table tbody tr").count()
    if total <= 50:
        expect(page.locator("nav.pager")).to_have_count(0)
        return
    expect(page.locator("nav.pager")).to_contain_text("page 1 of 2")
    first_page = page.content()
    page.locator("a[rel=next]").click()
    expect(page.locator("nav.pager")).to_contain_text("page 2 of 2")
    expect(page.locator("a[rel=prev]")).to_be_visible()
    expect(page.locator("a[rel=next]")).to_have_count(0)
    second = page.locator("ol.quotes > li, ol.articles > li, table tbody tr").count()
    assert shown == 50 and second == total - 50, (shown, second, total)
    assert page.content() != first_page


def test_serve_speakers_page_pages(page: Page, many_served: str) -> None:
    totals = httpx.get(many_served + "/api/speakers", timeout=30).json()["totals"]
    assert totals["speakers"] > 50
    page.goto(many_served + "/speakers")
    expect(page.locator("nav.pager")).to_contain_text("page 1 of 2")
    page.locator("a[rel=next]").click()
    expect(page.locator("nav.pager")).to_contain_text("page 2 of 2")


def test_serve_browser_statement_page_shows_outlets_and_changed_words(
    page: Page, examples_served: str
) -> None:
    """From the statements list to a statement reported by two outlets: its occurrences by
    date and outlet, its wordings with removed and added words marked, links to the
    speaker (canonical page, with aliases and titles over time) and back to an article."""
    served = examples_served
    page.goto(f"{served}/statements")
    rows = page.locator("table.statements tbody tr")
    expect(rows).to_have_count(httpx.get(f"{served}/api/statements?min_outlets=2").json()["total"])
    rows.first.locator("a[href^='/statements/']").click()
    expect(page.locator(".occurrences tbody tr td:nth-child(2)").first).to_have_text("Coastwire")
    expect(page.locator(".occurrences tbody")).to_contain_text("Harborline")
    expect(page.locator(".variants li")).not_to_have_count(0)
    expect(page.locator(".diff del").first).to_be_visible()
    expect(page.locator(".diff ins").first).to_be_visible()
    page.locator(".occurrences a").first.click()
    expect(page.locator("h1")).to_contain_text("Port Alder")
    page.go_back()
    page.locator("h1 a").click()
    expect(page.locator("h1")).to_have_text("Orla Brennan")
    expect(page.locator(".titles-over-time tbody tr").first).to_contain_text("Mayor")
    expect(page.locator(".reported a").first).to_have_attribute("href", re.compile("^/statements/"))
    # an old link by name lands on the same page
    page.goto(f"{served}/speakers/Brennan")
    expect(page.locator("h1")).to_have_text("Orla Brennan")
    assert "/speakers/sp" in page.url
