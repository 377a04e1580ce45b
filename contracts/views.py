"""Contract pages: buyers edit, viewers read, supplier contacts get 404 (rules are internal)."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.access import editors_only, internal_only
from accounts.roles import user_can_edit
from contracts import services
from contracts.filters import ContractFilter
from contracts.forms import (
    ContractForm,
    PriceTierForm,
    RuleForm,
    VolumeCommitmentForm,
    errors_onto,
)
from contracts.models import ContractRule, PriceTier, VolumeCommitment
from contracts.selectors import (
    contract_history,
    contract_history_sentences,
    contract_list,
    contract_rule_sentence,
)

EDITOR_MESSAGE = "Only buyers and admins change contracts."


def _contract(request, reference: str):
    return get_object_or_404(contract_list(user=request.user), reference=reference)


@internal_only
def contract_list_view(request):
    filterset = ContractFilter(
        request.GET, queryset=contract_list(user=request.user), request=request
    )
    return render(
        request,
        "contracts/contract_list.html",
        {"filter": filterset, "contracts": filterset.qs[:500]},
    )


def _undo(request, contract):
    """The deletion just made (`?deleted=<change id>`), when it can still be undone."""
    change_id = request.GET.get("deleted", "")
    if not change_id.isdigit() or not user_can_edit(request.user):
        return None
    change = contract_history(contract=contract).filter(pk=int(change_id)).first()
    if change is None or not services.contract_change_restorable(change):
        return None
    return {"change": change, "noun": _NOUNS.get(change.object_type, "item")}


@internal_only
def contract_detail(request, reference: str):
    contract = _contract(request, reference)
    rules = [
        (rule, contract_rule_sentence(rule))
        for rule in contract.rules.select_related("part", "contract__supplier").order_by(
            "name", "pk"
        )
    ]
    context = {
        "contract": contract,
        "rules": rules,
        "tiers": contract.price_tiers.select_related("part").order_by(
            "part__number", "min_quantity"
        ),
        "commitments": contract.commitments.select_related("part").order_by("part__number"),
        "history": contract_history_sentences(contract=contract),
        "undo": _undo(request, contract),
    }
    return render(request, "contracts/contract_detail.html", context)


def _with_form_data(write, form):
    def call():
        return write(**form.cleaned_data)

    return call


def _save(form, write, request):
    """Run a service for a valid form; its ValidationError lands on the form's fields."""
    if not form.is_valid():
        return None
    try:
        return write()
    except ValidationError as error:
        errors_onto(form, error)
        return None


@editors_only(message=EDITOR_MESSAGE)
def contract_create(request):
    form = ContractForm(request.POST or None)
    if request.method == "POST":
        contract = _save(
            form,
            lambda: services.contract_create(actor=request.user, **form.cleaned_data),
            request,
        )
        if contract:
            messages.success(request, f"Contract {contract.reference} created.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(request, "contracts/contract_form.html", {"form": form})


@editors_only(message=EDITOR_MESSAGE)
def contract_edit(request, reference: str):
    contract = _contract(request, reference)
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST":
        data_fields = [n for n in services.CONTRACT_FIELDS if n not in ("reference", "supplier")]
        saved = _save(
            form,
            lambda: services.contract_update(
                contract=contract,
                actor=request.user,
                **{n: form.cleaned_data[n] for n in data_fields},
            ),
            request,
        )
        if saved:
            messages.success(request, f"Contract {contract.reference} saved.")
            return redirect("contracts:detail", reference=contract.reference)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract})


@editors_only(message=EDITOR_MESSAGE)
def rule_edit(request, reference: str, rule_id: int | None = None):
    contract = _contract(request, reference)
    rule = get_object_or_404(contract.rules, pk=rule_id) if rule_id else None
    form = RuleForm(request.POST or None, instance=rule, contract=contract)
    sentence = contract_rule_sentence(rule) if rule else None
    if request.method == "POST":
        if form.is_valid():
            sentence = contract_rule_sentence(form.candidate())
        if "preview" not in request.POST:
            fields = (
                {n: form.cleaned_data.get(n) for n in services.RULE_FIELDS}
                if form.is_valid()
                else {}
            )
            if rule:
                write = partial(services.contract_rule_update, rule=rule, actor=request.user)
            else:
                write = partial(
                    services.contract_rule_create, contract=contract, actor=request.user
                )
            write = partial(write, **fields)
            if _save(form, write, request):
                messages.success(request, f"Rule saved: {sentence}")
                return redirect("contracts:detail", reference=contract.reference)
    context = {"form": form, "contract": contract, "rule": rule, "sentence": sentence}
    if request.htmx and "preview" in request.POST:
        return render(request, "contracts/_rule_sentence.html", context)  # the live preview
    return render(request, "contracts/rule_form.html", context)


