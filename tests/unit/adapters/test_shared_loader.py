"""Sessions made by drorch share one botocore loader: each model is parsed once."""

from __future__ import annotations

from drorch.adapters.aws.shared_loader import boto3_session, core_session


def test_sessions_share_the_loader_and_its_parsed_models() -> None:
    first = boto3_session(aws_access_key_id="a", aws_secret_access_key="s", region_name="us-east-1")
    second = boto3_session(
        aws_access_key_id="b", aws_secret_access_key="t", region_name="eu-west-1"
    )
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    assert core_session().get_component("data_loader") is loader
    one = first.client("drs").meta.service_model
    two = second.client("drs").meta.service_model
    assert one._service_description is two._service_description  # parsed once, shared
    assert len(loader.search_paths) == len(set(loader.search_paths))  # boto3's path once
    # Credentials and Regions stay each session's own.
    assert first.get_credentials().access_key == "a"
    assert second.get_credentials().access_key == "b"
    assert second.client("drs").meta.region_name == "eu-west-1"
