from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem, Panel


class OkrsConfig(AppConfig):
    name = "okrs"
    verbose_name = "OKRs"
    navigation = [
        NavItem("OKRs", "okrs:my_okrs", section="okrs", position=20),
        # The OKR section's sub-navigation, on every OKR page: each role sees what it may use.
        NavItem("My OKRs", "okrs:my_okrs", section="okrs", position=1, within="okrs"),
        NavItem("Alignment tree", "okrs:tree", section="okrs", position=2, within="okrs"),
        NavItem("Team view", "okrs:team", section="okrs", position=3, role="manager", within="okrs"),
        NavItem("Alignment map", "okrs:alignment_map", section="okrs", position=4, role="manager", within="okrs"),
        NavItem("Carry over", "okrs:carry_over", section="okrs", position=5, role="manager", within="okrs"),
        NavItem("Cycles", "okrs:cycles", section="okrs", position=6, role="admin", within="okrs"),
        NavItem("Adoption report", "okrs:adoption", section="okrs", position=7, role="admin", within="okrs"),
        NavItem("Close summary", "okrs:close_summary", section="okrs", position=8, role="admin", within="okrs"),
        NavItem("Export CSV", "okrs:csv_export", section="okrs", position=9, within="okrs"),
        NavItem("Import CSV", "okrs:csv_import", section="okrs", position=10, role="manager", within="okrs"),
    ]
    my_work = [MyWorkCard("okrs/_my_work.html", "okrs.views.objectives.my_work_card", position=20)]
    demo_seed = "okrs.demo.seed"
    # On a colleague's page (organisations:person): their objectives the reader may see.
    person_panels = [Panel("okrs/_person.html", "okrs.views.objectives.person_panel", position=20)]
