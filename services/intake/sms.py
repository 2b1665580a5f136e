"""The SMS gateway: a provider-agnostic webhook that holds a short conversation.

A provider posts `{"from": "+...", "text": "...", "message_id": "..."}` signed as
`sms_auth` describes, and sends back to the sender the `reply` of the answer. A new sender
chooses a language, tells what happened, gives an age (or skips); the complaint is then
stored and the receipt code sent. A later message that starts with a receipt code goes to
the case worker as `MessageFromChild`. Senders are found by a keyed hash of their number;
the number itself is stored only sealed.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.intake import follow_up, store
from services.intake.api import intake_keys
from services.intake.db import SmsConversation
from services.intake.errors import AlreadyFinished
from services.intake.handlers import submit_complaint
from services.intake.i18n import LANGUAGES, NAMES, translations
from services.intake.model import CONTROL_CHARACTERS, SubmitComplaint
from services.intake.pages import N_
from services.intake.receipts import is_code
from services.intake.sms_auth import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotConfigured,
    WebhookVerifier,
)
from services.intake.throttle import TokenBucketLimiter
from shared.clock import utcnow
from shared.ids import new_id
from shared.runtime import Runtime

router = APIRouter(prefix="/sms", tags=["sms"])
MENU = "Heard: " + " · ".join(f"{n} {NAMES[code]}" for n, code in enumerate(LANGUAGES, 1))
ASK_STORY = N_("What happened? Write it in one message. You do not have to give your name.")
ASK_AGE = N_("How old are you? Reply with a number, or 0 to skip.")
GIVE_CODE = N_(
    "Thank you, we have your message. Your code is %(code)s. Keep it safe. "
    "To write to us again, start your message with your code."
)
HOW_TO_CONTINUE = N_(
    "To write about your message, start with your code. To tell us something new, reply NEW."
)
SENT = N_("Sent. Thank you.")
UNKNOWN_CODE = N_("We do not know this code. Please check it and try again.")
TOO_MANY = N_("Too many tries. Please wait a few minutes and try again.")
FINISHED = N_(
    "This complaint is finished or stopped, so nothing more can be added. "
    "You can write to us again with a new message."
)
UNREADABLE = N_("This answer has hidden characters we cannot read. Please type it again.")
SMS_MAX = 4000


class InboundSms(BaseModel):
    """One message as the provider received it."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    sender: str = Field(alias="from", min_length=3, max_length=40)
    text: str = Field(max_length=SMS_MAX)
    message_id: str | None = Field(default=None, max_length=200)


class SmsReply(BaseModel):
    """What the provider sends back to the sender."""

    reply: str


def _age_band(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())[:3]
    age = int(digits) if digits else 0
    bands = ((1, "unknown"), (8, "under_8"), (12, "8_11"), (15, "12_14"), (18, "15_17"))
    for limit, band in bands:
        if age < limit:
            return band
    return "adult"


def split_code(text: str) -> tuple[str | None, str]:
    """A leading receipt code (grouped or not) and the rest of the message."""
    words = text.split()
    for count in (1, 4, 5):
        if is_code("".join(words[:count])):
            return " ".join(words[:count]), " ".join(words[count:])
    return None, text


