"""The per-layer statistics table, as plain rows (for the page, CSV export and notebooks)."""

from __future__ import annotations

from engine.propagate import SimResult

NAN = float("nan")


def layer_rows(result: SimResult) -> list[dict[str, object]]:
    """One dict per weight layer, in layer order; NaN where a statistic does not apply."""
    rows = []
    for layer in result.layers:
        grad = layer.grad
        rows.append(
            {
                "layer": layer.index,
                "fan_in": layer.fan_in,
                "fan_out": layer.fan_out,
                "path": layer.path,
                "weight_std": layer.weight_std,
                "weight_std_measured": layer.weight_std_measured,
                "pre_mean": layer.pre.mean,
                "pre_std": layer.pre.std,
                "act_mean": layer.act.mean,
                "act_std": layer.act.std,
                "act_min": layer.act.min,
                "act_max": layer.act.max,
                "saturated_frac": layer.frac_saturated,
                "dead_frac": layer.frac_dead,
                "outside_range_frac": layer.act.frac_outside,
                "nonfinite": layer.act.n_total - layer.act.n_finite,
                "grad_mean": grad.mean if grad else NAN,
                "grad_std": grad.std if grad else NAN,
                "weight_grad_std": layer.weight_grad_std,
            }
        )
    return rows
