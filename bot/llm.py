"""The optional LLM composer: plain-language answers from a department's own model, verified first.

It wraps the extractive composer. Refusal is decided before the model is called, and the model
sees only the sentences the extractive composer selected, numbered as its citations. Whatever the
model writes passes `bot/verify.py` or is not shown: on a failed check, a timeout or an HTTP
error the extractive answer is returned instead, with the reason in `Answer.rejected`.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from bot.answer import ExtractiveComposer
from bot.coverage import referrals
from bot.datafiles import DATA, fill, say
from bot.outcome import LLM_FOUND_NONE, refuse
from bot.records import Answer, Citation, Hit, Query
from bot.verify import Problem, canonical_marks, verify
from yinling.settings import Settings
from zhtext.dates import format_date_zh

log = logging.getLogger(__name__)

PROMPT_FILE = DATA / "llm_prompt.yaml"
# Where a streamed answer may be shown up to: a sentence end with its citation marks, followed by
# more text (so a mark still to come is not cut off).
SETTLED = re.compile(r"[。！？!?](?:\s*[\[【][\d,，、\s]+[\]】])*(?=\s*[^\s\[【])")
# Reasoning models (DeepSeek-R1, Qwen3) may think aloud first; that part is never the answer.
THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)
FAILURES = (openai.APIError, httpx.HTTPError)


@dataclass
class Tally:
    """What the LLM composer did since start-up: answers shown, and fallbacks by reason."""

    model: str
    answered: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {"model": self.model, "answered": self.answered, "fallbacks": dict(self.fallbacks)}


@dataclass(frozen=True)
class Llm:
    """A chat model that rephrases answers, how long it may take, and what it has done."""

    model: BaseChatModel
    timeout_s: float
    tally: Tally


def prompt(key: str, **values: str) -> str:
    """A prompt template filled strictly: a missing placeholder raises KeyError."""
    return fill(PROMPT_FILE, key, **values)


def llm_from_settings(settings: Settings) -> Llm:
    """The model server `settings` name (YINLING_LLM_*), ready for `Yinling(..., llm=…)`."""
    return Llm(chat_model(settings), settings.llm_timeout_s, Tally(settings.llm_model))


def chat_model(settings: Settings) -> ChatOpenAI:
    """The OpenAI-compatible client `settings` name (vLLM, Ollama, Xinference …).

    No retries: a slow or failing model server falls back to the extractive answer at once.
    Local servers take any key, so an empty one is sent as "EMPTY".
    """
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "EMPTY",
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=0,
    )


class LlmComposer:
    """Rephrases the extractive answer with an LLM; shows the result only when it passes the verifier."""

    def __init__(self, extractive: ExtractiveComposer, llm: Llm):
        self.extractive = extractive
        self.model = llm.model
        self.tally = llm.tally
        self.timeout_s = llm.timeout_s

    def compose(self, query: Query, hits: list[Hit]) -> Answer:
        """The LLM's answer when it passes the verifier, else the extractive one saying why not.

        A refusal is returned untouched, without calling the model.
        """
        draft = self.extractive.compose(query, hits)
        if draft.refused:
            return draft
        try:
            reply = self.model.invoke(messages(query, draft.citations))
        except FAILURES as error:
            return self.fallback(draft, failure_kind(error), describe(error))
        return self.finish(query, hits, draft, without_thinking(str(reply.content)))

    def stream(self, query: Query, hits: list[Hit]) -> Iterator[str | Answer]:
        """Partial answer texts, each already verified, then the final Answer.

        A refusal is returned untouched before the model is called. Once the streamed text fails
        the verifier, the model is no longer read and the extractive answer is the final Answer.
        """
        draft = self.extractive.compose(query, hits)
        if draft.refused:
            yield draft
            return
        text, shown = "", ""
        deadline = time.monotonic() + self.timeout_s
        try:
            for chunk in self.model.stream(messages(query, draft.citations)):
                text += str(chunk.content)
                if time.monotonic() > deadline:
                    yield self.fallback(draft, "timeout", f"timeout: no complete answer within {self.timeout_s:g} s")
                    return
                settled = settled_text(without_thinking(text))
                if len(settled) > len(shown):
                    problems = self.check(settled, draft)
                    if problems:
                        yield self.fallback(draft, problems[0].kind, str(problems[0]))
                        return
                    shown = settled
                    yield canonical_marks(shown)
        except FAILURES as error:
            yield self.fallback(draft, failure_kind(error), describe(error))
            return
        yield self.finish(query, hits, draft, without_thinking(text))

    def finish(self, query: Query, hits: list[Hit], draft: Answer, text: str) -> Answer:
        """The whole reply, checked: the LLM's answer, its refusal, or the extractive fallback."""
        if text.startswith(prompt("cannot_answer")):
            self.tally.answered += 1
            refusal = refuse(query, hits, LLM_FOUND_NONE, "")
            return dataclasses.replace(refusal, composer="llm")
        problems = self.check(text, draft)
        if problems:
            return self.fallback(draft, problems[0].kind, "; ".join(map(str, problems)))
        self.tally.answered += 1
        return dataclasses.replace(draft, text=canonical_marks(text), composer="llm")

    def check(self, text: str, draft: Answer) -> list[Problem]:
        places = {hit.meta.jurisdiction for hit in draft.retrieved}
        return verify(text, draft.citations, referral_texts(), places)

    def fallback(self, draft: Answer, kind: str, reason: str) -> Answer:
        """The extractive answer, with why the LLM's was not shown (`kind: detail`); logged and counted."""
        self.tally.fallbacks[kind] += 1
        log.warning("LLM answer not shown: %s", reason)  # never the question: logs hold no personal text
        return dataclasses.replace(draft, rejected=reason)


def messages(query: Query, citations: tuple[Citation, ...]) -> list[BaseMessage]:
    """The system and user messages: the question, the conversation and the numbered sources."""
    history = "；".join(query.history) or prompt("no_history")
    sources = "\n".join(source_line(citation) for citation in citations)
    return [
        SystemMessage(prompt("system", cannot_answer=prompt("cannot_answer"))),
        HumanMessage(prompt("user", history=history, question=query.question, sources=sources)),
    ]


def source_line(citation: Citation) -> str:
    meta, chunk = citation.hit.meta, citation.hit.chunk
    return prompt(
        "source",
        n=str(citation.n),
        status=prompt(f"status_{chunk.status}"),
        issuer=meta.issuer,
        title=meta.title,
        number=meta.number,
        date_zh=format_date_zh(meta.date),
        section=chunk.section,
        sentences="".join(citation.sentences),
    )


def without_thinking(text: str) -> str:
    """The reply without a reasoning model's <think>…</think> part (all of it while still unclosed)."""
    return THINKING.sub("", text).strip()


def settled_text(text: str) -> str:
    """The leading part of a streamed reply made of complete sentences with their marks."""
    ends = [match.end() for match in SETTLED.finditer(text)]
    return text[: ends[-1]].strip() if ends else ""


def referral_texts() -> list[str]:
    """What an answer may always say: where to ask instead (referrals.tsv and the default referral)."""
    return [*referrals().values(), say("referral_default")]


def failure_kind(error: Exception) -> str:
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(error, openai.APIStatusError):
        return "http_error"
    if isinstance(error, openai.APIConnectionError | httpx.TransportError):
        return "connection"
    return "bad_reply"


def describe(error: Exception) -> str:
    """`kind: what happened`, for the answer's `rejected` and the log."""
    if isinstance(error, openai.APIStatusError):
        return f"http_error: the model server answered HTTP {error.status_code}"
    return f"{failure_kind(error)}: {type(error).__name__}: {error}"
