"""A page ends early with end_page(): app.py still finishes its run (ui/page_run.py)."""

from __future__ import annotations

from ui.page_run import end_page, run_page


class StandInPage:
    """A page whose script records how far it got."""

    def __init__(self, ends_early: bool) -> None:
        self.ends_early = ends_early
        self.reached: list[str] = []

    def run(self) -> None:
        self.reached.append("chart")
        if self.ends_early:
            end_page()
        self.reached.append("controls")


def test_a_page_that_ends_early_stops_there_and_the_app_goes_on():
    page = StandInPage(ends_early=True)
    assert run_page(page) is False  # app.py then draws the history guard, and freezes no heap
    assert page.reached == ["chart"]


def test_a_page_that_runs_to_its_end_says_so():
    page = StandInPage(ends_early=False)
    assert run_page(page) is True
    assert page.reached == ["chart", "controls"]
