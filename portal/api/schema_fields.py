"""Marshmallow pieces whose validation means exactly what their OpenAPI description says, so
that the document generated from them agrees with what the API accepts."""

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import marshmallow as ma
from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.text import NOT_TEXT_CHARACTERS

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Text without control or direction characters (a NUL, which PostgreSQL cannot store, among them).
PLAIN_TEXT = f"[^{NOT_TEXT_CHARACTERS}]*"


class Pattern(ma.validate.Regexp):
    """The whole value matches (JSON Schema's `^…$`; Python's `$` would let a final newline by)."""

    def __call__(self, value: Any) -> Any:
        """The value, if it matches from end to end."""
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


def text(maximum: int, pattern: str | None = None, **options: Any) -> ma.fields.String:
    """A required string of 1 to `maximum` characters of plain text (or of a pattern, if given)."""
    checks: list[Any] = [ma.validate.Length(min=1, max=maximum), Pattern(pattern or PLAIN_TEXT)]
    return ma.fields.String(required=options.pop("required", True), validate=checks, **options)


def one_of(values: Any, **options: Any) -> ma.fields.String:
    """A required string, one of `values`."""
    choices = [str(value) for value in values]
    return ma.fields.String(
        required=options.pop("required", True), validate=ma.validate.OneOf(choices), **options
    )


class StrictBoolean(ma.fields.Boolean):
    """`true` or `false` only (marshmallow's Boolean also takes "yes", 1 …)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        """The JSON boolean itself."""
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class IsoDate(ma.fields.Date):
    """A calendar date written YYYY-MM-DD, as OpenAPI's `format: date` means (Python's
    `fromisoformat` also takes 20261204 and week dates)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        """The date, if it is written as RFC 3339's full-date."""
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise self.make_error("invalid", input=value, obj_type="date")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise self.make_error("invalid", input=value, obj_type="date") from error


class Variants(ma.Schema):
    """A body that is one of several schemas, told apart by one field (`oneOf` in OpenAPI)."""

    key: str = ""
    variants: Mapping[str, type[ma.Schema]] = {}

    class Meta:
        unknown = ma.INCLUDE  # each variant refuses unknown fields itself

    def load(self, data: Any, **options: Any) -> Any:
        """The variant named by the key field, loaded by its own schema."""
        if not isinstance(data, Mapping):
            raise ma.ValidationError({"_schema": ["Invalid input type."]})
        name = data.get(self.key)
        variant = self.variants.get(name) if isinstance(name, str) else None
        if variant is None:
            raise ma.ValidationError({self.key: [f"Must be one of: {', '.join(self.variants)}."]})
        return variant().load(data, **options)


class VariantsPlugin(BasePlugin):
    """Documents a `Variants` schema as the `oneOf` of its variants."""

    def init_spec(self, spec: APISpec) -> None:
        """Find the marshmallow plugin, whose converter documents each variant."""
        self.marshmallow = next(p for p in spec.plugins if isinstance(p, MarshmallowPlugin))

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        """`oneOf` the variants' own schemas, for a `Variants` schema."""
        schema = kwargs.get("schema")
        kind = schema if isinstance(schema, type) else type(schema)
        if not issubclass(kind, Variants):
            return None
        converter = self.marshmallow.converter
        assert converter is not None
        return {"oneOf": [converter.resolve_nested_schema(v) for v in kind.variants.values()]}
