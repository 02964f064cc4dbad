"""Files written whole or not at all: a crash or a bad input never leaves a half-written output.

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> write_text_atomic(p, "hello")
>>> p.read_text()
'hello'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ftq.errors import InputError


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"cannot write {str(path)!r} ({e.strerror or e}).") from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: str | os.PathLike, *, folder: bool = False) -> None:
    """Raise :class:`InputError` unless ``path`` (a file, or a folder with ``folder=True``) can be written.

    Checked before any work starts, so a bad output path costs nothing and changes nothing: the nearest
    existing ancestor must be a writable folder, and ``path`` itself, if it exists, of the right kind.

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = f.write_text("x")
    >>> check_writable(f / "out.stim")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: cannot write '.../notes.txt/out.stim': '.../notes.txt' is a file, not a folder.
    """
    path = Path(path)
    if path.exists():
        if folder and not path.is_dir():
            raise InputError(f"cannot write into {str(path)!r}: it is a file, not a folder.")
        if not folder and path.is_dir():
            raise InputError(f"cannot write {str(path)!r}: it is a folder; give a file name.")
        if not os.access(path, os.W_OK):
            raise InputError(f"cannot write {str(path)!r}: permission denied.")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"cannot write {str(path)!r}: {str(parent)!r} is a file, not a folder.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {str(path)!r}: the folder {str(parent)!r} is not writable.")


def make_folder(path: str | os.PathLike) -> None:
    """Create ``path``'s folder (and its parents) if missing; :class:`InputError` naming it if that fails.

    >>> import tempfile
    >>> make_folder(Path(tempfile.mkdtemp()) / "a" / "b" / "stats.csv")
    """
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the sweep folder {str(folder)!r} ({e.strerror or e}).") from None


@contextlib.contextmanager
def output_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on the folder of ``path`` (which must exist) while the block runs, or refuse.

    One writer per output: a sweep run and ``sweep compact`` take it on their ``stats.csv``; a second process
    asking for it gets :class:`InputError` at once (it does not wait). The lock is the kernel's (``flock``
    on the folder), so it creates no file and a killed holder (even ``kill -9``) releases it.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
    >>> with output_lock(p):
    ...     with output_lock(p):
    ...         pass
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: another ftq process is writing to '...stats.csv'; wait for it to finish (or stop it) and run again.
    """
    import fcntl

    path = Path(path)
    try:
        fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        raise InputError(f"cannot lock {str(path)!r} ({e.strerror or e}).") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another ftq process is writing to {str(path)!r}; wait for it to finish (or stop it) "
                "and run again."
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def append_lines(path: str | os.PathLike, lines: list[str], *, header: str | None) -> None:
    """Append ``lines`` to a text file as one write under an exclusive lock; ``header`` first if it is empty
    (``None``: a file without a header, such as JSON lines).

    Used for sinter CSVs (``header=sinter.CSV_HEADER``) and splitting runs (``splitting.jsonl``): two writers
    never interleave inside a row, a reader never sees half a batch, and a new file starts with its header
    exactly once.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> append_lines(p, ["1,2"], header="a,b")
    >>> append_lines(p, ["3,4", "5,6"], header="a,b")
    >>> p.read_text().splitlines()
    ['a,b', '1,2', '3,4', '5,6']
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        text = "".join(line + "\n" for line in lines)
        if header is not None and os.fstat(fd).st_size == 0:
            text = header + "\n" + text
        data = text.encode("utf8")
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock


def read_circuit(path: str | os.PathLike):
    """A stim circuit from a file; :class:`ftq.errors.InputError` naming the file if it is missing or invalid.

    >>> read_circuit("no/such.stim")
    Traceback (most recent call last):
    ...
    ftq.errors.InputError: circuit file 'no/such.stim' does not exist; pass a .stim file.
    """
    import stim

    path = Path(path)
    if not path.is_file():
        raise InputError(f"circuit file {str(path)!r} does not exist; pass a .stim file.")
    try:
        return stim.Circuit.from_file(str(path))
    except (OSError, ValueError) as e:
        raise InputError(
            f"circuit file {str(path)!r} is not a valid stim circuit ({str(e).splitlines()[0]})."
        ) from None


def read_tagged_circuit(
    path: str | os.PathLike, *, postselected_detectors_predicate: str | None = None, label: str | None = None
):
    """:func:`read_circuit` made ready to sample: re-tagged by ``postselected_detectors_predicate`` (sinter's
    meaning, :func:`ftq.tags.apply_postselection_predicate`) when one is given, then checked to have an
    observable and a tag on every detector (:func:`ftq.sweeps.check_sampleable`; ``label`` names the circuit in
    its error, default ``circuit file '<path>'``).
    """
    from ftq.sweeps import check_sampleable
    from ftq.tags import apply_postselection_predicate

    circuit = read_circuit(path)
    if postselected_detectors_predicate is not None:
        circuit = apply_postselection_predicate(circuit, postselected_detectors_predicate)
    check_sampleable(circuit, label=label if label is not None else f"circuit file {str(path)!r}")
    return circuit
