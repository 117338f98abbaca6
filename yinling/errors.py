"""The base of every error whose message is meant for the person running or asking Yinling."""


class YinlingError(Exception):
    """Base class: the message is shown as it is, and says what to do."""
