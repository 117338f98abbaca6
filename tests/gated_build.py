"""`python -m index` with the fake embedder held at a gate: a build other writers can overlap.

The locking tests run it as `python -m tests.gated_build build [--rebuild]` with the usual
YINLING_* variables. While the file named by YINLING_TEST_GATE exists, the build waits before
each embedding batch, holding the build lock and its half-written index version, as a long
`--rebuild` does; deleting the file lets it finish.
"""

import os
import sys
import time
from pathlib import Path

import index.__main__ as cli
from tests.conftest import FakeEmbeddings

GATE_TIMEOUT_S = 120


class GatedEmbeddings(FakeEmbeddings):
    def __init__(self, gate: Path | None) -> None:
        super().__init__()
        self.gate = gate

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        deadline = time.monotonic() + GATE_TIMEOUT_S
        while self.gate and self.gate.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"gate {self.gate} stayed closed for {GATE_TIMEOUT_S} s")
            time.sleep(0.05)
        return super().embed_documents(texts)


if __name__ == "__main__":
    gate = os.environ.get("YINLING_TEST_GATE")
    cli.load_embedder = lambda model: GatedEmbeddings(Path(gate) if gate else None)
    sys.exit(cli.main(sys.argv[1:]))
