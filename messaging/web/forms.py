"""Forms for the account pages. They only parse; the rules (email format, password
strength, duplicates) live in alumunity.users.services.register_member."""

from django import forms

from alumunity.users.models import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH


class LoginForm(forms.Form):
    email = forms.EmailField(
        max_length=MAX_EMAIL_LENGTH, widget=forms.EmailInput(attrs={"autofocus": True})
    )
    password = forms.CharField(max_length=4096, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class SignupForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_NAME_LENGTH, widget=forms.TextInput(attrs={"autofocus": True})
    )
    email = forms.CharField(max_length=MAX_EMAIL_LENGTH, widget=forms.EmailInput)
    password = forms.CharField(max_length=4096, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password"].widget.attrs["autocomplete"] = "new-password"
