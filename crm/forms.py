from __future__ import annotations

from django import forms

from .models import Contact


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
