"""Examples of the OKR API's OpenAPI documentation."""

from typing import Any

TREE_NODE_EXAMPLE: dict[str, Any] = {
    "cycle": {"id": 7, "name": "Q4 FY2026", "state": "active", "start_date": "2026-10-01", "end_date": "2026-12-31"},
    "expected_progress": "0.505435",
    "truncated": False,
    "roots": [
        {
            "id": 11,
            "title": "Win the market",
            "level": "company",
            "kind": "focus",
            "owner": 1,
            "owner_name": "Olivia Owner",
            "team": None,
            "progress": "0.400000",
            "status": "at_risk",
            "confidence": "on_track",
            "via_key_result": None,
            "key_results": [{"id": 21, "title": "Ship the platform", "progress": "0.400000", "status": "at_risk"}],
            "children": [
                {
                    "id": 12,
                    "title": "Platform launch",
                    "level": "team",
                    "kind": "standard",
                    "owner": 3,
                    "owner_name": "Mia Manager",
                    "team": 4,
                    "progress": "0.400000",
                    "status": "at_risk",
                    "confidence": "",
                    "via_key_result": 21,
                    "key_results": [],
                    "children": [],
                }
            ],
        }
    ],
}


OBJECTIVE_EXAMPLE: dict[str, Any] = {
    "cycle": 7,
    "title": "Make onboarding delightful",
    "description": "New customers reach value in their first week.",
    "level": "team",
    "kind": "standard",
    "owner": 3,
    "team": 4,
    "visibility": "organisation",
    "tags": ["onboarding"],
}
