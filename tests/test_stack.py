"""What ``make run`` (scripts/stack.py) tells its operator, with real parts: a port already taken
is reported (item 22), the start-up block ends with the address, the logins and how to stop, and a
broker that goes down and comes back is reported once each way (issue 11 item 5). The whole
``make run`` (restarting a killed worker, its own server on its own port, e-mailed links to the
address served) is proven by ``scripts/smoke_run.sh`` (``make smoke``, CI's last step)."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ascent_stack", ROOT / "scripts" / "stack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_taken_port_is_reported_and_run_stops(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = _stack()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert stack.port_in_use(port)
        monkeypatch.setenv("PORT", str(port))
        assert stack.cmd_run() == 1
    out = capsys.readouterr().out
    assert f"port {port} is already in use" in out
    assert f"PORT={port + 1} make run" in out
    assert not stack.port_in_use(port)


def test_the_start_up_block_names_address_logins_and_how_to_stop(capsys: pytest.CaptureFixture[str]) -> None:
    _stack()._print_ready_block("http://127.0.0.1:8123/", 3.2, dev=False)
    lines = capsys.readouterr().out.splitlines()
    assert "Ascent is ready at http://127.0.0.1:8123/" in lines[1]
    assert any("owner@acme.test" in line for line in lines)
    assert "Stop with Ctrl-C." in lines[-2]


def test_the_broker_going_down_and_coming_back_is_said_once_each(capsys: pytest.CaptureFixture[str]) -> None:
    stack = _stack()
    port = _free_port()
    url = f"redis://:sekret@127.0.0.1:{port}/0"

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--requirepass", "sekret"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    server = start()
    try:
        broker = stack.Broker({"REDIS_URL": url})
        broker.check()
        assert capsys.readouterr().out == ""
        server.terminate()
        server.wait()
        broker.check()
        broker.check()
        down = capsys.readouterr().out
        assert down.count("the broker is down") == 1
        assert "sekret" not in down  # the password is not printed
        server = start()
        broker.check()
        broker.check()
        assert capsys.readouterr().out.count("the broker is back") == 1
    finally:
        server.terminate()
        server.wait()
