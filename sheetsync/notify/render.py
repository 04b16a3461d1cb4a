"""Templates: a message's subject, plain text and HTML, rendered by Jinja2.

Each message kind has three templates: `<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`
(kinds: `team_digest`, `scorecard`). The built-in ones are in `sheetsync/notify/templates/`;
a folder named by `email.templates` (relative to the config's folder) is searched first, so a
template of the same name there replaces the built-in one and the others stay as they are
(a Jinja2 ChoiceLoader).

Autoescaping is on for `.html` templates: every value printed there (rep names, KPI labels,
cell values, data issue texts) is escaped, so a rep called `<script>` stays text. The `.txt`
templates are plain text and are not escaped. An unknown variable is an error, not a blank
(StrictUndefined), so a typo in a team's template stops the run before anything is sent.
Templates are trusted like the config itself (they are not sandboxed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from sheetsync.config.values import Config
from sheetsync.errors import ConfigError

__all__ = ["KINDS", "Rendered", "Renderer", "template_folder", "variables"]

KINDS = ("team_digest", "scorecard")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def template_folder(config: Config) -> Path | None:
    """`email.templates` resolved against the config's folder; a ConfigError when it is not a
    folder."""
    given = config.email.templates if config.email is not None else None
    if not given:
        return None
    path = Path(given).expanduser()
    folder = path if path.is_absolute() else (config.path or Path("x")).parent / path
    if not folder.is_dir():
        raise ConfigError(str(config.path or "config"), "email.templates",
                          f"{folder} is not a folder")  # fmt: skip
    return folder


def variables(values: object) -> dict[str, Any]:
    """A dataclass's fields as template variables (one level: nested values stay objects)."""
    assert dataclasses.is_dataclass(values) and not isinstance(values, type)
    return {field.name: getattr(values, field.name) for field in dataclasses.fields(values)}


class Renderer:
    """The templates of one config: the team's folder first, then the built-in ones."""

    def __init__(self, config: Config) -> None:
        self.config = config
        loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("sheetsync.notify", "templates")]
        folder = template_folder(config)
        if folder is not None:
            loaders.insert(0, jinja2.FileSystemLoader(folder))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm"),
                                                default_for_string=False, default=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
        )  # fmt: skip

    def render(self, kind: str, values: Mapping[str, Any]) -> Rendered:
        """The subject (on one line), plain text and HTML of a message of `kind`."""
        subject = " ".join(self._render(f"{kind}_subject.txt", values).split())
        return Rendered(subject, self._render(f"{kind}.txt", values),
                        self._render(f"{kind}.html", values))  # fmt: skip

    def _render(self, name: str, values: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(values)
        except jinja2.TemplateNotFound as exc:
            raise self._error(f"{name}: no such template") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise self._error(f"{exc.filename or name}: line {exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise self._error(f"{name}: {exc}") from exc

    def _error(self, problem: str) -> ConfigError:
        return ConfigError(str(self.config.path or "config"), "email.templates", problem)
