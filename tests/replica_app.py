"""One app replica for the multi-replica test: the HTTP API over the fake embedder, no web UI.

Run as `python -m tests.replica_app` with the usual YINLING_* and CHROMA_* variables; it serves
/api on YINLING_PORT as `app.py` does, with the embedder the test's builds use.
"""

import sys

import uvicorn

from bot.chain import BotParams, Yinling
from bot.serve.api import api_app
from tests.conftest import FakeEmbeddings
from yinling.settings import Settings

FOLLOW_S = 0.5  # how often this replica looks for a newer index version

if __name__ == "__main__":
    settings = Settings.from_env()
    bot = Yinling.open(settings, BotParams(follow_s=FOLLOW_S), embedder=FakeEmbeddings())
    uvicorn.run(api_app(bot, settings), host="127.0.0.1", port=settings.port, log_level="warning")
    sys.exit(0)
