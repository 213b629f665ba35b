pytest_plugins = ["tests.support.tools", "tests.support.sites"]
