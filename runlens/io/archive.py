"""Read activity files inside .zip archives in place: nothing is extracted to disk.

Strava's bulk export is one zip (``activities/*.fit.gz``, ``*.gpx.gz``,
``*.tcx.gz`` and ``activities.csv``); Garmin Connect's "export all data"
keeps FIT files in zips inside the export's
``DI_CONNECT/DI-Connect-Uploaded-Files`` folder, and its activity summaries in
``DI_CONNECT/DI-Connect-Fitness/*summarizedActivities.json``.

A member is named ``ARCHIVE!/MEMBER`` (``outer.zip!/inner.zip!/a.fit`` when
nested). Bounds against zip bombs and hostile archives, all checked before
or while inflating, never after:

- nesting deeper than :data:`MAX_DEPTH` zips is not entered;
- a member is read only up to :data:`~runlens.io.source.MAX_INPUT_BYTES`
  inflated (whatever its header claims), a nested zip up to
  :data:`MAX_NESTED_ZIP_BYTES`;
- at most :data:`MAX_MEMBERS` members are listed per archive.

What cannot be read (a corrupt member, a bad CRC, a nested zip that is not
one) is reported per member, never for the whole archive.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import RunlensError
from .names import SEP, looks_like_zip  # noqa: F401 (re-exported: the zip path syntax)
from .source import MAX_INPUT_BYTES

__all__ = [
    "MAX_DEPTH",
    "MAX_MEMBERS",
    "MAX_NESTED_ZIP_BYTES",
    "SEP",
    "Member",
    "Archive",
    "is_zip_name",
    "looks_like_zip",
]

#: Zips inside zips are entered this many levels deep (the outer zip is level 1).
MAX_DEPTH = 3
#: Members listed per archive (a directory of millions of entries is refused).
MAX_MEMBERS = 200_000
#: A nested zip is held in memory to be read; larger ones are refused (bytes).
MAX_NESTED_ZIP_BYTES = 1024 * 1024 * 1024
#: A nested zip is inflated into a temporary file, kept in memory up to this size (bytes).
SPOOL_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 1 << 20


def _why(exc: BaseException) -> str:
    """One short line for an exception (a bad name's bytes are not repeated in full)."""
    if isinstance(exc, UnicodeDecodeError):
        return "a member name flagged as UTF-8 is not UTF-8"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _odd_member(path: str, name: str, count: int) -> tuple[str, str]:
    """A member that cannot be named on its own: (path, reason), reported, not read."""
    if SEP in name:
        return path, f"its name holds {SEP!r}, which runlens uses between a zip and a member; not read"
    return path, (f"{count} members share this name, so none can be told apart; none was read "
                  "(extract the zip and scan the folder to read them)")


class _HeaderWalkZip(zipfile.ZipFile):
    """A zip read from members found by their local headers (no central directory)."""

    def __init__(self, path: str, infos: list[zipfile.ZipInfo]) -> None:
        self._found = infos
        super().__init__(path, "r")

    def _RealGetContents(self) -> None:  # noqa: N802 - zipfile's own hook
        for zi in self._found:
            self.filelist.append(zi)
            self.NameToInfo[zi.filename] = zi


def _salvage(path: str) -> zipfile.ZipFile | None:
    """The complete members of a zip whose directory is gone, walked by their local
    headers from the start (sizes from the headers; a member written with a trailing
    data descriptor ends the walk). None if not even one member is complete."""
    import struct

    infos: list[zipfile.ZipInfo] = []
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            off = 0
            while off + 30 <= size and len(infos) < MAX_MEMBERS:
                fh.seek(off)
                head = fh.read(30)
                if head[:4] != b"PK\x03\x04":
                    break
                (_, _, flags, method, mtime, mdate, crc, csize, usize, nlen, xlen) = struct.unpack(
                    "<4sHHHHHIIIHH", head
                )
                if flags & 0x08 or flags & 0x01 or 0xFFFFFFFF in (csize, usize):
                    break  # sizes not in the header (data descriptor), encrypted, or zip64
                raw = fh.read(nlen + xlen)
                end = off + 30 + nlen + xlen + csize
                if len(raw) < nlen + xlen or end > size:
                    break  # cut inside this member
                name = raw[:nlen].decode("utf-8" if flags & 0x800 else "cp437", "replace")
                zi = zipfile.ZipInfo(name)
                zi.header_offset, zi.compress_type, zi.flag_bits = off, method, flags
                zi.CRC, zi.compress_size, zi.file_size = crc, csize, usize
                zi.extra = raw[nlen:]
                zi.date_time = (
                    (mdate >> 9) + 1980, max(1, (mdate >> 5) & 15), max(1, mdate & 31),
                    mtime >> 11, (mtime >> 5) & 63, (mtime & 31) * 2,
                )
                infos.append(zi)
                off = end
        if not infos:
            return None
        return _HeaderWalkZip(path, infos)
    except (OSError, ValueError, struct.error, zipfile.BadZipFile):
        return None


def is_zip_name(name: str) -> bool:
    """Whether a name ends in .zip (case-insensitive)."""
    return name.lower().endswith(".zip")


@dataclass(frozen=True)
class Member:
    """One file inside an archive.

    Attributes
    ----------
    path : str
        ``ARCHIVE!/NAME`` (nested: ``ARCHIVE!/INNER.zip!/NAME``).
    chain : tuple of str
        Member names from the outer archive down to this one.
    size : int
        Inflated size the archive's directory declares (bytes).
    crc : int
        CRC-32 the directory declares: a member whose size and CRC are the
        same as stored is unchanged and is not read again.
    """

    path: str
    chain: tuple[str, ...]
    size: int
    crc: int


class Archive:
    """An open zip archive (read-only), and the zips nested in it.

    Parameters
    ----------
    path : str
        The archive file; opened read-only and never written.

    Raises
    ------
    RunlensError
        Not a zip, or its directory cannot be read.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        #: Set when the zip's directory was unreadable and its complete members were
        #: found by their local headers instead (a download cut short): what was lost.
        self.salvaged: str | None = None
        try:
            self._zip = zipfile.ZipFile(self.path, "r")
        except zipfile.BadZipFile as exc:
            z = _salvage(self.path)
            if z is None:
                raise RunlensError(
                    f"not a readable zip archive ({_why(exc)})", path=self.path
                ) from None
            self._zip = z
            self.salvaged = (
                f"damaged zip ({_why(exc)}): {len(z.infolist())} complete member(s) found by "
                "their own headers were read; what follows them is lost"
            )
        except (OSError, ValueError, EOFError) as exc:
            raise RunlensError(f"not a readable zip archive ({_why(exc)})", path=self.path) from None
        self._nested: dict[tuple[str, ...], zipfile.ZipFile] = {}

    def close(self) -> None:
        for z in self._nested.values():
            z.close()
            z.fp_spool.close()
        self._nested.clear()
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- listing
    def _open(self, chain: tuple[str, ...]) -> zipfile.ZipFile:
        """The zip at ``chain`` (() for the outer one), nested ones read into memory."""
        if not chain:
            return self._zip
        z = self._nested.get(chain)
        if z is None:
            # Only the innermost chain is kept open: nested zips are visited in order.
            for k in [k for k in self._nested if k != chain[: len(k)]]:
                old = self._nested.pop(k)
                old.close()
                old.fp_spool.close()
            spool = self._spool(chain)
            try:
                z = zipfile.ZipFile(spool, "r")
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                spool.close()
                raise RunlensError(
                    f"not a readable zip archive ({_why(exc)})", path=self.name(chain)
                ) from None
            z.fp_spool = spool  # closed with it (ZipFile leaves a passed file open)
            self._nested[chain] = z
        return z

    def name(self, chain: tuple[str, ...]) -> str:
        """The ``ARCHIVE!/...`` path of a chain."""
        return SEP.join((self.path, *chain))

    def members(
        self, want, *, skip_nested=None, problems: list[tuple[str, str]] | None = None
    ) -> Iterator[Member]:
        """Members whose name ``want(name)`` accepts, nested zips entered.

        Parameters
        ----------
        want : callable
            ``want(basename) -> bool``: which members to yield.
        skip_nested : callable, optional
            ``skip_nested(member) -> bool``: a nested zip not to enter (unchanged
            since the last scan).
        problems : list, optional
            Receives ``(path, reason)`` for nested zips that cannot be entered.

        Yields
        ------
        Member
            Files first, then nested zips are entered (depth-first).
        """
        yield from self._walk((), want, skip_nested, problems, 1)

    def _walk(self, chain, want, skip_nested, problems, depth) -> Iterator[Member]:
        z = self._open(chain)
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise RunlensError(
                f"archive lists {len(infos)} members; runlens reads archives of up to "
                f"{MAX_MEMBERS}",
                path=self.name(chain),
            )
        nested = []
        from collections import Counter

        from .names import is_activity_name

        counts = Counter(i.filename for i in infos)
        reported: set[str] = set()
        for info in infos:
            if info.is_dir():
                continue
            base = info.filename.rsplit("/", 1)[-1]
            if base.startswith(".") or info.filename.startswith("__MACOSX/"):
                continue
            odd = SEP in info.filename or counts[info.filename] > 1
            if odd and (is_activity_name(base) or is_zip_name(base)):
                if problems is not None and info.filename not in reported:
                    reported.add(info.filename)  # one line per name
                    problems.append(_odd_member(self.name((*chain, info.filename)),
                                                info.filename, counts[info.filename]))
                continue
            m = Member(self.name((*chain, info.filename)), (*chain, info.filename),
                       info.file_size, info.CRC)
            if is_zip_name(base):
                nested.append(m)
            elif want(base):
                yield m
        for m in nested:
            if skip_nested is not None and skip_nested(m):
                continue
            if depth >= MAX_DEPTH:
                if problems is not None:
                    problems.append((m.path, f"zip nested more than {MAX_DEPTH} deep; not opened"))
                continue
            try:
                inner = list(self._walk(m.chain, want, skip_nested, problems, depth + 1))
            except RunlensError as exc:
                if problems is not None:
                    problems.append((m.path, exc.message))
                continue
            yield from inner

    # ----------------------------------------------------------------- reading
    def _spool(self, chain: tuple[str, ...]):
        """A nested zip inflated into a temporary file (in memory up to
        :data:`SPOOL_IN_MEMORY` bytes, on disk beyond, deleted when closed)."""
        import tempfile

        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        try:
            for piece in self._pieces(chain, MAX_NESTED_ZIP_BYTES, "nested zip"):
                out.write(piece)
            out.seek(0)
        except BaseException:
            out.close()
            raise
        return out

    def _read(self, chain: tuple[str, ...], limit: int, what: str) -> bytes:
        return b"".join(self._pieces(chain, limit, what))

    def _pieces(self, chain: tuple[str, ...], limit: int, what: str):
        z = self._open(chain[:-1])
        name = self.name(chain)
        try:
            info = z.getinfo(chain[-1])
        except KeyError:
            raise RunlensError("no such member in the archive", path=name) from None
        if info.file_size > limit:
            raise RunlensError(
                f"{what} of {info.file_size / 2**20:.0f} MiB; runlens reads up to "
                f"{limit // 2**20} MiB",
                path=name,
            )
        total = 0
        try:
            with z.open(info, "r") as fh:
                while True:
                    piece = fh.read(_CHUNK)
                    if not piece:
                        break
                    total += len(piece)
                    if total > limit:  # the header lied about the size: a bomb stops here
                        raise RunlensError(
                            f"{what} inflates beyond {limit // 2**20} MiB; not read", path=name
                        )
                    yield piece
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
            raise RunlensError(f"damaged archive member ({exc})", path=name) from None
        except NotImplementedError as exc:  # an unsupported compression method
            raise RunlensError(f"archive member cannot be read ({exc})", path=name) from None
        except RuntimeError as exc:  # encrypted
            raise RunlensError(f"archive member cannot be read ({exc})", path=name) from None

    def read(self, member: Member) -> bytes:
        """A member's bytes, inflated in bounded pieces (RunlensError if it cannot be read)."""
        return self._read(member.chain, MAX_INPUT_BYTES, "member")


def open_in_archive(spec: str) -> tuple[str, bytes] | None:
    """The activity named by ``spec`` when it is in a zip, as (name, bytes); else None.

    ``spec`` is ``ZIP!/MEMBER`` (nested: ``ZIP!/INNER.zip!/MEMBER``), or a zip
    holding exactly one activity file. A path that is not a zip gives None
    (it is read as an activity file).

    Raises
    ------
    RunlensError
        The member is missing or unreadable, or the zip holds no activity or
        several (the message lists how to name one).
    """
    from .names import is_activity_name

    if SEP in spec:
        outer, *chain = spec.split(SEP)
        if not os.path.isfile(outer):
            raise RunlensError("no such zip archive", path=outer)
        with Archive(outer) as arc:
            m = Member(spec, tuple(chain), 0, 0)
            return spec, arc.read(m)
    if not (os.path.isfile(spec) and looks_like_zip(spec)):
        return None
    with Archive(spec) as arc:
        found = list(arc.members(is_activity_name))
        if len(found) != 1:
            what = "no activity file" if not found else f"{len(found)} activity files"
            example = f"; name one as {found[0].path}" if found else ""
            raise RunlensError(
                f"a zip archive holding {what}{example} (or scan the whole archive with "
                "`runlens scan`)",
                path=spec,
            )
        return found[0].path, arc.read(found[0])
