# The plugin's own rules are tested by running pytest on small test files.
pytest_plugins = ["pytester"]
