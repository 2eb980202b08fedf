"""The integrations' rows of the authorization matrix: SCIM (bearer tokens, not sessions) and the staff pages of
directory connections and the people import."""

from tests.authz.matrix import Row  # noqa: F401 - used by the rows each part adds

# SCIM's rows (integrations/scim).
ROWS_SCIM: list = []
# The people import's rows (integrations/people_import).
ROWS_IMPORT: list = []
