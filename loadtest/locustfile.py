"""The load test's people (``make loadtest``; scripts/loadtest.py starts the server and runs this).

Each simulated person works as one of the demo organisation's people. Each of those people logs
in through the login form once, and the simulated people acting as them share that session:
a password check costs about a second of CPU by design (Argon2), and people log in once a day,
not once a minute, so logging in per simulated person would measure the hash, not Ascent. Then,
with human-like pauses, they reads the pages people open most (My work, My OKRs, an objective,
the alignment tree, the team view, goals, notifications) and posts progress updates to key
results they own, through the API with their session, as the browser's inline forms do.
"""

from __future__ import annotations

import random
from typing import Any

from gevent.lock import Semaphore
from locust import HttpUser, between, task

ORG = "acme"
PASSWORD = "ascent-demo"  # noqa: S105  # the public demo password (organisations.demo.DEMO_PASSWORD)
PEOPLE = ["employee@acme.test", "manager@acme.test", "hr@acme.test", "owner@acme.test"]


_sessions: dict[str, dict[str, str]] = {}  # e-mail → the cookies of its one logged-in session
_login_lock = Semaphore()


class Person(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.email = random.choice(PEOPLE)
        with _login_lock:
            if self.email not in _sessions:
                self.client.get("/login/", name="/login/")
                response = self.client.post(
                    "/login/",
                    {
                        "username": self.email,
                        "password": PASSWORD,
                        "csrfmiddlewaretoken": self.client.cookies.get("csrftoken"),
                    },
                    headers={"Referer": self.host + "/login/"},
                    name="/login/ (post)",
                )
                response.raise_for_status()
                _sessions[self.email] = self.client.cookies.get_dict()
        self.client.cookies.update(_sessions[self.email])
        me = self.client.get(f"/api/v1/orgs/{ORG}/me/", name="/api/me/").json()
        key_results: list[dict[str, Any]] = self.client.get(
            f"/api/v1/orgs/{ORG}/key-results/?page_size=100", name="/api/key-results/"
        ).json()["results"]
        self.mine = [
            kr
            for kr in key_results
            if kr.get("owner") == me["id"] and kr.get("progress_source") == "manual" and kr.get("kind") != "milestones"
        ]
        self.objectives = sorted({kr["objective"] for kr in key_results}) or [0]

    @task(4)
    def my_work(self) -> None:
        self.client.get(f"/o/{ORG}/", name="my work")

    @task(4)
    def my_okrs(self) -> None:
        self.client.get(f"/o/{ORG}/okrs/", name="my OKRs")

    @task(3)
    def objective(self) -> None:
        self.client.get(f"/o/{ORG}/okrs/objectives/{random.choice(self.objectives)}/", name="objective detail")

    @task(2)
    def tree(self) -> None:
        self.client.get(f"/o/{ORG}/okrs/tree/", name="alignment tree")

    @task(2)
    def team(self) -> None:
        self.client.get(f"/o/{ORG}/okrs/team/", name="team view")

    @task(1)
    def goals(self) -> None:
        self.client.get(f"/o/{ORG}/goals/", name="my goals")

    @task(1)
    def notifications(self) -> None:
        self.client.get(f"/o/{ORG}/notifications/", name="notifications")

    @task(3)
    def progress_update(self) -> None:
        if not self.mine:
            return
        kr = random.choice(self.mine)
        low, high = float(kr["start_value"]), float(kr["target_value"])
        value = round(random.uniform(min(low, high), max(low, high)), 2)
        self.client.post(
            f"/api/v1/orgs/{ORG}/progress-updates/",
            json={"key_result": kr["id"], "value": str(value), "confidence": "on_track"},
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"},
            name="progress update (API)",
        )
