"""One server: the JSON API at /api, the public UI at /, the staff UI at /staff behind a login."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.chain import Yinling
from bot.serve.admin import DocumentDesk
from bot.serve.api import api_app
from bot.serve.feedback import FeedbackLog
from bot.serve.ui import css, login_message, public_ui, staff_ui
from yinling.settings import ROOT, Settings

PUBLIC_MAX_FILE_SIZE = "1kb"  # the public app takes no files; its upload route is closed too


def create_app(settings: Settings, bot: Yinling | None = None) -> FastAPI:
    """Build the whole web app from settings (and an already opened service, in tests)."""
    bot = bot or Yinling.open(settings)
    app = api_app(bot, settings)
    # Nothing under the repo, the data or the corpus is ever served, whatever Gradio is asked for.
    blocked = [str(path.resolve()) for path in (ROOT, settings.data_dir, settings.corpus_dir)]
    common = {"css": css(), "footer_links": [], "show_error": False, "blocked_paths": blocked}
    if settings.staff_enabled:
        desk = DocumentDesk(bot, settings)
        app = mount(
            app,
            staff_ui(desk),
            path="/staff",
            auth=(settings.staff_user, settings.staff_password),
            auth_message=login_message(),
            max_file_size=f"{settings.upload_max_mb}mb",
            **common,
        )
    feedback = FeedbackLog(
        settings.data_dir / "feedback.jsonl", settings.feedback_max_mb * 2**20, keep=settings.feedback_keep
    )
    app.add_api_route("/gradio_api/upload", no_public_uploads, methods=["POST"], include_in_schema=False)
    public = public_ui(bot, feedback, settings.staff_enabled)
    return mount(app, public, path="", max_file_size=PUBLIC_MAX_FILE_SIZE, **common)


def mount(app: FastAPI, blocks: gr.Blocks, path: str, **options) -> FastAPI:
    """Mount a Gradio app with Gradio's own file checks switched on.

    Gradio checks that a file named in a request was uploaded by that user only once the
    Blocks has "launched"; a mounted Blocks never launches, so the check is skipped and any
    server path named in a request would be copied into its cache and served. Marking it
    launched turns the check on; the apps here never call `launch()`.
    """
    mounted = gr.mount_gradio_app(app, blocks, path=path, **options)
    blocks.has_launched = True
    return mounted


def no_public_uploads() -> JSONResponse:
    """The public app has no file input: its upload route answers 404 instead of storing files."""
    return JSONResponse({"detail": "Not Found"}, status_code=404)
