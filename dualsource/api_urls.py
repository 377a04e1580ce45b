"""Every /api/v1/ resource is registered here, one line per resource."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
