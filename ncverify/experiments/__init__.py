"""Reproductions of the papers' experiments: one module per figure (``ncverify reproduce ID``)."""

from ncverify.experiments import (  # noqa: F401
    gk_fig1,
    gk_fig6,
    gk_sweeps,
    realdata_gk,
    realdata_sk,
    realdata_zg,
    sk_fig1,
    sk_fig3,
    sk_fig45,
)
from ncverify.experiments.base import EXPERIMENTS, Context, get_experiment

__all__ = ["EXPERIMENTS", "Context", "get_experiment"]
