"""The stack lets the browser sign in through Cognito and call the API with the ID token.

moto's CloudFormation skips Cognito clients, the authorizer, gateway responses and CloudFront
(tests/integration/deploy/test_deploy_moto.py lists them), so they are checked here on the
built template; tests/e2e/test_cognito_sign_in.py runs the browser side against moto.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drorch.deploy import template, ui

INFRA = Path(__file__).resolve().parents[3] / "infra"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    built: dict[str, Any] = template.build(INFRA)["Resources"]
    return built


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def api_environment(resources: dict[str, Any]) -> dict[str, Any]:
    functions = of_type(resources, "AWS::Lambda::Function").values()
    api = next(f for f in functions if f["Properties"]["Handler"] == "drorch.lambdas.api.handler")
    variables: dict[str, Any] = api["Properties"]["Environment"]["Variables"]
    return variables


def test_the_ui_client_signs_in_with_a_password_and_refreshes_without_a_secret(
    resources: dict[str, Any],
) -> None:
    client = resources["UiClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_authorizer_and_the_api_both_accept_the_ui_clients_id_token(
    resources: dict[str, Any],
) -> None:
    authorizer = resources["CognitoAuthorizer"]["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    methods = of_type(resources, "AWS::ApiGateway::Method").values()
    # With scopes named, a REST API's Cognito authorizer would take access tokens only.
    assert not [m for m in methods if m["Properties"].get("AuthorizationScopes")]
    assert api_environment(resources)["DRORCH_COGNITO_CLIENT_ID"] == {"Ref": "UiClient"}


def test_preflights_and_the_gateways_own_refusals_reach_the_browser(
    resources: dict[str, Any],
) -> None:
    assert api_environment(resources)["DRORCH_CORS_ORIGINS"] == {"Ref": "UiOrigin"}
    options = [
        m["Properties"]
        for m in of_type(resources, "AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert options and all(m["AuthorizationType"] == "NONE" for m in options)
    responses = of_type(resources, "AWS::ApiGateway::GatewayResponse")
    kinds = {r["Properties"]["ResponseType"]: r["Properties"] for r in responses.values()}
    assert set(kinds) == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in kinds.values():
        header = response["ResponseParameters"][
            "gatewayresponse.header.Access-Control-Allow-Origin"
        ]
        assert header == "'*'"
    # A deployment is a snapshot: the responses must exist before it is taken.
    (deployment,) = of_type(resources, "AWS::ApiGateway::Deployment").values()
    assert set(responses) <= set(deployment["DependsOn"])


def test_the_ui_may_connect_to_cognito_and_the_api(resources: dict[str, Any]) -> None:
    (policy,) = of_type(resources, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()
    assert "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}" in connect
    assert "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" in connect


def test_the_runtime_config_names_the_ui_client_and_its_region_but_no_endpoint() -> None:
    outputs = {"ApiUrl": "https://a/live", "UserPoolId": "eu-west-1_P", "UserPoolClientId": "ui"}
    config = ui.runtime_config(outputs, env="prod", region="eu-west-1")
    assert config["cognito"] == {
        "userPoolId": "eu-west-1_P",
        "clientId": "ui",
        "region": "eu-west-1",
    }
    built = template.build(INFRA)
    assert built["Outputs"]["UserPoolClientId"]["Value"] == {"Ref": "UiClient"}
