"""The deployment bucket: created once per account and Region, holding what deploys read."""

from __future__ import annotations

from drorch.deploy.aws import Aws, aws_errors
from drorch.errors import DeployError


def ensure_bucket(aws: Aws, name: str) -> bool:
    """Create the deployment bucket (versioned, private, encrypted) unless it exists."""
    s3 = aws.client("s3")
    try:
        with aws_errors(f"look for bucket {name}"):
            s3.head_bucket(Bucket=name)
        return False
    except DeployError as exc:
        if exc.extra.get("code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise
    with aws_errors(f"create deployment bucket {name}"):
        if aws.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": aws.region}
            )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
    return True


def upload_once(aws: Aws, bucket: str, key: str, body: bytes) -> bool:
    """Put `body` under `key` unless it is there already (keys name their content hash)."""
    s3 = aws.client("s3")
    try:
        with aws_errors(f"look for s3://{bucket}/{key}"):
            s3.head_object(Bucket=bucket, Key=key)
        return False
    except DeployError as exc:
        if exc.extra.get("code") not in {"404", "NoSuchKey", "NotFound"}:
            raise
    with aws_errors(f"upload s3://{bucket}/{key}"):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return True


def template_url(bucket: str, region: str, key: str) -> str:
    """The virtual-hosted S3 URL CloudFormation reads a template from."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"
