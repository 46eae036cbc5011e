"""Practice folders at a local path or a URI Spark reads (file://, hdfs://, s3a://, ...).

Everything is found and read through Hadoop's FileSystem API in the Spark driver,
so a location works exactly when Spark itself could read it (the same
credentials, connectors and configuration). Only small things are read here: which
sub-folders hold a manifest.yaml, a manifest's text, a CSV file's header line and
a Parquet file's schema. The tables themselves are read by Spark (load.py).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExtractError

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
HEADER_LIMIT = 128 * 1024  # as the DuckDB loader: a header line over 128 KB is refused


def is_uri(location: str) -> bool:
    return bool(SCHEME.match(location))


def local_path(location: str) -> Path | None:
    """A plain path or file:// URI as a local Path; None for any other scheme."""
    if location.startswith("file://"):
        return Path(location[len("file://") :] or "/")
    return None if is_uri(location) else Path(location)


def qualified(location: str) -> str:
    """LOCATION as Spark should be given it: a plain path made absolute, a URI as it is."""
    local = local_path(location)
    if local is not None and not location.startswith("file://"):
        return str(local.resolve())
    return location.rstrip("/") if location.rstrip("/") else location


@dataclass(frozen=True)
class Folder:
    """One practice folder: its location as given to Spark, and as a local Path if it is one."""

    location: str

    @property
    def path(self) -> Path:
        """A Path for the manifest and run record (a remote URI kept as text in it)."""
        local = local_path(self.location)
        return local if local is not None else Path(self.location)

    def child(self, name: str) -> str:
        return f"{self.location.rstrip('/')}/{name}"


class HadoopFiles:
    """The Hadoop FileSystem of a SparkSession, for listing and reading small files."""

    def __init__(self, spark):
        self._spark = spark
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _fs_path(self, location: str):
        path = self._jvm.org.apache.hadoop.fs.Path(location)
        return path.getFileSystem(self._conf), path

    def exists(self, location: str) -> bool:
        fs, path = self._fs_path(location)
        return bool(fs.exists(path))

    def is_file(self, location: str) -> bool:
        fs, path = self._fs_path(location)
        return bool(fs.exists(path)) and bool(fs.getFileStatus(path).isFile())

    def children(self, location: str) -> list[str]:
        """The sub-folders of LOCATION, by name, sorted."""
        fs, path = self._fs_path(location)
        if not fs.exists(path) or not fs.getFileStatus(path).isDirectory():
            return []
        return sorted(s.getPath().getName() for s in fs.listStatus(path) if s.isDirectory())

    def read_bytes(self, location: str, limit: int | None = None) -> bytes:
        """The file's bytes (its first LIMIT bytes when given)."""
        fs, path = self._fs_path(location)
        stream = fs.open(path)
        try:
            out = bytearray()
            buffer = self._jvm.java.nio.ByteBuffer.allocate(1 << 16)
            reader = self._jvm.java.nio.channels.Channels.newChannel(stream)
            while limit is None or len(out) < limit:
                buffer.clear()
                n = reader.read(buffer)
                if n < 0:
                    break
                out += bytes(buffer.array())[:n]
            return bytes(out if limit is None else out[:limit])
        finally:
            stream.close()

    def tail(self, location: str, n: int) -> bytes:
        """The file's last N bytes."""
        fs, path = self._fs_path(location)
        size = int(fs.getFileStatus(path).getLen())
        stream = fs.open(path)
        try:
            stream.seek(max(0, size - n))
            buffer = self._jvm.java.nio.ByteBuffer.allocate(n)
            channel = self._jvm.java.nio.channels.Channels.newChannel(stream)
            got = 0
            while got < min(n, size):
                read = channel.read(buffer)
                if read < 0:
                    break
                got += read
            return bytes(buffer.array())[:got]
        finally:
            stream.close()

    def size(self, location: str) -> int:
        fs, path = self._fs_path(location)
        return int(fs.getFileStatus(path).getLen())


def practice_folders(files: HadoopFiles, locations: list[str]) -> list[Folder]:
    """A practice folder is itself; a parent folder means each sub-folder with a manifest
    (as pipeline.extract.loader.find_practice_folders, over a URI)."""
    found: list[Folder] = []
    for given in locations:
        location = qualified(given)
        if not files.exists(location):
            raise ExtractError(
                f"{given}: no such folder; give a practice folder or a folder of them"
            )
        if files.is_file(f"{location.rstrip('/')}/manifest.yaml"):
            found.append(Folder(location))
            continue
        subs = [
            Folder(f"{location.rstrip('/')}/{name}")
            for name in files.children(location)
            if files.is_file(f"{location.rstrip('/')}/{name}/manifest.yaml")
        ]
        if not subs:
            raise ExtractError(
                f"{given}: no manifest.yaml here or in its sub-folders; "
                "each practice folder needs a manifest.yaml (see docs/extract-format.md)"
            )
        found.extend(subs)
    return found


def table_file(files: HadoopFiles, folder: Folder, table: str) -> str:
    """The one CSV or Parquet file of TABLE in FOLDER (the DuckDB loader's rule)."""
    csv_file, parquet = folder.child(f"{table}.csv"), folder.child(f"{table}.parquet")
    has_csv, has_parquet = files.is_file(csv_file), files.is_file(parquet)
    if has_csv and has_parquet:
        raise ExtractError(
            f"{folder.location}: both {table}.csv and {table}.parquet are present; keep only one"
        )
    if has_csv or has_parquet:
        return csv_file if has_csv else parquet
    raise ExtractError(
        f"{folder.location}: {table}.csv is missing; every practice folder needs patients, "
        "events and medications"
    )


def csv_header(files: HadoopFiles, location: str) -> list[str]:
    """The CSV's header fields (a byte-order mark dropped), refused as the DuckDB loader does."""
    head = files.read_bytes(location, limit=HEADER_LIMIT + 1)
    line = head.split(b"\n", 1)[0]
    if len(line) > HEADER_LIMIT:
        raise ExtractError(
            f"{location}: line 1 (the header) has a field over 128 KB, or is not a CSV header; the "
            "first line must name the columns: export the file again"
        )
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{location}: not UTF-8 at byte offset {exc.start}; "
            "re-export the file as UTF-8 (CSV UTF-8 in Excel)"
        ) from None
    header = next(csv.reader([text]), None)
    if not header or not any(name.strip() for name in header):
        raise ExtractError(
            f"{location}: is empty or has no header row; the first line must name the columns"
        )
    return header
