"""/docs and /redoc work on a plane: every asset they name is served here, none from outside."""

import re

import pytest
from chassis import ServiceSettings, create_app
from orderflow_testing import app_client

ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url\s*:\s*["']([^"']+)["']""")


def assets_of(page: str) -> list[str]:
    return [a or b for a, b in ASSET.findall(page)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_page_names_only_local_assets_and_each_answers(page: str) -> None:
    app = create_app(ServiceSettings(access_log=False, tracing=False), title="docs")
    async with app_client(app) as client:
        html = (await client.get(page)).text
        named = assets_of(html)
        answers = {url: await client.get(url) for url in named}

    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), html
    assert any(url.endswith(".js") for url in named)
    assert any("favicon" in url for url in named)
    for url, response in answers.items():
        assert response.status_code == 200, url
        assert response.content, url


async def test_swagger_ui_sends_the_document_to_no_validator() -> None:
    app = create_app(ServiceSettings(access_log=False, tracing=False), title="docs")
    async with app_client(app) as client:
        html = (await client.get("/docs")).text

    assert '"validatorUrl": null' in html


def test_the_assets_stay_out_of_the_api_document() -> None:
    app = create_app(ServiceSettings(access_log=False, tracing=False), title="docs")

    assert not [p for p in app.openapi()["paths"] if p.startswith("/docs")]
