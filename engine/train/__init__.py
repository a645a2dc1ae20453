"""The training lab's engine: a small, exact trainer for fully connected nets."""
