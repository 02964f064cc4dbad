"""Property-based tests of the error policy (issue 14): every command, run on generated bad input, exits
non-zero with one ``error:`` line, prints no traceback, and changes no file.

Generated inputs: numbers outside each option's range (negative, zero, past int64, non-finite, not a
number), output paths under a file or onto a folder, circuit files that do not parse, sweep specs (TOML)
with one invalid mutation, and stats CSVs with a broken header or a truncated row. ``make test`` runs a
few examples per property (profile ``fast``: deterministic, no deadline); ``make test-slow`` runs the
``slow`` copies with many more.
"""

from __future__ import annotations

import contextlib
import pathlib
import tempfile

import pytest
import sinter
import stim
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftq.cli import main
from tests.toy import TOY

FAST = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SLOW = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

SPEC = {"circuit": '"toy.stim"', "p": "0.01", "decoder": '"perfectionist"', "max_shots": "100"}
INT64 = 2**63

# --- generated values --------------------------------------------------------------------------------

NOT_A_NUMBER = st.sampled_from(["", "abc", "1.5.2", "0x", "--", "1e", "[1]", "ten"])
NON_FINITE = st.sampled_from(["nan", "inf", "-inf", "NaN", "1e400"])


def ints(*, below: int | None = None, above: int | None = None) -> st.SearchStrategy[str]:
    """Integers (as text) below ``below`` or above ``above``, or past int64, or not numbers at all."""
    parts = [st.integers(min_value=INT64).map(str), NOT_A_NUMBER]
    if below is not None:
        parts.append(st.integers(max_value=below - 1).map(str))
    if above is not None:
        parts.append(st.integers(min_value=above + 1, max_value=INT64 - 1).map(str))
    return st.one_of(parts)


def floats(*, below: float | None = None, above: float | None = None) -> st.SearchStrategy[str]:
    """Floats (as text) at or below ``below`` or above ``above``, non-finite, or not numbers."""
    parts = [NON_FINITE, NOT_A_NUMBER]
    if below is not None:
        parts.append(st.floats(max_value=below, allow_nan=False, allow_infinity=False).map(repr))
    if above is not None:
        parts.append(
            st.floats(min_value=above, allow_nan=False, allow_infinity=False, exclude_min=True).map(repr)
        )
    return st.one_of(parts)


# (command with {d} for the work folder, option, bad values); every other argument is valid
NUMBER_CASES = [
    (["sample", "{d}/toy.stim", "--decoder", "perfectionist"], "--shots", ints(below=1)),
    (["sample", "{d}/toy.stim", "--shots", "100", "--decoder", "perfectionist"], "--seed", ints(below=0)),
    (["estimate", "{d}/toy.stim", "--method", "brute", "--shots", "100"], "--seed", ints(below=0)),
    (["estimate", "{d}/toy.stim", "--method", "brute"], "--shots", ints(below=1)),
    (["estimate", "{d}/toy.stim", "--method", "brute", "--shots", "100"], "--max-seconds", floats(below=0)),
    (
        ["estimate", "{d}/toy.stim", "--method", "brute", "--shots", "100"],
        "--target-rel-error",
        floats(below=0),
    ),
    (["estimate", "{d}/toy.stim", "--max-weight", "1"], "--scale-noise", floats(below=0, above=5)),
    (["estimate", "{d}/toy.stim"], "--max-weight", ints(below=1, above=12)),
    (["estimate", "{d}/toy.stim", "--max-weight", "1"], "--tail-orders", ints(below=0, above=12)),
    (["estimate", "{d}/toy.stim", "--max-weight", "1", "--tail-orders", "1"], "--tail-paths", ints(below=1)),
    (["circuit", "--json"], "--d1", ints(below=3, above=5)),
    (["circuit", "--json", "--protocol", "end2end"], "--final-distance", ints(below=7, above=41)),
    (["circuit", "--json"], "--p", floats(below=0, above=0.5)),
    (["circuit", "--json", "--noise", "si1000"], "--p", floats(below=0, above=0.1)),
    (["demo", "--out", "{d}/demo.png"], "--seed", ints(below=0)),
    (["demo", "--out", "{d}/demo.png"], "--shots", ints(below=1000)),
    (["demo", "--out", "{d}/demo.png"], "--max-weight", ints(below=1, above=7)),
    (["sweep", "run", "{d}/toy/toy.toml"], "--workers", ints(below=1, above=1024)),
    (["plot", "{d}/toy/stats.csv", "--out", "{d}/p.png"], "--max-attempts", floats(below=1 - 1e-9)),
]

