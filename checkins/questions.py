"""The default questions of each kind of check-in, from the reference article on managing OKRs
(shared/reference/betterworks-managing-okrs.txt): what bi-weekly, quarter-start and end-of-quarter
conversations should cover. HR edits them per organisation (each edit is a new template version)."""

from __future__ import annotations

from checkins.models import CheckinKind

DEFAULT_QUESTIONS: dict[str, list[dict[str, str]]] = {
    CheckinKind.BIWEEKLY: [
        {"key": "progress", "text": "What progress have you made since the last check-in?", "for": "employee"},
        {"key": "achievements", "text": "What did you achieve?", "for": "employee"},
        {"key": "obstacles", "text": "What obstacles did you run into?", "for": "employee"},
        {"key": "alignment", "text": "How does your current work line up with your OKRs?", "for": "employee"},
        {"key": "help", "text": "What can your manager do to help?", "for": "employee"},
    ],
    CheckinKind.QUARTERLY_PLANNING: [
        {"key": "focus", "text": "What will you focus on in the next 90 days?", "for": "employee"},
        {"key": "time", "text": "How do you spend your time now?", "for": "employee"},
        {
            "key": "outcomes",
            "text": "Which outcomes do you want to achieve, and how will you measure them?",
            "for": "employee",
        },
        {"key": "support", "text": "What support do you need?", "for": "employee"},
        {
            "key": "right_outcome",
            "text": "Manager: is this the right outcome to focus on? Are there other projects for this quarter?",
            "for": "manager",
        },
    ],
    CheckinKind.END_OF_QUARTER: [
        {"key": "achievements", "text": "What did you achieve this quarter?", "for": "employee"},
        {"key": "obstacles", "text": "Which obstacles did you encounter along the way?", "for": "employee"},
        {"key": "priorities", "text": "How have your priorities changed?", "for": "employee"},
        {"key": "help", "text": "How can your manager help you reach your objectives?", "for": "employee"},
        {"key": "development", "text": "How do you want to develop next quarter?", "for": "employee"},
    ],
}
