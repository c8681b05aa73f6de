"""Input types shared by the API's schemas."""

from typing import Annotated

from pydantic import Field

# A row id sent in a body or query: bounded, so that a number beyond 64 bits answers 422, not 500.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
