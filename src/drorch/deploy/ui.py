"""Publishing the UI build to its bucket: cache headers, runtime config, releases, invalidation."""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drorch.deploy.aws import aws_errors
from drorch.errors import DeployError

CONFIG_FILE = "config.json"
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"
# Vite names every file under assets/ after its content hash: it never changes in place.
HASHED_DIR = "assets/"


@dataclass(frozen=True)
class Release:
    """One UI build with its runtime config: the files to upload and their digest."""

    files: dict[str, bytes]
    config: dict[str, Any]

    @property
    def digest(self) -> str:
        """Hash of every file and the config: equal digests, nothing to publish."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        digest.update(json.dumps(self.config, sort_keys=True).encode())
        return digest.hexdigest()


def cache_control(name: str) -> str:
    """The Cache-Control a UI file is served with."""
    if name in {"index.html", CONFIG_FILE}:
        return NO_CACHE  # always revalidated: they name the current build and endpoints
    if name.startswith(HASHED_DIR):
        return IMMUTABLE
    return SHORT


def content_type(name: str) -> str:
    """The Content-Type of a UI file, by its extension."""
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def runtime_config(outputs: Mapping[str, str], *, env: str, region: str) -> dict[str, Any]:
    """What the UI reads from /config.json at start: where the API is and how to sign in.

    The UI signs in through the pool's Region's own Cognito endpoint, so no `endpoint` is
    written (it exists for tests that point the UI at moto).
    """
    return {
        "environment": env,
        "apiUrl": outputs.get("ApiUrl", ""),
        "region": region,
        "cognito": {
            "userPoolId": outputs.get("UserPoolId", ""),
            "clientId": outputs.get("UserPoolClientId", ""),
            "region": region,
        },
    }


def read_build(ui_dir: Path) -> dict[str, bytes]:
    """Every file of a UI build by its path in the bucket (no stale config.json carried)."""
    if not (ui_dir / "index.html").is_file():
        raise DeployError(f"no UI build in {ui_dir} (run `make frontend` first)")
    return {
        path.relative_to(ui_dir).as_posix(): path.read_bytes()
        for path in sorted(ui_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and path.name != CONFIG_FILE
    }


def upload(s3: Any, bucket: str, release: Release) -> int:
    """Put every file and the config into the UI bucket; how many objects were written."""
    objects = dict(release.files)
    objects[CONFIG_FILE] = json.dumps(release.config, indent=2).encode()
    # Hashed assets first: an index.html must never point at files not there yet.
    order = sorted(objects, key=lambda name: (name in {"index.html", CONFIG_FILE}, name))
    for name in order:
        with aws_errors(f"upload {name} to {bucket}"):
            s3.put_object(
                Bucket=bucket,
                Key=name,
                Body=objects[name],
                ContentType=content_type(name),
                CacheControl=cache_control(name),
            )
    return len(objects)


def invalidate(cloudfront: Any, distribution_id: str, reference: str) -> str:
    """Ask CloudFront to drop its copies; the invalidation id."""
    with aws_errors(f"invalidate CloudFront distribution {distribution_id}"):
        answer = cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": reference,
            },
        )
    return str(answer["Invalidation"]["Id"])


@dataclass(frozen=True)
class History:
    """Where an environment's UI releases are kept in the deployment bucket."""

    s3: Any
    bucket: str
    env: str

    @property
    def _key(self) -> str:
        return f"ui/{self.env}/history.json"

    def digests(self) -> list[str]:
        """Published releases, oldest first."""
        try:
            with aws_errors("read UI release history"):
                body = self.s3.get_object(Bucket=self.bucket, Key=self._key)["Body"].read()
        except DeployError as exc:
            if exc.extra.get("code") in {"NoSuchKey", "404"}:
                return []
            raise
        return list(json.loads(body))

    def record(self, release: Release, digests: list[str]) -> None:
        """Keep the release's files and make it the newest entry."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in sorted(release.files):
                archive.writestr(
                    zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), release.files[name]
                )
        with aws_errors("store the UI release"):
            self.s3.put_object(
                Bucket=self.bucket, Key=self.release_key(release.digest), Body=buffer.getvalue()
            )
        self.save([*digests, release.digest])

    def save(self, digests: list[str]) -> None:
        """Write the history."""
        with aws_errors("write UI release history"):
            self.s3.put_object(Bucket=self.bucket, Key=self._key, Body=json.dumps(digests).encode())

    def release_key(self, digest: str) -> str:
        """Where a release's files are kept."""
        return f"ui/{self.env}/releases/{digest[:16]}.zip"

    def files(self, digest: str) -> dict[str, bytes]:
        """The files of a kept release."""
        with aws_errors("read a kept UI release"):
            body = self.s3.get_object(Bucket=self.bucket, Key=self.release_key(digest))["Body"]
            data = body.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
