"""URL parameters: a schema per page, validated before any widget sees a value.

Streamlit's bound widgets silently drop some bad values and raise on others
(an integer number_input given `inf`). Each page therefore declares its
parameters here; `sanitize_query_params` checks the raw URL values first,
removes the bad ones and returns a notice for each.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib import parse

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.pages import LABS

MAX_TEXT = 200


@dataclass(frozen=True)
class Param:
    """One URL parameter: its type, default, and the values it accepts."""

    key: str
    kind: type
    default: Any
    doc: str
    choices: tuple[str, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    check: Callable[[str], str | None] | None = None
    max_len: int = MAX_TEXT
    absent: str | None = None  # what the view shows when the address leaves it out, in words

    def parse(self, raw: str) -> Any:
        """The typed value of a raw URL string that passed `problem`."""
        if self.kind is bool:
            return raw.lower() == "true"
        if self.kind in (int, float):
            return self.kind(float(raw))
        return raw

    def problem(self, raw: str) -> str | None:
        """Why `raw` is not an acceptable value (None when it is)."""
        if len(raw) > self.max_len:
            return f"is longer than {self.max_len} characters"
        if self.choices is not None:
            return None if raw in self.choices else f"must be one of {', '.join(self.choices)}"
        if self.kind is bool:
            return None if raw.lower() in ("true", "false") else "must be true or false"
        if self.kind in (int, float):
            return self._number_problem(raw)
        return self.check(raw) if self.check else None

    def _number_problem(self, raw: str) -> str | None:
        try:
            value = float(raw)
        except ValueError:
            return "is not a number"
        if not math.isfinite(value):
            return "must be a finite number"
        if self.kind is int and value != int(value):
            return "must be a whole number"
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            return f"must be between {_number(self.lo)} and {_number(self.hi)}"
        return None


def _number(value: float) -> str:
    """A bound as a user types it: 4294967295, not 4.29497e+09; 0.001 and 1e-06 as %g writes them."""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:g}"


def parse_int_list(text: str, noun: str, example: str, counts: tuple[int, int], highest: int) -> tuple[int, ...]:
    """'784, 512, 10' -> (784, 512, 10): `counts` (fewest, most) whole numbers from 1 to `highest`.

    Raises ValueError with a reason a user can act on, naming the items `noun` ("size", "width").
    """
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    fewest, most = counts
    if "" in parts:
        raise ValueError(f"has an empty {noun} between two commas, e.g. {example.replace(',', ',,', 1)}")
    try:  # "abc" is not a number before it is too few sizes
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"must be whole numbers separated by commas, e.g. {example}") from None
    if len(parts) < fewest:
        raise ValueError(f"needs at least {fewest} {noun}s, e.g. {example}")
    if len(parts) > most:
        raise ValueError(f"allows at most {most} {noun}s")
    if any(not 1 <= v <= highest for v in values):
        raise ValueError(f"each {noun} must be between 1 and {highest}")
    return values


def problem_of(parse: Callable[[str], Any]) -> Callable[[str], str | None]:
    """A Param check from a parser that raises ValueError: its message, or None (also for empty text)."""

    def check(raw: str) -> str | None:
        if not raw.strip():
            return None
        try:
            parse(raw)
        except ValueError as err:
            return str(err)
        return None

    return check


def url_value(value: Any) -> str:
    """How Streamlit writes a widget value into the URL (5.0 -> '5', True -> 'true')."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


# Streamlit's own parameters (an iframe on a course page): never dropped as unknown.
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
# Parameters of the whole app, accepted and validated on every page: `view=present` is the
# projector mode (ui/toolbar.py), bound to a widget of each lab's toolbar.
APP_PARAMS: tuple[Param, ...] = (
    Param(
        "view",
        str,
        None,
        "`present`: no sidebar and no controls, larger text, for a projector (works with `embed=true`)",
        ("present",),
        absent="the normal view (with its controls)",
    ),
)


