from django import forms

from county_innovation.reports.assessment import DEFAULT_MAX_POINTS, DEFAULT_RANK_POINTS, MODES


class AssessmentForm(forms.Form):
    """The conversion the assessment sheet uses; checked again by ``assessment_rule_parse``."""

    run = forms.IntegerField(
        label="评价结果", required=False, widget=forms.Select, min_value=1, max_value=2**63 - 1
    )
    mode = forms.ChoiceField(label="折算方式", choices=list(MODES.items()), initial="rank")
    rank_points = forms.CharField(
        label="名次分值（第1名起，逗号分隔）", required=False, initial=DEFAULT_RANK_POINTS, max_length=500
    )
    max_points = forms.CharField(label="满分", required=False, initial=DEFAULT_MAX_POINTS, max_length=20)
