"""What the Telegram and Zalo output channels share: replies split to the messenger's size, sent
through a :class:`~bot.channels.outbox.Courier` (kept and resent when the messenger is down), and
conversation ids prefixed by the channel so ids never collide across channels."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from bot.channels.messages import split_text
from bot.channels.outbox import Courier


def conversation_id(channel: str, user_id: Any) -> str:
    """Rasa's sender id for a messenger's user: ``<channel>:<user id>``."""
    return f"{channel}:{user_id}"


def messenger_id_of(recipient_id: Text) -> str:
    """The messenger's own id of a conversation (what follows ``<channel>:``)."""
    return str(recipient_id).split(":", 1)[-1]


class MessengerOutput(OutputChannel):
    """A reply to one messenger user; subclasses set ``channel`` and ``text_limit`` and shape buttons."""

    channel: str = ""
    text_limit: int = 2000

    def __init__(self, courier: Courier) -> None:
        self.courier = courier

    @classmethod
    def name(cls) -> Text:
        return cls.channel

    def parts(self, text: Text) -> List[str]:
        """The answer split into messages the messenger accepts, at line, then word boundaries."""
        return split_text(text, self.text_limit)

    def with_buttons(self, text: str, buttons: List[Dict[Text, Any]]) -> Dict[str, Any]:
        """The message body carrying ``text`` and Rasa's ``buttons`` as this messenger shows them."""
        raise NotImplementedError

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in self.parts(text):
            await self.courier.deliver(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        """Long text first, the buttons under its last part."""
        parts = self.parts(text)
        for part in parts[:-1]:
            await self.courier.deliver(recipient_id, {"text": part})
        await self.courier.deliver(recipient_id, self.with_buttons(parts[-1], buttons))
