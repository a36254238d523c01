from django import forms


class NotificationQuery(forms.Form):
    """``?show=unread`` on the notification centre."""

    show = forms.ChoiceField(choices=[("", "All"), ("all", "All"), ("unread", "Unread")], required=False)
