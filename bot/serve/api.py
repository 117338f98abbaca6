"""The JSON API for hotline systems: /api/ask, /api/search, /api/health.

Requests and responses are typed, so /api/openapi.json states every limit and shape. The
response models mirror the `to_json` shapes of bot/records.py field for field.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at runtime,
# and the request models are built per app from its settings.

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.chain import Yinling
from bot.datafiles import WORDING_FILE, read_templates, say
from bot.errors import QuestionError
from bot.records import search_to_json
from bot.serve.guard import install_guards
from yinling.errors import YinlingError
from yinling.settings import Settings

log = logging.getLogger(__name__)

MAX_K = 50
FILTER_CHARS = 200
Status = Literal["", "done", "plan"]
DOC_ID_HELP = "只用这份文档（doc_id，见 `python -m index status`）；空：全部"
PLACE_HELP = "只用这个地方及其下辖地方的答复，例如 吉林省；没有该地答复时拒答"
STATUS_HELP = "done 只用已开展的工作，plan 只用下一步计划；空：全部"


class ErrorJson(BaseModel):
    detail: str = Field(description="出了什么问题，以及怎样改正")


class HitJson(BaseModel):
    """A retrieved paragraph (`Hit.to_json`)."""

    rank: int
    score: float
    doc_id: str
    doc_title: str
    doc_number: str
    date: str = Field(description="ISO 日期，文件没有日期时为空")
    section: str
    status: Literal["done", "plan", "general"]
    chunk_id: str
    text: str


class CitationJson(BaseModel):
    """A numbered source of an answer (`Citation.to_json`)."""

    n: int
    doc_id: str
    doc_title: str
    doc_number: str
    issuer: str
    date: str
    section: str
    status: Literal["done", "plan", "general"]
    chunk_id: str
    text: str
    sentences: list[str] = Field(description="被引用的句子，与原文一字不差")


class AnswerJson(BaseModel):
    """An answer (`Answer.to_json`, the `python -m bot ask --json` shape)."""

    question: str
    answer: str
    refused: bool
    composer: Literal["extractive", "llm"] = Field(description="谁写的回答：extractive 原文句子，llm 模型改写且已核对")
    rejected: str = Field(description="模型的回答未通过核对或出错时的原因；否则为空")
    citations: list[CitationJson]
    retrieved: list[HitJson]


class SearchJson(BaseModel):
    """Ranked paragraphs (`search_to_json`, the `python -m bot search --json` shape)."""

    query: str
    results: list[HitJson]


class LlmHealthJson(BaseModel):
    """What the optional LLM composer did since start-up (`Tally.to_json`)."""

    model: str
    answered: int = Field(description="模型写的、通过核对并展示的回答数")
    fallbacks: dict[str, int] = Field(description="改用原文句子回答的次数，按原因（timeout、number、place …）")


class HealthJson(BaseModel):
    """The committed index, read from the store at the time of the request, and the LLM composer's record."""

    status: Literal["ok"]
    index_version: int
    embedder: str
    documents: int
    chunks: int
    llm: LlmHealthJson | None = Field(description="未配置 YINLING_LLM_* 时为 null")


class HealthProblemJson(BaseModel):
    status: Literal["unavailable"]
    detail: str


REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorJson, "description": description}
    for status, description in [
        (400, "问题无法回答：空的、没有文字，或含无法识别的字符"),
        (413, "请求体超过 YINLING_MAX_BODY_KB"),
        (422, "请求不符合本文档的格式或长度限制"),
        (429, "请求太频繁：等 Retry-After 秒后再试"),
        (503, "还没有索引，或向量库暂时连不上"),
    ]
}


