"""Dashboard pages under /review/ (Sanic blueprint, Jinja2 templates, server-rendered)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import secrets
from datetime import date, datetime, timedelta, timezone
from functools import partial, wraps
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from actions.stores.handoff import NEW as HANDOFF_NEW
from actions.stores.handoff import HandoffQueue
from bot.channels.outbox import OutboxStore
from core.contract import DOMAIN_INTENTS, SURVEY_CRITERIA, AnswerStatus
from core.db import engine_for, session_factory
from core.settings import Settings
from knowledge_base.repository import ProcedureRepository
from knowledge_base.reviews import ReviewError, ReviewStore
from knowledge_base.tables import CURATED_ORIGIN
from web.dashboard import analytics, charts
from web.dashboard.accounts import REVIEWER_ROLES, ROLES, AccountError, AccountStore, Throttled
from web.dashboard.labels import LabelStore
from web.dashboard.review_notes import ConversationReviewStore, ReviewNoteError
from web.dashboard.search import quote as search_quote
from web.dashboard.search import search_conversations
from web.dashboard.security import (
    COOKIE_NAME,
    COOKIE_PATH,
    LOGIN_COOKIE_NAME,
    LOGIN_FORM_SECONDS,
    SESSION_SECONDS,
    Session,
    SessionSigner,
)
from web.dashboard.wording import (
    CHANNEL_LABELS,
    CRITERION_LABELS,
    HANDOFF_STATUS_LABELS,
    INTERVAL_NOTE,
    REASON_LABELS,
    ROLE_LABELS,
    SELF_SELECTION_NOTE,
    SEPARATE_NOTE,
    STATUS_LABELS,
    channel_label,
    criterion_label,
    group_label,
    intent_label,
    message_label,
    ranking_note,
    reason_label,
    status_label,
    vietnam_time,
    wait_label,
)
from web.reports import figures
from web.reports.pdf import pdf_bytes
from web.reports.workbook import workbook_bytes

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
PAGE_SIZE = 25
INTENTS = list(DOMAIN_INTENTS)
MAX_QUERY_CHARS = 200
# A survey's overall score at or below this marks its conversation "đánh giá thấp", as a 👎 does.
LOW_SCORE = 2
NOT_FOUND = "Không tìm thấy cuộc trò chuyện."
BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút."
BUSY_RETRY_SECONDS = 30
LOGIN_FORM_EXPIRED = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại."
# On every dashboard response: nothing from elsewhere, no framing, no referrer, no caching of
# citizens' messages. The one inline <style> in base.html carries a per-response nonce.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection");
# a carriage return, also listed there, is removed by analytics.safe_text.
MAX_PROCEDURE_ROWS = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t")
# The signed reports the services page offers: the previous week or month, or the range filtered.
REPORT_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook_bytes),
    "pdf": ("application/pdf", pdf_bytes),
}

Handler = Callable[..., Awaitable[HTTPResponse]]
# A page as written here: plain blocking code, run in a worker thread by in_worker_thread.
Page = Callable[..., HTTPResponse]


def _printable(value: Any) -> Any:
    """Every value a template prints loses control characters, whichever table it came from."""
    return analytics.safe_text(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _parse_date(value: Optional[str], default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


class ReviewSite:
    """Everything the pages need, built once per web-server process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.accounts = AccountStore(session_factory(settings.database_url))
        self.accounts.ensure_admin(settings.review_admin_user, settings.review_admin_password)
        # Fed from RabbitMQ when the broker is on (web/event_feed.py), else the tracker store.
        self.data = analytics.ReviewData(engine_for(settings.database_url))
        self.sessions = session_factory(settings.database_url)
        # Telegram and Zalo replies not delivered yet: officers must see them (bot/channels/outbox.py).
        self.outbox = OutboxStore(self.sessions)
        self.labels = LabelStore(self.sessions)
        self.procedures = ProcedureRepository(self.sessions)
        self.reviews = ReviewStore(self.sessions)
        self.notes = ConversationReviewStore(self.sessions)
        self.handoffs = HandoffQueue(self.sessions)
        self.signer = SessionSigner(settings.review_secret_key)
        self.jinja = Environment(
            loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), finalize=_printable
        )
        self.jinja.filters["dt"] = vietnam_time
        self.jinja.filters["wait"] = wait_label
        self.jinja.globals.update(
            channel_labels=CHANNEL_LABELS,
            status_labels=STATUS_LABELS,
            reason_labels=REASON_LABELS,
            criterion_labels=CRITERION_LABELS,
            role_labels=ROLE_LABELS,
            handoff_status_labels=HANDOFF_STATUS_LABELS,
            intent_label=intent_label,
            message_label=message_label,
        )

    # ---- helpers -----------------------------------------------------------------------------
    def session_of(self, request: Request) -> Optional[Session]:
        """The live server-side session named by the signed cookie, if any."""
        session_id = self.signer.unsign(request.cookies.get(COOKIE_NAME))
        return self.accounts.session(session_id) if session_id else None

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
        session: Optional[Session] = getattr(request.ctx, "session", None)
        request.ctx.csp_nonce = secrets.token_urlsafe(16)
        context.update(
            user=session,
            csrf=self.signer.csrf_token(session) if session else "",
            path=request.path,
            csp_nonce=request.ctx.csp_nonce,
            handoff_waiting=self.handoffs.counts()[HANDOFF_NEW] if session else 0,
        )
        return response.html(self.jinja.get_template(template).render(**context), status=status)

    def filters(self, request: Request) -> analytics.Filters:
        default = analytics.Filters.last_days(30)
        channel = request.args.get("channel") or None
        start = _parse_date(request.args.get("from"), default.start)
        end = _parse_date(request.args.get("to"), default.end)
        if end < start:
            start, end = end, start
        return analytics.Filters(start, end, channel if channel in CHANNEL_LABELS else None)

    def procedure_label(self, names: Dict[str, str], pid: Optional[str]) -> str:
        if not pid:
            return "(không rõ thủ tục)"
        return names.get(pid, pid)


