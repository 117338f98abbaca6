"""Start Yinling: read settings, build the app (API + web UI), serve it."""

import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import uvicorn

from bot.serve.privacy import install_log_redaction
from yinling.errors import YinlingError
from yinling.settings import Settings
from yinling.startup import starting_up


def main() -> int:
    try:
        settings = Settings.from_env()
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        install_log_redaction()
        with starting_up(freeze=True):  # modules live as long as the process
            from bot.serve.web import create_app  # Gradio, chromadb and LangChain
        with starting_up(freeze=False):  # the index is opened again after a build: never frozen
            app = create_app(settings)
    except YinlingError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    print(f"银龄问答：http://{settings.host}:{settings.port}/  （API 文档：/api/docs）", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower())
    return 0


if __name__ == "__main__":
    sys.exit(main())
