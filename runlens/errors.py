"""One exception root for everything runlens refuses, with what was found.

Every error names the file it concerns and says, in one line, what was found
against what was expected (style.md habit 4). The CLI prints ``str(error)`` and
exits non-zero; it never shows a traceback for bad input.
"""

from __future__ import annotations

__all__ = [
    "RunlensError",
    "InputError",
    "UnsupportedFormatError",
    "EmptyFileError",
    "CorruptFileError",
    "NotAnActivityError",
    "NoRecordsError",
    "FileTooLargeError",
    "UnsafeXMLError",
    "DiskFullError",
]


class RunlensError(Exception):
    """Root of every error runlens raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in one line, without the path.
    path : str, optional
        The file concerned, as the user named it.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def with_path(self, path: str) -> RunlensError:
        """Return this error, naming ``path`` if it named no file yet."""
        if self.path is None:
            self.path = path
        return self


class InputError(RunlensError):
    """A value the runner gave (config, option, diary entry) is out of its range or unit:
    the command is refused as a usage error (exit status 2), in one line."""


class UnsupportedFormatError(RunlensError):
    """The bytes are neither FIT, GPX nor a gzip of one of them."""


class EmptyFileError(RunlensError):
    """The file has no bytes (or nothing but white space)."""


class CorruptFileError(RunlensError):
    """The file is of a known format but cannot be decoded.

    Parameters
    ----------
    offset : int, optional
        Byte offset where decoding failed.
    expected, got : str, optional
        What the format requires there, and what was found.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        offset: int | None = None,
        expected: str | None = None,
        got: str | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.offset = offset
        self.expected = expected
        self.got = got


class NotAnActivityError(RunlensError):
    """A readable file that holds no activity (settings, monitoring, a workout, a route)."""


class NoRecordsError(RunlensError):
    """An activity file without a single timestamped sample."""


class FileTooLargeError(RunlensError):
    """The file (or what its gzip inflates to) exceeds runlens' size limit.

    Parameters
    ----------
    size, limit : int, optional
        Bytes found (at least) and the limit, in bytes.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        size: int | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.size = size
        self.limit = limit


class UnsafeXMLError(UnsupportedFormatError):
    """XML that declares a DOCTYPE or entities (external entities, expansion bombs)."""


class DiskFullError(RunlensError):
    """A write failed because the disk (or the user's quota) is full.

    Nothing is damaged: the write that failed was rolled back, and the
    message says which file could not be written. Free some space and run the
    command again.
    """

    def __init__(self, path: str, what: str = "cannot be written") -> None:
        super().__init__(
            f"disk full: {what}; nothing was changed (free some space and run it again)",
            path=path,
        )
