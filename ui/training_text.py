"""The training lab's words: each experiment preset with the lecture's claim and what a run shows.

Every outcome stated here was measured for seeds 0, 1 and 2 (`python scripts/training_claims.py`,
and the preset table in docs/training.md); tests/test_train_claims.py and
tests/test_training_page.py pin them.
"""

from __future__ import annotations

EXPERIMENTS: dict[str, str] = {
    "zero-init": (
        "**Lecture:** with W = 0 every unit of a layer computes the same output and gets the same gradient: "
        "*nothing breaks the symmetry*. **Here** (one hidden layer of 128 tanh units, SGD): the loss stays at "
        "ln 10 = 2.303 for all 500 steps, and the incoming weights of the hidden units stay identical (spread 0 "
        "in the diagnosis). With zeros the hidden layer even stays at 0, so nothing reaches the output layer but "
        "its bias: the net predicts the class frequencies."
    ),
    "constant-init": (
        "**Lecture:** a constant init is no better than zero: *all units stay identical*. **Here** the hidden "
        "units move, but together: their spread stays below 1e-6, so 128 units act as one. The loss falls to "
        "about 1.5 (what a single hidden unit can carry), never near the ≈ 0.1 of a random init."
    ),
    "small-random": (
        "**Lecture:** *small random numbers* (W = 0.01·randn) break the symmetry and work for small nets. "
        "**Here** the same one-hidden-layer net reaches a training loss below 0.1: compare with the zero and "
        "constant inits (keep this run, then choose them)."
    ),
    "tanh-0.01-sgd": (
        "**Lecture:** in a deep tanh net with W = 0.01·randn *all activations tend to zero* and the gradients "
        "too: *no learning*. **Here** (10 hidden layers of 128, SGD lr 0.1) the loss stays within 1% of "
        "ln 10 for all 500 steps, for every seed tried: the per-layer std heatmap shows the activations "
        "shrinking by about 10× per layer."
    ),
    "tanh-0.01-adam": (
        "**The optimizer matters.** Same net and init as *Deep tanh 0.01·randn, SGD*, but Adam divides each "
        "gradient by its own running size, so tiny gradients still make full-size steps: the loss leaves "
        "ln 10 and reaches 1.2 to 1.9 after 500 steps (seeds 0 to 2), still far behind Xavier. Plain SGD shows "
        "the lecture's claim; Adam hides part of the damage."
    ),
    "tanh-0.3-sgd": (
        "**Lecture:** a large init (the lecture's 0.05 at width 4096, here 0.3 at width 128: the same "
        "gain ≈ 3.4) *saturates* tanh and the local gradients vanish. **Here it still learns**: the training "
        "loss reaches below 0.01 in 500 steps, only later than Xavier, but the validation accuracy stays "
        "around 86% against 97% for Xavier. A 10-layer net of this width does not stall: the claim shows as "
        "slower, worse-generalizing learning, not as no learning."
    ),
    "tanh-xavier-sgd": (
        "**Lecture:** Xavier (std 1/√Din) is *just right* for tanh: activations keep their scale through "
        "every layer. **Here** the 10-layer tanh net reaches a training loss of about 0.005 and 97% to 99% "
        "validation accuracy in 500 steps of plain SGD."
    ),
    "relu-xavier-20": (
        "**Lecture:** with ReLU, the lecture's Xavier (1/√Din) halves the activations' variance at every "
        "layer: *activations collapse to zero*. At 10 layers this does not show (Xavier trains as well as "
        "Kaiming). **Here at 20 hidden layers of 64** (SGD with momentum, lr 0.01, 600 steps) Xavier is "
        "slow: training loss 0.6 to 1.5, against 0.01 to 0.05 for Kaiming."
    ),
    "relu-kaiming-20": (
        "**Lecture:** Kaiming / He (std √(2/Din)) keeps a ReLU net's activations level: *just right*. "
        "**Here** the 20-hidden-layer ReLU net reaches a training loss of 0.01 to 0.05 in 600 steps."
    ),
    "relu-xavier-30": (
        "**He et al. (2015):** a 30-layer ReLU net with Xavier-style init stalls where theirs trains. "
        "**Here** (30 hidden layers of 64) the loss stays within 1% of ln 10 for all 600 steps, for every "
        "seed tried."
    ),
    "relu-kaiming-30": (
        "**He et al. (2015)** trained 30 layers with their init. **Here** Kaiming leaves ln 10 and reaches a "
        "training loss of 0.6 to 1.7 in 600 steps (seeds 0 to 2): it learns where Xavier is stuck, but at this "
        "depth, without batch norm or residual connections, 600 steps are not enough to finish."
    ),
    "scale-no-bn": (
        "**CS231n assignment 2**, batch norm and initialization: an 8-layer tanh net with W = 0.001·randn. "
        "Without batch norm the signal dies away layer after layer and the loss stays at ln 10. Run the "
        "weight-scale sweep below to see the whole range of scales."
    ),
    "scale-bn": (
        "**Lecture:** batch norm makes the net *robust to initialization*. **Here** the same 8-layer net with "
        "W = 0.001·randn, batch norm before each tanh, reaches a training loss of 0.1 to 0.25 in 400 steps: "
        "every layer is renormalized whatever the weights' scale."
    ),
    "lr-no-bn": (
        "**Lecture:** batch norm *allows higher learning rates*. **Here** an 8-layer ReLU net (Kaiming, plain "
        "SGD) at learning rate 3.16 diverges within a few steps: the run stops at the step whose loss was no "
        "longer finite. Compare with the same run with batch norm."
    ),
    "lr-bn": (
        "**Lecture:** batch norm *allows higher learning rates*. **Here** the same net at learning rate 3.16 "
        "with batch norm before each ReLU trains to a loss of about 0.03 in 300 steps. The learning-rate sweep "
        "below shows the whole range."
    ),
    "overfit-20": (
        "**Lecture, babysitting the learning process:** *make sure that you can overfit a very small portion "
        "of the training data*. **Here** 20 training examples reach 100% training accuracy and a loss near 0, "
        "while the validation accuracy stays around 50%: the net memorized them."
    ),
    "lr-too-low": (
        "**Lecture:** *loss not going down: learning rate too low*. **Here** plain SGD at 1e-3 is still at a "
        "loss of about 1.2 after 500 steps; the update-to-weight ratio chart sits far below the 1e-3 line."
    ),
    "lr-too-high": (
        "**Lecture:** *loss exploding: learning rate too high*, often to NaN. **Here** plain SGD at lr 3 "
        "diverges within about 5 steps; the run stops there and says so."
    ),
    "spiral": (
        "CS231n's spiral (3 classes, not linearly separable), as in TensorFlow Playground: the decision "
        "regions below follow the net while it trains."
    ),
}

