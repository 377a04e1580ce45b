"""Every /api/v1/ resource is registered here, one line per resource."""

from rest_framework.routers import DefaultRouter

from contracts.api import ContractViewSet
from inventory.api import InventoryPositionViewSet
from parts.api import PartViewSet, SourceViewSet
from purchasing.api import (
    FxRateViewSet,
    InspectionViewSet,
    PurchaseOrderViewSet,
    ReceiptViewSet,
    ShipNoticeViewSet,
)
from scorecards.api import PartScorecardViewSet, SupplierScorecardViewSet
from suppliers.api import SupplierViewSet

router = DefaultRouter()
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("parts", PartViewSet, basename="part")
router.register("sources", SourceViewSet, basename="source")
router.register("contracts", ContractViewSet, basename="contract")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("ship-notices", ShipNoticeViewSet, basename="ship-notice")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("inventory-positions", InventoryPositionViewSet, basename="inventory-position")
router.register("fx-rates", FxRateViewSet, basename="fx-rate")
router.register("scorecards", SupplierScorecardViewSet, basename="scorecard")
router.register("part-scorecards", PartScorecardViewSet, basename="part-scorecard")

urlpatterns = router.urls
