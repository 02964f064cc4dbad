"""The one exception type for bad user input: its message is a single sentence shown as is."""


class InputError(ValueError):
    """Bad input from a user: the message names the value and the valid range."""
