"""Start-up of the entry points (the CLI and the web app): loading without the cyclic garbage collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def starting_up() -> Iterator[None]:
    """Run start-up (imports, opening the index) with the cyclic garbage collector off, then
    freeze what it made.

    Importing chromadb, LangChain (and Gradio) and opening the index make hundreds of thousands
    of objects that live as long as the process; every full collection while they are being made
    walks all of them again, and so does the one at exit. Start-up makes little garbage, so none
    is collected until it ends, and `gc.freeze` keeps its objects out of every later collection.
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
