"""Domain errors raised by services; the web and API layers turn them into Chinese messages, never tracebacks."""


class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is a Chinese sentence for the user.

    ``problems`` lists every individual problem (e.g. each bad cell of an import) when there are several.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        return self.message


class ScopeError(DomainError):
    """The user acted on a region or object outside their scope."""
