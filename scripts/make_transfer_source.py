"""Train the transfer lab's source net and save it as engine/transfer/pretrained_source.npz.

    python scripts/make_transfer_source.py

Run it again whenever SourceConfig, the drawn data or the trainer changes: the page loads the
file only when it was made from the SourceConfig in use, and otherwise trains the net itself.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.transfer import SourceConfig, train_source
from engine.transfer.artifact import ARTIFACT, load_source, save_source


def main() -> None:
    began, cpu = time.perf_counter(), time.process_time()
    source = train_source(SourceConfig())
    save_source(source)
    assert load_source(SourceConfig()) is not None, "the saved net does not load back"
    print(
        f"source net: held-out accuracy {source.val_accuracy:.3f}, "
        f"{time.perf_counter() - began:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
        f"{ARTIFACT} ({ARTIFACT.stat().st_size / 1024:.0f} KiB)"
    )


if __name__ == "__main__":
    main()
