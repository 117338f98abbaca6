"""Start-up of the entry points (the CLI and the web app): loading without the cyclic garbage collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def starting_up(*, freeze: bool) -> Iterator[None]:
    """Run start-up (imports, opening the index) with the cyclic garbage collector off.

    Importing chromadb, LangChain (and Gradio) and opening the index make hundreds of thousands
    of objects that live as long as the process; every full collection while they are being made
    walks all of them again. Start-up makes little garbage, so none is collected until it ends.

    Args:
        freeze: also keep what start-up made out of every later collection, the one at exit
            included (`gc.freeze`) — for a process that answers once and exits. Not for a server:
            it re-opens the index after a build, and cycles among frozen objects are never
            collected, so the first index it opened would stay in memory.
    """
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()
