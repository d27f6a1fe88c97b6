"""``sms`` and ``voice``: a 6-digit code sent by text message or read out by a phone call.

The number is validated with libphonenumber and stored in E.164; enrollment is confirmed by the
first code sent to it. Both go through the configured text provider (outbox, Twilio, webhook).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from contextmfa.delivery.base import TextChannel, TextMessage
from contextmfa.factors.contacts import normalize_phone
from contextmfa.factors.context import EnrollRequest, Subject
from contextmfa.factors.messages import sms_code, voice_code
from contextmfa.factors.oob import CodeFactor
from contextmfa.factors.settings import CODE_TTL
from contextmfa.store.limits import SMS_SENDS, VOICE_SENDS

__all__ = ["SmsFactor", "VoiceFactor"]


class _PhoneFactor(CodeFactor):
    ADDRESS = "phone_number"
    CHANNEL: ClassVar[TextChannel]

    def address_from(self, subject: Subject, request: EnrollRequest) -> str:
        return normalize_phone(request.phone_number)

    def body(self, code: str) -> str:
        raise NotImplementedError

    def send_code(self, subject: Subject, address: str, code: str, *, now: datetime) -> None:
        message = TextMessage(subject.tenant_id, self.CHANNEL, address, self.body(code))
        self.services.delivery.send_text(message, now=now)


class SmsFactor(_PhoneFactor):
    TYPE = "sms"
    CHANNEL = "sms"
    SEND_LIMIT = SMS_SENDS

    def body(self, code: str) -> str:
        settings = self.services.settings
        minutes = int(CODE_TTL.total_seconds() // 60)
        return sms_code(settings.issuer, code, settings.webauthn.rp_id, minutes)


class VoiceFactor(_PhoneFactor):
    TYPE = "voice"
    CHANNEL = "voice"
    SEND_LIMIT = VOICE_SENDS

    def body(self, code: str) -> str:
        return voice_code(self.services.settings.issuer, code)
