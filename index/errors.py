"""Errors of indexing, whose message is meant for the person running Yinling, with how to fix it."""

from yinling.errors import YinlingError


class DocumentError(YinlingError):
    """A corpus file cannot be read or holds no text."""


class IndexMissingError(YinlingError):
    """No index has been built yet."""


class IndexMismatchError(YinlingError):
    """The index was built with another embedder or chunking than asked for."""


class EmbedderError(YinlingError):
    """The embedding model cannot be loaded."""


class StoreError(YinlingError):
    """The vector store cannot be reached or written."""


class IndexBusyError(YinlingError):
    """Another build, upload or removal is changing the same index."""


class StoreUnavailableError(StoreError):
    """The Chroma server cannot be reached now; the same request may work once it is back."""
