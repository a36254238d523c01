from django.apps import AppConfig

from organisations.frame import MyWorkCard, NavItem


class OkrsConfig(AppConfig):
    name = "okrs"
    verbose_name = "OKRs"
    navigation = [NavItem("OKRs", "okrs:my_okrs", section="okrs", position=20)]
    my_work = [MyWorkCard("okrs/_my_work.html", "okrs.views.objectives.my_work_card", position=20)]
    demo_seed = "okrs.demo.seed"
