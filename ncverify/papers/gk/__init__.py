"""Garrod & Keating, *The Persistence of Neural Collapse Despite Low-Rank Bias* (key ``gk``).

Source: ``../shared/papers/001_015071d9d71e7d05.txt`` (Markdown with LaTeX).
"""

from ncverify.papers.gk import (  # noqa: F401  (each module registers its claim)
    assumption1,
    eq19,
    eq27,
    fig6,
    lemma1,
    lemma2,
    prop1,
    schatten,
    thm1,
    thm2,
    thm3,
    thm4,
    thm5,
    thm6,
    thm7,
    thm_a1,
    thm_a2,
    thm_a3,
)