BAD_TOML = st.one_of(
    # one key with a value of the wrong type or out of range
    st.tuples(st.just("max_shots"), st.sampled_from(["0", "-5", "1.5", '"many"', "true", "[1]"])),
    st.tuples(st.just("max_errors"), st.sampled_from(["0", "-1", '"x"', "2.5"])),
    st.tuples(st.just("p"), st.sampled_from(["0", "-0.1", "0.5", "7", "[]", '"low"', "nan", "inf"])),
    st.tuples(st.just("decoder"), st.text(alphabet="abcxyz_", min_size=1).map(lambda s: f'"no_{s}"')),
    st.tuples(st.just("noise"), st.sampled_from(['"loud"', '"uniform "', "3"])),
    st.tuples(st.just("circuit"), st.sampled_from(['"missing.stim"', '"."', "5"])),
    st.tuples(st.just("name"), st.sampled_from(['""', '"a/b"', '".hidden"', '"x y"'])),
    st.tuples(st.text(alphabet="abcdefgh_", min_size=2).map(lambda k: f"zz_{k}"), st.just("1")),
    # a required key missing
    st.tuples(st.sampled_from(["p", "decoder", "max_shots", "circuit"]), st.just(None)),
)


# --- the property ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _workdir():
    with tempfile.TemporaryDirectory(prefix="ftq-fuzz-") as name:
        yield _fill(pathlib.Path(name))


def _fill(d: pathlib.Path) -> pathlib.Path:
    TOY.to_file(d / "toy.stim")
    (d / "afile").write_text("not a folder\n")
    (d / "toy").mkdir()
    TOY.to_file(d / "toy" / "toy.stim")
    (d / "toy" / "toy.toml").write_text("".join(f"{k} = {v}\n" for k, v in SPEC.items()))
    row = sinter.TaskStats(strong_id="a" * 64, decoder="perfectionist", json_metadata={"p": 0.01}, shots=100)
    (d / "toy" / "stats.csv").write_text(sinter.CSV_HEADER + "\n" + row.to_csv_line() + "\n")
    return d


def _snapshot(folder: pathlib.Path) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(argv: list[str], folder: pathlib.Path) -> None:
    """The property: non-zero exit, one ``error:`` line naming no internal error, no file changed."""
    before = _snapshot(folder)
    r = CliRunner().invoke(main, argv)
    assert r.exit_code not in (0, None), (argv, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), (argv, repr(r.exception))
    assert r.output.startswith("error: ") and r.output.count("\n") == 1, (argv, r.output)
    assert "internal error" not in r.output and "Traceback" not in r.output, (argv, r.output)
    assert _snapshot(folder) == before, argv


def _number(case: int, value: str) -> None:
    base, option, _ = NUMBER_CASES[case]
    with _workdir() as d:
        assert_refused([a.replace("{d}", str(d)) for a in base] + [f"{option}={value}"], d)


number_input = st.integers(0, len(NUMBER_CASES) - 1).flatmap(
    lambda i: st.tuples(st.just(i), NUMBER_CASES[i][2])
)


def _path(command: int, where: str) -> None:
    with _workdir() as d:
        target = {
            "under a file": d / "afile" / "x.out",
            "a folder": d / "toy",
            "a missing drive": d / "afile" / "a" / "b",
        }[where]
        commands = [
            ["circuit", "--out", str(target)],
            ["demo", "--shots", "1000", "--max-weight", "1", "--out", str(target)],
            ["plot", str(d / "toy" / "stats.csv"), "--out", str(target)],
            ["estimate", str(d / "toy.stim"), "--max-weight", "1", "--csv", str(target)],
            ["sample", str(target)],
            ["estimate", str(target)],
            ["sweep", "run", str(target)],
            ["sweep", "compact", str(target)],
        ]
        assert_refused(commands[command], d)


