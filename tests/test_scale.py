"""Two Rasa replicas on the real PostgreSQL, Redis and RabbitMQ of this machine (and CI)."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, text

from knowledge_base.db import session_factory
from knowledge_base.repository import ProcedureRepository
from tests.conftest import ROOT, fresh_postgres_database
from tests.servers import RASA, TOKEN, free_port, latest_model, stop, wait_for

REDIS = ("127.0.0.1", 6379)
RABBIT = ("127.0.0.1", 5672)


def _reachable(address) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def services_up() -> None:
    missing = [name for name, address in (("Redis", REDIS), ("RabbitMQ", RABBIT)) if not _reachable(address)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} must run in CI")
        pytest.skip(f"{', '.join(missing)} not running on this machine")


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
    env = dict(os.environ, DATABASE_URL=postgres_url, REDIS_URL="redis://127.0.0.1:6379/3",
               REDIS_KEY_PREFIX=f"test_{uuid.uuid4().hex[:8]}", RABBITMQ_URL="amqp://guest:guest@127.0.0.1:5672/",
               RABBITMQ_QUEUE=queue, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
               RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
    processes: List[subprocess.Popen] = []
    logs = []
    try:
        log = open(tmp_path / "actions.log", "w")
        logs.append(log)
        processes.append(subprocess.Popen([RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for index, port in enumerate(ports):
            log = open(tmp_path / f"rasa-{index}.log", "w")
            logs.append(log)
            processes.append(subprocess.Popen(
                [RASA, "run", "--enable-api", "--auth-token", TOKEN, "--port", str(port), "--model", str(latest_model()),
                 "--endpoints", "bot/endpoints.scale.yml", "--credentials", "bot/credentials.yml"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        wait_for(f"http://127.0.0.1:{actions_port}/health", processes[0])
        for port, process in zip(ports, processes[1:]):
            wait_for(f"http://127.0.0.1:{port}/status?token={TOKEN}", process)
        yield {"urls": [f"http://127.0.0.1:{p}" for p in ports], "queue": queue, "database_url": postgres_url}
    finally:
        stop(processes, logs)


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
    messages = [f"{text} {round_no}" for round_no in (1, 2) for text in (
        "lệ phí đăng ký tạm trú", "cần giấy tờ gì", "nộp ở đâu", "mất bao lâu", "làm online được không",
        "lệ phí bao nhiêu", "tôi muốn hỏi thủ tục", "cảm ơn", "các bước thế nào", "ai được làm")]
    with ThreadPoolExecutor(len(messages)) as pool:
        answers = list(pool.map(lambda item: say((a, b)[item[0] % 2], "race", item[1]), enumerate(messages)))
    assert all(answers), "every concurrent turn got an answer"
    events = tracker(a, "race")["events"]
    users = [e for e in events if e["event"] == "user"]
    assert sorted(e["text"] for e in users) == sorted(["xin chào", *messages]), "no turn lost"
    engine = create_engine(replicas["database_url"])
    with engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT count(*) FROM events WHERE sender_id = 'race' AND type_name = 'user'")).scalar_one()
    engine.dispose()
    assert stored == len(messages) + 1
    # serialised: after each user message the bot finishes (action_listen) before the next one starts
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    user_positions = [i for i, k in enumerate(kinds) if k == "user"]
    for start, end in zip(user_positions, user_positions[1:] + [len(kinds)]):
        assert "action_listen" in kinds[start:end], kinds[start:end]


def test_masked_events_are_published_to_rabbitmq(replicas):
    import aio_pika

    say(replicas["urls"][0], "broker-1", "cccd 001203004567 làm hộ chiếu hết bao nhiêu tiền")

    async def drain() -> List[Dict]:
        connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(replicas["queue"], durable=True)
            bodies = []
            while True:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    break
                bodies.append(json.loads(message.body))
            await queue.delete(if_unused=False, if_empty=False)
            return bodies

    events = asyncio.run(drain())
    user_events = [e for e in events if e.get("event") == "user" and e.get("sender_id") == "broker-1"]
    assert user_events and "[CCCD]" in user_events[0]["text"]
    assert "001203004567" not in json.dumps(events, ensure_ascii=False)
