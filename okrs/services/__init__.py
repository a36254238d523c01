"""Writes for OKRs. Keyword-only, atomic; one module per entity, re-exported here so callers
write ``services.<name>``.

Every change that can move progress ends with okrs.rollup under the roll-up lock, so stored
progress is always consistent with the tree when the transaction commits. Who may do what is
decided in okrs.permissions; services enforce it.
"""

from okrs.services.alignment import (
    alignment_create,
    alignment_delete,
    alignment_parent,
    alignment_update,
    key_result_ask_to_align,
)
from okrs.services.approvals import objective_approve, objective_request_changes
from okrs.services.closing import cycle_carry_over, cycle_remind_scorers, key_result_score, objective_reflect
from okrs.services.cycles import (
    cycle_create_custom,
    cycle_delete,
    cycle_set_state,
    cycles_advance,
    cycles_generate_year,
    overlapping_active,
)
from okrs.services.key_results import (
    KeyResultData,
    key_result_create,
    key_result_delete,
    key_result_update,
    progress_update_create,
)
from okrs.services.objectives import ObjectiveData, objective_create, objective_delete, objective_update

__all__ = [
    "KeyResultData",
    "ObjectiveData",
    "alignment_create",
    "alignment_delete",
    "alignment_parent",
    "alignment_update",
    "cycle_carry_over",
    "cycle_create_custom",
    "cycle_delete",
    "cycle_remind_scorers",
    "cycle_set_state",
    "cycles_advance",
    "cycles_generate_year",
    "key_result_ask_to_align",
    "key_result_create",
    "key_result_delete",
    "key_result_score",
    "key_result_update",
    "objective_approve",
    "objective_create",
    "objective_delete",
    "objective_reflect",
    "objective_request_changes",
    "objective_update",
    "overlapping_active",
    "progress_update_create",
]
