"""The web server on WEB_PORT: the widget's files, a demo portal page at ``/`` and the review
dashboard under ``/review/``.

Run with ``python -m web.server`` (``make run`` starts it). With ``RABBITMQ_URL`` set it also
consumes the events Rasa publishes and feeds the dashboard (web/event_feed.py). The widget itself talks
to the Rasa server's socket.io channel, whose address the demo page passes in
``data-server`` (``PUBLIC_RASA_URL``, default http://localhost:RASA_PORT).
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.analytics_events import AnalyticsEventStore
from core.db import engine_for
from core.settings import Settings, get_settings
from knowledge_base import log_masking
from web.dashboard.handoff import create_handoff_blueprint
from web.dashboard.views import ReviewSite, create_blueprint, security_headers
from web.event_feed import EventFeed

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


def create_app(settings: Settings) -> Sanic:
    """The Sanic application serving the widget, the demo page and the dashboard."""
    app = Sanic("citizen_assistant_web")
    # Trust the TLS proxy's X-Forwarded-For/-Proto (or Forwarded) only when configured: then
    # request.scheme is https (Secure dashboard cookies) and request.remote_addr the client's
    # address (log-in throttling); otherwise a client could claim either.
    app.config.PROXIES_COUNT = settings.proxies_count
    app.config.FORWARDED_SECRET = settings.forwarded_secret
    # Logins and label forms are small; nothing larger than the Rasa server takes is read either.
    app.config.REQUEST_MAX_SIZE = settings.max_request_bytes
    rasa_url = settings.public_rasa_url
    demo = (HERE / "demo.html").read_text(encoding="utf-8")

    @app.get("/")
    async def demo_page(request: Request) -> HTTPResponse:
        base = f"{request.scheme}://{request.host}"
        html = demo.replace("{asset_base}", escape(base)).replace("{rasa_url}", escape(rasa_url))
        return response.html(html)

    site = ReviewSite(settings)
    app.blueprint(create_blueprint(site))
    app.blueprint(create_handoff_blueprint(site))
    app.register_middleware(security_headers, "response")
    feed = (
        EventFeed(
            settings.rabbitmq_url, settings.rabbitmq_queue, AnalyticsEventStore(engine_for(settings.database_url))
        )
        if settings.rabbitmq_url
        else None
    )

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        status = {"status": "ok"}
        if feed is not None:
            status["event_feed"] = "consuming" if feed.connected else "connecting"
        return response.json(status)

    if feed is not None:

        @app.after_server_start
        async def start_feed(app: Sanic, _loop) -> None:
            app.add_task(feed.start())

        @app.before_server_stop
        async def stop_feed(_app: Sanic, _loop) -> None:
            await feed.stop()

    app.static("/widget.js", str(STATIC / "widget.js"), content_type="application/javascript; charset=utf-8")
    app.static("/widget.css", str(STATIC / "widget.css"), content_type="text/css; charset=utf-8")
    app.static("/vendor", str(STATIC / "vendor"))
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log_masking.install()
    settings = get_settings()
    create_app(settings).run(host=settings.bind_address, port=settings.web_port, access_log=False)


if __name__ == "__main__":
    main()
