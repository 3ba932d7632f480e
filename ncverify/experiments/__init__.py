"""Reproductions of the papers' experiments: one module per figure (``ncverify reproduce ID``)."""

from ncverify.experiments import gk_fig1, gk_fig6, gk_sweeps  # noqa: F401
from ncverify.experiments.base import EXPERIMENTS, Context, get_experiment

__all__ = ["EXPERIMENTS", "Context", "get_experiment"]
