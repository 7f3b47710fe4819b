"""Signing in to the console through a Cognito user pool, in headless Chromium.

moto server holds the pool, the UI's app client and an admin created with a temporary
password, as `drorch deploy` creates the first admin. `drorch serve` stands in for
CloudFront and API Gateway: it serves the built UI with a /config.json naming the pool and
moto's endpoint (a copy of the build in DRORCH_FRONTEND_DIR, config beside it, as the
deployment's bucket holds it), and verifies the pool's tokens (moto serves the JWKS under
the pool id while `iss` names the AWS host). The browser calls moto straight from the page,
cross-origin, as it calls cognito-idp on AWS: moto's server answers CORS preflights. The
page's own content policy is drorch serve's (`connect-src 'self'`), not CloudFront's, which
names cognito-idp (tests/unit/deploy/test_ui_sign_in.py): the context bypasses it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bench.ui_figures import FRONTEND_DIST
from playwright.sync_api import Browser, Page, expect

from tests.e2e.console import ACCOUNT, REGION
from tests.support.moto_server import RunningMoto, running_moto
from tests.support.server import RunningServer, api_client, running_server

USERNAME = "ada"
TEMPORARY = "Temporary-pass-2024!"
CHOSEN = "Chosen-pass-for-ada-7788!"
PLAN = "cognito-visible-plan"


@dataclass(frozen=True)
class Pool:
    """The moto user pool the console signs in with."""

    moto: RunningMoto
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    """A pool with the UI's app client and `ada` in drorch-admin, temporary password."""
    with running_moto(tmp_path_factory.mktemp("cognito-moto")) as moto:
        idp = moto.client("cognito-idp")
        pool_id = idp.create_user_pool(PoolName="drorch-e2e")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="drorch-e2e-ui",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.create_group(UserPoolId=pool_id, GroupName="drorch-admin")
        idp.admin_create_user(UserPoolId=pool_id, Username=USERNAME, TemporaryPassword=TEMPORARY)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=USERNAME, GroupName="drorch-admin")
        yield Pool(moto, pool_id, client_id)


def ui_with_config(folder: Path, pool: Pool) -> Path:
    """A copy of the UI build with the runtime config a deployment publishes beside it."""
    shutil.copytree(FRONTEND_DIST, folder, dirs_exist_ok=True)
    config = {
        "environment": "e2e",
        "apiUrl": "",
        "cognito": {
            "userPoolId": pool.pool_id,
            "clientId": pool.client_id,
            "region": REGION,
            "endpoint": f"{pool.moto.url}/",
        },
    }
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="module")
def server(
    pool: Pool, tmp_path_factory: pytest.TempPathFactory, built_ui: None
) -> Iterator[RunningServer]:
    """drorch serve trusting the pool, serving the UI and its config, with one plan."""
    ui = ui_with_config(tmp_path_factory.mktemp("cognito-ui"), pool)
    env = {
        "DRORCH_COGNITO_ISSUER": pool.issuer,
        "DRORCH_COGNITO_CLIENT_ID": pool.client_id,
        "DRORCH_COGNITO_JWKS_URL": f"{pool.moto.url}/{pool.pool_id}/.well-known/jwks.json",
        "DRORCH_FRONTEND_DIR": str(ui),
    }
    with running_server(tmp_path_factory.mktemp("cognito-serve"), env=env) as running:
        add_plan(running)
        yield running


def add_plan(server: RunningServer) -> None:
    """A one-wave plan, so the dashboard has something only a signed-in call can show."""
    with api_client(server, timeout=10.0) as http:
        group = created(
            http.post(
                "/api/v1/protection-groups",
                json={
                    "name": "cognito-group",
                    "account_id": ACCOUNT,
                    "region": REGION,
                    "selection": {"tags": {"Application": "payroll"}},
                },
            )
        )
        wave = {"name": "first", "protection_group_ids": [group["id"]]}
        created(http.post("/api/v1/recovery-plans", json={"name": PLAN, "waves": [wave]}))


def created(response: Any) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # The page calls moto on another port; drorch serve's content policy allows only itself.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def submit_sign_in(page: Page, password: str) -> None:
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def cognito_targets(page: Page) -> list[str]:
    """Record the Cognito operations the page calls, in order."""
    targets: list[str] = []

    def seen(request: Any) -> None:
        target = request.headers.get("x-amz-target")
        if request.method == "POST" and target:
            targets.append(target.rsplit(".", 1)[-1])

    page.on("request", seen)
    return targets


def test_a_wrong_password_is_refused_with_the_usual_words(
    page: Page, server: RunningServer
) -> None:
    targets = cognito_targets(page)
    page.goto(server.base_url)
    expect(page.get_by_text("adds you to the Cognito user pool")).to_be_visible()

    submit_sign_in(page, "not-the-password-1!")

    expect(page.get_by_text("The username or password is not right.")).to_be_visible()
    assert targets == ["InitiateAuth"]


def test_the_first_admin_sets_a_password_and_lands_on_the_dashboard(
    page: Page, server: RunningServer, pool: Pool
) -> None:
    targets = cognito_targets(page)
    page.goto(server.base_url)
    submit_sign_in(page, TEMPORARY)
    expect(page.get_by_text("Your password is temporary.")).to_be_visible()

    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("Confirm new password").fill(CHOSEN)
    page.get_by_role("button", name="Set password and sign in").click()

    expect(
        page.get_by_role("button", name=re.compile(f"^User menu: {USERNAME}, Admin"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=PLAN)).to_be_visible()
    assert targets == ["InitiateAuth", "RespondToAuthChallenge"]
    user = pool.moto.client("cognito-idp").admin_get_user(
        UserPoolId=pool.pool_id, Username=USERNAME
    )
    assert user["UserStatus"] == "CONFIRMED"

    # A reload keeps the session: the tab's refresh token buys new tokens from Cognito.
    page.reload()
    expect(page.get_by_role("link", name=PLAN)).to_be_visible()
    assert targets[-1] == "InitiateAuth"

    page.get_by_role("button", name=re.compile("^User menu: ")).click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to drorch")).to_be_visible()
    assert targets[-1] == "GlobalSignOut"
    assert page.evaluate("() => sessionStorage.getItem('drorch.refresh_token')") is None
