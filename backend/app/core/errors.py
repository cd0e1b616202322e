"""Validation errors as sentences for people, shared by the REST API (422 bodies) and the MCP tools.

pydantic's own messages ("String should have at most 200 characters") and, worse, the MCP SDK's
"Error executing tool add_task: 1 validation error for add_taskArguments ..." are written for developers;
the chat shows tool errors to users through the model, so every tool and API error gets one plain sentence.
"""

from typing import Any

# field name -> (plural for limits, the thing for "missing"/"empty")
_FIELDS = {
    "title": ("Titles", "a title"),
    "description": ("Descriptions", "a description"),
    "message": ("Messages", "a message"),
    "task_id": ("Task ids", "a task id"),
    "conversation_id": ("Conversation ids", "a conversation id"),
    "status": ("Status filters", "a status"),
    "completed": ("Completed flags", "a completed flag"),
    "user_id": ("User ids", "a user id"),
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    names = [part for part in loc if isinstance(part, str) and part not in ("body", "query", "path")]
    return names[-1] if names else ""


def _label(name: str) -> tuple[str, str]:
    spaced = name.replace("_", " ")
    return _FIELDS.get(
        name, (spaced.capitalize() + " values" if spaced else "Values", f"a {spaced or 'value'}")
    )


def describe(error: dict[str, Any]) -> str:
    """One sentence for one pydantic error (as in ValidationError.errors() or FastAPI's detail list)."""
    name = _field(error.get("loc", ()))
    plural, thing = _label(name)
    kind, context = error.get("type", ""), error.get("ctx") or {}
    match kind:
        case "string_too_long":
            return f"{plural} can be at most {context.get('max_length', 0):,} characters."
        case "string_too_short" | "missing":
            return f"Please give {thing}; it can't be empty." if name else "Please send a request body."
        case "string_pattern_mismatch":  # the only pattern is the NUL rule
            return f"{plural} can't contain NUL characters."
        case "value_error" if "NUL" in str(error.get("msg", "")):
            return f"{plural} can't contain NUL characters."
        case "greater_than_equal" | "less_than_equal" | "greater_than" | "less_than":
            return f"{plural} are whole numbers from 1 to 2,147,483,647."
        case "int_parsing" | "int_type" | "int_from_float":
            return f"{plural} must be whole numbers."
        case "enum" | "literal_error":
            return f"{plural} must be one of {context.get('expected', 'the listed values')}."
        case "string_type" | "string_unicode":
            return f"{plural} must be text."
        case "bool_parsing" | "bool_type":
            return f"{plural} must be true or false."
        case "json_invalid" | "model_attributes_type" | "dict_type" | "model_type":
            return "The request body must be a JSON object."
    return (
        f"{plural}: {str(error.get('msg', 'invalid value')).rstrip('.')}."
        if name
        else "The request is invalid."
    )


def first_sentence(errors: list[dict[str, Any]]) -> str:
    return describe(errors[0]) if errors else "The request is invalid."
