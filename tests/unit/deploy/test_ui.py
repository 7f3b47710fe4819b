"""UI files' cache headers and the runtime config the UI reads at start."""

from __future__ import annotations

from drorch.deploy import ui


def test_the_entry_points_are_revalidated_and_hashed_assets_kept_forever() -> None:
    assert ui.cache_control("index.html") == "no-cache"
    assert ui.cache_control("config.json") == "no-cache"
    assert ui.cache_control("assets/index-3f9a1c.js") == "public, max-age=31536000, immutable"
    assert ui.cache_control("favicon.svg") == "public, max-age=3600"
    assert ui.content_type("assets/a.js") in {"text/javascript", "application/javascript"}
    assert ui.content_type("index.html") == "text/html"


def test_the_runtime_config_names_the_api_and_the_user_pool() -> None:
    outputs = {"ApiUrl": "https://x/api", "UserPoolId": "us-east-1_a", "UserPoolClientId": "c1"}
    config = ui.runtime_config(outputs, env="prod", region="eu-west-1")
    assert config == {
        "environment": "prod",
        "apiUrl": "https://x/api",
        "region": "eu-west-1",
        "cognito": {"userPoolId": "us-east-1_a", "clientId": "c1", "region": "eu-west-1"},
    }


def test_a_release_digest_changes_with_a_file_or_the_config() -> None:
    base = ui.Release({"index.html": b"a"}, {"apiUrl": "x"})
    assert base.digest == ui.Release({"index.html": b"a"}, {"apiUrl": "x"}).digest
    assert base.digest != ui.Release({"index.html": b"b"}, {"apiUrl": "x"}).digest
    assert base.digest != ui.Release({"index.html": b"a"}, {"apiUrl": "y"}).digest
