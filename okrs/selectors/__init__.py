"""Reads for OKRs, always scoped to the actor's organisation and to what the actor may see.

One module per subject; everything is re-exported here, so callers write ``selectors.<name>``.
"""

from okrs.selectors.alignment import (
    access_alignment,
    alignment_candidates,
    alignment_list,
    ancestor_ids,
    objective_child_links,
    tree_edges,
    tree_objectives,
)
from okrs.selectors.cycles import access_cycle, cycle_list, cycle_overview, cycles_containing, default_cycle
from okrs.selectors.key_results import access_key_result, key_result_for_row, key_result_list, progress_update_list
from okrs.selectors.objectives import (
    HISTORY_POINTS,
    SPARKLINE_POINTS,
    ObjectiveFilters,
    access_objective,
    by_level,
    my_objectives,
    objective_activity,
    objective_for_page,
    objective_search,
    objectives_owned_by,
    objectives_progress,
    objectives_with_key_results,
    visible_objectives,
)
from okrs.selectors.reports import (
    active_member_count,
    active_members_among,
    key_result_freshness_by_team,
    managers,
    members_by_email,
    members_without_objectives,
)

__all__ = [
    "HISTORY_POINTS",
    "SPARKLINE_POINTS",
    "ObjectiveFilters",
    "access_alignment",
    "access_cycle",
    "access_key_result",
    "access_objective",
    "active_member_count",
    "active_members_among",
    "alignment_candidates",
    "alignment_list",
    "ancestor_ids",
    "by_level",
    "cycle_list",
    "cycle_overview",
    "cycles_containing",
    "default_cycle",
    "key_result_for_row",
    "key_result_freshness_by_team",
    "key_result_list",
    "managers",
    "members_by_email",
    "members_without_objectives",
    "my_objectives",
    "objective_activity",
    "objective_child_links",
    "objective_for_page",
    "objective_search",
    "objectives_owned_by",
    "objectives_progress",
    "objectives_with_key_results",
    "progress_update_list",
    "tree_edges",
    "tree_objectives",
    "visible_objectives",
]
