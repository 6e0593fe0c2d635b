"""pages.py: which pages a site has, where they go, and what each template is given."""

from __future__ import annotations

import pytest

from conftest import SITE_YAML

from generator.cards import CARD_TEMPLATE
from generator.content.load import load_site
from generator.planner import GRAPH_KINDS, plan_pages


def _site(make_site, stories=("first",), files=None):
    root = make_site(stories=stories, files=files)
    return load_site(root / "content")[0]


def _by_output(pages):
    return {page.output: page for page in pages}


def test_every_kind_of_page_is_planned_once_at_its_own_path(make_site):
    site = _site(make_site, stories=("first", "second"))
    pages = plan_pages(site)
    outputs = [page.output for page in pages]
    assert len(outputs) == len(set(outputs))
    assert set(outputs) == {
        "index.html", "stories/first/index.html", "stories/second/index.html",
        "tags/index.html", "tags/testing/index.html",
        "people/index.html", "people/tess/index.html", "people/ann/index.html", "people/bob/index.html",
        "people/club/index.html", "archive/index.html", "network/index.html", "deepening/index.html",
        "channels/twitter/index.html", "channels/email/index.html",
        "network/graph.json", "network/index.json",
        "network/network.gexf", "network/network.graphml", "network/network.json",
        "404.html", "feed.xml", "sitemap.xml", "robots.txt", "search/index.html",
        "card.png", "stories/first/card.png", "stories/second/card.png",
    }
    templates = {page.output: page.template for page in pages}
    assert templates["stories/first/index.html"] == "story.html"
    assert templates["stories/first/card.png"] == templates["card.png"] == CARD_TEMPLATE
    assert templates["people/ann/index.html"] == "person.html"
    assert templates["tags/testing/index.html"] == "tag.html"
    assert [page.output for page in plan_pages(site)] == outputs  # a fixed order


def test_graph_pages_defer_their_graph_and_say_they_have_one(make_site):
    site = _site(make_site)
    for page in plan_pages(site):
        if page.template == CARD_TEMPLATE:  # a card's context is what it shows, and it has no graph
            assert page.deferred is None and "page" not in page.context(site)
            continue
        kind = page.context(site)["page"]["kind"]
        assert page.context(site)["page"]["has_graph"] == (kind in GRAPH_KINDS)
        assert (page.deferred is not None) == (kind in GRAPH_KINDS or kind in ("export", "graph-data")), page.output
    story = _by_output(plan_pages(site))["stories/first/index.html"]
    assert (story.deferred.kind, story.deferred.ident) == ("story", "first")


def test_the_home_page_is_paginated_newest_first(make_site):
    site_yaml = SITE_YAML.replace("posts_per_page: 10", "posts_per_page: 2")
    site = _site(make_site, stories=("s1", "s2", "s3", "s4", "s5"), files={"site.yaml": site_yaml})
    pages = _by_output(plan_pages(site))
    first, second, third = pages["index.html"], pages["page/2/index.html"], pages["page/3/index.html"]
    assert [card.slug for card in first.context(site)["studies"]] == ["s5", "s4"]
    assert [card.slug for card in third.context(site)["studies"]] == ["s1"]
    assert first.context(site)["pagination"] == {"number": 1, "count": 3, "previous": None, "next": "page/2/"}
    assert second.context(site)["pagination"]["previous"] == "" and second.context(site)["pagination"]["next"] == "page/3/"
    assert "page/4/index.html" not in pages
    assert second.context(site)["page"]["title"] == "Test Stories, page 2"


def test_an_empty_site_still_has_a_home_page(make_site):
    site = _site(make_site, stories=())
    pages = _by_output(plan_pages(site))
    assert pages["index.html"].context(site)["studies"] == ()
    assert pages["feed.xml"].context(site)["updated"] is None


def test_a_story_page_links_its_neighbours_in_time(make_site):
    site = _site(make_site, stories=("old", "middle", "new"))
    pages = _by_output(plan_pages(site))
    middle = pages["stories/middle/index.html"].context(site)
    assert middle["study"].slug == "middle"
    assert (middle["newer"].slug, middle["older"].slug) == ("new", "old")
    assert pages["stories/new/index.html"].context(site)["newer"] is None
    assert pages["stories/old/index.html"].context(site)["older"] is None
    assert middle["page"]["og_type"] == "article"


def test_lists_show_cards_and_the_feed_shows_whole_stories(make_site):
    site = _site(make_site, stories=("first", "second"))
    pages = _by_output(plan_pages(site))
    card = pages["index.html"].context(site)["studies"][0]
    assert not hasattr(card, "body_html")  # a list never carries a post's body
    assert card.title == "Story second"
    feed = pages["feed.xml"].context(site)
    assert [study.slug for study in feed["studies"]] == ["second", "first"]
    assert "<strong>world</strong>" in feed["studies"][0].body_html


def test_the_feed_holds_the_twenty_newest(make_site):
    site = _site(make_site, stories=tuple(f"s{number:02}" for number in range(1, 24)))
    feed = _by_output(plan_pages(site))["feed.xml"].context(site)
    assert len(feed["studies"]) == 20
    assert feed["studies"][0].slug == "s23" and feed["studies"][-1].slug == "s04"
    assert feed["updated"] == feed["studies"][0].date


