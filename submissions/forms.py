"""The month's submission form: the written sections and the sign-off block. Its shape only; whether it
may be saved or sent is submissions.services' to judge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, User
from submissions import services
from submissions.models import Submission


class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.get_full_name()}（{user.role_label}）"


class SubmissionForm(forms.Form):
    work_done = forms.CharField(label=_("Work done"), required=False, max_length=services.TEXT_MAX_CHARS,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=_("What was done this month: visits, activities, aid, trainings."))
    problems = forms.CharField(label=_("Problems"), required=False, max_length=services.TEXT_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 4}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, max_length=services.TEXT_MAX_CHARS,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    prepared_by = SignerChoiceField(label=_("Prepared by"), queryset=User.objects.none(), required=False)
    reviewed_by = SignerChoiceField(label=_("Reviewed by"), queryset=User.objects.none(), required=False,
                                    help_text=_("Someone other than the preparer."))
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20)

    def __init__(self, *args, region: Region, submission: Submission | None, user: User, **kwargs):
        candidates = services.sign_off_candidates(region)
        if submission is not None:
            kwargs.setdefault("initial", {
                "work_done": submission.work_done, "problems": submission.problems,
                "next_steps": submission.next_steps, "prepared_by": submission.prepared_by_id,
                "reviewed_by": submission.reviewed_by_id, "contact_phone": submission.contact_phone})
        else:
            kwargs.setdefault("initial", {"prepared_by": user.pk, "contact_phone": user.phone})
        super().__init__(*args, **kwargs)
        self.fields["prepared_by"].queryset = candidates
        self.fields["reviewed_by"].queryset = candidates

    def service_fields(self) -> dict:
        """The cleaned data as submissions.services.submission_update takes it (an empty 填报人 leaves it
        as it is; an empty 审核人 clears it)."""
        data = dict(self.cleaned_data)
        if data.get("prepared_by") is None:
            data.pop("prepared_by", None)
        return data
