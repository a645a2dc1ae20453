"""The pretrained source net shipped as a small file, so that a cold page need not train it.

Training the source net takes about 10 s of CPU (13-29 s on a shared machine): longer than a
cold page may take. scripts/make_transfer_source.py trains it with train_source and saves it
here; the page loads it when it was made from the very SourceConfig in use (a hash of the
config's repr), and trains the net itself otherwise (an edited config, a missing file).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np

from engine.transfer.source import SourceConfig, SourceNet

ARTIFACT = Path(__file__).with_name("pretrained_source.npz")


def config_hash(cfg: SourceConfig) -> str:
    """A fingerprint of everything that determines the source net (its frozen dataclass's repr)."""
    return hashlib.sha256(repr(cfg).encode()).hexdigest()


def save_source(source: SourceNet, path: Path = ARTIFACT) -> None:
    """Write the net's parameters, accuracy, losses and training seconds with its config's hash."""
    np.savez_compressed(
        path,
        config_hash=np.array(config_hash(source.config)),
        theta=source.theta,
        val_accuracy=np.array(source.val_accuracy),
        losses=source.losses,
        seconds=np.array(source.seconds),
    )


def load_source(cfg: SourceConfig, path: Path = ARTIFACT) -> SourceNet | None:
    """The saved net if it was made from cfg and is well formed; None otherwise (then train it)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["config_hash"]) != config_hash(cfg):
                return None
            theta = saved["theta"].astype(np.float32)
            val, losses, seconds = float(saved["val_accuracy"]), saved["losses"], float(saved["seconds"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    if theta.shape != (cfg.arch.size,) or not np.isfinite(theta).all() or not 0.0 <= val <= 1.0:
        return None
    theta.setflags(write=False)
    return SourceNet(cfg, theta, val, losses, seconds)
