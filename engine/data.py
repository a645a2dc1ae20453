"""Data for the preprocessing lab: 2-D clouds, scikit-learn's bundled images, uploaded CSV and .npy files."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_CSV_BYTES = 2 << 20
MAX_NPY_BYTES = 8 << 20  # binary float64: 8 MB holds 10,000 rows of 100 columns
NPY_MAGIC = b"\x93NUMPY"
MAX_CSV_ROWS = 50_000
MAX_CSV_COLUMNS = 100
MIN_CSV_ROWS = 3


def cloud(n: int, offset: tuple[float, float], scale: tuple[float, float], corr: float, seed: int) -> np.ndarray:
    """n points of a 2-D Gaussian with the given mean, per-axis std and correlation: (n, 2)."""
    sx, sy = scale
    cov = np.array([[sx * sx, corr * sx * sy], [corr * sx * sy, sy * sy]])
    # eigh, not cholesky: |corr| = 1 or a zero scale give a singular covariance.
    vals, vecs = np.linalg.eigh(cov)
    root = vecs * np.sqrt(np.maximum(vals, 0.0))
    return np.asarray(offset) + np.random.default_rng(seed).standard_normal((n, 2)) @ root.T


def labelled_cloud(
    n: int, offset: tuple[float, float], scale: tuple[float, float], corr: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A two-class cloud: the label is the side of the cloud's diagonal (5% flipped). (n, 2), (n,)."""
    rng = np.random.default_rng(seed + 1)
    z = rng.standard_normal((n, 2))
    labels = ((z[:, 0] + z[:, 1]) > 0).astype(float)
    flip = rng.random(n) < 0.05
    labels[flip] = 1.0 - labels[flip]
    sx, sy = scale
    mixing = np.array([[sx, 0.0], [corr * sy, np.sqrt(max(1.0 - corr * corr, 0.0)) * sy]])
    return np.asarray(offset) + z @ mixing.T, labels


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits (1,797 images, pixel values 0..16): (1797, 64), (1797,).

    Read from the file scikit-learn ships, as load_digits reads it, without importing scikit-learn:
    that import took 0.5 s of a cold server's 3.3 s of CPU for the transfer lab's first open
    (bench/transfer_page.py, docs/transfer.md).
    """
    shipped = _sklearn_file("datasets/data/digits.csv.gz")
    if shipped is None:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        return bunch.data.astype(float), bunch.target.astype(int)
    table = np.loadtxt(shipped, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def _sklearn_file(relative: str) -> Path | None:
    """A data file inside the installed scikit-learn package, found without importing the package."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / relative
    return path if path.is_file() else None


def photo_patches(count: int, size: int, seed: int) -> np.ndarray:
    """Random size x size RGB patches of scikit-learn's two sample photos: (count, size, size, 3), 0..255."""
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    rng = np.random.default_rng(seed)
    out = np.empty((count, size, size, 3))
    for i in range(count):
        photo = photos[i % len(photos)]
        r = rng.integers(0, photo.shape[0] - size)
        c = rng.integers(0, photo.shape[1] - size)
        out[i] = photo[r : r + size, c : c + size]
    return out


