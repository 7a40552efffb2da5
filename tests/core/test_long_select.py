"""A long select (the schools of a district) renders in one pass with the same markup as Django's,
every value and label escaped and the chosen school selected (core/forms.LongSelect)."""

from __future__ import annotations

import pytest
from django import forms

from accounts.models import School
from core.forms import LongSelect
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


class SchoolForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("name"),
        empty_label="All schools",
        required=False,
        widget=LongSelect(attrs={"class": "form-select"}),
    )


def test_it_escapes_every_label(world):
    SchoolFactory(district=world.district, name='<script>alert("x")</script> & Sons')
    html = str(SchoolForm()["school"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in html


def test_it_selects_the_chosen_school_only(world):
    html = str(SchoolForm({"school": str(world.other_school.pk)})["school"])
    assert f'<option value="{world.other_school.pk}" selected>North Elementary</option>' in html
    assert html.count(" selected") == 1


def test_it_keeps_the_name_id_and_class_and_the_empty_choice_first(world):
    html = str(SchoolForm()["school"])
    assert html.startswith('<select name="school" class="form-select" id="id_school">')
    assert '<option value="" selected>All schools</option><option value=' in html  # as Django's


def test_it_renders_the_same_choices_as_djangos_select(world):
    SchoolFactory(district=world.district, name="Élan & Co")

    class Plain(SchoolForm):
        school = forms.ModelChoiceField(queryset=School.objects.order_by("name"), empty_label="All schools")

    ours = str(SchoolForm({"school": str(world.school.pk)})["school"])
    djangos = str(Plain({"school": str(world.school.pk)})["school"])
    for school in School.objects.all():
        assert (f'value="{school.pk}"' in ours) == (f'value="{school.pk}"' in djangos)
    chosen = f'value="{world.school.pk}" selected'
    assert chosen in ours and chosen in djangos
    assert ours.count(" selected") == djangos.count(" selected") == 1
