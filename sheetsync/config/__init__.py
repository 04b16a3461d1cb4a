"""The config: immutable values (`values`), read from YAML (`yamlread`: encodings, repeated keys)
and validated into them (`loading`: every error names the file, the key path and what is allowed).

May import: `sheetsync.errors`, `sheetsync.spreadsheet`. Every other stage reads the config; the
config reads nothing of theirs.
"""
