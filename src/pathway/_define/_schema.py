"""The JSON Schema of the pathway file format, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from pathway._define._spec import PathwaySpec

__all__ = ["SCHEMA_ID", "json_schema", "schema_text"]

SCHEMA_ID = "https://carepathway.invalid/schema/pathway-1.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that editors use to complete and check files."""
    schema = PathwaySpec.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """The schema as stable, pretty-printed JSON text (what ``pathway schema`` prints)."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
