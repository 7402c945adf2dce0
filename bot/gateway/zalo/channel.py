"""What the Zalo channel does with each job: ask Rasa, then send the replies in order.

A text job goes to Rasa once; Rasa's replies are stored in the job (its outbox) before the first
send, and the job records each message Zalo accepted. So a retry (Zalo down, gateway restart)
resends only what did not go out, and never asks Rasa twice for an answer it already gave.
"""

from __future__ import annotations

import hashlib
import logging
import time

import aiohttp

from bot.gateway.rasa_client import RasaUnavailable, RasaUpstreams
from bot.gateway.zalo.events import EventKind, ZaloEvent, oa_sender
from bot.gateway.zalo.queue import DONE, Job, Outcome, WorkQueue, order_key, retry
from bot.gateway.zalo.sender import (
    UNREACHABLE_ERRORS,
    SendStatus,
    ZaloClient,
    build_messages,
    build_outbox,
)
from bot.handoff import paused
from bot.state.base import StateStore

log = logging.getLogger(__name__)

# A new follower gets the bot's own greeting (intent payload understood by Rasa) ...
FOLLOW_MESSAGE = "/greet"
# ... or this when Rasa answers nothing.
WELCOME_TEXT = (
    "Dạ, em chào anh/chị! Em là trợ lý ảo của UBND xã. Anh/chị có thể hỏi em về thủ tục hành "
    "chính (cần giấy tờ gì, lệ phí, thời gian giải quyết, nộp ở đâu), giờ làm việc của xã, hoặc "
    "gửi phản ánh, kiến nghị ạ."
)
MEDIA_REPLY_TEXT = (
    "Dạ, em cảm ơn anh/chị. Hiện em chỉ đọc được tin nhắn bằng chữ, nên chưa xem được hình ảnh, "
    "nhãn dán, tệp, tin nhắn thoại hay vị trí anh/chị gửi ạ.\n"
    "Em có thể giúp anh/chị: tra cứu thủ tục hành chính (giấy tờ cần chuẩn bị, lệ phí, thời gian "
    "giải quyết, nơi nộp, các bước), giờ làm việc và địa chỉ của xã, hoặc ghi nhận phản ánh, "
    "kiến nghị.\n"
    'Anh/chị vui lòng nhập câu hỏi bằng chữ, ví dụ: "Làm giấy khai sinh cần giấy tờ gì?" ạ.'
)


def tag(user: str) -> str:
    """A short stable pseudonym for logs: user ids are personal data."""
    return hashlib.sha256(user.encode()).hexdigest()[:10]


def job_for_event(event: ZaloEvent) -> Job | None:
    """The work an incoming event asks for, or None when it only needs acknowledging."""
    if event.user_id is None:
        return None
    meta = {"event": event.name, "ts": event.timestamp_ms, "received": time.time()}
    order = order_key(event.timestamp_ms)
    if event.kind is EventKind.TEXT:
        return Job(id=order, user=event.user_id, kind="text", text=event.text, meta=meta)
    if event.kind is EventKind.FOLLOW:
        return Job(id=order, user=event.user_id, kind="follow", text=FOLLOW_MESSAGE, meta=meta)
    if event.kind is EventKind.MEDIA:
        outbox = build_messages(MEDIA_REPLY_TEXT, [])
        return Job(id=order, user=event.user_id, kind="media", outbox=outbox, meta=meta)
    return None


class ZaloChannel:
    """The queue's handler. `queue` is attached after construction (they refer to each other)."""

    def __init__(
        self,
        store: StateStore,
        http: aiohttp.ClientSession,
        client: ZaloClient,
        rasa: RasaUpstreams,
        rasa_timeout: float,
    ) -> None:
        self.store = store
        self.http = http
        self.client = client
        self.rasa = rasa
        self.rasa_timeout = rasa_timeout
        self.queue: WorkQueue | None = None
        self.sent = 0
        self.dropped = 0

    async def _save(self, job: Job) -> None:
        if self.queue is not None:
            await self.queue.save(job)

    async def handle(self, job: Job) -> Outcome:
        sender = oa_sender(job.user)
        # Checked before Rasa is asked (or before a canned reply's first message), not before
        # each send: the turn that hands over (the handoff action sets the flag) must still
        # deliver its own "a staff member will answer" message.
        before_first = job.outbox is None or (job.kind == "media" and job.sent == 0)
        if job.bot and before_first and await paused(self.store, sender):
            # Handed to staff: nothing goes to Rasa and the bot says nothing.
            log.info("zalo %s: %s held back, conversation is with staff", tag(job.user), job.kind)
            return DONE
        if job.outbox is None:
            started = time.monotonic()
            try:
                utterances = await self.rasa.send(
                    self.http, sender, job.text or "", self.rasa_timeout
                )
            except RasaUnavailable as exc:
                return retry(str(exc))
            job.outbox = build_outbox(utterances)
            if not job.outbox and job.kind == "follow":
                job.outbox = build_messages(WELCOME_TEXT, [])
            job.sent = 0
            job.attempts = 0
            job.meta["rasa_ms"] = round((time.monotonic() - started) * 1000)
            await self._save(job)  # Rasa has answered: never ask it again for this message
        while job.sent < len(job.outbox):
            result = await self.client.send(job.user, job.outbox[job.sent])
            if result.status is SendStatus.RETRY:
                return retry(f"Zalo send: error {result.error} {result.detail}", result.retry_after)
            if result.status is SendStatus.DROPPED:
                self.dropped += 1
                log.warning(
                    "zalo %s: message not delivered, error %s (%s); not retried",
                    tag(job.user),
                    result.error,
                    result.detail,
                )
                if result.error in UNREACHABLE_ERRORS:
                    return DONE  # the rest would fail the same way
            else:
                self.sent += 1
            job.sent += 1
            job.attempts = 0
            if job.sent < len(job.outbox):
                await self._save(job)
        return DONE
