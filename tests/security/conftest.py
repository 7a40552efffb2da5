# The permission matrix's world (both districts, every role), shared with the tests that walk its pages.
from tests.security.test_permission_matrix import matrix  # noqa: F401
