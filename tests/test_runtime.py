"""Process settings: the heap frozen once per page, its garbage collected first."""

import gc
import weakref

from engine.runtime import freeze_heap_once


class Node:
    """An object that can reference itself: garbage only the cyclic collector frees."""


def test_the_heap_is_frozen_once_per_page_and_its_garbage_is_not_kept():
    freed = []
    gc.disable()  # the cycle below stays until freeze_heap_once runs
    try:
        node = Node()
        node.self = node  # a cycle, as a traceback that holds a run's arrays makes
        weakref.finalize(node, freed.append, True)
        del node
        assert freed == []
        assert freeze_heap_once("tests: a page")
        assert freed == [True]  # collected, not frozen for good
        assert gc.get_freeze_count() > 0
        assert not freeze_heap_once("tests: a page")  # once per page and process
    finally:
        gc.unfreeze()
        gc.enable()
