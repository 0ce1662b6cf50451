"""``python -m tools invite-completed``: invite citizens whose dossier is completed to evaluate its service.

A citizen who tracked a dossier on Telegram or Zalo may press "Nhắn tôi khi hồ sơ có kết quả". Run
this from cron (e.g. every 15 minutes): for each such opt-in whose dossier the status provider now
reports completed, it asks the running Rasa server (HTTP API, with its token) to trigger
``end_conversation`` with ``trigger=completed`` on the channel the citizen used. The assistant then
says the dossier has a result and offers the service survey. Each opt-in is invited once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional
from urllib.parse import quote

import requests

from actions.stores.applications import DatabaseStatusProvider, StatusProvider
from actions.stores.invitations import CompletionInvitationStore
from core.contract import Intent
from core.db import session_factory
from core.settings import Settings, get_settings
from tools.serve import api_token

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60


def invite_completed(settings: Settings, rasa_url: str, applications: Optional[StatusProvider] = None) -> dict:
    """Send every due invitation through the Rasa server at ``rasa_url``; returns what was sent and what failed.

    An invitation the server did not accept stays due and is tried again on the next run.
    """
    sessions = session_factory(settings.database_url)
    store = CompletionInvitationStore(sessions)
    token = api_token(settings)
    sent = failed = 0
    for invitation in store.due(applications or DatabaseStatusProvider(sessions)):
        url = f"{rasa_url.rstrip('/')}/conversations/{quote(invitation.conversation_id, safe=':')}/trigger_intent"
        body = {
            "name": Intent.END_CONVERSATION,
            "entities": {"trigger": "completed", "application_code": invitation.application_code},
        }
        try:
            answer = requests.post(
                url,
                params={"token": token, "output_channel": invitation.channel},
                json=body,
                timeout=TIMEOUT_SECONDS,
            )
            accepted = answer.status_code == 200
        except requests.RequestException as exc:
            logger.error("invitation.failed id=%s error=%s", invitation.id, type(exc).__name__)
            accepted = False
        if accepted:
            store.mark_invited(invitation.id)
            sent += 1
            logger.info("invitation.sent id=%s channel=%s", invitation.id, invitation.channel)
        else:
            failed += 1
            logger.warning("invitation.not_accepted id=%s", invitation.id)
    return {"sent": sent, "failed": failed}


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m tools invite-completed", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=f"http://127.0.0.1:{settings.rasa_port}", help="the Rasa server")
    args = parser.parse_args(argv)
    result = invite_completed(settings, args.rasa_url)
    print(f"invitations sent: {result['sent']}, not accepted (tried again next run): {result['failed']}")
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