def in_worker_thread(page: Page) -> Handler:
    """A Sanic handler running ``page`` in a worker thread.

    Pages query the database, hash passwords and render templates: blocking work that, on the event
    loop, would stall every other request of the web server (the widget's files included) while a
    long export runs. Database errors still reach the blueprint's 503 handler.
    """

    @wraps(page)
    async def handler(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        return await asyncio.get_running_loop().run_in_executor(None, partial(page, request, *args, **kwargs))

    return handler


def login_required(
    site: ReviewSite, admin: bool = False, action: str = "view", audited: bool = True
) -> Callable[[Handler], Handler]:
    """Pages and exports need a live session, admin pages the admin role, forms a CSRF token.

    Every GET let through is written to the access log here as ``action`` (view or export),
    so that no page can forget it; forms (POST) log what they changed themselves. Only the
    polls a page makes every few seconds for what it already shows pass ``audited=False``.
    """

    def decorate(handler: Page) -> Handler:
        @in_worker_thread
        @wraps(handler)
        def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = request.ctx.session = site.session_of(request)
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            if session is None:
                return response.redirect(f"/review/login?next={quote(target)}")
            if admin and session.role != "admin":
                return site.render(request, "error.html", status=403, message="Trang này chỉ dành cho quản trị viên.")
            if request.method == "POST":
                if not site.signer.csrf_ok(session, request.form.get("csrf")):
                    return site.render(
                        request,
                        "error.html",
                        status=403,
                        message="Phiên làm việc không hợp lệ (CSRF). Vui lòng tải lại trang.",
                    )
            elif audited:
                site.accounts.audit(session.username, action, target)
            return handler(request, session, *args, **kwargs)

        return wrapped

    return decorate


def _source_of(request: Request) -> str:
    """The client's address: from the proxy's headers when PROXIES_COUNT/FORWARDED_SECRET trust them."""
    return request.remote_addr or request.ip


def _set_cookie(answer: HTTPResponse, request: Request, name: str, value: str, max_age: int) -> None:
    """Both dashboard cookies, set and cleared with the same attributes (else the browser keeps them)."""
    answer.cookies[name] = value
    cookie = answer.cookies[name]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["secure"] = request.scheme == "https"
    cookie["max-age"] = max_age
    if not max_age:
        cookie["expires"] = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: printable, and a formula start neutralised with a quote."""
    if not isinstance(value, str):
        return value
    text = analytics.safe_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_response(filename: str, header: List[str], rows: List[List[Any]]) -> HTTPResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Vietnamese correctly with a BOM
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return response.text(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CONVERSATION_HEADER = [
    "Thời gian",
    "Mã cuộc trò chuyện",
    "Kênh",
    "Tin nhắn của người dân",
    "Ý định",
    "Độ tin cậy",
    "Mã thủ tục",
    "Thủ tục",
    "Kết quả trả lời",
]


FEEDBACK_HEADER = [
    "Thời gian",
    "Mã cuộc trò chuyện",
    "Kênh",
    "Mã thủ tục",
    "Thủ tục",
    "Ý định",
    "Đánh giá câu trả lời",
    "Lý do chưa hữu ích",
    "Góp ý",
]
SURVEY_HEADER = [
    "Thời gian",
    "Mã cuộc trò chuyện",
    "Kênh",
    "Mã thủ tục",
    "Thủ tục",
    "Lĩnh vực",
    "Cấp",
    *(f"{criterion_label(criterion)} (1–5)" for criterion in SURVEY_CRITERIA),
]
UNANSWERED_HEADER = ["Câu hỏi", "Số lần", "Gần nhất", "Lý do"]


def conversations_csv(turns: List[analytics.Turn], names: Dict[str, str]) -> HTTPResponse:
    """Citizens' messages as officers read them in Excel: Vietnamese headers and words, Vietnam time,
    a button press as "[Bấm nút: …]" rather than its payload."""
    rows = [
        [
            vietnam_time(t.at),
            t.sender_id,
            channel_label(t.channel),
            message_label(t.text),
            intent_label(t.intent),
            f"{t.confidence:.0%}",
            t.procedure_id or "",
            names.get(t.procedure_id or "", ""),
            status_label(t.answer_status),
        ]
        for t in turns
    ]
    return _csv_response("hoi-thoai.csv", CONVERSATION_HEADER, rows)


async def security_headers(request: Request, answer: HTTPResponse) -> None:
    """App-wide response middleware (web/server.py), so that every response under /review gets
    the headers, Sanic's own 404 and 405 pages included, which blueprint middleware never sees."""
    if request.path != "/review" and not request.path.startswith("/review/"):
        return
    for name, value in SECURITY_HEADERS.items():
        answer.headers[name] = value
    nonce = getattr(request.ctx, "csp_nonce", None)
    answer.headers["Content-Security-Policy"] = CSP + (f"; style-src 'self' 'nonce-{nonce}'" if nonce else "")


def create_blueprint(site: ReviewSite) -> Blueprint:
    bp = Blueprint("review", url_prefix="/review")

    @bp.exception(OperationalError, InterfaceError, PoolTimeout)
    async def database_busy(request: Request, exception: Exception) -> HTTPResponse:
        """A locked, unreachable or exhausted database is a wait-and-retry for the officer, not a crash;
        the traceback goes to the log."""
        logger.error(
            "review.database.unavailable path=%s error=%s", request.path, type(exception).__name__, exc_info=exception
        )
        page = site.render(request, "error.html", status=503, message=BUSY)
        page.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return page

    def login_page(request: Request, status: int, target: str, error: Optional[str]) -> HTTPResponse:
        """The form with its login-CSRF token; a still-valid form cookie is kept, so two tabs both work."""
        form_cookie = request.cookies.get(LOGIN_COOKIE_NAME)
        if not site.signer.login_cookie_ok(form_cookie):
            form_cookie = site.signer.login_cookie()
        page = site.render(
            request,
            "login.html",
            status=status,
            next=target,
            error=error,
            login_csrf=site.signer.login_csrf(form_cookie),
        )
        _set_cookie(page, request, LOGIN_COOKIE_NAME, form_cookie, LOGIN_FORM_SECONDS)
        return page

    @bp.get("/login")
    @in_worker_thread
    def login_form(request: Request) -> HTTPResponse:
        return login_page(request, 200, request.args.get("next", "/review/"), None)

    @bp.post("/login")
    @in_worker_thread
    def login(request: Request) -> HTTPResponse:
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        target = request.form.get("next") or "/review/"
        if not target.startswith("/review"):
            target = "/review/"
        source = _source_of(request)
        if not site.signer.login_csrf_ok(request.cookies.get(LOGIN_COOKIE_NAME), request.form.get("csrf")):
            logger.warning("review.login.csrf_refused source=%s", source)
            return login_page(request, 403, target, LOGIN_FORM_EXPIRED)
        try:
            account = site.accounts.authenticate(username, password, source)
        except Throttled as exc:
            page = login_page(request, 429, target, str(exc))
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        except AccountError as exc:
            logger.warning("review.login.failed username=%s source=%s", username, source)
            return login_page(request, 401, target, str(exc))
        session_id = site.accounts.open_session(account.username)
        site.accounts.audit(account.username, "login", "/review/login")
        redirect = response.redirect(target)
        _set_cookie(redirect, request, COOKIE_NAME, site.signer.sign(session_id), SESSION_SECONDS)
        _set_cookie(redirect, request, LOGIN_COOKIE_NAME, "", 0)
        return redirect

    @bp.post("/logout")
    @login_required(site)
    def logout(request: Request, session: Session) -> HTTPResponse:
        site.accounts.revoke_session(session.session_id)
        site.accounts.audit(session.username, "logout", "/review/logout")
        redirect = response.redirect("/review/login")
        _set_cookie(redirect, request, COOKIE_NAME, "", 0)
        return redirect

    @bp.get("/")
    @login_required(site)
    def overview(request: Request, session: Session) -> HTTPResponse:
        filters = site.filters(request)
        turns = site.data.turns(filters)
        feedback = site.data.feedback(filters)
        surveys = site.data.surveys(filters)
        names = site.data.procedure_names()
        page = {
            "conversations": charts.line_chart(
                "Số cuộc trò chuyện mỗi ngày theo kênh",
                {CHANNEL_LABELS.get(k, k): v for k, v in analytics.conversations_per_day(turns, filters).items()},
            ),
            "procedures": charts.bar_chart(
                "Thủ tục được hỏi nhiều nhất",
                [
                    (site.procedure_label(names, pid), n)
                    for pid, n in analytics.top_counts(
                        t.procedure_id for t in turns if t.answer_status == AnswerStatus.ANSWERED
                    )
                ],
            ),
            "intents": charts.bar_chart(
                "Loại câu hỏi thường gặp",
                [(intent_label(name), n) for name, n in analytics.top_counts(t.intent for t in turns)],
                colors=["#0b57d0"],
            ),
            "unanswered": charts.line_chart(
                "Tỷ lệ tin nhắn chưa hiểu hoặc chưa trả lời được",
                {"Tỷ lệ": analytics.unanswered_share_per_day(turns, filters)},
                percent=True,
                y_max=1.0,
            ),
            "survey_scores": charts.bar_chart(
                "Điểm chung người dân chấm cho dịch vụ công trực tuyến (1–5)",
                analytics.score_distribution(surveys),
                colors=["#b30000", "#e37400", "#5f6368", "#0b57d0", "#137333"],
            ),
            "survey_trend": charts.line_chart(
                "Điểm chung trung bình của dịch vụ theo tuần",
                {
                    "Điểm TB": [
                        (label, mean.value)
                        for label, mean in analytics.service_trend(surveys, filters, analytics.WEEK)
                        if mean.value is not None
                    ]
                },
                y_max=5.0,
            ),
            "helpful": charts.split_bar_chart(
                "Câu trả lời hữu ích (👍/👎) theo thủ tục",
                [
                    (site.procedure_label(names, item.key), item.helpful.k, item.not_helpful)
                    for item in analytics.answer_quality(feedback, "procedure_id")[:10]
                ],
            ),
        }
        handoff = site.handoffs.figures(filters.start, filters.end, filters.channel)
        days = [filters.start + timedelta(days=n) for n in range((filters.end - filters.start).days + 1)]
        page["handoff"] = charts.line_chart(
            "Yêu cầu gặp cán bộ mỗi ngày",
            {"Yêu cầu": [(f"{day:%d/%m}", handoff.per_day.get(day, 0)) for day in days]},
        )
        return site.render(
            request,
            "overview.html",
            handoff=handoff,
            filters=filters,
            charts=page,
            totals=analytics.totals(turns),
            answers=analytics.answer_quality_overall(feedback),
            service=analytics.service_evaluation_overall(surveys),
            outbox=site.outbox.counts(),
        )

    @bp.get("/conversations")
    @login_required(site)
    def conversations(request: Request, session: Session) -> HTTPResponse:
        filters = site.filters(request)
        turns = site.data.turns(filters)
        intent = request.args.get("intent") or ""
        procedure = request.args.get("procedure") or ""
        flag = request.args.get("flag") or ""
        tag = request.args.get("tag") or ""
        seen_state = request.args.get("seen") or ""
        search = (request.args.get("q") or "").strip()[:MAX_QUERY_CHARS]
        matches = search_conversations(site.data.engine, search, filters) if search else None
        by_sender: Dict[str, List[analytics.Turn]] = {}
        for turn in turns:
            by_sender.setdefault(turn.sender_id, []).append(turn)
        low_rated = {f.conversation_id for f in site.data.feedback(filters) if not f.helpful} | {
            s.conversation_id for s in site.data.surveys(filters) if s.overall is not None and s.overall <= LOW_SCORE
        }
        humans = site.data.handoff_conversations() | {t.sender_id for t in turns if t.intent == "request_human"}
        tags = site.notes.tags_of()
        seen = site.notes.seen()
        rows = []
        for sender, items in by_sender.items():
            if matches is not None and sender not in matches:
                continue
            if tag and tag not in tags.get(sender, ()):
                continue
            if (seen_state == "seen" and sender not in seen) or (seen_state == "unseen" and sender in seen):
                continue
            if intent and not any(t.intent == intent for t in items):
                continue
            if procedure and not any(t.procedure_id == procedure for t in items):
                continue
            if flag == "not_understood" and not any(t.not_understood for t in items):
                continue
            if flag == "low_confidence" and not any(t.low_confidence for t in items):
                continue
            if flag == "low_rated" and sender not in low_rated:
                continue
            if flag == "human" and sender not in humans:
                continue
            rows.append(
                {
                    "sender_id": sender,
                    "channel": items[0].channel,
                    "started": items[0].at,
                    "last": items[-1].at,
                    "messages": len(items),
                    "first_text": items[0].text,
                    "unanswered": sum(t.unanswered for t in items),
                    "low_rated": sender in low_rated,
                    "human": sender in humans,
                    "tags": tags.get(sender, []),
                    "seen": seen.get(sender),
                    "match": matches.get(sender) if matches else None,
                }
            )
        rows.sort(key=lambda r: r["last"], reverse=True)
        try:
            page_no = max(1, int(request.args.get("page") or 1))
        except ValueError:  # also "²", which str.isdigit() accepts and int() does not
            page_no = 1
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        shown = rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
        for row in shown:
            if row["match"]:
                row["quote"] = search_quote(row["match"].first.text, search)
        query = {k: v for k, v in request.args.items() if k != "page"}
        query = {k: v[0] if isinstance(v, list) else v for k, v in query.items()}
        return site.render(
            request,
            "conversations.html",
            filters=filters,
            rows=shown,
            total=len(rows),
            page=page_no,
            pages=pages,
            base_query=urlencode(query),
            intents=INTENTS,
            procedures=sorted(site.data.procedure_names().items(), key=lambda i: i[1]),
            intent=intent,
            procedure=procedure,
            flag=flag,
            tags=site.notes.all_tags(),
            tag=tag,
            seen_state=seen_state,
            search=search,
        )

    # unquote: links encode ids such as "telegram:1" ("telegram%3A1"), which Sanic does not decode itself
    @bp.route("/conversations/<sender_id:str>", methods=["GET"], unquote=True)
    @login_required(site)
    def transcript(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        """Read-only by default; ``?mode=label`` adds the training-label forms (anyone who may label)."""
        everything = analytics.Filters.last_days(3650)
        turns = site.data.turns(everything, sender_id=sender_id)
        if not turns:
            return site.render(request, "error.html", status=404, message=NOT_FOUND)
        feedback = site.data.feedback(everything, conversation_id=sender_id)
        names = site.data.procedure_names()
        labelling = request.args.get("mode") == "label"
        turn_ids = {t.message_id for t in turns if t.message_id}
        return site.render(
            request,
            "transcript.html",
            sender_id=sender_id,
            turns=turns,
            feedback={f.turn_id: f for f in feedback if f.turn_id in turn_ids},
            earlier_feedback=[f for f in feedback if f.turn_id not in turn_ids],
            surveys=site.data.surveys(everything, conversation_id=sender_id),
            names=names,
            labelling=labelling,
            intents=INTENTS,
            labels=site.labels.for_conversation(sender_id) if labelling else {},
            procedures=sorted(names.items(), key=lambda i: i[1]) if labelling else [],
            tags=site.notes.tags_of([sender_id]).get(sender_id, []),
            notes=site.notes.notes_of(sender_id),
            seen=site.notes.seen([sender_id]).get(sender_id),
            can_write=session.role in REVIEWER_ROLES,
        )

    def team_mark(
        request: Request, session: Session, sender_id: str, change: Callable[[], str], action: str
    ) -> HTTPResponse:
        """One change to the team's tags, notes or "đã xem" of a conversation: editors and admins only,
        on a conversation that exists; audited, then back to the conversation."""
        if session.role not in REVIEWER_ROLES:
            return site.render(
                request,
                "error.html",
                status=403,
                message="Chỉ biên tập viên hoặc quản trị viên được gắn nhãn, ghi chú hoặc đánh dấu đã xem.",
            )
        if not site.data.turns(analytics.Filters.last_days(3650), sender_id=sender_id):
            return site.render(request, "error.html", status=404, message=NOT_FOUND)
        try:
            detail = change()
        except ReviewNoteError as exc:
            return site.render(request, "error.html", status=400, message=str(exc))
        site.accounts.audit(session.username, action, f"{sender_id}: {detail}" if detail else sender_id)
        return response.redirect(f"/review/conversations/{quote(sender_id)}#nhom")

    @bp.route("/conversations/<sender_id:str>/tags", methods=["POST"], unquote=True)
    @login_required(site)
    def add_tag(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        tag = request.form.get("tag") or ""
        return team_mark(
            request, session, sender_id, lambda: site.notes.add_tag(sender_id, tag, session.username), "tag-add"
        )

    @bp.route("/conversations/<sender_id:str>/tags/remove", methods=["POST"], unquote=True)
    @login_required(site)
    def remove_tag(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        tag = request.form.get("tag") or ""

        def change() -> str:
            site.notes.remove_tag(sender_id, tag)
            return tag

        return team_mark(request, session, sender_id, change, "tag-remove")

    @bp.route("/conversations/<sender_id:str>/notes", methods=["POST"], unquote=True)
    @login_required(site)
    def add_note(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        text = request.form.get("text") or ""
        return team_mark(
            request,
            session,
            sender_id,
            lambda: f"note {site.notes.add_note(sender_id, text, session.username).id}",
            "note-add",
        )

    @bp.route("/conversations/<sender_id:str>/seen", methods=["POST"], unquote=True)
    @login_required(site)
    def mark_seen(request: Request, session: Session, sender_id: str) -> HTTPResponse:
        seen = request.form.get("seen") == "1"

        def change() -> str:
            if seen:
                site.notes.mark_seen(sender_id, session.username)
            else:
                site.notes.unmark_seen(sender_id)
            return ""

        return team_mark(request, session, sender_id, change, "mark-seen" if seen else "mark-unseen")

    @bp.get("/unanswered")
    @login_required(site)
    def unanswered(request: Request, session: Session) -> HTTPResponse:
        filters = site.filters(request)
        groups = analytics.group_unanswered(site.data.turns(filters), site.data.feedback(filters))
        return site.render(request, "unanswered.html", filters=filters, groups=groups)

    @bp.get("/services")
    @login_required(site)
    def services(request: Request, session: Session) -> HTTPResponse:
        filters = site.filters(request)
        evaluation = analytics.evaluate(site.data, filters, site.settings.min_ratings_to_rank)
        return site.render(
            request,
            "services.html",
            filters=filters,
            evaluation=evaluation,
            names=site.data.procedure_names(),
            criteria=analytics.OTHER_CRITERIA,
            satisfied_from=analytics.SATISFIED_FROM,
            notes=[INTERVAL_NOTE, SELF_SELECTION_NOTE, SEPARATE_NOTE],
            ranking_note=ranking_note(evaluation.min_answers),
            group_label=group_label,
            reason_label=reason_label,
            criterion_label=criterion_label,
            week=figures.named_period(figures.WEEK),
            month=figures.named_period(figures.MONTH),
        )

    @bp.get("/reports/<period:str>/<kind:str>")
    @login_required(site, action="export")
    def report_file(request: Request, session: Session, period: str, kind: str) -> HTTPResponse:
        """The signed report of the previous week or month, or of the range filtered ("range"), as XLSX or PDF."""
        if kind not in REPORT_FORMATS or period not in (*figures.PERIODS, figures.RANGE):
            return site.render(request, "error.html", status=404, message="Không có báo cáo này.")
        if period == figures.RANGE:
            chosen = site.filters(request)
            report_period = figures.period_between(chosen.start, chosen.end)
        else:
            report_period = figures.named_period(period)
        report = figures.build_report(
            site.data, report_period, site.settings.office_name, site.settings.min_ratings_to_rank
        )
        content_type, render = REPORT_FORMATS[kind]
        return response.raw(
            render(report),
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{report_period.file_stem}.{kind}"'},
        )

    @bp.get("/training")
    @login_required(site)
    def training(request: Request, session: Session) -> HTTPResponse:
        labels = site.labels.newest_first()
        return site.render(request, "training.html", labels=labels, names=site.data.procedure_names())

    @bp.post("/training/label")
    @login_required(site)
    def label(request: Request, session: Session) -> HTTPResponse:
        form = request.form
        intent = form.get("intent") or ""
        procedure = form.get("procedure") or None
        try:
            event_id = int(form.get("event_id") or "")
        except ValueError:
            return site.render(request, "error.html", status=400, message="Thiếu tin nhắn cần gắn nhãn.")
        if intent not in INTENTS:
            return site.render(request, "error.html", status=400, message="Ý định (intent) không hợp lệ.")
        turns = site.data.turns(analytics.Filters.last_days(3650), sender_id=form.get("sender_id") or "")
        turn = next((t for t in turns if t.event_id == event_id), None)
        if turn is None:
            return site.render(request, "error.html", status=404, message="Không tìm thấy tin nhắn.")
        site.labels.label(event_id, turn.sender_id, turn.text, intent, procedure, session.username)
        site.accounts.audit(session.username, "label", f"event {event_id} -> {intent}/{procedure or '-'}")
        return response.redirect(f"/review/conversations/{quote(turn.sender_id)}?mode=label#e{event_id}")

    @bp.get("/training/export.yml")
    @login_required(site, action="export")
    def export_training(request: Request, session: Session) -> HTTPResponse:
        labels = site.labels.by_intent()
        blocks: Dict[str, List[Dict[str, Any]]] = {}
        for item in labels:
            example: Dict[str, Any] = {"text": analytics.safe_text(item.text)}
            if item.procedure_id:
                example["metadata"] = {"procedure": item.procedure_id}
            blocks.setdefault(item.intent, []).append(example)
        document = {"version": "3.1", "nlu": [{"intent": k, "examples": v} for k, v in blocks.items()]}
        body = "# Exported from the review dashboard; review, then copy into nlu_data/.\n" + yaml.safe_dump(
            document, allow_unicode=True, sort_keys=False
        )
        return response.text(
            body,
            content_type="application/x-yaml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="nlu_feedback.yml"'},
        )

    @bp.get("/export/conversations.csv")
    @login_required(site, action="export")
    def export_conversations(request: Request, session: Session) -> HTTPResponse:
        return conversations_csv(site.data.turns(site.filters(request)), site.data.procedure_names())

    @bp.get("/export/feedback.csv")
    @login_required(site, action="export")
    def export_feedback(request: Request, session: Session) -> HTTPResponse:
        """Every 👍/👎 on an answer in the range, as officers read it in Excel."""
        names = site.data.procedure_names()
        rows = [
            [
                vietnam_time(f.created_at),
                f.conversation_id,
                channel_label(f.channel),
                f.procedure_id or "",
                names.get(f.procedure_id or "", ""),
                intent_label(f.intent),
                "Hữu ích" if f.helpful else "Chưa hữu ích",
                "" if f.helpful else reason_label(f.reason),
                f.comment or "",
            ]
            for f in site.data.feedback(site.filters(request))
        ]
        return _csv_response("gop-y-cau-tra-loi.csv", FEEDBACK_HEADER, rows)

    @bp.get("/export/surveys.csv")
    @login_required(site, action="export")
    def export_surveys(request: Request, session: Session) -> HTTPResponse:
        """Every service survey in the range: each score, or empty where the citizen gave none."""
        procedures = site.data.procedures()
        rows = []
        for survey in site.data.surveys(site.filters(request)):
            info = procedures.get(survey.procedure_id or "")
            scores = [analytics.score_of(getattr(survey, criterion)) for criterion in SURVEY_CRITERIA]
            rows.append(
                [
                    vietnam_time(survey.created_at),
                    survey.conversation_id,
                    channel_label(survey.channel),
                    survey.procedure_id or "",
                    info.name if info else "",
                    info.field if info else "",
                    info.level if info else "",
                    *("" if score is None else score for score in scores),
                ]
            )
        return _csv_response("danh-gia-dich-vu.csv", SURVEY_HEADER, rows)

    @bp.get("/export/unanswered.csv")
    @login_required(site, action="export")
    def export_unanswered(request: Request, session: Session) -> HTTPResponse:
        filters = site.filters(request)
        groups = analytics.group_unanswered(site.data.turns(filters), site.data.feedback(filters))
        rows = [
            [g.text, g.count, vietnam_time(g.last_seen), "; ".join(f"{k}: {v}" for k, v in g.reasons.items())]
            for g in groups
        ]
        return _csv_response("cau-hoi-chua-tra-loi.csv", UNANSWERED_HEADER, rows)

    def procedures_page(request: Request, status: int = 200, message: Optional[str] = None) -> HTTPResponse:
        query = (request.args.get("q") or "").strip().lower()
        records = [
            r
            for r in site.procedures.all_records()
            if not query or query in r["name"].lower() or query in r["id"] or query in (r.get("code") or "")
        ]
        records.sort(key=lambda r: (r["origin"] != CURATED_ORIGIN, r["name"]))  # curated first
        shown = records[:MAX_PROCEDURE_ROWS]
        return site.render(
            request,
            "procedures.html",
            status=status,
            records=shown,
            total=len(records),
            latest=site.reviews.latest_by_procedure(shown),
            query=query,
            message=message,
            max_rows=MAX_PROCEDURE_ROWS,
            can_review=request.ctx.session.role in REVIEWER_ROLES,
        )

    @bp.get("/procedures")
    @login_required(site)
    def procedures(request: Request, session: Session) -> HTTPResponse:
        return procedures_page(request)

    @bp.post("/procedures/<procedure_id:str>/review")
    @login_required(site)
    def review_procedure(request: Request, session: Session, procedure_id: str) -> HTTPResponse:
        if session.role not in REVIEWER_ROLES:
            return site.render(
                request,
                "error.html",
                status=403,
                message="Chỉ biên tập viên hoặc quản trị viên được đánh dấu đã rà soát nội dung.",
            )
        try:
            review = site.reviews.record(
                procedure_id,
                session.username,
                request.form.get("checked_against") or "",
                request.form.get("note") or "",
            )
        except ReviewError as exc:
            return procedures_page(request, status=400, message=str(exc))
        site.accounts.audit(session.username, "review-procedure", f"{procedure_id} against {review.checked_against}")
        return response.redirect(f"/review/procedures?q={quote(procedure_id)}#p-{quote(procedure_id)}")

    def users_page(request: Request, message: Optional[str] = None) -> HTTPResponse:
        return site.render(
            request,
            "users.html",
            accounts=site.accounts.all(),
            roles=ROLES,
            audit=site.accounts.audit_log(),
            message=message,
        )

    @bp.get("/users")
    @login_required(site, admin=True)
    def users(request: Request, session: Session) -> HTTPResponse:
        return users_page(request)

    @bp.post("/users")
    @login_required(site, admin=True)
    def create_user(request: Request, session: Session) -> HTTPResponse:
        form = request.form
        try:
            site.accounts.create(form.get("username") or "", form.get("password") or "", form.get("role") or "")
            message = "Đã tạo tài khoản."
            site.accounts.audit(session.username, "create-user", form.get("username") or "")
        except AccountError as exc:
            message = str(exc)
        return users_page(request, message)

    return bp
