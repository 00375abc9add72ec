"""The corpus layer: speaker keys, which keys are one speaker, which attributions are one
statement, and the store keeping both up to date as articles arrive. Names and texts are
fictional."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from corpus_helpers import layer
from onrecord.cli.main import main
from onrecord.corpus.names import block_of, person_name, speaker_key
from onrecord.corpus.speakers import Mention, resolve, speaker_id, speaker_rows
from onrecord.corpus.statements import Item, cluster, differences, words
from onrecord.store.database import Store

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Marta Q. Vellani", "person|vellani|marta|"),
        ("Mrs. Marta Vellani", "person|vellani|marta|"),
        ("Marta Vellani Jr.", "person|vellani|marta|jr"),
        ("Vellani", "person|vellani||"),
        ("Certainly Vellani", "person|vellani||"),
        ("Vellani Says", "person|vellani||"),
        ("Tomas de Oliveira", "person|de oliveira|tomas|"),
        ("Marta Vellani\nNORTHPORT", "person|vellani|marta|"),
        ("Princess Ilse", "person|ilse|princess|"),
        ("Governor Vellani", "person|vellani||"),
    ],
)
def test_person_keys(name: str, key: str) -> None:
    parts = person_name(name)
    assert parts is not None and parts.key == key


def test_a_son_is_not_his_father_and_initials_do_not_count() -> None:
    assert person_name("Arlo B. Kestrel") == person_name("Arlo Kestrel")
    assert person_name("Arlo Kestrel Jr.") != person_name("Arlo Kestrel")


def test_speaker_keys_of_sources() -> None:
    def key(source: str, kind: str = "person", entity: str | None = None, **kw: object) -> str:
        found = speaker_key(
            source, kind, anonymous=bool(kw.get("anonymous")), entity_name=entity, name=None
        )
        return found or ""

    assert key("Mayor Ida Brandt", entity="Ida Brandt") == "person|brandt|ida|"
    assert key("she", entity="Ida Brandt") == "person|brandt|ida|"
    # the source's own words name another member of the family than the entity it was tied to
    assert key("former Governor Leo Brandt", entity="Ida Brandt") == "person|brandt|leo|"
    assert key("two officials", kind="unnamed", anonymous=True) == ""
    assert key("officials", kind="unnamed") == ""
    assert key("The Harbor Authority", kind="organization", entity="The Harbor Authority") == (
        "organization|harbor authority"
    )
    assert key("Senate Greens", kind="unnamed") == "group|senate greens"


def test_blocks_gather_a_surname_and_organizations_of_that_word() -> None:
    assert block_of("person|brandt|ida|") == block_of("person|brandt||") == "b|brandt"
    assert block_of("organization|brandt") == block_of("organization|ida brandt") == "b|brandt"
    assert block_of("organization|harbor authority") == "b|authority"


# --------------------------------------------------------------------------- speakers


def mention(article: str, n: int, key: str, source: str, **kw: object) -> Mention:
    return Mention(
        article,
        f"a{n}",
        key,
        str(kw.get("name", source)),
        source,
        list(kw.get("titles", [])),  # type: ignore[call-overload]
        str(kw.get("published", "2031-05-01")),
        None,
    )


def family() -> list[Mention]:
    """Three Brandts: Ida (a governor, 'Mrs.'), Leo (a former senator, 'Mr.'), and their
    daughter Nell, each quoted by full name in several articles."""
    out = []
    for i in range(6):
        out.append(
            mention(f"i{i}", 1, "person|brandt|ida|", "Gov. Ida Brandt", titles=["Governor"])
        )
        out.append(mention(f"i{i}", 2, "person|brandt|ida|", "Mrs. Brandt"))
    for i in range(3):
        out.append(mention(f"l{i}", 1, "person|brandt|leo|", "Leo Brandt", titles=["Senator"]))
        out.append(mention(f"l{i}", 2, "person|brandt|leo|", "Mr. Brandt"))
    out.append(mention("n0", 1, "person|brandt|nell|", "Nell Brandt"))
    return out


def test_family_members_stay_apart() -> None:
    keys = resolve(family())
    assert {keys[(f"i{i}", "a1")] for i in range(6)} == {"person|brandt|ida|"}
    assert keys[("l0", "a1")] == "person|brandt|leo|"
    assert keys[("n0", "a1")] == "person|brandt|nell|"


def test_a_lone_surname_takes_the_name_its_article_gives_by_honorific_and_title() -> None:
    ms = family()
    # an article naming both parents: "Mr. Brandt" is Leo, "Mrs. Brandt" is Ida
    ms.append(mention("both", 1, "person|brandt|ida|", "Ida Brandt"))
    ms.append(mention("both", 2, "person|brandt|leo|", "Leo Brandt"))
    ms.append(mention("both", 3, "person|brandt||", "Mr. Brandt"))
    ms.append(mention("both", 4, "person|brandt||", "Mrs. Brandt"))
    # tied to Ida by its article, but a "Mr.": Leo
    ms.append(mention("both", 5, "person|brandt|ida|", "Mr. Brandt"))
    # a title only Leo has
    ms.append(mention("both", 6, "person|brandt||", "Senator Brandt", titles=["Senator"]))
    keys = resolve(ms)
    assert keys[("both", "a3")] == "person|brandt|leo|"
    assert keys[("both", "a4")] == "person|brandt|ida|"
    assert keys[("both", "a5")] == "person|brandt|leo|"
    assert keys[("both", "a6")] == "person|brandt|leo|"


def test_an_ambiguous_lone_surname_is_not_merged_by_guess() -> None:
    ms = family()
    # Ida quoted in 6 articles, Leo in 3: "Brandt" alone, no honorific, no title, in an
    # article naming neither, could be either
    ms.append(mention("x", 1, "person|brandt||", "Brandt"))
    assert resolve(ms)[("x", "a1")] == "person|brandt||"


def test_a_lone_surname_joins_a_dominant_name_only_within_the_time_window() -> None:
    ms = [
        mention(f"o{i}", 1, "person|okonjo|ruth|", "Ruth Okonjo", published="2031-05-01")
        for i in range(5)
    ]
    ms.append(mention("near", 1, "person|okonjo||", "Okonjo", published="2031-05-20"))
    ms.append(mention("far", 1, "person|okonjo||", "Okonjo", published="2033-01-01"))
    keys = resolve(ms)
    assert keys[("near", "a1")] == "person|okonjo|ruth|"
    assert keys[("far", "a1")] == "person|okonjo||"


def test_a_surname_in_the_news_once_does_not_take_every_lone_mention() -> None:
    ms = [mention("t0", 1, "person|halloran|bree|", "Bree Halloran")]
    ms.append(mention("t1", 1, "person|halloran||", "Halloran"))
    assert resolve(ms)[("t1", "a1")] == "person|halloran||"


def test_a_one_word_organization_is_the_person_its_article_names() -> None:
    ms = [
        mention("p", 1, "person|varga|istvan|", "Istvan Varga"),
        mention("p", 2, "organization|varga", "Varga"),
        mention("q", 1, "organization|varga", "Varga"),  # its article names no Varga
    ]
    keys = resolve(ms)
    assert keys[("p", "a2")] == "person|varga|istvan|"
    assert keys[("q", "a1")] == "organization|varga"


def test_speaker_rows_keep_aliases_and_titles_over_time() -> None:
    key = "person|brandt|ida|"
    ms = [
        mention("a", 1, key, "Ida Brandt", titles=["Mayor"], published="2030-01-02"),
        mention("b", 1, key, "Ida M. Brandt", titles=["Governor"], published="2031-03-04"),
        mention("c", 1, key, "Ida Brandt", titles=["Governor"], published="2031-06-07"),
    ]
    row = speaker_rows("person|brandt|ida|", ms)
    assert row["id"] == speaker_id("person|brandt|ida|")
    assert row["name"] == "Ida Brandt" and row["aliases"] == ["Ida Brandt", "Ida M. Brandt"]
    assert row["titles"] == [
        {"title": "Governor", "first_seen": "2031-03-04", "last_seen": "2031-06-07"},
        {"title": "Mayor", "first_seen": "2030-01-02", "last_seen": "2030-01-02"},
    ]
    assert (row["articles"], row["first_seen"], row["last_seen"]) == (3, "2030-01-02", "2031-06-07")


# --------------------------------------------------------------------------- statements


def item(article: str, n: int, content: str, quoted: bool = True, day: str = "2031-05-01") -> Item:
    return Item(article, f"a{n}", content, quoted, day, f"outlet-{article}")


def together(groups: list[list[Item]], a: Item, b: Item) -> bool:
    return any(a in g and b in g for g in groups)


def test_the_same_quote_with_small_changes_is_one_statement() -> None:
    a = item("x", 1, '"We will reopen the ferry terminal by the spring of 2032," she said')
    b = item("y", 1, '"We will re-open the ferry terminal by the spring of 2032"')
    c = item("z", 1, '"We will reopen the ferry terminal … by the spring of 2032"')
    d = item("w", 1, "the cost had risen to 2.6million crowns, far above the estimate")
    e = item("v", 1, "the cost had risen to 2.6 million crowns, far above the estimate")
    groups = cluster([a, b, c, d, e])
    assert together(groups, a, b) and together(groups, a, c) and together(groups, d, e)
    assert not together(groups, a, d)


def test_an_excerpt_of_a_quote_joins_it() -> None:
    whole = item(
        "x",
        1,
        '"The pier is safe for ferries today, but it will not be safe for freight trucks '
        'next winter unless we repair it now"',
    )
    part = item("y", 1, '"it will not be safe for freight trucks next winter"')
    assert together(cluster([whole, part]), whole, part)


def test_a_topic_phrase_inside_another_statement_is_not_its_excerpt() -> None:
    topic = item("x", 1, "a ban on fishing boats in the north harbor", quoted=False)
    other = item(
        "y",
        1,
        "she would not meet the fishermen's union until it stopped opposing a ban on fishing "
        "boats in the north harbor and dropped its lawsuit against the port",
        quoted=False,
    )
    assert not together(cluster([topic, other]), topic, other)


def test_two_different_statements_on_one_topic_stay_apart() -> None:
    a = item("x", 1, '"The ferry fare will rise by ten percent in June"')
    b = item("y", 1, '"The ferry timetable will change in June to add a night crossing"')
    assert not together(cluster([a, b]), a, b)


def test_short_contents_link_to_nothing() -> None:
    a, b = item("x", 1, "the budget", False), item("y", 1, "the budget", False)
    assert not together(cluster([a, b]), a, b)


def test_an_articles_paraphrase_of_its_own_quote_joins_it() -> None:
    quote = item("x", 1, '"We expect the repairs on the north pier to take three summers"')
    paraphrase = item("x", 2, "repairs on the north pier would take three summers", quoted=False)
    elsewhere = item("y", 1, "repairs on the north pier would take three summers", quoted=False)
    groups = cluster([quote, paraphrase, elsewhere])
    assert together(groups, quote, paraphrase) and together(groups, quote, elsewhere)


def test_statements_do_not_depend_on_the_order_items_arrive() -> None:
    items = [
        item("x", 1, '"We will reopen the ferry terminal by the spring of 2032"'),
        item("y", 1, '"We will reopen the ferry terminal by spring 2032"'),
        item("z", 1, '"The ferry fare will rise by ten percent in June"'),
    ]
    one = sorted(sorted(it.ref for it in g) for g in cluster(items))
    other = sorted(sorted(it.ref for it in g) for g in cluster(list(reversed(items))))
    assert one == other


def test_word_differences_from_the_earliest_wording() -> None:
    diff = differences("we will reopen the terminal by spring", "we will open the terminal soon")
    assert {"op": "removed", "text": "reopen"} in diff and {"op": "added", "text": "open"} in diff
    assert {"op": "removed", "text": "by spring"} in diff and {
        "op": "added",
        "text": "soon",
    } in diff
    assert words("2.6million “crowns”…") == ["2.6", "million", "crowns"]


# --------------------------------------------------------------------------- the store


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("corpus") / "ex.duckdb"
    assert main(["ingest", str(ROOT / "examples"), "--db", str(db), "--no-progress"]) == 0
    return db


def test_the_examples_show_one_statement_reported_by_two_outlets(
    examples_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["statements", "--db", str(examples_db), "--min-outlets", "2", "--format",
                 "json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    st = rows[0]
    assert st["speaker"] == "Orla Brennan" and st["outlets"] == ["Coastwire", "Harborline"]
    assert "ferries running and the piers safe" in st["text"]
    assert main(["statement", st["id"], "--db", str(examples_db), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [o["publisher"] for o in found["occurrences"]][:2] == ["Coastwire", "Harborline"]
    assert len(found["variants"]) >= 2
    assert any(d["op"] != "same" for v in found["variants"][1:] for d in v["differences"])


def test_speakers_are_canonical_with_aliases(
    examples_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["speakers", "--db", str(examples_db), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["speakers"]
    brennan = [r for r in rows if r["speaker"] == "Orla Brennan"]
    assert len(brennan) == 1 and brennan[0]["id"] and brennan[0]["articles"] == 3
    # the surname finds the canonical speaker
    assert main(["quotes", "--db", str(examples_db), "--speaker", "Brennan", "--format",
                 "json", "--limit", "50"]) == 0  # fmt: skip
    quotes = json.loads(capsys.readouterr().out)
    assert quotes and {q["speaker_id"] for q in quotes} == {brennan[0]["id"]}


def test_batches_in_any_order_give_the_layer_of_one_ingest(
    examples_db: Path, tmp_path: Path
) -> None:
    """Articles ingested one at a time, in reverse order, update the layer batch by batch;
    the result is the one ingest of all of them gives, and a re-ingest adds nothing."""
    inputs = sorted((ROOT / "examples").iterdir(), reverse=True)
    db = tmp_path / "one-by-one.duckdb"
    for path in inputs:
        main(["ingest", str(path), "--db", str(db), "--no-progress", "--batch-size", "1"])
    assert layer(db) == layer(examples_db)
    main(["ingest", str(ROOT / "examples"), "--db", str(db), "--no-progress"])
    assert layer(db) == layer(examples_db)


def test_a_rebuild_gives_the_same_layer(examples_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(examples_db.read_bytes())
    before = layer(copy)
    with Store(copy) as store:
        change = store.rebuild_corpus()
    assert change.speakers == len(before[0]) and layer(copy) == before


def test_the_store_computes_blocks_as_python_does() -> None:
    from onrecord.store.corpus import _BLOCK_SQL

    keys = [
        "person|trump|donald|",
        "person|trump||",
        "person|de blasio|bill|jr",
        "organization|trump",
        "organization|white house",
        "media|new york times",
        "group|senate greens",
    ]
    con = duckdb.connect()
    sql = _BLOCK_SQL.replace("a.speaker_key", "k")
    got = [
        r[0] for r in con.execute(f"SELECT {sql} FROM (SELECT unnest($1) AS k)", [keys]).fetchall()
    ]
    assert got == [block_of(k) for k in keys]


def test_an_organization_named_like_a_person_of_the_block_is_that_person() -> None:
    ms = [
        mention("a", 1, "person|okafor|ines|", "Ines Okafor", titles=["Harbor commissioner"]),
        mention("b", 1, "organization|ines okafor", "Ines Okafor"),
        mention("b", 2, "organization|okafor holdings", "Okafor Holdings"),
    ]
    keys = resolve(ms)
    assert keys[("b", "a1")] == "person|okafor|ines|"
    assert keys[("b", "a2")] == "organization|okafor holdings"
