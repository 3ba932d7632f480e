"""Súkeník, Mondelli & Lampert, *Neural Collapse versus Low-rank Bias: Is Deep Neural Collapse
Really Optimal?* (key ``sk``): the L-DUFM with MSE loss, ReLU and per-layer weight decay, the
strongly-regular-graph (SRG) construction of Appendix B.1, Theorem 3, and Theorem 4 / 17 of B.2.

Source: ``../shared/papers/002_521ba04a56249479.txt`` (Markdown with LaTeX).
"""

from ncverify.papers.sk import (  # noqa: F401
    def6,
    def7,
    def8,
    lemma9,
    lemma10,
    lemma11,
    lemma12,
    lemma13,
    lemma14,
    lemma15,
    thm3,
    thm4,
    triangular_graph,
)
