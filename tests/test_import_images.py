"""``import wordpress --download-images`` against a local HTTP server: retries, a size limit, a report, no half files."""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_cli
from test_base_path import PNG

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


class _Images(http.server.BaseHTTPRequestHandler):
    """Serves the test's images, each with its own failure."""

    hits: Counter = Counter()

    def do_GET(self):  # noqa: N802 - the http.server API
        _Images.hits[self.path] += 1
        if self.path == "/ok.png" or self.path == "/featured.png":
            self._send(200, PNG)
        elif self.path == "/flaky.jpg":  # fails twice, then works: retries must get it
            self._send(503, b"busy") if _Images.hits[self.path] <= 2 else self._send(200, JPEG)
        elif self.path == "/big.png":
            self._send(200, PNG + b"\x00" * (2 * 1024 * 1024))
        elif self.path == "/cut.png":  # promises more than it sends, every time
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(PNG[:20])
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/page.png":
            self._send(200, b"<html>not an image</html>")
        else:
            self._send(404, b"no")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # the cut-short replies break pipes on purpose
        pass


@pytest.fixture
def image_server():
    _Images.hits = Counter()
    server = _QuietServer(("127.0.0.1", 0), _Images)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # By name: an IP address in the export would be removed from what the import writes.
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def export(base: str) -> str:
    images = "".join(f'<p><img src="{base}/{name}" alt="{name} alt"></p>\n'
                     for name in ("ok.png", "flaky.jpg", "big.png", "cut.png", "page.png", "missing.png"))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>Images</title><link>{base}</link><pubDate>Thu, 19 May 2011 10:00:00 +0000</pubDate><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>tess</wp:author_login><wp:author_display_name>Tess Author</wp:author_display_name></wp:author>
<item><title>Pictures</title><link>{base}/pictures/</link><dc:creator>tess</dc:creator>
<content:encoded><![CDATA[{images}]]></content:encoded><excerpt:encoded></excerpt:encoded>
<wp:post_id>5</wp:post_id><wp:post_date>2011-05-18 09:00:00</wp:post_date><wp:post_date_gmt>2011-05-18 09:00:00</wp:post_date_gmt>
<wp:post_name>pictures</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta></item>
<item><title>featured</title><link>{base}/featured/</link><dc:creator>tess</dc:creator><content:encoded></content:encoded>
<wp:post_id>9</wp:post_id><wp:post_parent>5</wp:post_parent><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>{base}/featured.png</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Two people shaking hands</wp:meta_value></wp:postmeta></item>
</channel></rss>"""


@pytest.mark.slow
def test_download_images_fetches_retries_limits_and_reports(make_site, image_server, tmp_path: Path):
    project = make_site(stories=())
    source = tmp_path / "images.xml"
    source.write_text(export(image_server), encoding="utf-8")
    result = run_cli("import", "wordpress", source, "--download-images", "--max-image-size", "1", cwd=project, timeout=300)
    assert result.code == 0, result.text
    folder = project / "content" / "stories" / "pictures"
    assert sorted(p.name for p in folder.iterdir()) == ["featured.png", "flaky.jpg", "index.md", "ok.png", "story.yaml"]
    assert (folder / "ok.png").read_bytes() == PNG and (folder / "flaky.jpg").read_bytes() == JPEG
    assert _Images.hits["/flaky.jpg"] == 3 and _Images.hits["/cut.png"] == 3 and _Images.hits["/missing.png"] == 1
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert "cover: featured.png" in index and "cover_alt: Two people shaking hands" in index
    assert "![ok.png alt](ok.png)" in index and "![flaky.jpg alt](flaky.jpg)" in index
    # What failed stays a link to its old address, and is reported with the reason.
    assert f"![missing.png alt]({image_server}/missing.png)" in index
    assert "images: downloaded 3; not downloaded: 4" in result.out
    assert f"pictures: {image_server}/big.png: larger than the limit" in result.out
    assert f"pictures: {image_server}/missing.png: HTTP 404" in result.out
    assert f"pictures: {image_server}/cut.png: cut short after 20 of 5000 bytes (tried 3 times)" in result.out
    assert f"pictures: {image_server}/page.png: not a PNG, JPEG, GIF, WebP or AVIF image" in result.out
    check = run_cli("check", "--strict", cwd=project)
    assert check.code == 0, check.text
    build = run_cli("build", cwd=project)
    assert build.code == 0, build.text
    page = (project / "site" / "stories" / "pictures" / "index.html").read_text(encoding="utf-8")
    assert 'src="ok.png"' in page and 'alt="Two people shaking hands"' in page
    assert (project / "site" / "stories" / "pictures" / "featured.png").is_file()


@pytest.mark.slow
def test_without_download_images_remote_images_stay_labelled_links(make_site, image_server, tmp_path: Path):
    project = make_site(stories=())
    source = tmp_path / "images.xml"
    source.write_text(export(image_server), encoding="utf-8")
    result = run_cli("import", "wordpress", source, cwd=project)
    assert result.code == 0, result.text
    assert sum(_Images.hits.values()) == 0  # nothing is fetched
    assert "the featured image is not the cover" in result.out
    assert run_cli("build", cwd=project).code == 0
    page = (project / "site" / "stories" / "pictures" / "index.html").read_text(encoding="utf-8")
    assert f'<a class="remote-image" href="{image_server}/ok.png">ok.png alt</a>' in page
    assert "<img" not in page.split('class="prose"', 1)[1].split("</article>", 1)[0]
