from django import forms

from outbox.models import JobState


class JobQuery(forms.Form):
    """``?state=failed&task=…`` on the jobs page."""

    state = forms.ChoiceField(choices=[("", "Any state"), *JobState.choices], required=False)
    task = forms.CharField(max_length=200, required=False)

    def clean_task(self) -> str:
        task = self.cleaned_data["task"]
        if "\x00" in task:
            raise forms.ValidationError("Choose a kind of job from the list.")
        return task
