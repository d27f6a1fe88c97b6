"""SMS and voice through Twilio's REST API (``2010-04-01``), over HTTPS with the standard library.

SMS: ``POST {base}/2010-04-01/Accounts/{sid}/Messages.json`` with ``To``, ``From``, ``Body``.
Voice: ``POST .../Calls.json`` with ``To``, ``From`` and inline ``Twiml`` that says the text twice.
Both authenticate with HTTP Basic (account SID, auth token) and answer ``201`` with a JSON ``sid``.
``base_url`` exists so tests (and regional edges) can point it elsewhere.
"""

from __future__ import annotations

import base64
import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from contextmfa.delivery.base import Receipt, TextMessage, mask_recipient
from contextmfa.delivery.errors import DeliveryError
from contextmfa.delivery.http import post

__all__ = ["TwilioProvider", "TwilioSettings"]

_log = logging.getLogger("contextmfa.delivery")


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str
    base_url: str = "https://api.twilio.com"
    timeout_seconds: float = 10.0


class TwilioProvider:
    name = "twilio"

    def __init__(self, settings: TwilioSettings, *, ssl_context: ssl.SSLContext | None = None):
        self._settings = settings
        self._context = ssl_context

    def send_text(self, message: TextMessage, *, now: datetime) -> Receipt:
        s = self._settings
        resource = "Messages" if message.channel == "sms" else "Calls"
        url = (
            f"{s.base_url.rstrip('/')}/2010-04-01/Accounts/"
            f"{quote(s.account_sid, safe='')}/{resource}.json"
        )
        fields = {"To": message.to, "From": s.from_number}
        if message.channel == "sms":
            fields["Body"] = message.body
        else:
            fields["Twiml"] = _twiml(message.body)
        token = base64.b64encode(f"{s.account_sid}:{s.auth_token}".encode()).decode("ascii")
        headers = {
            "Authorization": f"Basic {token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        result = post(
            url,
            urlencode(fields).encode("utf-8"),
            headers,
            provider=self.name,
            channel=message.channel,
            timeout=s.timeout_seconds,
            context=self._context,
        )
        data = result.json()
        sid = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(sid, str) or not sid:
            raise DeliveryError(self.name, message.channel, "the answer carries no message sid")
        _log.info("%s sent through twilio to %s", message.channel, mask_recipient(message.to))
        return Receipt(self.name, message.channel, sid)


def _twiml(text: str) -> str:
    said = f'<Say language="en-US">{escape(text)}</Say>'
    return f'<Response>{said}<Pause length="1"/>{said}</Response>'
