"""How an app declares its place in the frame every page shares, from its own ``apps.py``:

    class GoalsConfig(AppConfig):
        navigation = [NavItem("Goals", "goals:my_goals", section="goals", position=30)]
        my_work = [MyWorkCard("goals/_my_work.html", "goals.views.my_work_card", position=30)]
        demo_seed = "goals.demo.seed"
        topbar = ["notifications/_bell.html"]        # beside the account menu, on tenant pages

This module imports no models, so an ``apps.py`` can use it before the app registry is ready.
``organisations.web`` reads the declarations; the seed command runs every ``demo_seed``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation. ``section`` is what a page puts in its context as
    ``section`` to mark the entry current; ``position`` orders entries across apps; ``role`` is the
    lowest role that sees it (a ``Role`` value). With ``within`` set to a section, the entry
    belongs to that section's sub-navigation (shown on every page of the section) instead of the
    main navigation."""

    label: str
    url_name: str
    section: str
    position: int
    role: str = "employee"
    within: str = ""


@dataclass(frozen=True)
class Panel:
    """A piece one app adds to another app's page. ``context`` is the dotted path of a function
    ``(request, membership, *objects) -> dict | None`` (None leaves the panel out); the template
    receives the dict as ``card``. The page that hosts panels names the AppConfig attribute it
    reads (``my_work`` for *My work*; an app may offer its own, e.g. ``goal_panels`` on a goal)."""

    template: str
    context: str
    position: int


#: A card on *My work* (``AppConfig.my_work``): ``(request, membership) -> dict | None``.
MyWorkCard = Panel
