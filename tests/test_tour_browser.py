"""Browser: the lecture tour's Next button and arrow keys, present mode, and the labs' toolbar."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from tests.browser_support import wait_for_charts, wait_for_history_guard, wait_for_idle
from ui.tour_steps import STEPS

pytestmark = pytest.mark.browser

TOKENS = "() => [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent)"


def button(page, which: str):
    """The tour's Previous or Next button (Streamlit also draws a hidden copy to measure its width)."""
    return page.locator(f".st-key-tour_{which} button").filter(visible=True)


def step_in_url(page) -> str | None:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query)).get("step")


def wait_for_step(page, number: int) -> None:
    """Step `number`'s title shown, its figure drawn, and the address saying so (step 1 is the default)."""
    heading = f"{number}. {STEPS[number - 1].title}"
    page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
    wanted = None if number == 1 else str(number)
    page.wait_for_function("(w) => new URLSearchParams(location.search).get('step') === w", arg=wanted, timeout=10_000)
    wait_for_idle(page)
    wait_for_charts(page)


def open_tour(page, base: str, query: str = "") -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/tour{'?' + query if query else ''}")
    wait_for_idle(page)
    wait_for_charts(page)
    return errors


def test_next_and_the_arrow_keys_walk_through_every_step_without_errors(page, app_url):
    errors = open_tour(page, app_url)
    wait_for_step(page, 1)
    seen = {1: page.evaluate(TOKENS)}
    for number in range(2, len(STEPS) + 1):
        button(page, "next").click()
        wait_for_step(page, number)
        seen[number] = page.evaluate(TOKENS)
    assert button(page, "next").is_disabled()  # the end of the tour
    page.evaluate("() => document.activeElement?.blur()")  # the keys go to the page, not to a control
    for number in range(len(STEPS) - 1, 0, -1):
        page.keyboard.press("ArrowLeft")
        wait_for_step(page, number)
        assert page.evaluate(TOKENS) == seen[number]  # each step's own figure again
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 2)
    assert len({tuple(tokens) for tokens in seen.values()}) == len(STEPS)  # every step drew its own view
    assert page.get_by_test_id("stException").count() == 0 and errors == []


def active_page(page) -> str:
    return page.locator(".st-key-step [data-testid='stPaginationPageActive']").filter(visible=True).inner_text()


def test_every_fast_press_of_a_key_or_a_button_moves_one_step_and_all_agree(page, app_url):
    """Presses 60 ms apart, made while the page still runs for an earlier step: each moves the
    tour one step, and the step widget, the address and the step shown agree. A trial pressed →
    5 times from step 3 and ended at 6 or 7 (sent as a button's click, a press was lost or
    counted from the step before), once with the address at step 9 and step 8 shown."""
    open_tour(page, app_url, "step=2")
    wait_for_step(page, 2)
    page.evaluate("() => document.activeElement?.blur()")
    for key, count, expected in (("ArrowRight", 5, 7), ("ArrowLeft", 3, 4)):
        for _ in range(count):
            page.keyboard.press(key)
            page.wait_for_timeout(60)
        wait_for_step(page, expected)
        assert active_page(page) == str(expected)
    for which, count, expected in (("next", 4, 8), ("prev", 2, 6)):
        for _ in range(count):
            button(page, which).dispatch_event("click")
            page.wait_for_timeout(60)
        wait_for_step(page, expected)
        assert active_page(page) == str(expected)
    page.wait_for_timeout(1000)  # nothing still coming that moves it
    wait_for_step(page, 6)


def test_arrow_keys_on_a_focused_slider_move_the_slider_not_the_tour(page, app_url):
    open_tour(page, app_url, "step=5")
    wait_for_step(page, 5)
    page.locator("[data-testid='stSlider'] input[type='range']").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('relu_depth=7')", timeout=10_000)
    wait_for_idle(page)
    assert step_in_url(page) == "5"
    # The chart redraws after the run is idle (live_chart draws in the browser): wait for its title.
    page.wait_for_function(f"() => ({TOKENS})().some((t) => t.includes('· 7×4096 ·'))", timeout=30_000)
    assert step_in_url(page) == "5"


def test_a_control_moved_on_a_step_is_forgotten_when_the_step_is_left(page, app_url):
    open_tour(page, app_url, "step=2&small_std=0.03")
    wait_for_step(page, 2)
    assert any("σ=0.03" in token for token in page.evaluate(TOKENS))
    button(page, "next").click()
    wait_for_step(page, 3)
    button(page, "prev").click()
    wait_for_step(page, 2)
    assert "small_std" not in page.url and any("σ=0.01" in token for token in page.evaluate(TOKENS))


