from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def message_templates(settings) -> Path:
    """Adds tests/core/templates, which holds messages/test_notice.txt, to the template search path."""
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [*engines[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = engines
    return TEMPLATES_DIR
