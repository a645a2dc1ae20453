"""Fuzz: generated URLs per page through AppTest.

First, for each page, a few URLs that together give every parameter every malformed value
of its kind (wrong types, NaN, ±inf, huge and negative numbers, unknown choices, very long
strings); then random URLs that mix malformed values with valid ones, repeated keys and
unknown keys. No exception may escape, every refused value gets a visible notice naming
it, and the page still draws its main content.

Valid values come from each parameter's lower bound and default only: the fuzz
is about malformed input, and cheap valid values keep it inside CI's time.
Extreme valid settings have their own tests (tests/test_extremes.py).
"""

from __future__ import annotations

import os
import string
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from tests.app_support import APP, page_path, run_page
from ui import (
    activation_params,
    batchnorm_params,
    preprocessing_params,
    theory_params,
    tour_steps,
    training_params,
    transfer_params,
)
from ui.urlparams import APP_PARAMS, MAX_TEXT, Param

# Random URLs per page, after the ones that try every malformed value (INITLAB_FUZZ_URLS=1000 for a long run).
URLS_PER_PAGE = int(os.environ.get("INITLAB_FUZZ_URLS", "150"))
# AppTest runs are independent: two processes halve the wall time on two cores, unless pytest-xdist
# already runs this beside the browser tests.
WORKERS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2
# Every page also takes the app's own parameters (`view`).
PAGES = {
    "activations": (*activation_params.ALL_PARAMS, *APP_PARAMS),
    "batchnorm": (*batchnorm_params.PARAMS, *APP_PARAMS),
    "preprocessing": (*preprocessing_params.PARAMS, *APP_PARAMS),
    "training": (*training_params.ALL_PARAMS, *APP_PARAMS),
    "theory": (*theory_params.PARAMS, *APP_PARAMS),
    "transfer": (*transfer_params.PARAMS, *APP_PARAMS),
    "tour": (*tour_steps.PARAMS, *APP_PARAMS),
    "home": APP_PARAMS,
}
# Pages whose every URL computes a lot get fewer URLs: the theory page a phase diagram, spectra and
# correlations (about 1 s of AppTest each), the transfer lab its experiments, whose costly switches
# also stay off when valid (the full comparison and the layer-by-layer run take a minute each; their
# values are still fuzzed as junk).
# The home page has one parameter (`view`): a fifth of the URLs try it in every way that matters.
URLS = {
    "theory": max(1, URLS_PER_PAGE // 4),
    "transfer": max(1, URLS_PER_PAGE // 25),
    "home": max(1, URLS_PER_PAGE // 5),
}
KEPT_OFF = {"transfer": frozenset({"full", "probes", "layerwise"})}
NUMBER_JUNK = ["nan", "NaN", "inf", "-inf", "+Infinity", "abc", "", " ", "1,5", "0x10", "1e999", "None", "σ", "9" * 400]
CHOICE_JUNK = ["zzz", "", "TANH ", "<script>alert(1)</script>", "x" * (MAX_TEXT + 1), "None", "%00"]
BOOL_JUNK = ["maybe", "", "yes!", "2", "nan"]
SIZES_JUNK = ["10,x,3", "abc", ",,,", "10|20", "4096," * 60, "1e999,3", "-5,3", "nan,4"]


def junk_values(param: Param) -> list[str]:
    """The values `param` must refuse."""
    if param.choices is not None:
        return CHOICE_JUNK
    if param.kind is bool:
        return BOOL_JUNK
    if param.kind is str:
        return SIZES_JUNK
    pool = list(NUMBER_JUNK)
    if param.hi is not None:
        pool += [repr(param.hi * 10 + 1), "1e308"]
    if param.lo is not None:
        pool += [repr(param.lo - abs(param.lo) - 1), "-1e308"]
    if param.kind is int:
        pool.append(repr((param.lo or 0) + 0.5))
    return pool


def _junk(param: Param, rng: np.random.Generator) -> str:
    return str(rng.choice(junk_values(param)))


def every_junk_url(params: tuple[Param, ...]) -> list[tuple[dict, set[str]]]:
    """URLs that give each parameter each of its malformed values once (every parameter in every
    URL, the n-th URL each one's n-th value, wrapping around), with an unknown key."""
    longest = max((len(junk_values(param)) for param in params), default=0)
    urls = []
    for n in range(longest):
        query: dict[str, str | list[str]] = {}
        for param in params:
            pool = junk_values(param)
            query[param.key] = pool[n % len(pool)]
        query["zz_unknown"] = NUMBER_JUNK[n % len(NUMBER_JUNK)]
        urls.append((query, {param.key for param in params}))
    return urls


def _valid(param: Param, rng: np.random.Generator, kept_off: frozenset[str] = frozenset()) -> str:
    if param.key in kept_off:
        return "false"
    if param.choices is not None:
        return str(rng.choice(param.choices))
    if param.kind is bool:
        return str(rng.choice(["true", "false"]))
    if param.kind is str:
        return ""
    value = param.lo if (rng.random() < 0.5 or param.default is None) and param.lo is not None else param.default
    return repr(param.kind(value))


def _random_key(rng: np.random.Generator) -> str:
    letters = list(string.ascii_lowercase + "_")
    return "z" + "".join(rng.choice(letters, size=int(rng.integers(1, 12))))


def generated_url(
    params: tuple[Param, ...], rng: np.random.Generator, kept_off: frozenset[str] = frozenset()
) -> tuple[dict, set[str]]:
    """A query (key -> value or list of values) and the known keys it gives a refusable value."""
    query: dict[str, str | list[str]] = {}
    refused: set[str] = set()
    chosen = rng.permutation(len(params))[: int(rng.integers(0, min(len(params), 7) + 1))] if params else []
    for i in chosen:
        param = params[int(i)]
        roll = rng.random()
        if roll < 0.5:
            query[param.key] = _junk(param, rng)
            refused.add(param.key)
        elif roll < 0.6:
            query[param.key] = [_valid(param, rng, kept_off), _junk(param, rng)]  # a repeated key
            refused.add(param.key)
        else:
            query[param.key] = _valid(param, rng, kept_off)
    for _ in range(int(rng.integers(0, 3))):
        query[_random_key(rng)] = _junk(Param("x", float, 0.0, ""), rng)
    return query, refused


def _named(key: str, notices: str) -> bool:
    """Whether the notices name the refused parameter: its value, or that it was given more than once."""
    return f"`{key}=" in notices or f"`{key}` is given more than once" in notices


def check_urls(page: str, queries: list[tuple[dict, set[str]]]) -> list[str]:
    """Run each query on `page` (home through app.py's navigation); describe every failure."""
    failures = []
    for query, refused in queries:
        at = run_page(APP if page == "home" else page_path(page), **query)
        notices = " ".join(w.value for w in at.warning)
        missing = sorted(key for key in refused if not _named(key, notices))
        problem = repr(at.exception) if at.exception else (f"no notice for {missing}" if missing else None)
        if problem is None and not at.title:
            problem = "the page drew no title"
        if problem:
            failures.append(f"{query}: {problem}")
    return failures


@pytest.mark.parametrize("page", list(PAGES))
def test_generated_urls_never_raise_and_every_refusal_is_shown(page):
    rng = np.random.default_rng(list(PAGES).index(page))
    kept_off = KEPT_OFF.get(page, frozenset())
    queries = every_junk_url(PAGES[page])
    queries += [generated_url(PAGES[page], rng, kept_off) for _ in range(URLS.get(page, URLS_PER_PAGE))]
    count = len(queries)
    with ProcessPoolExecutor(WORKERS) as pool:
        shares = pool.map(check_urls, [page] * WORKERS, [queries[i::WORKERS] for i in range(WORKERS)])
        failures = [failure for share in shares for failure in share]
    assert not failures, f"{len(failures)} of {count} URLs failed, e.g.:\n" + "\n".join(failures[:5])
