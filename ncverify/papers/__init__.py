"""The theorem modules of the three papers; importing this package registers every claim."""

import ncverify.papers.sk  # noqa: F401
from ncverify.papers import gk  # noqa: F401
