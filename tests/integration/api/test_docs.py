"""/api/docs works offline: every file it loads comes from this server, none inline."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx


class Assets(HTMLParser):
    """Collects the URLs a page loads and the bodies of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(str(found[name]))
        self._in_script = tag == "script" and not found.get("src")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_the_docs_page_loads_only_same_origin_files(client: httpx.Client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = Assets()
    assets.feed(page.text)
    assert assets.inline_scripts == []
    assert len(assets.urls) >= 3
    for url in assets.urls:
        # Same origin: an absolute path, never a scheme or a protocol-relative host.
        assert re.match(r"^/[^/]", url), url
        served = client.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 100, url


def test_the_docs_assets_are_swagger_ui_and_start_it_on_our_spec(client: httpx.Client) -> None:
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in bundle.headers["content-type"]
    assert "SwaggerUIBundle" in bundle.text
    css = client.get("/api/docs/assets/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css")
    init = client.get("/api/docs/init.js")
    assert "'/api/openapi.json'" in init.text
    assert client.get("/api/openapi.json").json()["info"]["title"] == "drorch"
