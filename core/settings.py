"""All configuration in one place, read from the environment with safe defaults.

Imported by the action server and the knowledge-base CLI as well as by Rasa-side
code, so it must not import Rasa.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path
from typing import Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Times shown to citizens and officers: Vietnam has one time zone, UTC+7, no daylight saving.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
VAR_DIR = PROJECT_ROOT / "var"
# Parse-data key the Rasa server sets on a message longer than MAX_MESSAGE_CHARS (its original
# length); the action server reads it to ask for a shorter question.
MESSAGE_TOO_LONG_KEY = "message_too_long"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def _env_list(name: str, default: str) -> Tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in os.environ.get(name, default).split(",") if item.strip())


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'assistant.db'}"


@dataclass(frozen=True)
class TelegramSettings:
    """Telegram channel; on when ``TELEGRAM_BOT_TOKEN`` is set."""

    token: Optional[str] = field(default_factory=lambda: os.environ.get("TELEGRAM_BOT_TOKEN") or None)
    webhook_secret: Optional[str] = field(default_factory=lambda: os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None)
    api_base_url: str = field(
        default_factory=lambda: os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot")
    )
    webhook_url: Optional[str] = field(default_factory=lambda: os.environ.get("TELEGRAM_WEBHOOK_URL") or None)
    # Where `make telegram-polling` hands the updates it fetches: the local Rasa server's webhook.
    forward_url: str = field(
        default_factory=lambda: (
            os.environ.get("TELEGRAM_FORWARD_URL")
            or f"http://127.0.0.1:{_env_int('RASA_PORT', 5005)}/webhooks/telegram/webhook"
        )
    )

    @property
    def enabled(self) -> bool:
        return bool(self.token)


@dataclass(frozen=True)
class ZaloSettings:
    """Zalo Official Account channel; on when the app id and OA secret key are set."""

    app_id: Optional[str] = field(default_factory=lambda: os.environ.get("ZALO_APP_ID") or None)
    oa_secret_key: Optional[str] = field(default_factory=lambda: os.environ.get("ZALO_OA_SECRET_KEY") or None)
    app_secret: Optional[str] = field(default_factory=lambda: os.environ.get("ZALO_APP_SECRET") or None)
    access_token: Optional[str] = field(default_factory=lambda: os.environ.get("ZALO_ACCESS_TOKEN") or None)
    refresh_token: Optional[str] = field(default_factory=lambda: os.environ.get("ZALO_REFRESH_TOKEN") or None)
    api_base_url: str = field(default_factory=lambda: os.environ.get("ZALO_API_BASE_URL", "https://openapi.zalo.me"))
    oauth_base_url: str = field(
        default_factory=lambda: os.environ.get("ZALO_OAUTH_BASE_URL", "https://oauth.zaloapp.com")
    )
    max_event_age_seconds: int = field(default_factory=lambda: _env_int("ZALO_MAX_EVENT_AGE_SECONDS", 300))

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.oa_secret_key)


@dataclass(frozen=True)
class Settings:
    """Runtime settings; see the configuration table in README.md."""

    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL") or _default_database_url())
    rasa_port: int = field(default_factory=lambda: _env_int("RASA_PORT", 5005))
    actions_port: int = field(default_factory=lambda: _env_int("ACTIONS_PORT", 5055))
    rasa_api_token: Optional[str] = field(default_factory=lambda: os.environ.get("RASA_API_TOKEN") or None)
    # Without RASA_API_TOKEN, `make run` generates one on first start and keeps it in this file.
    rasa_api_token_file: Path = field(
        default_factory=lambda: Path(os.environ.get("RASA_API_TOKEN_FILE") or VAR_DIR / "rasa_api_token")
    )
    # Servers listen on loopback unless told otherwise (a reverse proxy publishes them).
    bind_address: str = field(default_factory=lambda: os.environ.get("BIND_ADDRESS") or "127.0.0.1")
    # What reaches NLU: DIET's memory grows with the square of the length, so longer messages get
    # a polite "too long" answer instead (bot/components/length_guard.py).
    max_message_chars: int = field(default_factory=lambda: _env_int("MAX_MESSAGE_CHARS", 1000))
    # HTTP request bodies (REST, webhooks, socket.io packets) larger than this are refused (413).
    max_request_bytes: int = field(default_factory=lambda: _env_int("MAX_REQUEST_BYTES", 128 * 1024))
    # Longest a request may take on the Rasa server, body included (Rasa's default is an hour, so
    # a client sending its body a byte at a time held a connection that long).
    response_timeout_seconds: int = field(default_factory=lambda: _env_int("RESPONSE_TIMEOUT_SECONDS", 60))
    # Telegram and Zalo replies that could not be delivered are resent after these delays (seconds,
    # after the 1st, 2nd, ... failure; the last repeats) until delivered or a day old (bot/channels/outbox.py).
    outbox_retry_seconds: Tuple[float, ...] = field(
        default_factory=lambda: tuple(float(x) for x in _env_list("OUTBOX_RETRY_SECONDS", "30,120,600,3600"))
    )
    # What the tracker store keeps of one over-long message (the rest is cut, and says so).
    max_stored_message_chars: int = field(default_factory=lambda: _env_int("MAX_STORED_MESSAGE_CHARS", 5000))
    portal_url: str = field(default_factory=lambda: os.environ.get("PORTAL_URL", "https://dichvucong.gov.vn"))
    portal_search_url: str = field(
        default_factory=lambda: os.environ.get(
            "PORTAL_SEARCH_URL", "https://dichvucong.gov.vn/tim-kiem-thu-tuc-hanh-chinh"
        )
    )
    hotline: str = field(default_factory=lambda: os.environ.get("SERVICE_HOTLINE", "18001096"))
    # Where questions about the law (fines, offences, disputes) are sent: the national legal portal
    # (Cổng Pháp luật quốc gia, opened 31 May 2025) and state free legal aid (hotline published by the
    # Ministry of Justice's legal-aid department, November 2025).
    legal_portal_url: str = field(default_factory=lambda: os.environ.get("LEGAL_PORTAL_URL", "https://phapluat.gov.vn"))
    legal_aid_url: str = field(default_factory=lambda: os.environ.get("LEGAL_AID_URL", "https://tgpl.moj.gov.vn"))
    legal_aid_hotline: str = field(default_factory=lambda: os.environ.get("LEGAL_AID_HOTLINE", "18001233"))
    retention_days: int = field(default_factory=lambda: _env_int("RETENTION_DAYS", 365))
    # Callback phone numbers are deleted after this many days even if their request was never closed.
    callback_retention_days: int = field(default_factory=lambda: _env_int("CALLBACK_RETENTION_DAYS", 30))
    review_admin_user: Optional[str] = field(default_factory=lambda: os.environ.get("REVIEW_ADMIN_USER") or None)
    review_admin_password: Optional[str] = field(
        default_factory=lambda: os.environ.get("REVIEW_ADMIN_PASSWORD") or None
    )
    review_secret_key: Optional[str] = field(default_factory=lambda: os.environ.get("REVIEW_SECRET_KEY") or None)
    web_port: int = field(default_factory=lambda: _env_int("WEB_PORT", 8000))
    # The Rasa address the demo page gives the widget (its data-server attribute).
    public_rasa_url: str = field(
        default_factory=lambda: (
            os.environ.get("PUBLIC_RASA_URL") or f"http://localhost:{_env_int('RASA_PORT', 5005)}"
        ).rstrip("/")
    )
    # Scale-out: replicas share one lock per conversation in Redis (bot/scale.py) ...
    # Unset: one Rasa process with an in-memory lock store (the embedded default).
    redis_url: Optional[str] = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    # Letters and digits only: Rasa silently ignores any other prefix (checked below).
    redis_key_prefix: str = field(default_factory=lambda: os.environ.get("REDIS_KEY_PREFIX") or "citizenassistant")
    # ... and Rasa publishes masked events to RabbitMQ, from which the dashboard is fed.
    rabbitmq_url: Optional[str] = field(default_factory=lambda: os.environ.get("RABBITMQ_URL") or None)
    rabbitmq_queue: str = field(default_factory=lambda: os.environ.get("RABBITMQ_QUEUE") or "citizen_assistant_events")
    widget_allowed_origins: Tuple[str, ...] = field(
        default_factory=lambda: _env_list(
            "WIDGET_ALLOWED_ORIGINS",
            f"http://localhost:{_env_int('WEB_PORT', 8000)},http://127.0.0.1:{_env_int('WEB_PORT', 8000)}",
        )
    )
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    feedback_url: str = field(default_factory=lambda: os.environ.get("FEEDBACK_URL", "https://dichvucong.gov.vn"))
    # Behind a TLS reverse proxy (deploy/nginx.conf) the web server learns the client's address and
    # https only from the proxy's headers, trusted when Sanic is told how: PROXIES_COUNT proxies in
    # front (X-Forwarded-For/-Proto), or a Forwarded header carrying FORWARDED_SECRET.
    forwarded_secret: Optional[str] = field(default_factory=lambda: os.environ.get("FORWARDED_SECRET") or None)
    proxies_count: int = field(default_factory=lambda: _env_int("PROXIES_COUNT", 0))
    # The office whose name heads the weekly and monthly reports (make report, the dashboard).
    office_name: str = field(default_factory=lambda: os.environ.get("OFFICE_NAME") or "Bộ phận Một cửa")
    # A conversation about a procedure with no message for this long (seconds) is over: on the
    # widget, Telegram and Zalo the assistant offers the short survey of that online public service
    # (0 turns the idle survey off).
    survey_idle_seconds: int = field(default_factory=lambda: _env_int("SURVEY_IDLE_SECONDS", 600))
    # Services with fewer survey answers than this are listed with their figures but not ranked:
    # with so few answers their intervals overlap almost everything.
    min_ratings_to_rank: int = field(default_factory=lambda: _env_int("MIN_RATINGS_TO_RANK", 10))
    # Hand-off to an officer (actions/handoff.py, web/dashboard/handoff.py). The web server reaches the
    # Rasa server's HTTP API here to pause a conversation an officer takes and to deliver their replies.
    rasa_url: str = field(
        default_factory=lambda: (
            os.environ.get("RASA_URL") or f"http://127.0.0.1:{_env_int('RASA_PORT', 5005)}"
        ).rstrip("/")
    )
    # When officers answer (Vietnam time): periods of a working day, ISO weekdays (1 = Monday), and
    # the file of public holidays and swapped working Saturdays (core/office_hours.py).
    office_hours: str = field(default_factory=lambda: os.environ.get("OFFICE_HOURS") or "07:30-11:30,13:30-17:00")
    office_weekdays: str = field(default_factory=lambda: os.environ.get("OFFICE_WEEKDAYS") or "1,2,3,4,5")
    holidays_file: Path = field(
        default_factory=lambda: Path(os.environ.get("HOLIDAYS_FILE") or PROJECT_ROOT / "core" / "public_holidays.yml")
    )
    # A request for a person nobody has taken after this many minutes gets a callback offer.
    handoff_wait_minutes: int = field(default_factory=lambda: _env_int("HANDOFF_WAIT_MINUTES", 10))
    # Longest reply an officer may send in one message (characters).
    max_officer_reply_chars: int = field(default_factory=lambda: _env_int("MAX_OFFICER_REPLY_CHARS", 2000))
    # Callback phone numbers are encrypted at rest with this key (Fernet, urlsafe base64 of 32 bytes).
    # Without CALLBACK_KEY one is generated on first use and kept in CALLBACK_KEY_FILE (owner-only).
    callback_key: Optional[str] = field(default_factory=lambda: os.environ.get("CALLBACK_KEY") or None)
    callback_key_file: Path = field(
        default_factory=lambda: Path(os.environ.get("CALLBACK_KEY_FILE") or VAR_DIR / "callback_key")
    )

    def __post_init__(self) -> None:
        if not self.redis_key_prefix.isalnum():
            raise ValueError(
                f"REDIS_KEY_PREFIX must be letters and digits only (Rasa ignores any other), "
                f"not {self.redis_key_prefix!r}"
            )


def get_settings() -> Settings:
    """Settings as the environment says now.

    Each process builds them at its start and hands them down (the web server's app, the action
    server's services, the supervisor); what Rasa instantiates itself (channels, components, the
    tracker store and broker) reads them once in its constructor.
    """
    return Settings()
