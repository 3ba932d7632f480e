"""The theorem modules of the three papers; importing this package registers every claim."""

from ncverify.papers import gk, sk, zg  # noqa: F401