def _query_params_internals():
    """Streamlit's query-parameter store for this session.

    Streamlit keeps the page-load query string separately for seeding bound widgets
    and offers no public way to correct it before the widgets run, nor to send an address
    later than the run that set it; the functions of this module are the only places that
    reach into its (pinned) internals.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    return get_session_state().query_params()


# The browser side of ui/history.py keeps addresses the server sends from becoming history
# entries, once it is installed. The first run of a session (a fresh tab) comes before that: an
# address it corrects waits until the guard reports itself installed, which reruns the page
# (sent at once, it would push an entry for a view nobody saw).
HISTORY_GUARD_KEY = "initlab_history"
_GUARD_SHOWN = "_initlab_history_guard_shown"
_ADDRESS_WAITING = "_initlab_address_waiting"
# The notices of the run that held its address back, and whether this run, which sent it, shows
# them again: its address is already corrected, and it would have nothing left to say.
_NOTICES_HELD = "_initlab_notices_held"
_NOTICES_AGAIN = "_initlab_notices_again"


def history_guard_reported() -> bool:
    """Whether ui/history.js has said it is installed in this session's window."""
    state = st.session_state.get(HISTORY_GUARD_KEY)
    return bool(state and state.get("installed"))


def address_waiting() -> bool:
    """Whether an address is held back until the history guard reports itself installed."""
    return _ADDRESS_WAITING in st.session_state


def guard_shown() -> None:
    """Note that the page has given the browser the guard (it mounts with this run's elements)."""
    st.session_state[_GUARD_SHOWN] = True


def _sends_held() -> bool:
    """Whether an address sent now is held back: the guard may be missing, or one already waits."""
    return not (history_guard_reported() or (st.session_state.get(_GUARD_SHOWN) and not address_waiting()))


def _query_string(qp) -> str:
    """The query Streamlit writes to the address bar for its store qp."""
    return parse.urlencode(qp._query_params, doseq=True)


def query_shown() -> str:
    """The query this run leaves in the address bar (an address held back: the corrected one)."""
    with _query_params_internals() as qp:
        return _query_string(qp)


def _send_address(qp) -> None:
    """Send Streamlit's copy of the URL to the browser, or hold it while the guard may be missing."""
    if not _sends_held():
        qp._send_query_param_msg()
        return
    ctx = get_script_run_ctx()
    # What the browser shows (ctx.query_string follows sent addresses only) and what it should.
    shown = ctx.query_string if ctx else ""
    st.session_state[_ADDRESS_WAITING] = (shown, _query_string(qp))


def send_waiting_address() -> None:
    """Send the address an earlier run held back, now that the guard turns it into a replacement
    (call first in a run). Streamlit has just reloaded its copy of the URL from the browser's
    address; the held one replaces it unless the user has changed the view since."""
    if not (address_waiting() and history_guard_reported()):
        return
    shown, corrected = st.session_state.pop(_ADDRESS_WAITING)
    ctx = get_script_run_ctx()
    if ctx is None or ctx.query_string != shown:
        return
    with _query_params_internals() as qp:
        qp.set_initial_query_params(corrected)  # as Streamlit does for the browser's address
        qp.populate_from_query_string(corrected)
        qp._send_query_param_msg()
    st.session_state[_NOTICES_AGAIN] = True


def drop_from_url(key: str) -> None:
    """Remove `key` from the URL and from the values Streamlit seeds widgets with."""
    with _query_params_internals() as qp:
        qp._initial_query_params.pop(key, None)
        if qp.discard_param_no_forward_msg(key):
            _send_address(qp)


def rewrite_url(values: dict[str, str]) -> None:
    """Put raw `values` into the URL as if the page had been opened with them (before any widget).

    Bound widgets then seed from them like from any link, and the address bar shows them.
    """
    if not values:
        return
    with _query_params_internals() as qp:
        for key, raw in values.items():
            qp._initial_query_params[key] = [raw]
            qp.set_with_no_forward_msg(key, raw)
        _send_address(qp)


