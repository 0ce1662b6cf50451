"""What the messenger tests read back: the outbox rows and the citizen's stored turns."""

from __future__ import annotations

from typing import List

import requests
from sqlalchemy import select

from bot.channels.tables import OutboundMessage
from core.db import session_factory
from tools.stack import TOKEN


def outbox_rows(database_url: str, recipient: str) -> List[OutboundMessage]:
    with session_factory(database_url)() as session:
        query = select(OutboundMessage).where(OutboundMessage.recipient == recipient).order_by(OutboundMessage.id)
        return list(session.execute(query).scalars())


def user_texts(rasa_url: str, sender: str) -> List[str]:
    answer = requests.get(f"{rasa_url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    return [event["text"] for event in answer.json()["events"] if event["event"] == "user"]
