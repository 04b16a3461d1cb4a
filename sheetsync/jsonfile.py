"""Small JSON files sheetsync keeps for itself (the daemon's state, the e-mail sent log),
written so that a reader, or a power cut, sees the old file or the new one, never a part."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: object) -> None:
    """Write JSON so that a reader sees the old file or the new one, never a part."""
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename itself survives a power cut (where the OS allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
