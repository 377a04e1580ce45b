"""The contact's ESG questionnaire and score, and its own assessments' outcome."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import contact_required
from core.forms import form_add_service_errors, form_status
from portal.forms import EsgForm
from suppliers.esg import esg_improvements
from suppliers.selectors import assessments_visible, esg_assessments_visible, esg_scores
from suppliers.services import esg_assessment_submit


@contact_required
def esg(request):
    supplier_id = request.contact.supplier_id
    history = esg_assessments_visible(user=request.user, supplier_id=supplier_id)
    latest = history.first()
    initial = {}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in EsgForm.Meta.fields}
    form = EsgForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if k != "evidence"}
        try:
            esg_assessment_submit(
                supplier=request.contact.supplier,
                user=request.user,
                evidence=form.cleaned_data.get("evidence"),
                **answers,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "ESG answers saved. Thank you.")
            return redirect("portal:esg")
    result = esg_scores(supplier_ids=[supplier_id], as_of=timezone.localdate()).get(supplier_id)
    return render(
        request,
        "portal/esg.html",
        {
            "form": form,
            "history": history,
            "latest": latest,
            "esg": result,
            "improvements": esg_improvements(result) if result is not None else [],
        },
        status=form_status(form),
    )


@contact_required
def qualification(request):
    """Its own assessments: date, scores, weighted score, passed or why not. The assessors'
    comments and names stay internal."""
    assessments = (
        assessments_visible(user=request.user)
        .filter(supplier_id=request.contact.supplier_id, state="submitted")
        .prefetch_related("scores__criterion")
    )
    return render(request, "portal/qualification.html", {"assessments": assessments})
