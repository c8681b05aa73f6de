"""API of the integrations app: each area keeps its own router; this module only joins them."""

from ninja import Router

from .notifications_api import router as notifications_router
from .redmine_api import router as redmine_router
from .webhooks_api import router as webhooks_router

router = Router()
router.add_router("", notifications_router)
router.add_router("", webhooks_router)
router.add_router("", redmine_router)
