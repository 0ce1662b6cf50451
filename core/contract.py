"""The conversation contract: the intent, slot and answer-status names that the domain
(``bot/domain.yml``), the actions, the dashboard and the evaluation tools must agree on.

Written once here; ``tests/core/test_contract.py`` fails when this module and the domain
disagree, so renaming an intent or a slot cannot leave a stale string behind.
"""

from __future__ import annotations

from typing import Tuple


def _values(names: type) -> Tuple[str, ...]:
    """The constants of a names class, in the order they are written."""
    return tuple(value for name, value in vars(names).items() if name.isupper())


class Intent:
    """Intents of ``bot/domain.yml`` (and Rasa's fallback)."""

    ASK_PROCEDURE = "ask_procedure"
    ASK_DOCUMENTS = "ask_documents"
    ASK_FEE = "ask_fee"
    ASK_PROCESSING_TIME = "ask_processing_time"
    ASK_AGENCY = "ask_agency"
    ASK_STEPS = "ask_steps"
    ASK_ONLINE = "ask_online"
    ASK_ELIGIBILITY = "ask_eligibility"
    TRACK_APPLICATION = "track_application"
    ACCOUNT_HELP = "account_help"
    PAYMENT_HELP = "payment_help"
    # the guide to online services (knowledge_base/guides/) and the step-by-step walkthrough
    ASK_GUIDE = "ask_guide"
    START_WALKTHROUGH = "start_walkthrough"
    WALKTHROUGH_NEXT = "walkthrough_next"
    WALKTHROUGH_STUCK = "walkthrough_stuck"
    RATE_SERVICE = "rate_service"
    COMPLAIN = "complain"
    REQUEST_HUMAN = "request_human"
    GREET = "greet"
    GOODBYE = "goodbye"
    THANK = "thank"
    AFFIRM = "affirm"
    DENY = "deny"
    BOT_CHALLENGE = "bot_challenge"
    HELP = "help"
    OUT_OF_SCOPE = "out_of_scope"
    # Rasa's own: predicted by FallbackClassifier, never listed in the domain.
    NLU_FALLBACK = "nlu_fallback"


class Field:
    """What an answer about a procedure opens with. The knowledge base speaks of fields; the
    conversation of intents, one per field (``FIELD_OF_INTENT``)."""

    SUMMARY = "summary"
    DOCUMENTS = "documents"
    FEE = "fee"
    PROCESSING_TIME = "processing_time"
    AGENCY = "agency"
    STEPS = "steps"
    ONLINE = "online"
    ELIGIBILITY = "eligibility"


# Questions about one procedure, and the field each asks: the answer opens with it.
FIELD_OF_INTENT = {
    Intent.ASK_PROCEDURE: Field.SUMMARY,
    Intent.ASK_DOCUMENTS: Field.DOCUMENTS,
    Intent.ASK_FEE: Field.FEE,
    Intent.ASK_PROCESSING_TIME: Field.PROCESSING_TIME,
    Intent.ASK_AGENCY: Field.AGENCY,
    Intent.ASK_STEPS: Field.STEPS,
    Intent.ASK_ONLINE: Field.ONLINE,
    Intent.ASK_ELIGIBILITY: Field.ELIGIBILITY,
}
INTENT_OF_FIELD = {field: intent for intent, field in FIELD_OF_INTENT.items()}
PROCEDURE_INTENTS = tuple(FIELD_OF_INTENT)
# Every intent of the domain, in its order (the dashboard's labelling form offers these).
DOMAIN_INTENTS = tuple(intent for intent in _values(Intent) if intent != Intent.NLU_FALLBACK)


class Slot:
    """Slots of ``bot/domain.yml``."""

    PROCEDURE_ID = "procedure_id"
    ANSWER_STATUS = "answer_status"
    ANSWERED_INTENT = "answered_intent"
    APPLICATION_CODE = "application_code"
    RATING = "rating"
    RATING_COMMENT = "rating_comment"
    RATING_ID = "rating_id"
    RATED = "rated"
    GUIDE_ENTRY = "guide_entry"
    WALKTHROUGH_PROCEDURE = "walkthrough_procedure"
    WALKTHROUGH_STEP = "walkthrough_step"
    HAS_VNEID_LEVEL2 = "has_vneid_level2"
    HAS_SCANS = "has_scans"
    HAS_PAYMENT = "has_payment"


class AnswerStatus:
    """Values of the ``answer_status`` slot: what the assistant did with a question (the dashboard reads them)."""

    ANSWERED = "answered"
    GUIDE = "guide"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    NO_PROCEDURE = "no_procedure"
    NOT_UNDERSTOOD = "not_understood"
    MESSAGE_TOO_LONG = "message_too_long"
    LEGAL_QUESTION = "legal_question"


ANSWER_STATUSES = _values(AnswerStatus)