LECTURE_LINKS = (
    "Each experiment is a link you can put on a slide: "
    "[zero init](training?preset=zero-init) · [constant](training?preset=constant-init) · "
    "[small random](training?preset=small-random) · "
    "[deep tanh 0.01, SGD](training?preset=tanh-0.01-sgd) · [… with Adam](training?preset=tanh-0.01-adam) · "
    "[tanh saturated](training?preset=tanh-0.3-sgd) · [tanh Xavier](training?preset=tanh-xavier-sgd) · "
    "[ReLU 20 layers Xavier](training?preset=relu-xavier-20) · [Kaiming](training?preset=relu-kaiming-20) · "
    "[ReLU 30 layers Xavier](training?preset=relu-xavier-30) · [Kaiming](training?preset=relu-kaiming-30) · "
    "[tiny init, no BN](training?preset=scale-no-bn) · [with BN](training?preset=scale-bn) · "
    "[lr 3.16, no BN](training?preset=lr-no-bn) · [with BN](training?preset=lr-bn) · "
    "[overfit 20 examples](training?preset=overfit-20) · [lr too low](training?preset=lr-too-low) · "
    "[lr too high](training?preset=lr-too-high) · [spiral](training?preset=spiral). "
    "Add `&step=500` to open a run already trained."
)

SWEEPS = {
    "scale": (
        "**Experiment 3, batch norm against the weight scale** (CS231n assignment 2): 8 tanh layers of 64, "
        "W = scale·randn at 12 scales from 1e-4 to 1, SGD with momentum (lr 0.01), 400 steps each, without and "
        "with batch norm before the activation. A run *trains* when its final training loss is below half of "
        "ln 10."
    ),
    "lr": (
        "**Experiment 4, batch norm and the learning rate**: 8 ReLU layers of 64, Kaiming, plain SGD, 300 steps "
        "at 9 learning rates from 1e-3 to 10 (half decades), without and with batch norm before the activation."
    ),
}