def set_own(key: str, raw: str | None) -> None:
    """Set (None: remove) a parameter the page owns, in Streamlit's copy of the URL only;
    the next send_url takes it to the browser."""
    with _query_params_internals() as qp:
        if raw is None:
            qp.discard_param_no_forward_msg(key)
        else:
            qp.set_with_no_forward_msg(key, raw)


def send_url(values: dict[str, str | None]) -> None:
    """Set (or, for None, remove) these raw URL values and send the address to the browser once.

    Streamlit refreshes its server-side copy of the URL only when a page is opened, while
    URL-bound widgets change the browser's address directly, and any write to
    st.query_params sends that whole (stale) copy. A page that writes a parameter of its own
    (the training lab's `step`) must therefore give every parameter of its view here, bound
    widgets' current values included.
    """
    with _query_params_internals() as qp:
        for key, raw in {**_app_values(), **values}.items():
            if raw is None:
                qp.discard_param_no_forward_msg(key)
            else:
                qp.set_with_no_forward_msg(key, raw)
        _send_address(qp)


def _app_values() -> dict[str, str | None]:
    """The app-wide parameters as their widgets hold them now (send_url sends whole addresses)."""
    return {
        param.key: None if st.session_state[param.key] is None else url_value(st.session_state[param.key])
        for param in APP_PARAMS
        if param.key in st.session_state
    }


UNKNOWN = "is not a setting of this page"
REPEATED = "is given more than once"


@dataclass(frozen=True)
class Rejection:
    """A URL value that was refused, and why."""

    key: str
    raw: str
    reason: str
    removed: bool = False  # a value that has no place in this view: no other value stands in for it
    default: Any = None  # the parameter's value when the address leaves it out
    absent: str | None = None  # what the view then shows, in words (a default that is not a value)

    def describe(self, fallback: Any) -> str:
        """The notice, naming the value shown instead (`fallback`, else the parameter's default); a
        parameter whose default is empty (no kept runs, no explicit sizes) is only said to be ignored."""
        shown = self.raw if len(self.raw) <= 40 else self.raw[:37] + "..."
        if fallback in (None, ""):
            fallback = self.default
        if fallback is None:
            used = f" and {self.absent or 'the default'} is used instead"
        else:
            used = "" if fallback == "" else f" and `{url_value(fallback)}` is used instead"
        if self.reason == REPEATED:
            return f"`{self.key}` is given more than once ({self.raw}); each was ignored{used}."
        if self.reason == UNKNOWN or self.removed:
            return f"`{self.key}={shown}` {self.reason}; it was removed from the address."
        return f"`{self.key}={shown}` {self.reason}; it was ignored{used}."


_PAGE_SHOWN = "_initlab_page_shown"


def start_page(page: str, params: Iterable[Param]) -> bool:
    """On arriving at a page, let its controls start from the URL alone (call before any widget).

    Labs share parameter names (`seed`, `depth`, `act`). Streamlit keeps keyed widget values
    across pages and puts them back into the URL on arrival, so another lab's `seed` would
    turn up here as a view nobody chose; and on arrival it drops from the address every
    parameter whose name a widget of the page just left was bound to, so Back to a lab would
    lose its own `seed` (Back and Forward send the entry's address, which is the view to show).
    Both are undone here. Returns whether the page was just opened (else it is a rerun).
    """
    if st.session_state.get(_PAGE_SHOWN) == page:
        return False
    st.session_state[_PAGE_SHOWN] = page
    keys = {param.key for param in (*params, *APP_PARAMS)}
    for key in keys & set(st.session_state):
        del st.session_state[key]
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.is_history_navigation:
        return True  # a link or the navigation: the parameters of the page left behind stay dropped
    asked = parse.parse_qs(ctx.query_string, keep_blank_values=True)
    dropped = {key: values for key, values in asked.items() if key in keys and key not in st.query_params}
    if dropped:
        with _query_params_internals() as qp:
            for key, values in dropped.items():
                qp._initial_query_params[key] = values
                qp.set_with_no_forward_msg(key, values[-1] if len(values) == 1 else values)
            _send_address(qp)
    return True


