"""Uploads in an S3-compatible object store (MinIO, Ceph RGW, a cloud's S3), for app servers
on several machines without a shared folder. Chosen with ``STORAGE_BACKEND = "s3"``.

boto3 is the reference client of the S3 protocol, and every S3-compatible server is tested
against it; it is an optional dependency (``pip install 'danwei[s3]'``), imported only here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path


class S3Storage:
    """Files as objects of one bucket, under their storage keys."""

    def __init__(self, client, bucket: str):
        self.client, self.bucket = client, bucket

    @classmethod
    def from_config(cls, config) -> S3Storage:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3", endpoint_url=config.get("S3_ENDPOINT_URL"),
            aws_access_key_id=config.get("S3_ACCESS_KEY"),
            aws_secret_access_key=config.get("S3_SECRET_KEY"),
            region_name=config.get("S3_REGION") or "us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )
        return cls(client, config["S3_BUCKET"])

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def read(self, key: str) -> bytes | None:
        stream = self.open(key)
        if stream is None:
            return None
        with stream:
            return stream.read()

    def open(self, key: str):
        """A binary stream of the object, or None when it is missing."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self.client.exceptions.NoSuchKey:
            return None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"]

    def is_empty(self) -> bool:
        return next(self.keys(), None) is None

    def export_files(self, scratch: Path) -> Iterator[tuple[str, Path]]:
        """``(key, local copy)`` of every object, downloaded one at a time for the backup."""
        for key in self.keys():
            with tempfile.NamedTemporaryFile(dir=scratch.parent, delete=False) as copy:
                self.client.download_fileobj(self.bucket, key, copy)
            yield key, Path(copy.name)

    def import_file(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, key)
