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
    # feedback on one answer (👍/👎, the reason after a 👎, "Góp ý thêm") and the survey of a service
    RATE_ANSWER = "rate_answer"
    RATE_SERVICE = "rate_service"
    END_CONVERSATION = "end_conversation"
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
    COMMENT_TURN = "comment_turn"
    FEEDBACK_COMMENT = "feedback_comment"
    SURVEY_PROCEDURE = "survey_procedure"
    SURVEY_OVERALL = "survey_overall"
    SURVEY_FINDING_INFORMATION = "survey_finding_information"
    SURVEY_SUBMITTING_ONLINE = "survey_submitting_online"
    SURVEY_TIME_AS_PROMISED = "survey_time_as_promised"
    SURVEY_COST_AS_ANNOUNCED = "survey_cost_as_announced"
    GUIDE_ENTRY = "guide_entry"
    WALKTHROUGH_PROCEDURE = "walkthrough_procedure"
    WALKTHROUGH_STEP = "walkthrough_step"
    HAS_VNEID_LEVEL2 = "has_vneid_level2"
    HAS_SCANS = "has_scans"
    HAS_PAYMENT = "has_payment"
    CALLBACK_PHONE = "callback_phone"


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


class FeedbackReason:
    """Why a citizen gave an answer 👎 (the buttons after a 👎; the dashboard names them in Vietnamese)."""

    WRONG_INFORMATION = "wrong_information"
    WRONG_PROCEDURE = "wrong_procedure"
    HARD_TO_UNDERSTAND = "hard_to_understand"
    MISSING_INFORMATION = "missing_information"
    OTHER = "other"


FEEDBACK_REASONS = _values(FeedbackReason)


class SurveyCriterion:
    """What the end-of-conversation survey asks about an online public service, in the order asked;
    each is a column of ``service_surveys`` and a slot ``survey_<criterion>``."""

    OVERALL = "overall"
    FINDING_INFORMATION = "finding_information"
    SUBMITTING_ONLINE = "submitting_online"
    TIME_AS_PROMISED = "time_as_promised"
    COST_AS_ANNOUNCED = "cost_as_announced"


SURVEY_CRITERIA = _values(SurveyCriterion)
