"""Two Rasa replicas on the real PostgreSQL, Redis and RabbitMQ of this machine (and CI)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, text

from actions.stores.handoff import HandoffQueue
from core.db import session_factory
from knowledge_base.repository import ProcedureRepository
from tests.conftest import (
    RABBITMQ_URL,
    ROOT,
    delete_queues,
    fresh_postgres_database,
    require_rabbitmq,
    require_server,
    wait_until,
)
from tests.web.dashboard.conftest import login
from tools.stack import RASA, TOKEN, free_port, latest_model, running_web_server, stop, wait_for
from web.dashboard.accounts import AccountStore
from web.dashboard.analytics import Filters, ReviewData
from web.dashboard.takeover import HANDED_BACK, JOINED

pytestmark = [pytest.mark.e2e, pytest.mark.services]


@pytest.fixture(scope="module")
def services_up() -> None:
    require_server("Redis", "127.0.0.1", 6379)
    require_rabbitmq()


@pytest.fixture(scope="module")
def postgres_database(services_up) -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def replicas(postgres_database, tmp_path_factory, curated_records) -> Iterator[Dict]:
    postgres_url = postgres_database
    tmp_path = tmp_path_factory.mktemp("replicas")
    ProcedureRepository(session_factory(postgres_url)).upsert(curated_records)
    actions_port, ports = free_port(), [free_port(), free_port()]
    queue = f"citizen_test_{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DATABASE_URL=postgres_url,
        REDIS_URL="redis://127.0.0.1:6379/3",
        REDIS_KEY_PREFIX=f"test{uuid.uuid4().hex[:8]}",
        RABBITMQ_URL=RABBITMQ_URL,
        RABBITMQ_QUEUE=queue,
        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(ROOT),
    )
    processes: List[subprocess.Popen] = []
    logs = []
    try:
        log = open(tmp_path / "actions.log", "w")
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        for index, port in enumerate(ports):
            log = open(tmp_path / f"rasa-{index}.log", "w")
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [
                        RASA,
                        "run",
                        "--enable-api",
                        "--auth-token",
                        TOKEN,
                        "--port",
                        str(port),
                        "--model",
                        str(latest_model()),
                        "--endpoints",
                        "bot/endpoints.yml",
                        "--credentials",
                        "bot/credentials.yml",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for(f"http://127.0.0.1:{actions_port}/health", processes[0])
        for port, process in zip(ports, processes[1:]):
            wait_for(f"http://127.0.0.1:{port}/status?token={TOKEN}", process)
        yield {"urls": [f"http://127.0.0.1:{p}" for p in ports], "queue": queue, "database_url": postgres_url}
    finally:
        stop(processes, logs)
        delete_queues(queue)


def say(url: str, sender: str, message: str) -> List[Dict]:
    answer = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()


def tracker(url: str, sender: str) -> Dict:
    return requests.get(f"{url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30).json()


def test_conversation_moves_between_replicas_and_concurrent_turns_are_serialised(replicas):
    a, b = replicas["urls"]
    assert "200.000 đồng" in say(a, "citizen-1", "làm hộ chiếu hết bao nhiêu tiền")[0]["text"]
    assert tracker(b, "citizen-1")["slots"]["procedure_id"] == "ho-chieu"
    assert say(b, "citizen-1", "cần giấy tờ gì")[0]["text"].startswith("Hồ sơ cần chuẩn bị – Cấp hộ chiếu")

    say(a, "race", "xin chào")  # the conversation session exists before the burst
    messages = [
        f"{text} {round_no}"
        for round_no in (1, 2)
        for text in (
            "lệ phí đăng ký tạm trú",
            "cần giấy tờ gì",
            "nộp ở đâu",
            "mất bao lâu",
            "làm online được không",
            "lệ phí bao nhiêu",
            "tôi muốn hỏi thủ tục",
            "cảm ơn",
            "các bước thế nào",
            "ai được làm",
        )
    ]
    with ThreadPoolExecutor(len(messages)) as pool:
        answers = list(pool.map(lambda item: say((a, b)[item[0] % 2], "race", item[1]), enumerate(messages)))
    assert all(answers), "every concurrent turn got an answer"
    events = tracker(a, "race")["events"]
    users = [e for e in events if e["event"] == "user"]
    assert sorted(e["text"] for e in users) == sorted(["xin chào", *messages]), "no turn lost"
    engine = create_engine(replicas["database_url"])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = 'race' AND type_name = 'user'")
        ).scalar_one()
    engine.dispose()
    assert stored == len(messages) + 1
    # serialised: after each user message the bot finishes (action_listen) before the next one starts
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    user_positions = [i for i, k in enumerate(kinds) if k == "user"]
    for start, end in zip(user_positions, user_positions[1:] + [len(kinds)]):
        assert "action_listen" in kinds[start:end], kinds[start:end]


def test_masked_events_reach_the_dashboard_through_rabbitmq(replicas, tmp_path):
    """Replica -> Rasa's Pika broker -> RabbitMQ -> the web server's event feed -> PostgreSQL -> dashboard data."""
    env = {
        "DATABASE_URL": replicas["database_url"],
        "RABBITMQ_URL": RABBITMQ_URL,
        "RABBITMQ_QUEUE": replicas["queue"],
        "REVIEW_SECRET_KEY": "test-secret-key-for-the-feed",
    }
    with running_web_server(tmp_path, env) as web:
        say(replicas["urls"][0], "broker-1", "em số 001203004567, làm hộ chiếu hết bao nhiêu tiền")
        engine = create_engine(replicas["database_url"])
        deadline = time.monotonic() + 60
        rows: List = []
        slots: set = set()
        while time.monotonic() < deadline and not {"procedure_id", "answer_status"} <= slots:
            with engine.connect() as connection:
                rows = list(
                    connection.execute(
                        text(
                            "SELECT type_name, data FROM analytics_events"
                            " WHERE sender_id = 'broker-1' ORDER BY timestamp"
                        )
                    )
                )
            slots = {json.loads(row.data)["name"] for row in rows if row.type_name == "slot"}
            time.sleep(0.5)
        assert requests.get(f"{web}/health", timeout=10).json()["event_feed"] == "consuming"
    engine.dispose()
    stored = [json.loads(row.data) for row in rows]
    users = [event for event in stored if event["event"] == "user"]
    assert users and "[CCCD]" in users[0]["text"]
    assert {"name": "procedure_id", "value": "ho-chieu"}.items() <= next(
        e for e in stored if e["event"] == "slot" and e["name"] == "procedure_id"
    ).items()
    assert "001203004567" not in json.dumps(stored, ensure_ascii=False)
    turns = ReviewData(create_engine(replicas["database_url"])).turns(Filters.last_days(1), sender_id="broker-1")
    assert [(t.intent, t.procedure_id, t.answer_status) for t in turns] == [("ask_fee", "ho-chieu", "answered")]


@contextmanager
def officer_desk(replicas: Dict, tmp_path, rasa_url: str) -> Iterator[Callable[..., int]]:
    """A web server whose dashboard reaches Rasa at ``rasa_url``, two officers logged in; yields
    ``act(officer_index, ticket_id, what, **form)`` returning the HTTP status."""
    env = {
        "DATABASE_URL": replicas["database_url"],
        "RASA_URL": rasa_url,
        "RASA_API_TOKEN": TOKEN,
        "REVIEW_SECRET_KEY": "r" * 32,
        "RABBITMQ_URL": RABBITMQ_URL,
        "RABBITMQ_QUEUE": replicas["queue"],
    }
    accounts = AccountStore(session_factory(replicas["database_url"]))
    with running_web_server(tmp_path, env) as base:
        clients = []
        for name in ("canbo1", "canbo2"):
            if accounts.get(name) is None:
                accounts.create(name, f"mat-khau-{name}-1", "officer")
            clients.append(login(base, name, f"mat-khau-{name}-1"))

        def act(officer: int, ticket_id: int, what: str, **form: str) -> int:
            client = clients[officer]
            page = client.get(f"{base}/review/handoff/{ticket_id}").text
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            return client.post(
                f"{base}/review/handoff/{ticket_id}/{what}",
                data={"csrf": token, **form},
                headers={"Accept": "application/json"},
            ).status_code

        yield act


def test_a_takeover_holds_on_both_replicas(replicas, tmp_path):
    """An officer takes a conversation through replica A: both replicas stay silent in it until handed back."""
    a, b = replicas["urls"]
    sender = "takeover-1"
    say(a, sender, "/request_human")
    queue = HandoffQueue(session_factory(replicas["database_url"]))
    ticket = queue.open_for(sender)
    assert ticket is not None
    with officer_desk(replicas, tmp_path, a) as act:
        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(lambda officer: act(officer, ticket.id, "take"), (0, 1)))
        assert codes == [200, 409], "exactly one officer gets the conversation"
        owner = 0 if queue.get(ticket.id).owner == "canbo1" else 1
        assert tracker(b, sender)["paused"] is True and tracker(a, sender)["paused"] is True
        # A REST client gets what was sent between its requests first: here, that an officer joined.
        assert [m["text"] for m in say(a, sender, "alo, có ai không")] == [JOINED]
        assert say(b, sender, "làm hộ chiếu hết bao nhiêu tiền") == []
        assert act(owner, ticket.id, "reply", text="Chào bạn, tôi là cán bộ một cửa.") == 200
        texts = [e.get("text") for e in tracker(b, sender)["events"] if e["event"] == "bot"]
        assert "Cán bộ: Chào bạn, tôi là cán bộ một cửa." in texts
        users = [e["text"] for e in tracker(b, sender)["events"] if e["event"] == "user"]
        assert users[-2:] == ["alo, có ai không", "làm hộ chiếu hết bao nhiêu tiền"], "the citizen's words are kept"
        assert act(owner, ticket.id, "hand-back") == 200
    assert tracker(b, sender)["paused"] is False
    texts = [m["text"] for m in say(b, sender, "làm hộ chiếu hết bao nhiêu tiền")]
    assert texts[:2] == ["Cán bộ: Chào bạn, tôi là cán bộ một cửa.", HANDED_BACK]
    assert "200.000 đồng" in texts[2]


def test_an_officer_reaches_a_widget_connected_to_the_other_replica(replicas, tmp_path):
    """The widget's socket is on replica B; the dashboard talks to replica A: emits go through Redis."""
    import socketio

    a, b = replicas["urls"]
    received: List[str] = []
    confirmed: Dict[str, str] = {}
    client = socketio.Client()
    client.on("bot_uttered", lambda data: received.append(data.get("text") or ""))
    client.on("session_confirm", lambda session_id: confirmed.update(id=session_id))
    client.connect(b, socketio_path="/socket.io", transports=["polling"], headers={"Origin": "http://localhost:8000"})
    try:
        client.emit("session_request", {"session_id": None})
        wait_until(lambda: confirmed.get("id"))
        sender = confirmed["id"]
        client.emit("user_uttered", {"message": "/request_human", "session_id": sender})
        wait_until(lambda: received)
        ticket = HandoffQueue(session_factory(replicas["database_url"])).open_for(sender)
        with officer_desk(replicas, tmp_path, a) as act:
            assert act(0, ticket.id, "take") == 200
            wait_until(lambda: JOINED in received)
            assert act(0, ticket.id, "reply", text="Tôi là cán bộ, bạn cần hỏi gì?") == 200
            wait_until(lambda: "Cán bộ: Tôi là cán bộ, bạn cần hỏi gì?" in received)
            assert act(0, ticket.id, "hand-back") == 200
            wait_until(lambda: HANDED_BACK in received)
    finally:
        client.disconnect()