def _circuit_text(command: int, text: str) -> None:
    with _workdir() as d:
        (d / "bad.stim").write_text(text)
        try:
            c = stim.Circuit(text)
            assume_bad = c.num_observables == 0 or c.num_detectors == 0
        except ValueError:
            assume_bad = True
        if not assume_bad:
            return  # a generated text that happens to be a usable circuit: not bad input
        commands = [
            ["sample", str(d / "bad.stim"), "--shots", "100", "--decoder", "perfectionist"],
            ["estimate", str(d / "bad.stim"), "--max-weight", "1"],
            ["estimate", str(d / "bad.stim"), "--method", "brute", "--shots", "100"],
        ]
        assert_refused(commands[command], d)


def _toml(mutation: tuple[str, str | None]) -> None:
    key, value = mutation
    with _workdir() as d:
        spec = dict(SPEC)
        if value is None:
            spec.pop(key)
        else:
            spec[key] = value
        (d / "toy" / "toy.toml").write_text("".join(f"{k} = {v}\n" for k, v in spec.items()))
        assert_refused(["sweep", "run", str(d / "toy" / "toy.toml")], d)


def _csv(command: int, mutation: str, cut: float, noise: str) -> None:
    with _workdir() as d:
        csv_path = d / "toy" / "stats.csv"
        text = csv_path.read_text()
        header, row = text.splitlines()[:2]
        if mutation == "header":
            if noise.strip() == header.strip() or not noise.strip():
                return
            text = noise + "\n" + row + "\n"
        elif mutation == "torn":  # a whole row, then one cut short with no line end (a crash mid-write)
            text = header + "\n" + row + "\n" + row[: int(cut * (len(row) - 1)) + 1]
        else:  # a row cut short inside its json_metadata, then later rows (a torn write appended to)
            start = row.index("{")
            text = header + "\n" + row[: start + int(cut * (len(row) - start - 2)) + 1] + "\n" + row + "\n"
        csv_path.write_text(text)
        commands = [
            ["sweep", "run", str(d / "toy" / "toy.toml")],
            ["sweep", "compact", str(d / "toy" / "toy.toml")],
            ["plot", str(d / "toy" / "toy.toml"), "--out", str(d / "p.png")],
            ["plot", str(csv_path), "--out", str(d / "p.png")],
            ["estimate", str(d / "toy.stim"), "--max-weight", "1", "--csv", str(csv_path)],
        ]
        assert_refused(commands[command], d)


PATH_INPUT = (st.integers(0, 7), st.sampled_from(["under a file", "a folder", "a missing drive"]))
CIRCUIT_TEXT = (
    st.integers(0, 2),
    st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(["M 0", "X_ERROR(0.1) 0", "DETECTOR rec[-1]", "H 0", "TICK", "M(2) 0"])).map(
            "\n".join
        ),
    ),
)
CSV_INPUT = (
    st.integers(0, 4),
    st.sampled_from(["header", "truncated", "torn"]),
    st.floats(0, 1),
    st.text(alphabet="abc, \t;", max_size=40),
)


@FAST
@given(number_input)
def test_numbers_out_of_range_are_refused(case):
    _number(*case)


@FAST
@given(*PATH_INPUT)
def test_unusable_paths_are_refused(command, where):
    _path(command, where)


@FAST
@given(*CIRCUIT_TEXT)
def test_malformed_circuits_are_refused(command, text):
    _circuit_text(command, text)


@FAST
@given(BAD_TOML)
def test_invalid_sweep_specs_are_refused(mutation):
    _toml(mutation)


@FAST
@given(*CSV_INPUT)
def test_corrupt_stats_csvs_are_refused(command, mutation, cut, noise):
    _csv(command, mutation, cut, noise)


@pytest.mark.slow
@SLOW
@given(number_input)
def test_numbers_out_of_range_are_refused_long(case):
    _number(*case)


@pytest.mark.slow
@SLOW
@given(*PATH_INPUT)
def test_unusable_paths_are_refused_long(command, where):
    _path(command, where)


@pytest.mark.slow
@SLOW
@given(*CIRCUIT_TEXT)
def test_malformed_circuits_are_refused_long(command, text):
    _circuit_text(command, text)


@pytest.mark.slow
@SLOW
@given(BAD_TOML)
def test_invalid_sweep_specs_are_refused_long(mutation):
    _toml(mutation)


@pytest.mark.slow
@SLOW
@given(*CSV_INPUT)
def test_corrupt_stats_csvs_are_refused_long(command, mutation, cut, noise):
    _csv(command, mutation, cut, noise)