def missing_page() -> str | None:
    """The path a link asked for when no page has it: Streamlit then runs the home page (and says
    so), and the keys the link carried were meant for that path, not refused by the home page."""
    ctx = get_script_run_ctx()
    pages = getattr(ctx, "pages_manager", None)
    wanted = getattr(pages, "intended_page_name", None)
    if not wanted or getattr(pages, "intended_page_script_hash", None):
        return None
    path = wanted.strip("/")
    if path in {lab.url_path for lab in LABS}:
        return None
    shown = path.replace("`", "")  # quoted as code in the notice
    return shown if len(shown) <= 40 else shown[:37] + "..."


def sanitize_query_params(params: Iterable[Param]) -> list[Rejection]:
    """Validate this page's URL parameters and the app's (APP_PARAMS); drop the bad ones and
    unknown keys (call before any widget).

    What is left in the address bar is exactly the view: a shared link carries nothing else.
    """
    params = (*params, *APP_PARAMS)
    known = {param.key for param in params} | STREAMLIT_KEYS
    rejections = []
    missing = missing_page()
    unknown = UNKNOWN if missing is None else f"was meant for `/{missing}`, which is not a page of this app"
    for key in [key for key in st.query_params if key not in known]:
        raw = st.query_params.get_all(key)
        drop_from_url(key)
        rejections.append(Rejection(key, raw[-1] if raw else "", unknown, removed=True))
    for param in params:
        values = st.query_params.get_all(param.key)
        if not values:
            continue
        reason = REPEATED if len(values) > 1 else param.problem(values[0])
        if reason is not None and not _typed_here(param.key, values):
            drop_from_url(param.key)
            raw = _repeated(values) if len(values) > 1 else values[0]
            rejections.append(Rejection(param.key, raw, reason, default=param.default, absent=param.absent))
    return rejections


def _repeated(values: list[str]) -> str:
    """The values of a repeated parameter for its notice: the first three, each cut to 20 characters."""
    shown = [f"`{value if len(value) <= 20 else value[:17] + '...'}`" for value in values[:3]]
    return ", ".join(shown) + (f" and {len(values) - 3} more" if len(values) > 3 else "")


def _typed_here(key: str, values: list[str]) -> bool:
    """Whether the URL value is the text its box holds in this tab (typed; the box warns about
    it and the view uses the default), not a link's: one warning, in the words of the box."""
    return len(values) == 1 and key in st.session_state and url_value(st.session_state[key]) == values[0]


def warn_corrected(notice: str) -> None:
    """A visible notice for a URL value the page itself corrected after warn_rejections (one that
    depends on other settings), kept through the same rerun as theirs. Its address is sent after
    it, so it is kept whenever that send would be held, not only once one is waiting."""
    if _sends_held():
        st.session_state[_NOTICES_HELD] = [*st.session_state.get(_NOTICES_HELD, []), notice]
    st.warning(notice, icon=":material/warning:")


def warn_rejections(rejections: Iterable[Rejection], values: dict[str, Any]) -> None:
    """One visible notice per refused URL value, naming the value used instead; kept through
    the rerun that sends an address a fresh tab's first run held back (see _send_address)."""
    notices = [rejection.describe(values.get(rejection.key)) for rejection in rejections]
    held = st.session_state.pop(_NOTICES_HELD, [])
    if st.session_state.pop(_NOTICES_AGAIN, False):
        notices = [*held, *notices]
    if address_waiting():
        st.session_state[_NOTICES_HELD] = notices
    for notice in dict.fromkeys(notices):
        st.warning(notice, icon=":material/warning:")


def offer_views(links: Iterable[tuple[str, str]]) -> None:
    """'Open it with a · b': links to other views of this app, as (label, relative address), that
    open in this tab (a markdown link opens a new one, leaving the refusal on screen here)."""
    anchors = [f'<a href="{html.escape(href)}" target="_self">{html.escape(label)}</a>' for label, href in links]
    if anchors:
        st.markdown("Open it with " + " · ".join(anchors), unsafe_allow_html=True)
