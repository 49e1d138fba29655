"""Everything the importer finds in a policy's outline, in one ``Findings``."""

from .cookies_mentioned import find_cookies
from .dates import find_last_updated
from .findings import Findings
from .outline import Outline
from .retention_statements import find_retention
from .third_parties import find_third_parties


def find_all(outline: Outline, own_names=()) -> Findings:
    """Retention statements, third parties, cookies and "last updated" dates of a policy.

    ``own_names`` are the organisation's own names (from its settings), never reported as third parties.
    Third parties are found before cookies, so that "Hotjar uses cookies" names Hotjar as the cookies' provider.
    """
    third_parties = find_third_parties(outline, own_names)
    return Findings(
        retention=find_retention(outline),
        third_parties=third_parties,
        cookies=find_cookies(outline, third_parties),
        last_updated=find_last_updated(outline),
    )
