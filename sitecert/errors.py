"""The one domain error that services raise; views show it on the form, the API as a 400 or 409."""


class DomainError(Exception):
    def __init__(self, message: str, *, code: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status