def test_people_pages_are_made_for_people_in_built_stories_only(make_site):
    people = "tess:\n  name: Tess\nann:\n  name: Ann\nbob:\n  name: Bob\nclub:\n  name: Club\n  kind: community\n" \
             "nobody:\n  name: Not In Any Story\n  noindex: true\n"
    site = _site(make_site, files={"people.yaml": people})
    pages = _by_output(plan_pages(site))
    assert "people/nobody/index.html" not in pages
    everyone = pages["people/index.html"].context(site)["everyone"]
    assert {person.id for person, _count in everyone} == {"tess", "ann", "bob", "club"}
    ann = pages["people/ann/index.html"].context(site)
    assert [card.slug for card in ann["studies"]] == ["first"]
    assert ann["page"]["noindex"] is False


def test_a_person_can_ask_not_to_be_indexed(make_site):
    people = "tess:\n  name: Tess\nann:\n  name: Ann\n  noindex: true\nbob:\n  name: Bob\nclub:\n  name: Club\n" \
             "  kind: community\n"
    site = _site(make_site, files={"people.yaml": people})
    pages = _by_output(plan_pages(site))
    assert pages["people/ann/index.html"].context(site)["page"]["noindex"] is True
    assert pages["people/bob/index.html"].context(site)["page"]["noindex"] is False


def test_the_sitemap_lists_every_html_page_but_the_404(make_site):
    site = _site(make_site, stories=("first", "second"))
    pages = plan_pages(site)
    entries = _by_output(pages)["sitemap.xml"].context(site)["entries"]
    html_pages = [page.url_path for page in pages if page.output.endswith("index.html")]
    assert entries == html_pages
    assert "404.html" not in entries and "feed.xml" not in entries


def test_tags_are_grouped_by_slug_and_show_their_written_name(make_site):
    post = "---\ntitle: Tagged\ndate: 2020-02-01\nauthor: tess\ntags: [Small World, small-world]\n---\nBody.\n"
    site = _site(make_site, files={"stories/first/index.md": post})
    pages = _by_output(plan_pages(site))
    tag = pages["tags/small-world/index.html"].context(site)
    assert tag["tag"] == "Small World"
    assert [card.slug for card in tag["studies"]] == ["first"]
    assert pages["tags/index.html"].context(site)["tags"] == [("small-world", "Small World", 1)]


@pytest.mark.parametrize("output", ["index.html", "stories/first/index.html", "people/index.html", "404.html"])
def test_every_context_carries_the_shared_keys(make_site, output):
    site = _site(make_site)
    context = _by_output(plan_pages(site))[output].context(site)
    assert {"site", "people", "page", "stages", "channels"} <= set(context)
    assert context["site"].title == "Test Stories"
    assert context["page"]["description"]  # the site's, when the page has none of its own


def test_each_page_declares_what_it_reads(make_site):
    site = _site(make_site, stories=("old", "middle", "new"))
    pages = _by_output(plan_pages(site))
    middle = pages["stories/middle/index.html"].reads
    assert "story:middle" in middle and {"card:new", "card:old"} <= set(middle)
    assert "cast:middle" in middle  # its graph shows the counts of everyone in it
    assert "story:new" not in middle  # a neighbour's body is not shown, only its card
    ann = set(pages["people/ann/index.html"].reads)
    assert {"card:old", "card:middle", "card:new"} <= ann  # the stories ann appears in
    assert {"cast:old", "cast:middle", "cast:new"} <= ann  # everyone ann's graph draws is in their casts
    assert {f"shape:{slug}" for slug in ("old", "middle", "new")} <= set(pages["network/index.html"].reads)
    assert set(pages["feed.xml"].reads) == {"story:old", "story:middle", "story:new"}
    assert pages["robots.txt"].reads == ()  # only what every page reads (the settings, the people)


def test_a_page_whose_contents_move_declares_different_inputs(make_site):
    site_yaml = SITE_YAML.replace("posts_per_page: 10", "posts_per_page: 2")
    before = _by_output(plan_pages(_site(make_site, stories=("s1", "s2", "s3"), files={"site.yaml": site_yaml})))
    after = _by_output(plan_pages(_site(make_site, stories=("s1", "s2", "s3", "s4"), files={"site.yaml": site_yaml})))
    # s4 is newest: s2 moves to page 2, so page 2 reads other cards although none of them changed.
    assert before["page/2/index.html"].reads != after["page/2/index.html"].reads
    assert before["people/ann/index.html"].reads != after["people/ann/index.html"].reads


def test_each_channel_an_introduction_went_through_gets_a_page_of_its_stories(make_site):
    other = "connections:\n  - between: [tess, ann]\n    stages: [{stage: contact, channel: forum}]\n"
    site = _site(make_site, stories=("first", "second", "third"), files={"stories/second/story.yaml": other})
    pages = _by_output(plan_pages(site))
    twitter = pages["channels/twitter/index.html"]
    assert [card.slug for card in twitter.context(site)["studies"]] == ["third", "first"]  # newest first
    assert twitter.context(site)["channel"].label == "Twitter"
    assert twitter.context(site)["page"]["title"] == "Met through Twitter"
    assert [card.slug for card in pages["channels/forum/index.html"].context(site)["studies"]] == ["second"]
    assert "channels/video/index.html" not in pages  # a channel no story used has no page
    assert set(twitter.reads) == {"card:first", "card:third"}
