"""The API contract as a file: writes docs/openapi.json, the OpenAPI document the app serves.

    cd backend && .venv/bin/python -m scripts.openapi    # after changing the API

tests/test_contract.py fails while the committed file lags behind the code. The frontend's types are generated
from it (`npm run api:generate` in frontend/), so the backend's models are written down once.
"""

import json
from pathlib import Path
from typing import Any

from app.core.config import Settings
from app.main import create_app

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    # An in-memory database: building the document touches no server.
    app = create_app(Settings(DATABASE_URL="sqlite://", LOG_LEVEL="WARNING"))
    try:
        return app.openapi()
    finally:
        app.state.engine.dispose()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render(openapi_document()))
    print(f"wrote {DOCUMENT.name}")
