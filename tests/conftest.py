from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.support.tools", "tests.support.sites"]


@pytest.fixture(scope="session", autouse=True)
def build_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every `sitegen` the tests run keeps its build cache in a temporary folder, never in ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITEGEN_CACHE_DIR", str(tmp_path_factory.mktemp("sitegen-cache")))
        yield
