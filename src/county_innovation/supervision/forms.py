"""Forms of the task supervision pages: parsing only; the rules are in services."""

from django import forms

from county_innovation.accounts.models import Department
from county_innovation.regions.models import Region
from county_innovation.supervision.models import TaskAssignment


class ReportForm(forms.Form):
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    role = forms.ChoiceField(label="职责", choices=TaskAssignment.Role.choices)
    department = forms.ChoiceField(label="市直部门", choices=[("", "—"), *Department.choices], required=False)
    region = forms.ModelChoiceField(
        label="县（区）", queryset=Region.objects.filter(level=Region.Level.COUNTY), required=False
    )
    deliverable = forms.CharField(label="交付成果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm_past = forms.BooleanField(label="确认完成时限早于今天", required=False)


class ChildForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=200)
    deliverables = forms.CharField(label="预期成果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm_past = forms.BooleanField(label="确认完成时限早于今天", required=False)