def test_the_open_in_the_lab_link_opens_the_lab_on_the_steps_view_and_back_returns_to_the_step(page, app_url):
    open_tour(page, app_url, "step=6&kaiming_depth=9")
    wait_for_step(page, 6)
    tour_tokens = page.evaluate(TOKENS)
    wait_for_history_guard(page)
    page.get_by_role("link", name="Open this view in the activation lab").click()
    page.wait_for_url(re.compile(r"/activations"))
    wait_for_idle(page)
    wait_for_charts(page)
    assert len(page.context.pages) == 1  # in this tab (ui/history.js), not a new one
    assert page.evaluate(TOKENS) == tour_tokens  # the lab's own title token: the same view
    page.go_back()
    wait_for_step(page, 6)  # the tour is where it was
    assert step_in_url(page) == "6"


def test_back_returns_to_the_step_the_user_left(page, app_url):
    open_tour(page, app_url, "step=4")
    wait_for_step(page, 4)
    button(page, "next").click()
    wait_for_step(page, 5)
    page.get_by_test_id("stSidebarNav").locator("a").filter(has_text="Batch normalization").click()
    wait_for_idle(page)
    wait_for_charts(page, minimum=5)
    page.go_back()
    wait_for_step(page, 5)
    page.go_forward()
    wait_for_idle(page)
    assert urllib.parse.urlparse(page.url).path == "/batchnorm"


@pytest.mark.parametrize("path", ["tour?step=3", "activations", "training"])
def test_present_mode_hides_the_sidebar_and_the_settings_and_keeps_the_actions(browser, app_url, path):
    projector = browser.new_page(viewport={"width": 1280, "height": 720})
    projector.goto(f"{app_url}/{path}{'&' if '?' in path else '?'}view=present")
    wait_for_idle(projector)
    wait_for_charts(projector)
    projector.get_by_test_id("stSidebar").wait_for(state="hidden", timeout=10_000)
    assert projector.locator("[data-testid='stMain'] [data-testid='stSlider']").filter(visible=True).count() == 0
    copy = projector.locator("button[data-action='copy']")  # there, but hidden
    assert copy.count() == 1 and copy.is_hidden()
    actions = {"tour?step=3": "Next: Xavier initialization", "activations": None, "training": "Play"}[path]
    if actions:
        # Under load the page's buttons can arrive after its first chart: wait for them.
        projector.get_by_role("button", name=actions).first.wait_for(state="visible", timeout=30_000)
    projector.locator(".st-key-view button").filter(has_text="present").click()  # the way out
    projector.wait_for_function("() => !location.search.includes('view=present')", timeout=10_000)
    wait_for_idle(projector)
    projector.get_by_test_id("stSidebar").wait_for(state="visible", timeout=10_000)
    projector.close()


def test_present_mode_works_inside_streamlits_embed_mode(browser, app_url):
    frame = browser.new_page(viewport={"width": 1280, "height": 720})
    frame.goto(f"{app_url}/tour?step=4&view=present&embed=true")
    wait_for_step(frame, 4)
    frame.get_by_test_id("stSidebar").wait_for(state="hidden", timeout=10_000)
    button(frame, "next").click()
    wait_for_step(frame, 5)
    assert "embed=true" in frame.url and "view=present" in frame.url
    frame.close()


@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_the_toolbar_downloads_the_figure(page, app_url, tmp_path, fmt, magic):
    page.goto(f"{app_url}/activations?act=relu")
    wait_for_idle(page)
    wait_for_charts(page)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name=f"Download {fmt.upper()}").click()
    saved = Path(tmp_path) / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"initlab-activations.{fmt}"
    content = saved.read_bytes()
    assert content.startswith(magic) and len(content) > 10_000
    if fmt == "svg":
        assert b"relu" in content  # the figure's own title token, as text in the SVG


def test_the_toolbar_picks_one_of_several_figures_by_its_title(page, app_url, tmp_path):
    page.goto(f"{app_url}/batchnorm")
    wait_for_idle(page)
    wait_for_charts(page, minimum=5)
    toolbar = page.locator(".initlab-toolbar")
    toolbar.hover()
    choices = toolbar.locator("select option").all_inner_texts()
    assert len(choices) == 5
    toolbar.locator("select").select_option(index=2)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download SVG").click()
    assert download.value.suggested_filename.startswith("initlab-batchnorm-")
    saved = Path(tmp_path) / "chosen.svg"
    download.value.save_as(saved)
    title = choices[2].split()[0]
    assert title.encode() in saved.read_bytes()


def test_copy_link_copies_the_address_of_the_view_without_the_embed_switch(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = context.new_page()
    page.goto(f"{app_url}/activations?act=relu&depth=9&embed=true")
    wait_for_idle(page)
    wait_for_charts(page)
    page.get_by_role("button", name="Copy link to this view").click()
    page.get_by_text("Link copied").wait_for(timeout=10_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == f"{app_url}/activations?act=relu&depth=9"
    context.close()
