"""The /admin pages, each module adding its own routes to one router."""

from fastapi import APIRouter

from web.admin import audit_log, departments, grants, users
from web.redirects import see_other

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("")
def admin_home():
    return see_other("/admin/users")


for module in (departments, users, grants, audit_log):
    router.include_router(module.router)