_CHILDREN = {
    "rules": (ContractRule, "rules", None, services.contract_rule_delete, "rule"),
    "tiers": (PriceTier, "price_tiers", PriceTierForm, services.price_tier_delete, "tier"),
    "commitments": (
        VolumeCommitment,
        "commitments",
        VolumeCommitmentForm,
        services.volume_commitment_delete,
        "commitment",
    ),
}
_CREATE = {"tiers": services.price_tier_create, "commitments": services.volume_commitment_create}
_UPDATE = {"tiers": services.price_tier_update, "commitments": services.volume_commitment_update}
_TITLES = {"tiers": "price tier", "commitments": "volume commitment"}


@editors_only(message=EDITOR_MESSAGE)
def child_edit(request, reference: str, kind: str, child_id: int | None = None):
    if kind not in _CREATE:
        raise Http404()
    contract = _contract(request, reference)
    _, related, form_class, _, keyword = _CHILDREN[kind]
    obj = get_object_or_404(getattr(contract, related), pk=child_id) if child_id else None
    form = form_class(request.POST or None, instance=obj, contract=contract)
    if request.method == "POST":
        if obj:
            write = partial(_UPDATE[kind], **{keyword: obj}, actor=request.user)
        else:
            write = partial(_CREATE[kind], contract=contract, actor=request.user)
        write = _with_form_data(write, form)
        if _save(form, write, request):
            messages.success(request, f"{_TITLES[kind].capitalize()} saved.")
            return redirect("contracts:detail", reference=contract.reference)
    context = {"form": form, "contract": contract, "title": _TITLES[kind], "obj": obj}
    return render(request, "contracts/child_form.html", context)


_NOUNS = {
    "contractrule": "rule",
    "pricetier": "price tier",
    "volumecommitment": "volume commitment",
}


def _describe_child(kind: str, obj) -> str:
    if kind == "rules":
        return f"rule '{obj.name}': {contract_rule_sentence(obj)}"
    if kind == "tiers":
        return f"price tier of part {obj.part.number} from {obj.min_quantity.normalize():f}"
    return f"volume commitment on part {obj.part.number}"


@editors_only(message=EDITOR_MESSAGE)
def child_delete(request, reference: str, kind: str, child_id: int):
    """Deleting asks first (this page); once confirmed it is audited and can be undone."""
    if kind not in _CHILDREN:
        raise Http404()
    contract = _contract(request, reference)
    _, related, _, delete, keyword = _CHILDREN[kind]
    obj = get_object_or_404(getattr(contract, related), pk=child_id)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        context = {
            "contract": contract,
            "what": _describe_child(kind, obj),
            "noun": {"rules": "rule", **_TITLES}[kind],
        }
        return render(request, "contracts/child_confirm_delete.html", context)
    description = _describe_child(kind, obj)
    delete(**{keyword: obj}, actor=request.user)
    change = contract_history(contract=contract).filter(kind="deleted").first()
    messages.success(request, f"Deleted the {description}.")
    url = reverse("contracts:detail", kwargs={"reference": contract.reference})
    return redirect(f"{url}?deleted={change.pk}")


@editors_only(message=EDITOR_MESSAGE, methods=["POST"])
def child_restore(request, reference: str, change_id: int):
    """Undo a deletion from the contract's history."""
    contract = _contract(request, reference)
    change = get_object_or_404(contract_history(contract=contract), pk=change_id)
    try:
        services.contract_child_restore(change=change, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Restored the {_NOUNS.get(change.object_type, 'item')}.")
    return redirect("contracts:detail", reference=contract.reference)
