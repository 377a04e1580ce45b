"""Every /api/v1/ resource is registered here, one line per resource.

How clients use the API (the OpenAPI schema at /api/schema/, docs at /api/docs/):
- Authenticate with a session or `Authorization: Token <key>` (`manage.py create_api_token`).
- Objects are addressed and referenced by natural keys: /suppliers/ACME/, /parts/P-1/,
  /contracts/C-1/, /purchase-orders/PO-1/, /receipts/GR-1/ (ids for sources, ship notices,
  inspections, stock readings and FX rates); bodies name suppliers by code, parts by
  number, order lines by `purchase_order` + `line`, inspections' receipts by number.
- Lists are paginated (`?page=`, `?page_size=` up to 1000) and filtered with the app's
  FilterSet (`?supplier=ACME&receipt_date_after=2026-01-01`); `?format=csv|xlsx` downloads
  the whole filtered list (/exports/<resource>.csv|xlsx does the same for any resource).
- POST a list to receipts, inspections or inventory-positions to create many at once, all
  or nothing; a bad batch answers 400 {"detail", "errors": [{"index", "field", "message"}]}.
- A supplier contact sees only its own supplier's objects (others answer 404), never
  source shares, and may only acknowledge order lines, post ship notices and transit
  events, upload certificates (multipart) and post threads and messages; viewers only read.
"""

from rest_framework.routers import DefaultRouter

from alerts.api import AlertViewSet
from contracts.api import ContractViewSet, RuleViewSet
from inventory.api import (
    InventoryPositionViewSet,
    InventoryReadingViewSet,
    InventoryRejectViewSet,
)
from invoicing.api import InvoiceViewSet
from messaging.api import MessageViewSet, ThreadViewSet
from parts.api import PartCategoryViewSet, PartViewSet, SourceViewSet
from parts.risk_api import SourcingRiskViewSet
from planning.api import DemandPlanViewSet, PolicyViewSet, SuggestionViewSet
from prediction.api import PredictionModelViewSet, RiskPurchaseOrderViewSet
from purchasing.api import (
    FxRateViewSet,
    InspectionViewSet,
    ReceiptViewSet,
    ShipNoticeViewSet,
)
from rules.api import (
    AllocationChangeViewSet,
    AllocationViewSet,
    AutomationRateViewSet,
    ExceptionViewSet,
)
from scorecards.api import PartScorecardViewSet, SupplierScorecardViewSet
from sites.api import SiteViewSet
from suppliers.api import (
    AssessmentViewSet,
    CertificateViewSet,
    EsgAnswerViewSet,
    SupplierViewSet,
)

router = DefaultRouter()
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("parts", PartViewSet, basename="part")
router.register("sources", SourceViewSet, basename="source")
router.register("contracts", ContractViewSet, basename="contract")
router.register("rules", RuleViewSet, basename="rule")
# Purchasing's order viewset, with each line's late risk for internal roles (prediction).
router.register("purchase-orders", RiskPurchaseOrderViewSet, basename="purchase-order")
router.register("ship-notices", ShipNoticeViewSet, basename="ship-notice")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("inventory-positions", InventoryPositionViewSet, basename="inventory-position")
router.register("inventory-readings", InventoryReadingViewSet, basename="inventory-reading")
router.register("inventory-rejects", InventoryRejectViewSet, basename="inventory-reject")
router.register("sites", SiteViewSet, basename="site")
router.register("fx-rates", FxRateViewSet, basename="fx-rate")
router.register("scorecards", SupplierScorecardViewSet, basename="scorecard")
router.register("part-scorecards", PartScorecardViewSet, basename="part-scorecard")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("threads", ThreadViewSet, basename="thread")
router.register("messages", MessageViewSet, basename="message")
router.register("alerts", AlertViewSet, basename="alert")
# The allocation engine (docs/rules.md).
router.register("allocation-changes", AllocationChangeViewSet, basename="allocation-change")
router.register("exceptions", ExceptionViewSet, basename="exception")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("automation-rate", AutomationRateViewSet, basename="automation-rate")
# Supplier invoices and their three-way match (docs/invoices.md).
router.register("invoices", InvoiceViewSet, basename="invoice")

# Qualification, ESG and regional risk.
router.register("part-categories", PartCategoryViewSet, basename="part-category")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("esg-answers", EsgAnswerViewSet, basename="esg-answer")
router.register("sourcing-risk", SourcingRiskViewSet, basename="sourcing-risk")

# Replenishment planning (docs/planning.md).
router.register("demand-plans", DemandPlanViewSet, basename="demand-plan")
router.register("replenishment-policies", PolicyViewSet, basename="replenishment-policy")
router.register("replenishment-suggestions", SuggestionViewSet, basename="replenishment-suggestion")

# Late-delivery prediction (docs/prediction.md).
router.register("prediction-models", PredictionModelViewSet, basename="prediction-model")

urlpatterns = router.urls
