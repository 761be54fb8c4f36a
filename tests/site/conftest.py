import pytest

from _site_case import site_case


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(store, site directory, files) shared by the website tests (built once per session)."""
    return site_case(str(tmp_path_factory.mktemp("site")))