def api_router(bot: Yinling, settings: Settings) -> APIRouter:
    """The /api routes, with the request limits of `settings` stated in their schema."""
    router = APIRouter(prefix="/api", tags=["api"])
    max_chars = settings.max_question_chars

    class AskRequest(BaseModel):
        question: str = Field(max_length=max_chars, description="问题，例如“全省有多少家养老机构？”")
        history: list[Annotated[str, Field(max_length=max_chars)]] = Field(
            default_factory=list, max_length=settings.max_history, description="同一对话中此前的问题，按先后"
        )
        doc_id: str = Field("", max_length=FILTER_CHARS, description=DOC_ID_HELP)
        place: str = Field("", max_length=FILTER_CHARS, description=PLACE_HELP)
        status: Status = Field("", description=STATUS_HELP)

    @router.post("/ask", response_model=AnswerJson, responses=REFUSALS)
    def ask(request: AskRequest) -> dict:
        """Answer a question with cited original paragraphs (the `python -m bot ask --json` shape)."""
        filters = bot.filters(request.doc_id, request.status, request.place)
        return bot.ask(request.question, request.history, filters).to_json()

    @router.get("/search", response_model=SearchJson, responses=REFUSALS)
    def search(
        q: Annotated[str, Query(max_length=max_chars, description="关键词或问题")],
        k: Annotated[int, Query(ge=1, le=MAX_K, description="返回几段")] = 5,
        doc_id: Annotated[str, Query(max_length=FILTER_CHARS, description=DOC_ID_HELP)] = "",
        place: Annotated[str, Query(max_length=FILTER_CHARS, description=PLACE_HELP)] = "",
        status: Annotated[Status, Query(description=STATUS_HELP)] = "",
    ) -> dict:
        """Ranked original paragraphs (the `python -m bot search --json` shape)."""
        return search_to_json(q, bot.search(q, k=k, doc_id=doc_id, status=status, place=place))

    @router.get("/health", response_model=HealthJson, responses={503: {"model": HealthProblemJson}})
    def health() -> HealthJson | JSONResponse:
        """Whether the index can be read from the store now, and what it holds; 503 when not."""
        try:
            manifest, chunks = bot.index_state()
        except YinlingError as error:
            log.warning("health check failed: %s", error)
            return JSONResponse({"status": "unavailable", "detail": str(error)}, status_code=503)
        documents = len(manifest.docs)
        llm = LlmHealthJson(**bot.llm.tally.to_json()) if bot.llm else None
        return HealthJson(
            status="ok",
            index_version=manifest.version,
            embedder=manifest.embedder,
            documents=documents,
            chunks=chunks,
            llm=llm,
        )

    return router


def api_app(bot: Yinling, settings: Settings) -> FastAPI:
    """The guarded JSON API: the web app mounts its pages on it; alone, it is what a replica in the
    tests and the scale benchmark serve."""
    app = FastAPI(title="银龄问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_guards(app, settings)
    install_error_handlers(app)
    app.include_router(api_router(bot, settings))
    return app


def install_error_handlers(app: FastAPI) -> None:
    """Turn Yinling's errors and schema violations into 4xx/5xx JSON with a message, never a traceback."""

    @app.exception_handler(QuestionError)
    async def bad_question(_: Request, error: QuestionError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(YinlingError)
    async def unavailable(_: Request, error: YinlingError) -> JSONResponse:
        cause = f" ({error.__cause__!r})" if error.__cause__ else ""
        log.warning("request failed: %s%s", error, cause)
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if isinstance(error.__cause__, UnicodeDecodeError):  # FastAPI could not decode the body
            return JSONResponse({"detail": say("api_not_utf8")}, status_code=400)
        return await http_exception_handler(request, error)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        status = 400 if errors[0]["type"] == "string_unicode" else 422  # unreadable, like a bad question
        return JSONResponse({"detail": validation_message(errors)}, status_code=status)


def validation_message(errors: list[dict[str, Any]]) -> str:
    """The first schema violation of a request, in words that say how to fix it (never echoing the input)."""
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"][1:]) or say("api_body")
    limits = {name: str(value) for name, value in (first.get("ctx") or {}).items()}
    key = f"api_invalid_{first['type']}"
    key = key if key in read_templates(WORDING_FILE) else "api_invalid"
    return say(key, field=field, msg=str(first.get("msg", "")), **limits)
