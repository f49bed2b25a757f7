"""Files in a backup: checksums, copying with a checksum, the manifest."""

import hashlib
import json
import os
from pathlib import Path

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"


def checksum(path):
    """(SHA-256 in hex, size in bytes) of a file."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy(source, target):
    """Copy one file, reading it once; returns (SHA-256, size) of what was written."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def files_under(root):
    """Relative paths (with /) of the finished files under a folder, sorted."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if name.endswith(".part") or path.is_symlink() or not path.is_file():
                continue  # a file still being written, or something we did not make
            found.append(path.relative_to(root).as_posix())
    return sorted(found)


def write_manifest(folder, manifest):
    """Write manifest.json, flushed to disk."""
    with open(Path(folder) / MANIFEST, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_manifest(folder):
    """The manifest of a backup folder, or None when there is none or it is unreadable."""
    try:
        with open(Path(folder) / MANIFEST, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == 1 else None
