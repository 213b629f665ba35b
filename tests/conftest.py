pytest_plugins = ["tests.support.tools"]
