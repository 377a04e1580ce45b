from django import forms

from accounts.models import UserProfile


class AlertBulkActionForm(forms.Form):
    ACTIONS = [("acknowledge", "Acknowledge"), ("resolve", "Resolve")]

    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[],
        error_messages={
            "required": "Select at least one alert.",
            "invalid_choice": "One of the selected alerts is not available to you any more.",
        },
    )

    def __init__(self, *args, visible_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in visible_ids]


class NotificationSettingsForm(forms.Form):
    email_frequency = forms.ChoiceField(
        choices=UserProfile.EmailFrequency.choices,
        widget=forms.RadioSelect,
        label="Email me",
    )


class AlertNoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Note")


class AlertOwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="username",
        empty_label="The supplier's owner buyer",
        label="Owner",
    )

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = buyers
