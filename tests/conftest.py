"""Makes tests/local_servers.py importable from every test directory."""
