"""The JSON API for hotline systems: /api/ask, /api/search, /api/health."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.chain import Yinling
from bot.errors import QuestionError
from bot.records import search_to_json
from index.errors import IndexMissingError, YinlingError

log = logging.getLogger(__name__)

MAX_HISTORY = 20


class AskRequest(BaseModel):
    question: str = Field(description="问题，例如“全省有多少家养老机构？”")
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY, description="同一对话中此前的问题，按先后")


class ErrorResponse(BaseModel):
    detail: str


def api_router(bot: Yinling) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])

    @router.post("/ask", responses={400: {"model": ErrorResponse}})
    def ask(request: AskRequest) -> dict:
        """Answer a question with cited original paragraphs (the `python -m bot ask --json` shape)."""
        return bot.ask(request.question, request.history).to_json()

    @router.get("/search", responses={400: {"model": ErrorResponse}})
    def search(
        q: str = Query(description="关键词或问题"),
        k: int = Query(5, ge=1, le=50, description="返回几段"),
    ) -> dict:
        """Ranked original paragraphs (the `python -m bot search --json` shape)."""
        return search_to_json(q, bot.search(q, k=k))

    @router.get("/health")
    def health() -> dict:
        """Whether the service is up, and what it has indexed."""
        manifest = bot.manifest
        return {
            "status": "ok",
            "index_version": manifest.version,
            "embedder": manifest.embedder,
            "documents": len(manifest.docs),
            "chunks": sum(entry.chunks for entry in manifest.docs.values()),
        }

    return router


def install_error_handlers(app: FastAPI) -> None:
    """Turn Yinling's errors into 4xx/5xx JSON with the message, never a traceback."""

    @app.exception_handler(QuestionError)
    async def bad_question(_: Request, error: QuestionError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(IndexMissingError)
    async def no_index(_: Request, error: IndexMissingError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(YinlingError)
    async def other(_: Request, error: YinlingError) -> JSONResponse:
        log.warning("request failed: %s", error)
        return JSONResponse({"detail": str(error)}, status_code=400)