def split(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled (train, test) index arrays."""
    order = np.random.default_rng(seed).permutation(n)
    cut = n - max(1, round(n * test_fraction))
    return order[:cut], order[cut:]


@dataclass(frozen=True)
class ParsedTable:
    """A numeric table read from a file, or None with the reasons; notes are warnings that still allow use."""

    values: np.ndarray | None
    columns: tuple[str, ...]
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def parse_csv(data: bytes) -> ParsedTable:
    """Read a CSV of numeric columns (optional header row) with size caps and readable errors."""
    if len(data) > MAX_CSV_BYTES:
        return ParsedTable(None, (), (f"The file is {len(data) / 2**20:.1f} MB; the limit is 2 MB.",))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedTable(None, (), ("The file is not UTF-8 text; save it as CSV (UTF-8).",))
    rows = [line.split(",") for line in text.splitlines() if line.strip()]
    if not rows:
        return ParsedTable(None, (), ("The file is empty.",))
    header = _header(rows[0])
    body = rows[1:] if header else rows
    names = tuple(cell.strip() for cell in rows[0]) if header else tuple(f"column {i + 1}" for i in range(len(rows[0])))
    return _numeric_table(body, names)


def _header(first: list[str]) -> bool:
    try:
        [float(cell) for cell in first if cell.strip()]
    except ValueError:
        return True
    return False


def _numeric_table(body: list[list[str]], names: tuple[str, ...]) -> ParsedTable:
    width = len(names)
    if width > MAX_CSV_COLUMNS:
        return ParsedTable(None, names, (f"{width} columns; the limit is {MAX_CSV_COLUMNS}.",))
    if len(body) > MAX_CSV_ROWS:
        return ParsedTable(None, names, (f"{len(body)} rows; the limit is {MAX_CSV_ROWS:,}.",))
    if any(len(row) != width for row in body):
        return ParsedTable(None, names, ("Rows have different numbers of columns.",))
    values = np.full((len(body), width), np.nan)
    bad_columns = set()
    for i, row in enumerate(body):
        for j, cell in enumerate(row):
            cell = cell.strip()
            if not cell:
                continue
            try:
                values[i, j] = float(cell)
            except ValueError:
                bad_columns.add(names[j])
    if bad_columns:
        listed = ", ".join(sorted(bad_columns))
        return ParsedTable(None, names, (f"Non-numeric values in column(s) {listed}: only numbers can be used.",))
    return _usable_table(values, names)


def parse_npy(data: bytes) -> ParsedTable:
    """Read a NumPy .npy file of a 1-D or 2-D numeric array; never unpickles (allow_pickle=False)."""
    if len(data) > MAX_NPY_BYTES:
        limit = f"the limit is {MAX_NPY_BYTES >> 20} MB"
        return ParsedTable(None, (), (f"The file is {len(data) / 2**20:.1f} MB; {limit}.",))
    not_npy = ParsedTable(None, (), ("This file cannot be used: it is not a .npy file.",))
    if not data.startswith(NPY_MAGIC):  # np.load would take anything else for a pickle
        return not_npy
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        if "pickle" not in str(error):
            return not_npy
        return ParsedTable(None, (), ("This file cannot be used: it holds Python objects, which are never loaded.",))
    except (OSError, EOFError):
        return not_npy
    if not isinstance(array, np.ndarray) or array.ndim not in (1, 2) or array.dtype.kind not in "biuf":
        shape = getattr(array, "shape", "?")
        return ParsedTable(None, (), (f"Only a 1-D or 2-D array of numbers can be used (got shape {shape}).",))
    if array.size == 0:
        return ParsedTable(None, (), (f"The array is empty (shape {array.shape}).",))
    values = array.astype(float).reshape(len(array), -1)
    if values.shape[1] > MAX_CSV_COLUMNS or len(values) > MAX_CSV_ROWS:
        limits = f"at most {MAX_CSV_ROWS:,} rows and {MAX_CSV_COLUMNS} columns"
        return ParsedTable(None, (), (f"The array is {values.shape[0]} x {values.shape[1]}; {limits}.",))
    return _usable_table(values, tuple(f"column {j + 1}" for j in range(values.shape[1])))


def _usable_table(values: np.ndarray, names: tuple[str, ...]) -> ParsedTable:
    """Drop rows with missing or non-finite values and note constant columns."""
    width = values.shape[1]
    values[~np.isfinite(values)] = np.nan
    missing = np.isnan(values).any(axis=1)
    notes = []
    if missing.any():
        notes.append(f"{int(missing.sum())} row(s) with missing or non-finite values were left out.")
        values = values[~missing]
    if len(values) < MIN_CSV_ROWS:
        return ParsedTable(None, names, (f"Only {len(values)} complete row(s); at least {MIN_CSV_ROWS} are needed.",))
    constant = [names[j] for j in range(width) if np.ptp(values[:, j]) == 0]
    if constant:
        notes.append(
            f"Column(s) {', '.join(constant)} are constant: standardizing leaves them at 0 (ε guards the division)."
        )
    return ParsedTable(values, names, (), tuple(notes))
