"""Answering questions about procedures from the knowledge base."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction, entity_values, latest_intent, latest_text
from knowledge_base.answers import PROCEDURE_INTENTS, compose_answer, intent_payload
from knowledge_base.resolver import AMBIGUOUS, FOUND, NOT_FOUND, resolve_procedure

logger = logging.getLogger(__name__)

HELPFUL_QUESTION = "Câu trả lời có hữu ích không?"
HELPFUL_BUTTONS = [
    {"title": "👍 Có", "payload": '/rate_service{"rating": "up"}'},
    {"title": "👎 Không", "payload": '/rate_service{"rating": "down"}'},
]


class ActionAnswerProcedure(ServiceAction):
    """Answers ask_* intents: resolves the procedure, then puts the asked field first."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = latest_intent(tracker)
        if intent not in PROCEDURE_INTENTS:
            intent = "ask_procedure"
        index = self.services.index()
        resolution = resolve_procedure(
            index,
            latest_text(tracker),
            entity_values(tracker, "procedure"),
            tracker.get_slot("procedure_id"),
        )
        logger.info(
            "procedure.resolved conversation=%s intent=%s status=%s procedure=%s",
            tracker.sender_id, intent, resolution.status, resolution.procedure_id,
        )
        if resolution.status == FOUND:
            record = self.services.procedures.get(resolution.procedure_id)
            answer = compose_answer(record, intent)
            dispatcher.utter_message(text=answer.text, buttons=[b.as_dict() for b in answer.buttons])
            dispatcher.utter_message(text=HELPFUL_QUESTION, buttons=HELPFUL_BUTTONS)
            return [SlotSet("procedure_id", record["id"]), SlotSet("answered_intent", intent),
                    SlotSet("answer_status", "answered")]
        if resolution.status == AMBIGUOUS:
            dispatcher.utter_message(
                text="Bạn muốn hỏi thủ tục nào dưới đây?",
                buttons=[{"title": hit.name, "payload": intent_payload(intent, hit.id)} for hit in resolution.choices],
            )
            return [SlotSet("procedure_id", None), SlotSet("answer_status", "ambiguous")]
        settings = self.services.settings
        if resolution.status == NOT_FOUND:
            dispatcher.utter_message(
                text=(
                    "Xin lỗi, tôi chưa có thông tin về thủ tục này. Bạn có thể tra cứu trên Cổng Dịch vụ công "
                    f"quốc gia: {settings.portal_search_url} hoặc gọi tổng đài {settings.hotline}."
                )
            )
            return [SlotSet("procedure_id", None), SlotSet("answered_intent", None),
                    SlotSet("answer_status", "not_found")]
        dispatcher.utter_message(
            text="Bạn muốn hỏi về thủ tục nào? Ví dụ: làm hộ chiếu, đăng ký khai sinh, đăng ký tạm trú.",
            buttons=[
                {"title": "Làm hộ chiếu", "payload": intent_payload(intent, "ho-chieu")},
                {"title": "Đăng ký khai sinh", "payload": intent_payload(intent, "khai-sinh")},
                {"title": "Đăng ký tạm trú", "payload": intent_payload(intent, "tam-tru")},
            ],
        )
        return [SlotSet("answer_status", "no_procedure")]
