"""The one exception type for bad user input: the CLI prints its message on one line and exits 2."""


class InputError(ValueError):
    """A problem with what the user gave (a file, an option, a learning rate), and how to fix it."""
