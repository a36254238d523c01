"""OKR pages under /o/<org_slug>/okrs/, grouped by the object they are about."""

from django.urls import path

from okrs.views import (
    adoption,
    alignment,
    alignment_map,
    closing,
    cycles,
    key_results,
    objectives,
    team,
    transfer,
    tree,
)

app_name = "okrs"

urlpatterns = [
    # objectives
    path("", objectives.my_okrs, name="my_okrs"),
    path("objectives/new/", objectives.objective_create, name="objective_create"),
    path("objectives/<int:objective_id>/", objectives.objective_detail, name="objective_detail"),
    path("objectives/<int:objective_id>/edit/", objectives.objective_edit, name="objective_edit"),
    path("objectives/<int:objective_id>/delete/", objectives.objective_delete, name="objective_delete"),
    path("objectives/<int:objective_id>/reflection/", objectives.objective_reflect, name="objective_reflect"),
    path("objectives/<int:objective_id>/review/", objectives.objective_review, name="objective_review"),
    # key results
    path("objectives/<int:objective_id>/key-results/new/", key_results.key_result_create, name="key_result_create"),
    path("key-results/<int:key_result_id>/edit/", key_results.key_result_edit, name="key_result_edit"),
    path("key-results/<int:key_result_id>/delete/", key_results.key_result_delete, name="key_result_delete"),
    path("key-results/<int:key_result_id>/progress/", key_results.key_result_progress, name="key_result_progress"),
    path("key-results/<int:key_result_id>/score/", key_results.key_result_score, name="key_result_score"),
    # alignment
    path("objectives/<int:objective_id>/align/", alignment.alignment_add, name="alignment_add"),
    path("objectives/<int:objective_id>/align/search/", alignment.alignment_search, name="alignment_search"),
    path("alignments/<int:alignment_id>/delete/", alignment.alignment_delete, name="alignment_delete"),
    path("alignments/<int:alignment_id>/weight/", alignment.alignment_weight, name="alignment_weight"),
    path("key-results/<int:key_result_id>/ask-to-align/", alignment.ask_to_align, name="ask_to_align"),
    path("tree/", tree.tree, name="tree"),
    path("tree/children/", tree.tree_children, name="tree_children"),
    # the team's objectives
    path("team/", team.team, name="team"),
    path("team/person/", team.team_person, name="team_person"),
    path("team/map/", alignment_map.alignment_map_page, name="alignment_map"),
    path("team/map/more/", alignment_map.alignment_map_more, name="alignment_map_more"),
    # cycles
    path("cycles/", cycles.cycles, name="cycles"),
    path("cycles/<int:cycle_id>/state/", cycles.cycle_state, name="cycle_state"),
    path("cycles/<int:cycle_id>/delete/", cycles.cycle_delete, name="cycle_delete"),
    path("cycles/carry-over/", cycles.carry_over, name="carry_over"),
    path("close/", closing.close_summary, name="close_summary"),
    path("close/<int:cycle_id>/remind/", closing.close_remind, name="close_remind"),
    path("adoption/", adoption.adoption, name="adoption"),
    # CSV
    path("csv/export/", transfer.csv_export, name="csv_export"),
    path("csv/import/", transfer.csv_import, name="csv_import"),
]
