"""The base of every section of the config file model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.fields import FieldInfo


def _null_is_default(field: FieldInfo | None) -> bool:
    """Whether `null` stands for the key's default: yes for text, lists and sections; no where
    null switches something off, for a required key, a choice or a number (null is an error)."""
    if field is None or field.is_required():
        return False
    kind = field.annotation
    return not (type(None) in get_args(kind) or kind is float or get_origin(kind) is Literal)


class Section(BaseModel):
    """A mapping in the config file: unknown keys are refused; `null` means the default."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, coerce_numbers_to_str=True, use_attribute_docstrings=True
    )

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        fields = cls.model_fields
        return {
            str(key): value
            for key, value in data.items()
            if value is not None or not _null_is_default(fields.get(str(key)))
        }
