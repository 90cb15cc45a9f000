"""Output files written whole or not at all.

``runlens chart -o``, ``report -o`` and every figure runlens saves write into
a temporary file in the same folder and rename it over the target at the end
(:func:`os.replace`, atomic on one file system): a full disk, a killed
process or a failing encoder never leaves a truncated PDF or a 0-byte PNG in
place of the previous output, which stays as it was. The temporary file is
removed on failure.

A target that exists and is not a regular file (``/dev/null``, ``/dev/full``,
a FIFO) is written directly: nothing can be renamed over a device, and
nothing is created beside it. Every failure is one line: ``FILE: disk full:
...`` or ``FILE: cannot be written (...)``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .errors import DiskFullError, RunlensError

__all__ = ["atomic_output", "output_error"]


def output_error(exc: BaseException, path: str | os.PathLike[str]) -> RunlensError:
    """The one-line error for a failed write of the output ``path``."""
    name = os.fspath(path)
    # A full disk often surfaces as the error of the clean-up after it (the PDF
    # writer's zlib stream "inconsistent" once a write failed): look behind it.
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            exc = seen
            break
        seen = seen.__context__ or seen.__cause__
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(name, "the output could not be written; a previous file of "
                             "that name is left as it was")
    if isinstance(exc, zlib.error):
        why = f"compression failed ({exc})"
    elif isinstance(exc, OSError):
        why = exc.strerror or str(exc)
    else:
        why = str(exc) or type(exc).__name__
    return RunlensError(f"cannot be written ({why})", path=name)


def _write_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a failed write (not a bug in the code producing the bytes)."""
    if isinstance(exc, (OSError, zlib.error)):
        return True
    return isinstance(exc, ValueError) and "closed file" in str(exc)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a path to write instead of ``path``; on success it replaces ``path``.

    Raises
    ------
    RunlensError
        The folder does not exist, or the write failed (DiskFullError when
        the disk is full); ``path`` is then as it was before.
    """
    named = Path(path)  # as the user named it, in messages
    target = named
    if target.is_symlink():  # replace the file the link points to, not the link
        target = Path(os.path.realpath(target))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise output_error(exc, named) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise RunlensError("is a folder, not a file to write", path=str(named))
        try:
            yield target  # a device or FIFO: written as it is, nothing beside it
        except Exception as exc:
            if _write_error(exc):
                raise output_error(exc, named) from None
            raise
        return
    folder = target.parent
    if not folder.is_dir():
        raise RunlensError(f"folder {folder} does not exist", path=str(named))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise output_error(exc, named) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if st is not None:
            os.chmod(tmp_path, stat.S_IMODE(st.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, Exception) and _write_error(exc):
            raise output_error(exc, named) from None
        raise
