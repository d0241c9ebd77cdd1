"""Who may call which public route: the gateway's route dependencies.

The caller was verified before the routes (``chassis.access.AuthMiddleware``, installed by
``create_app(authenticate=True)``) and is in ``scope["state"]["principal"]``; these refuse:
no token or a bad one → 401, a valid one without the role → 403. The services decide per object
(a customer's own records) with the same token, which every upstream call carries on.

``oauth2_scheme`` makes Swagger's Authorize button sign in with a password at the token
endpoint; like ``chassis.access.bearer_scheme`` it only documents, it reads nothing.
"""

# No ``from __future__ import annotations``: FastAPI must see the closure's ``Depends(check)``
# as an object, not as a string it would look up among the module's globals.
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from chassis import Principal
from chassis import require_roles as require_any_role
from chassis.access import AUTH_RESPONSES
from chassis.auth import ADMIN, ROLES, STAFF
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

TOKEN_URL = "/api/auth/token"
STAFF_ROLES = (ADMIN, STAFF)

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    scheme_name="password",
    description="Sign in with an email and password (client orderflow-web)",
    auto_error=False,
)
OAuth2Documented = Annotated[str | None, Depends(oauth2_scheme)]


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller if it holds any of ``roles``; 401 without a valid token, 403
    without the role."""
    check = require_any_role(*roles)

    async def dependency(
        principal: Annotated[Principal, Depends(check)], _documented: OAuth2Documented
    ) -> Principal:
        return principal

    return dependency


require_caller = require_roles(*ROLES)
"""Any signed-in OrderFlow user: admin, staff or customer."""
require_staff = require_roles(*STAFF_ROLES)

CallerDep = Annotated[Principal, Depends(require_caller)]
StaffDep = Annotated[Principal, Depends(require_staff)]

__all__ = [
    "AUTH_RESPONSES",
    "CallerDep",
    "StaffDep",
    "oauth2_scheme",
    "require_caller",
    "require_roles",
    "require_staff",
]
