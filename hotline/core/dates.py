"""PURE: the range of calendar days that hotline accepts as input (report periods).

A day such as 9999-12-31 is a valid date, but the day after it is not, and arithmetic on it
overflowed into a 500. Nothing hotline records falls outside these bounds, so a day outside
them is refused as invalid input (422) where it enters.
"""

from datetime import date
from typing import Annotated

from annotated_types import Interval

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)

# A query parameter or schema field of this type is checked by ninja/pydantic: 422 outside.
InputDay = Annotated[date, Interval(ge=EARLIEST_DAY, le=LATEST_DAY)]


def day_problem(day: date) -> str | None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"
    return None
