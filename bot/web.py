"""One server: the JSON API at /api, the public UI at /, the staff UI at /staff behind a login."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI

from bot.admin import DocumentDesk
from bot.api import api_router, install_error_handlers
from bot.chain import Yinling
from bot.feedback import FeedbackLog
from bot.ui import css, public_ui, staff_ui
from index.settings import Settings


def create_app(settings: Settings, bot: Yinling | None = None) -> FastAPI:
    """Build the whole web app from settings (and an already opened service, in tests)."""
    bot = bot or Yinling.open(settings)
    app = FastAPI(title="银龄问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(app)
    app.include_router(api_router(bot))
    common = {"css": css(), "footer_links": [], "show_error": False}
    if settings.staff_enabled:
        desk = DocumentDesk(bot, settings.corpus_dir, settings.chunking, settings.upload_max_mb * 2**20)
        app = gr.mount_gradio_app(
            app,
            staff_ui(desk),
            path="/staff",
            auth=(settings.staff_user, settings.staff_password),
            auth_message="工作人员登录",
            max_file_size=f"{settings.upload_max_mb}mb",
            **common,
        )
    feedback = FeedbackLog(settings.data_dir / "feedback.jsonl")
    return gr.mount_gradio_app(app, public_ui(bot, feedback, settings.staff_enabled), path="", **common)
