"""Reproductions of the papers' experiments: one module per figure (``ncverify reproduce ID``)."""

from ncverify.experiments import gk_fig1, gk_fig6, gk_sweeps, sk_fig1, sk_fig3, sk_fig45  # noqa: F401
from ncverify.experiments.base import EXPERIMENTS, Context, get_experiment

__all__ = ["EXPERIMENTS", "Context", "get_experiment"]
