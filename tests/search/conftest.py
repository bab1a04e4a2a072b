import pytest

# The contract module contains asserts but is not a test module, so pytest would not rewrite
# them to show the compared values on failure.
pytest.register_assert_rewrite("tests.search.contract")
