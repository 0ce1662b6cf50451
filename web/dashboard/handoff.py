"""The officers' hand-off desk under /review/handoff: the queue, live takeover, callbacks.

An officer (role ``officer`` or ``admin``) takes a waiting request: the queue row is claimed with
one conditional UPDATE (actions/stores/handoff.py), so a second officer, on this web server or
another, is refused with 409; then the Rasa server pauses the conversation and tells the citizen
(web/dashboard/takeover.py). The officer's page polls the conversation every few seconds
(``messages.json``) and the navigation polls the count of waiting requests (``count.json``):
polling rather than server-sent events, because it works unchanged through the TLS proxy and with
several web servers behind a load balancer, holds no connection open per officer, and a few
seconds of delay is nothing in a conversation with a person. Every take, reply, hand-back, close
and opening of a callback number is in the audit log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.stores.callbacks import CallbackStore
from actions.stores.handoff import ANSWERED, NEW, STATUSES, TAKEN, Ticket
from core.db import engine_for
from core.field_cipher import CipherError, FieldCipher
from core.secret_files import rasa_api_token
from web.dashboard.accounts import OFFICER_ROLES
from web.dashboard.live_conversation import messages_after
from web.dashboard.review_notes import ReviewNoteError
from web.dashboard.security import Session
from web.dashboard.takeover import ConversationUnreachable, RasaConversations
from web.dashboard.views import ReviewSite, login_required
from web.dashboard.wording import CHANNEL_LABELS

logger = logging.getLogger(__name__)

NOT_FOUND = "Không tìm thấy yêu cầu này."
NOT_OFFICER = "Chỉ cán bộ hỗ trợ hoặc quản trị viên được nhận và trả lời yêu cầu gặp cán bộ."
TAKEN_BY_OTHER = "Yêu cầu này đã có cán bộ khác nhận hoặc không còn chờ."
NOT_OWNER = "Chỉ cán bộ đang nhận yêu cầu này được làm việc đó."
EMPTY_REPLY = "Tin nhắn trống: vui lòng nhập nội dung trả lời."
STATIC = Path(__file__).resolve().parent.parent / "static"


class HandoffDesk:
    """What the hand-off pages need besides the site: the Rasa API and the callback numbers."""

    def __init__(self, site: ReviewSite) -> None:
        settings = site.settings
        self.site = site
        self.queue = site.handoffs
        self.rasa = RasaConversations(settings.rasa_url, rasa_api_token(settings)[0])
        self.callbacks = CallbackStore(site.sessions, FieldCipher.from_settings(settings))
        self.engine = engine_for(settings.database_url)
        self.max_reply_chars = settings.max_officer_reply_chars

    def ticket(self, value: str) -> Optional[Ticket]:
        """The request a URL names by its number, if there is one."""
        return self.queue.get(int(value)) if value.isdigit() and len(value) < 12 else None


def _wants_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("accept") or "")


def create_handoff_blueprint(site: ReviewSite) -> Blueprint:
    """Routes of the hand-off desk, under /review like the rest of the dashboard."""
    bp = Blueprint("handoff", url_prefix="/review")
    desk = HandoffDesk(site)

    def refuse(request: Request, status: int, message: str) -> HTTPResponse:
        if _wants_json(request):
            return response.json({"error": message}, status=status)
        return site.render(request, "error.html", status=status, message=message)

    def back_to(ticket_id: int) -> HTTPResponse:
        return response.redirect(f"/review/handoff/{ticket_id}")

    def done(request: Request, ticket_id: int) -> HTTPResponse:
        return response.json({"ok": True}) if _wants_json(request) else back_to(ticket_id)

    def unreachable(request: Request, call: Callable[[], None]) -> Optional[HTTPResponse]:
        """Runs one call of the Rasa API; the refusal (502, why) when Rasa did not take it."""
        try:
            call()
        except ConversationUnreachable as exc:
            return refuse(request, 502, str(exc))
        return None

    def officer_ticket(
        request: Request, session: Session, value: str, owned: bool = False
    ) -> Tuple[Optional[Ticket], Optional[HTTPResponse]]:
        """The request named in the URL for an officer (its owner, with ``owned``), or the refusal."""
        ticket = desk.ticket(value)
        if ticket is None:
            return None, refuse(request, 404, NOT_FOUND)
        if session.role not in OFFICER_ROLES:
            return None, refuse(request, 403, NOT_OFFICER)
        if owned and not (ticket.status == TAKEN and ticket.owner == session.username):
            return None, refuse(request, 409, NOT_OWNER)
        return ticket, None

    @bp.get("/handoff")
    @login_required(site)
    def queue_page(request: Request, session: Session) -> HTTPResponse:
        status = request.args.get("status") or None
        channel = request.args.get("channel") or None
        tickets = desk.queue.queue(
            status if status in STATUSES else None, channel if channel in CHANNEL_LABELS else None
        )
        return site.render(
            request,
            "handoff_queue.html",
            tickets=tickets,
            counts=desk.queue.counts(),
            status_filter=status,
            channel_filter=channel,
            names=site.data.procedure_names(),
            can_take=session.role in OFFICER_ROLES,
        )

    @bp.get("/handoff/count.json")
    @login_required(site, audited=False)
    def waiting_count(request: Request, session: Session) -> HTTPResponse:
        return response.json({"new": desk.queue.counts()[NEW]})

    @bp.get("/handoff/<ticket_id:str>")
    @login_required(site)
    def ticket_page(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket = desk.ticket(ticket_id)
        if ticket is None:
            return site.render(request, "error.html", status=404, message=NOT_FOUND)
        return render_ticket(request, session, ticket)

    def render_ticket(request: Request, session: Session, ticket: Ticket, number: Optional[str] = None) -> HTTPResponse:
        messages = messages_after(desk.engine, ticket.conversation_id)
        return site.render(
            request,
            "handoff_ticket.html",
            ticket=ticket,
            messages=messages,
            last_id=messages[-1].id if messages else 0,
            names=site.data.procedure_names(),
            notes=site.notes.notes_of(ticket.conversation_id),
            can_take=session.role in OFFICER_ROLES,
            owns=ticket.status == TAKEN and ticket.owner == session.username,
            callback_number=number,
            max_reply_chars=desk.max_reply_chars,
        )

    @bp.get("/handoff/<ticket_id:str>/messages.json")
    @login_required(site, audited=False)
    def live_messages(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket = desk.ticket(ticket_id)
        if ticket is None:
            return response.json({"error": NOT_FOUND}, status=404)
        after = request.args.get("after") or "0"
        messages = messages_after(desk.engine, ticket.conversation_id, int(after) if after.isdigit() else 0)
        return response.json(
            {"status": ticket.status, "owner": ticket.owner, "messages": [m.as_json() for m in messages]}
        )

    @bp.post("/handoff/<ticket_id:str>/take")
    @login_required(site)
    def take(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket, refusal = officer_ticket(request, session, ticket_id)
        if refusal:
            return refusal
        if not desk.queue.take(ticket.id, session.username):
            site.accounts.audit(session.username, "handoff.take_refused", f"#{ticket.id} {ticket.conversation_id}")
            return refuse(request, 409, TAKEN_BY_OTHER)
        failed = unreachable(request, lambda: desk.rasa.join(ticket.conversation_id, session.username))
        if failed:
            desk.queue.untake(ticket.id, session.username)
            return failed
        site.accounts.audit(session.username, "handoff.take", f"#{ticket.id} {ticket.conversation_id}")
        return done(request, ticket.id)

    @bp.post("/handoff/<ticket_id:str>/reply")
    @login_required(site)
    def reply(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket, refusal = officer_ticket(request, session, ticket_id, owned=True)
        if refusal:
            return refusal
        text = (request.form.get("text") or "").strip()
        if not text:
            return refuse(request, 400, EMPTY_REPLY)
        if len(text) > desk.max_reply_chars:
            return refuse(
                request, 413, f"Tin nhắn dài quá {desk.max_reply_chars} ký tự; vui lòng chia thành nhiều tin."
            )
        failed = unreachable(request, lambda: desk.rasa.say(ticket.conversation_id, session.username, text))
        if failed:
            return failed
        desk.queue.replied(ticket.id)
        site.accounts.audit(
            session.username, "handoff.reply", f"#{ticket.id} {ticket.conversation_id} chars={len(text)}"
        )
        return done(request, ticket.id)

    @bp.post("/handoff/<ticket_id:str>/hand-back")
    @login_required(site)
    def hand_back(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket, refusal = officer_ticket(request, session, ticket_id, owned=True)
        if refusal:
            return refusal
        failed = unreachable(request, lambda: desk.rasa.leave(ticket.conversation_id, session.username))
        if failed:
            return failed
        desk.queue.hand_back(ticket.id, session.username)
        site.accounts.audit(session.username, "handoff.hand_back", f"#{ticket.id} {ticket.conversation_id}")
        return done(request, ticket.id)

    @bp.post("/handoff/<ticket_id:str>/close")
    @login_required(site)
    def close(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket, refusal = officer_ticket(request, session, ticket_id)
        if refusal:
            return refusal
        if ticket.status == TAKEN:
            if ticket.owner != session.username:
                return refuse(request, 409, NOT_OWNER)
            failed = unreachable(request, lambda: desk.rasa.leave(ticket.conversation_id, session.username))
            if failed:
                return failed
        if request.form.get("called") == "yes":
            desk.queue.replied(ticket.id)
        desk.queue.close(ticket.id)
        site.accounts.audit(session.username, "handoff.close", f"#{ticket.id} {ticket.conversation_id}")
        return done(request, ticket.id)

    @bp.post("/handoff/<ticket_id:str>/callback-number")
    @login_required(site)
    def callback_number(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        """Opens the callback number for the officer the request is assigned to; audited."""
        ticket, refusal = officer_ticket(request, session, ticket_id)
        if refusal:
            return refusal
        if ticket.owner != session.username or ticket.status not in (TAKEN, ANSWERED):
            return refuse(
                request, 403, 'Chỉ cán bộ đã nhận yêu cầu này xem được số gọi lại. Vui lòng bấm "Nhận" trước.'
            )
        try:
            number = desk.callbacks.number(ticket.id)
        except CipherError:
            logger.error("handoff.callback_undecryptable id=%s", ticket.id)
            return refuse(request, 500, "Không giải mã được số gọi lại: khóa CALLBACK_KEY đã thay đổi?")
        if number is None:
            return refuse(request, 404, "Yêu cầu này không có số gọi lại (chưa để lại, hoặc đã xóa khi đóng).")
        site.accounts.audit(session.username, "handoff.callback_number", f"#{ticket.id} {ticket.conversation_id}")
        return render_ticket(request, session, ticket, number)

    @bp.post("/handoff/<ticket_id:str>/notes")
    @login_required(site)
    def add_note(request: Request, session: Session, ticket_id: str) -> HTTPResponse:
        ticket, refusal = officer_ticket(request, session, ticket_id)
        if refusal:
            return refusal
        try:
            site.notes.add_note(ticket.conversation_id, request.form.get("note") or "", session.username)
        except ReviewNoteError as exc:
            return refuse(request, 400, str(exc))
        site.accounts.audit(session.username, "handoff.note", f"#{ticket.id} {ticket.conversation_id}")
        return back_to(ticket.id)

    bp.static("/assets/handoff.js", str(STATIC / "handoff.js"), content_type="application/javascript; charset=utf-8")
    return bp
