"""The purchasing API, split by topic: orders, shipping, receipts and inspections, FX."""

from purchasing.api.fx import FxRateViewSet
from purchasing.api.orders import PurchaseOrderViewSet
from purchasing.api.receipts import InspectionViewSet, ReceiptViewSet
from purchasing.api.shipping import ShipNoticeViewSet

__all__ = [
    "FxRateViewSet",
    "InspectionViewSet",
    "PurchaseOrderViewSet",
    "ReceiptViewSet",
    "ShipNoticeViewSet",
]
