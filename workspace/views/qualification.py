"""Qualification pages: the supplier's gate, assessments (open, score, submit), the
re-qualification list, and the qualification block of the supplier page."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import editors_only, internal_only
from core.forms import form_status
from suppliers import gates
from suppliers.certificate_kinds import certificate_kind_label
from suppliers.models import Certificate, QualificationAssessment
from suppliers.selectors import (
    assessments_visible,
    esg_scores,
    requalification_due_dates,
    suppliers_due_for_requalification,
    visible_suppliers,
)
from suppliers.services import assessment_create, assessment_submit, assessment_update
from workspace.forms import errors_onto
from workspace.qualification_forms import AssessmentForm
from workspace.selectors import assessment_criteria, assessment_scores_by_code

DUE_WITHIN_DAYS = 90


def certificates_against_required(supplier, *, today: dt.date) -> list[dict]:
    """Each certificate kind required by the categories of the parts it sources, with the
    newest certificate held (a renewal replaces the older one) and its state."""
    newest: dict[str, Certificate] = {}
    for certificate in Certificate.objects.filter(supplier=supplier).order_by("valid_until"):
        newest[certificate.kind] = certificate
    required: dict[str, list[str]] = {}
    for kind, category in gates.required_certificates(supplier):
        required.setdefault(kind, []).append(category)
    rows = []
    for kind in sorted(set(required) | set(newest)):
        held = newest.get(kind)
        rows.append(
            {
                "kind": certificate_kind_label(kind),
                "categories": required.get(kind, []),
                "required": kind in required,
                "certificate": held,
                "state": held.expiry_state(today) if held else "missing",
            }
        )
    return rows


def qualification_context(*, supplier, user, today: dt.date) -> dict:
    """The qualification block of the supplier page (internal roles)."""
    due = requalification_due_dates(visible_suppliers(user).filter(pk=supplier.pk)).get(supplier.pk)
    return {
        "gate_summary": gates.supplier_gate_summary(supplier, as_of=today),
        "no_assessment_on_file": gates.no_assessment_on_file(supplier),
        "assessments": list(assessments_visible(user=user).filter(supplier=supplier)[:20]),
        "status_history": list(gates.status_history(supplier)[:20]),
        "certificate_rows": certificates_against_required(supplier, today=today),
        "requalification_due": due[0] if due else None,
        "requalification_overdue": bool(due and due[0] < today),
        "esg": esg_scores(supplier_ids=[supplier.pk], as_of=today).get(supplier.pk),
    }


def _save(*, form, supplier, assessment, user, submit: bool):
    """Create or update the assessment from the form, and submit it if asked; atomic."""
    values = form.service_input()
    with transaction.atomic():
        if assessment is None:
            assessment = assessment_create(
                supplier=supplier,
                assessed_by=user,
                category=form.cleaned_data["category"],
                assessed_on=form.cleaned_data["assessed_on"],
                **values,
            )
        else:
            assessment_update(
                assessment=assessment,
                category=form.cleaned_data["category"],
                actor=user,
                **values,
            )
        if submit:
            assessment_submit(assessment=assessment, actor=user)
    return assessment


@editors_only
def assessment_edit(request, code: str, pk: int | None = None):
    """Open an assessment (or continue a draft): save as draft, or submit."""
    supplier = get_object_or_404(visible_suppliers(request.user), code=code)
    assessment = None
    if pk is not None:
        assessment = get_object_or_404(
            assessments_visible(user=request.user), supplier=supplier, pk=pk
        )
        if assessment.state != QualificationAssessment.State.DRAFT:
            return redirect("suppliers:assessment", code=code, pk=pk)
    existing = assessment_scores_by_code(assessment=assessment)
    initial = {"assessed_on": timezone.localdate()}
    if assessment is not None:
        initial = {
            "assessed_on": assessment.assessed_on,
            "category": assessment.category,
            "notes": assessment.notes,
        }
    form = AssessmentForm(
        request.POST or None,
        request.FILES or None,
        criteria=assessment_criteria(assessment=assessment),
        editing_scores=existing,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            assessment = _save(
                form=form,
                supplier=supplier,
                assessment=assessment,
                user=request.user,
                submit=submit,
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, "Assessment submitted." if submit else "Draft saved.")
            return redirect("suppliers:assessment", code=code, pk=assessment.pk)
    return render(
        request,
        "suppliers/assessment_form.html",
        {"form": form, "supplier": supplier, "assessment": assessment},
        status=form_status(form),
    )


@internal_only
def assessment_detail(request, code: str, pk: int):
    supplier = get_object_or_404(visible_suppliers(request.user), code=code)
    assessment = get_object_or_404(assessments_visible(user=request.user), supplier=supplier, pk=pk)
    scores = assessment.scores.select_related("criterion").order_by("criterion__code")
    return render(
        request,
        "suppliers/assessment_detail.html",
        {"supplier": supplier, "assessment": assessment, "scores": scores},
    )


@internal_only
def requalification_list(request):
    """Approved suppliers whose re-qualification falls due in the next 90 days, or is overdue."""
    today = timezone.localdate()
    rows = suppliers_due_for_requalification(
        user=request.user, as_of=today, within_days=DUE_WITHIN_DAYS
    )
    return render(
        request,
        "suppliers/requalification_due.html",
        {
            "rows": [
                {"supplier": s, "due": due, "on_file": on_file, "overdue": due < today}
                for s, due, on_file in rows
            ],
            "within_days": DUE_WITHIN_DAYS,
            "today": today,
        },
    )
