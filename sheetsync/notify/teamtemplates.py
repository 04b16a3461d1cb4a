"""The team's own templates folder (`email.templates`), read the way the config is: only regular
files, at most `MAX_BYTES` each, and never waiting on a named pipe (`boundedfile`).

A template name with `..` or a leading `/` is not found, as with Jinja2's FileSystemLoader, so
an `{% include %}` cannot reach outside the folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from sheetsync.boundedfile import FileRefused, read_regular

MAX_BYTES = 1 << 20
"""The largest template read (the built-in ones are under 6 KB)."""


class TeamTemplates(jinja2.BaseLoader):
    """Templates from `folder`; a missing one is TemplateNotFound (the built-in one is used), a
    refused one (a pipe, a device, over 1 MB) a TemplateError naming the file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            data = read_regular(path, MAX_BYTES)
            mtime = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except FileRefused as exc:
            raise jinja2.TemplateError(f"{path}: {exc.problem}") from None
        except OSError as exc:
            raise jinja2.TemplateError(f"{path}: cannot be read: {exc.strerror}") from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise jinja2.TemplateError(f"{path}: not UTF-8 text") from None
        return text, str(path), lambda: _mtime(path) == mtime


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None
