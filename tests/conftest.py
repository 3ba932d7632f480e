"""Shared test settings: hypothesis profiles (CI runs the default, bounded one)."""

import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

settings.register_profile("default", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture
def one_blas_thread():
    """Tiny matrices: a second BLAS thread only adds contention (as in Claim.run).  Modules
    that want it for every test use ``pytestmark = pytest.mark.usefixtures(...)``."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def crash_on_task(monkeypatch):
    """``crash_on_task(m)`` makes the m-th executed experiment task raise "worker crashed" (a
    simulated interrupted sweep); returns the list of task keys executed so far."""
    from ncverify.experiments import base as exp_base

    real = exp_base.execute_task

    def install(m: int) -> list[str]:
        calls: list[str] = []

        def flaky(task):
            calls.append(task.key)
            if len(calls) == m:
                raise RuntimeError("worker crashed")
            return real(task)

        monkeypatch.setattr(exp_base, "execute_task", flaky)
        return calls

    return install
