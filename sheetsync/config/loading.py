"""Load a YAML config file into validated, immutable `Config` values.

Reading is `yamlread`'s job (encodings, repeated keys); validating, `model`'s (pydantic, with the
rules of `rules` and its own rules across sections); turning the validated file into values,
`build`'s. Every error is a `ConfigError` naming the file, the key path and what is allowed (exit
code 2): pydantic's ValidationError is translated at this boundary (`translate`). Secrets never
live in the config text: Google credentials are given as a file path (or come from the
environment, see `backends.google`).

Reading is bounded, so that no file can exhaust the machine: only a regular file is read (a
named pipe, a device like /dev/zero or a folder is refused without waiting), of at most
`bounds.CONFIG_MAX_BYTES`; the YAML has a budget of values, a depth limit and a length limit
on text (`yamlread`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from sheetsync.boundedfile import FileRefused, TooLarge, read_regular, size_text
from sheetsync.config.bounds import CONFIG_MAX_BYTES
from sheetsync.config.build import build_config
from sheetsync.config.model import ConfigFile
from sheetsync.config.translate import config_error
from sheetsync.config.values import Config
from sheetsync.config.yamlread import decode_config, load_yaml
from sheetsync.errors import ConfigError


def load_config(path: str | Path) -> Config:
    """Read and validate the config file at `path`."""
    file = Path(path)
    try:
        data = read_regular(file, CONFIG_MAX_BYTES)
    except FileRefused as exc:
        raise ConfigError(str(file), "", _refusal(exc)) from None
    except FileNotFoundError:
        raise ConfigError(str(file), "", "file not found") from None
    except OSError as exc:
        raise ConfigError(str(file), "", f"cannot be read: {exc.strerror}") from exc
    return parse_config(decode_config(data, str(file)), file)


def parse_config(text: str, file: Path) -> Config:
    """Validate config `text`; relative paths in it are taken from `file`'s folder."""
    data = load_yaml(text, str(file))
    if not isinstance(data, dict):
        raise ConfigError(str(file), "", "expected a YAML mapping at the top level")
    try:
        doc = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, str(file), ConfigFile) from exc
    return build_config(doc, file)


def _refusal(exc: FileRefused) -> str:
    if isinstance(exc, TooLarge):
        return (f"is larger than {size_text(CONFIG_MAX_BYTES)}, the most a config file may be "
                "(the example with every key is 9 KB); is this the config file?")  # fmt: skip
    return f"{exc.problem}; give the path of the config file itself"
