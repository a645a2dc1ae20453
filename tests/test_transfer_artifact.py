"""The shipped source net: loaded only when made from the config in use, and as good as it says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.transfer import SourceConfig, source_task
from engine.transfer.artifact import ARTIFACT, load_source, save_source
from engine.transfer.fit import accuracy


def test_the_shipped_net_loads_and_scores_what_it_claims_on_the_source_digits():
    cfg = SourceConfig()
    net = load_source(cfg)
    assert net is not None, "pretrained_source.npz missing or stale: run scripts/make_transfer_source.py"
    task = source_task(cfg.setup)
    assert accuracy(cfg.arch, net.theta, task.x_val, task.y_val) == net.val_accuracy
    assert net.val_accuracy > 0.95


def test_a_net_made_from_another_config_is_not_loaded():
    assert load_source(replace(SourceConfig(), steps=2499)) is None


def test_a_damaged_or_missing_file_is_not_loaded(tmp_path):
    cfg = SourceConfig()
    broken = tmp_path / "broken.npz"
    broken.write_bytes(ARTIFACT.read_bytes()[:1000])
    assert load_source(cfg, broken) is None
    assert load_source(cfg, tmp_path / "absent.npz") is None
    net = load_source(cfg)
    poisoned = replace(net, theta=np.full_like(net.theta, np.nan))
    save_source(poisoned, tmp_path / "nan.npz")
    assert load_source(cfg, tmp_path / "nan.npz") is None
