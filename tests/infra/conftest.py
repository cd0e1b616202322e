"""Fixtures of the end-to-end suite. It needs a deployed release: run it with `invoke test.e2e`."""

import pytest
from todo_release import Deployment, TodoUser


@pytest.fixture(scope="session")
def deployment() -> Deployment:
    found = Deployment.from_environment()
    if found is None:
        pytest.skip("TODO_BASE_URL is not set: run the end-to-end suite with `invoke test.e2e`")
    return found


@pytest.fixture
def alice(deployment: Deployment) -> TodoUser:
    return TodoUser(deployment.base_url).sign_up()


@pytest.fixture
def bob(deployment: Deployment) -> TodoUser:
    return TodoUser(deployment.base_url).sign_up()
