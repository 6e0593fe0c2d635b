"""Property: whatever names, titles, bodies and comments an export holds, the import writes files that pass ``check``.

Hypothesis writes a WXR export around random text (line breaks, control characters that XML
allows, YAML and Markdown syntax, e-mail and IP addresses), imports it with the CLI's
``main`` in-process, and runs ``check`` on the result: every file must parse and validate,
and no address from the export may be written.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PEOPLE_YAML, SITE_YAML
from generator.cli import main

EXAMPLES = int(os.environ.get("INTROCHAIN_FUZZ_EXAMPLES", "25"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

EMAILS = ["jo.secret@mail.example", "x+tag@sub.domain.example"]
IPS = ["203.0.113.77", "2001:db8::1"]

# Every character XML 1.0 allows (it forbids the other C0 controls and lone surrogates).
xml_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)])) + "\ufffe\uffff")
awkward = st.one_of(
    st.text(xml_char, max_size=30),
    st.sampled_from([
        "", " ", "Bob\nkey: injected", "# not a comment", "- a: b", "'quoted\"", "null", "~", "yes", "2011-05-18",
        "@at", "&amp; &lt;b&gt;", "\x85next\u2028line\u2029para", "\x7f\x80\x9f", "\ufeffbom", "\t\r\n", "[caption]x[/caption]",
        "---", "...", "{{ 7*7 }}", "<b>bold</b>", "*", "|", ">", "%", "!tag", "&", "[x](mailto:jo.secret@mail.example)",
        "Zoë Ng", "مرحبا", "🙂", "a" * 300,
    ]),
    st.builds(lambda a, b, c: f"{a} {b} {c}", st.text(xml_char, max_size=8), st.sampled_from(EMAILS + IPS), st.text(xml_char, max_size=8)),
)


def wxr(title: str, author: str, body: str, comments: list[tuple[str, str]]) -> str:
    """A minimal WXR 1.2 export with one post and its approved comments."""
    comment_xml = "".join(
        f"""<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author>{escape(name)}</wp:comment_author>
<wp:comment_author_email>{EMAILS[0]}</wp:comment_author_email><wp:comment_author_IP>{IPS[0]}</wp:comment_author_IP>
<wp:comment_date>2011-05-18 10:00:0{number % 10}</wp:comment_date><wp:comment_date_gmt>2011-05-18 17:00:0{number % 10}</wp:comment_date_gmt>
<wp:comment_content>{escape(text)}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>
<wp:comment_parent>{number - 1 if number % 2 == 0 else 0}</wp:comment_parent></wp:comment>"""
        for number, (name, text) in enumerate(comments, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/"><channel>
<title>Fuzzed</title><link>https://old.example</link><pubDate>Thu, 19 May 2011 10:00:00 +0000</pubDate>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>writer</wp:author_login><wp:author_email>{EMAILS[1]}</wp:author_email>
<wp:author_display_name>{escape(author)}</wp:author_display_name></wp:author>
<item><title>{escape(title)}</title><link>https://old.example/post/</link><dc:creator>writer</dc:creator>
<content:encoded>{escape(body)}</content:encoded><excerpt:encoded>{escape(title)}</excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date>2011-05-18 09:00:00</wp:post_date><wp:post_date_gmt>2011-05-18 16:00:00</wp:post_date_gmt>
<wp:post_name>{escape(title[:20])}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="post_tag" nicename="t"><![CDATA[{title[:15].replace("]]>", "")}]]></category>
{comment_xml}</item></channel></rss>"""


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.slow
@PROPERTY
@given(title=awkward, author=awkward, body=awkward, comments=st.lists(st.tuples(awkward, awkward), max_size=4))
def test_every_file_the_importer_writes_passes_check(tmp_path_factory, title, author, body, comments):
    root = tmp_path_factory.mktemp("import")
    content = root / "content"
    content.mkdir()
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (content / "people.yaml").write_text(PEOPLE_YAML, encoding="utf-8")
    export = root / "export.xml"
    export.write_text(wxr(title, author, body, comments), encoding="utf-8")

    code, output = run("import", "wordpress", str(export), "--content", str(content))
    assert code == 0, output
    code, output = run("check", "--content", str(content))
    assert code == 0, output
    for path in content.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(value in text for value in EMAILS + IPS), f"{path.name} keeps an address:\n{text}"
    shutil.rmtree(root)
