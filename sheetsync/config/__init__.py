"""The config: immutable values (`values`), read from YAML (`yamlread`: encodings, repeated keys),
validated by pydantic models of the file (`model`, with the types of `fields`, the rules of
`rules` and its own rules across sections) and built into values (`build`); `loading` ties these
together and `translate` words every problem as a `ConfigError` naming the file, the key path and
what is allowed. `schema` is the file's JSON Schema.

`section` is the base of every section's model; `sections` holds the sections' models but for
`daemon` and `email`, the models of those two; `bounds` holds every range a value must lie in;
`countries` the public holidays by country.

May import: `sheetsync.errors`, `sheetsync.spreadsheet`, `sheetsync.i18n` (the languages' tab
names and weekday names), `sheetsync.boundedfile` (reading the file, bounded), pydantic,
`holidays` (`countries`). Every other stage reads the
config; the config reads nothing of theirs.
"""

EXAMPLE_CONFIG = "sheetsync.yaml"
"""The config file's usual name (`sheetsync init --example` writes it)."""
