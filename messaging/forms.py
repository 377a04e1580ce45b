"""Message forms; every field naming an object offers only what the user may see."""

from django import forms

from accounts.selectors import scope_for_user, user_supplier_id
from purchasing.models import PurchaseOrder
from suppliers.models import Supplier


class MessageForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000, label="Message"
    )


class ThreadForm(forms.Form):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Supplier code"}),
    )
    purchase_order = forms.ModelChoiceField(
        queryset=PurchaseOrder.objects.none(),
        to_field_name="number",
        required=False,
        label="Purchase order (optional)",
        widget=forms.TextInput(attrs={"placeholder": "PO number"}),
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.own_supplier_id = user_supplier_id(user)
        self.fields["supplier"].queryset = scope_for_user(Supplier.objects.all(), user)
        self.fields["purchase_order"].queryset = scope_for_user(PurchaseOrder.objects.all(), user)
        self.fields["purchase_order"].error_messages["invalid_choice"] = "No such purchase order."
        self.fields["supplier"].error_messages["invalid_choice"] = "No such supplier."
        if self.own_supplier_id is not None:
            del self.fields["supplier"]

    def clean(self):
        data = super().clean()
        order = data.get("purchase_order")
        if self.own_supplier_id is not None:
            data["supplier"] = Supplier.objects.get(pk=self.own_supplier_id)
        supplier = data.get("supplier") or (order.supplier if order else None)
        if supplier is None and "supplier" not in self.errors:
            self.add_error("supplier", "Choose the supplier.")
        if supplier is not None and order is not None and order.supplier_id != supplier.pk:
            self.add_error("purchase_order", "This order is not the supplier's.")
        data["supplier"] = supplier
        return data
