"""Files written whole or not at all: a crash or a bad input never leaves a half-written output.

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> write_text_atomic(p, "hello")
>>> p.read_text()
'hello'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def append_lines(path: str | os.PathLike, lines: list[str], *, header: str) -> None:
    """Append ``lines`` to a text file as one write under an exclusive lock; ``header`` first if it is empty.

    Used for sinter CSVs (``header=sinter.CSV_HEADER``): two writers never interleave inside a row, a reader
    never sees half a batch, and a new file starts with its header exactly once.

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
        if os.fstat(fd).st_size == 0:
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

    from ftq.errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"circuit file {str(path)!r} does not exist; pass a .stim file.")
    try:
        return stim.Circuit.from_file(str(path))
    except (OSError, ValueError) as e:
        raise InputError(
            f"circuit file {str(path)!r} is not a valid stim circuit ({str(e).splitlines()[0]})."
        ) from None


def read_tagged_circuit(path: str | os.PathLike, *, postselected_detectors_predicate: str | None = None):
    """:func:`read_circuit`, also requiring every detector to carry its tag (:mod:`ftq.tags`) coordinates.

    With ``postselected_detectors_predicate`` (sinter's meaning) the predicate decides which detectors are
    postselected instead, and the circuit comes back re-tagged (:func:`ftq.tags.apply_postselection_predicate`).
    """
    from ftq.errors import InputError
    from ftq.tags import apply_postselection_predicate, read_detector_tags

    circuit = read_circuit(path)
    if postselected_detectors_predicate is not None:
        return apply_postselection_predicate(circuit, postselected_detectors_predicate)
    try:
        read_detector_tags(circuit)
    except ValueError as e:
        raise InputError(f"circuit file {str(path)!r}: {e}") from None
    return circuit
