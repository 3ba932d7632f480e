"""Garrod & Keating, *The Persistence of Neural Collapse Despite Low-Rank Bias* (key ``gk``).

Source: ``../shared/papers/001_015071d9d71e7d05.txt`` (Markdown with LaTeX).
"""

from ncverify.papers.gk import eq19, lemma2, schatten, thm1, thm4  # noqa: F401
