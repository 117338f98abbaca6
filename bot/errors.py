"""Errors shown to the person asking; the CLI, the API and the UI each translate them."""

from yinling.errors import YinlingError


class BotError(YinlingError):
    """Base class for errors in answering."""


class QuestionError(BotError):
    """The question cannot be asked as it is (empty, too long, …)."""