class Conversation:
    """One message's handling: the sender's state, the runtime, and the reply's language."""

    def __init__(self, request: Request, message: InboundSms) -> None:
        self.runtime: Runtime = request.app.state.runtime
        self.keys = intake_keys(request)
        self.limiter: TokenBucketLimiter = request.app.state.lookups
        self.message = message
        self.sender_hash = self.runtime.lookups.digest("sms-sender", message.sender)

    def say(self, language: str | None, text: str, **values: str) -> SmsReply:
        """`text` in the sender's language (English before they chose)."""
        translated = translations(language or "en").gettext(text)
        return SmsReply(reply=translated % values if values else translated)

    async def answer(self) -> SmsReply:
        """The reply to this message, after doing what it asks."""
        text = self.message.text.strip()
        if CONTROL_CHARACTERS.search(text):
            return self.say(None, UNREADABLE)
        code, rest = split_code(text)
        async with self.runtime.sessions() as session:
            state = await session.get(SmsConversation, self.sender_hash)
        language = state.language if state else None
        if code is not None:
            return await self._continue(code, rest, language)
        if state is None:
            return await self._start()
        return await self._step(state, text)

    async def _continue(self, code: str, body: str, language: str | None) -> SmsReply:
        if self.limiter.wait(self.sender_hash) is not None:
            return self.say(language, TOO_MANY)
        async with self.runtime.sessions() as session:
            status = await store.status_by_receipt(session, self.keys.receipts, code)
        if status is None:
            self.limiter.attempt(self.sender_hash)
            return self.say(language, UNKNOWN_CODE)
        if not body:
            return self.say(language, HOW_TO_CONTINUE)
        try:
            await follow_up.reply(
                self.runtime.uow(), self.runtime.fields, status.complaint_id, body, "sms"
            )
        except AlreadyFinished:
            return self.say(language, FINISHED)
        return self.say(language, SENT)

    async def _start(self) -> SmsReply:
        conversation_id = new_id()
        async with self.runtime.uow() as uow:
            phone = await store.seal_text(
                uow.session, self.runtime.fields, conversation_id, "phone", self.message.sender
            )
            uow.session.add(
                SmsConversation(
                    sender_hash=self.sender_hash,
                    conversation_id=conversation_id,
                    step="language",
                    phone=phone,
                    updated_at=utcnow(),
                )
            )
            await uow.commit()
        return SmsReply(reply=MENU)

    async def _step(self, state: SmsConversation, text: str) -> SmsReply:
        if state.step == "language":
            return await self._choose_language(state, text)
        if state.step == "story":
            return await self._story(state, text)
        if state.step == "age":
            return await self._finish(state, _age_band(text))
        if text.strip().upper() == "NEW":
            return await self._save(state, step="story", reply=ASK_STORY)
        return self.say(state.language, HOW_TO_CONTINUE)

    async def _choose_language(self, state: SmsConversation, text: str) -> SmsReply:
        choice = text.strip().lower()
        by_number = {str(n): code for n, code in enumerate(LANGUAGES, 1)}
        language = by_number.get(choice) or (choice if choice in LANGUAGES else None)
        if language is None:
            return SmsReply(reply=MENU)
        state.language = language
        return await self._save(state, step="story", reply=ASK_STORY)

    async def _story(self, state: SmsConversation, text: str) -> SmsReply:
        if not text:
            return self.say(state.language, ASK_STORY)
        async with self.runtime.sessions() as session:
            state.narrative = await store.seal_text(
                session, self.runtime.fields, state.conversation_id, "narrative", text
            )
            state.step, state.updated_at = "age", utcnow()
            session.add(state)
            await session.commit()
        return self.say(state.language, ASK_AGE)

    async def _save(self, state: SmsConversation, *, step: str, reply: str) -> SmsReply:
        async with self.runtime.sessions() as session:
            state.step, state.updated_at = step, utcnow()
            session.add(state)
            await session.commit()
        return self.say(state.language, reply)

    async def _finish(self, state: SmsConversation, age_band: str) -> SmsReply:
        async with self.runtime.sessions() as session:
            narrative = await self.runtime.fields.open(
                session, state.conversation_id, "narrative", state.narrative
            )
        command = SubmitComplaint.model_validate(
            {
                "channel": "sms",
                "language": state.language or "en",
                "narrative": narrative or "",
                "submitted_by": "child",
                "anonymous": True,
                "age_band": age_band,
            }
        )
        key = f"sms:{self.message.message_id}" if self.message.message_id else None
        ack = await submit_complaint(
            command, runtime=self.runtime, keys=self.keys, idempotency_key=key
        )
        await self._done(state, ack.complaint_id)
        return self.say(state.language, GIVE_CODE, code=ack.receipt_code)

    async def _done(self, state: SmsConversation, complaint_id: uuid.UUID) -> None:
        async with self.runtime.sessions() as session:
            state.step, state.narrative = "done", None
            state.complaint_id, state.updated_at = complaint_id, utcnow()
            session.add(state)
            await session.commit()


@router.post("/inbound", responses={401: {}, 503: {}})
async def inbound(request: Request) -> SmsReply:
    """One message from the SMS provider; the answer holds the reply to send back."""
    verifier: WebhookVerifier | None = request.app.state.sms_verifier
    if verifier is None:
        raise WebhookNotConfigured()
    body = await request.body()
    verifier.verify(
        request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER), body
    )
    try:
        message = InboundSms.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
    return await Conversation(request, message).answer()
