"""The isolation sweep's cases for the goals pages (discovered by tests.kit.isolation)."""

from tests.kit.sweep_types import Case

HTML_CASES = [Case("goals:home")]
