"""The shipped case library as the paged lists show it, and finding a case in them.

The library grows, so a test that needs a particular case turns the pages (Next) the way a
supporter would instead of assuming the case is on the first page.
"""

from __future__ import annotations

import math

from content.loader import load_library
from handlers.keyboards import PAGE_SIZE

SHIPPED, _ = load_library()
CASE_PAGES = math.ceil(len(SHIPPED.cases) / PAGE_SIZE)  # /cases lists every case
OPEN_CASE_PAGES = math.ceil(  # /write lists only the open ones
    sum(case.status == "open" for case in SHIPPED.cases.values()) / PAGE_SIZE
)


async def turn_to(user, label: str, listing):
    """Press Next on the paged list ``listing`` until a button matching ``label`` shows;
    return the list message as it is then."""
    for _ in range(CASE_PAGES):
        current = user.message(listing.message_id)
        if current.find_button(label) is not None:
            return current
        await user.press("Next", current)
        await user.reply()
    raise AssertionError(f"no button matching {label!r} on any page\n{user.dump()}")
