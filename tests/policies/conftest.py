from tests.certificates.conftest import builder, courses, report  # noqa: F401 (fixtures)
from tests.duty.conftest import learn, run  # noqa: F401 (fixtures)
