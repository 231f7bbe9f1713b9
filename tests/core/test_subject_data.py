"""The declarations of the subject-data map (core/subject_data.py): what `replace`, `keep` and `personal_data` record.

The operations over the map (coverage, collect, erase) are tested in tests/crm/test_subject_data.py.
"""

from __future__ import annotations

import pytest

from core.subject_data import (
    ON_ERASE_ANONYMISE,
    ON_ERASE_DELETE,
    Category,
    Erasure,
    PersonalField,
    declaration_for,
    declarations,
    keep,
    personal_data,
    replace,
)
from crm.models import Contact, Interaction


def test_replace_blanks_the_value_unless_told_what_to_write():
    assert replace() == Erasure(action="replace", value="", legal_basis="")
    assert replace(None).replacement() is None
    assert replace("[erased]").replacement() == "[erased]"


def test_a_callable_replacement_is_called_at_each_erasure():
    calls = []
    erasure = replace(lambda: calls.append(1) or f"erased-{len(calls)}")
    assert (erasure.replacement(), erasure.replacement()) == ("erased-1", "erased-2")


def test_keep_records_its_legal_obligation_and_refuses_none():
    assert keep("Art. 17(3)(b): accounting law") == Erasure(
        action="keep", value=None, legal_basis="Art. 17(3)(b): accounting law"
    )
    with pytest.raises(ValueError, match=r"^keeping a value through erasure needs a named legal obligation$"):
        keep("")


def test_personal_data_refuses_an_unknown_erasure():
    with pytest.raises(ValueError, match=r"^on_erase must be 'delete' or 'anonymise'$"):
        personal_data(subject="contact", fields={}, on_erase="forget")
    assert (ON_ERASE_DELETE, ON_ERASE_ANONYMISE) == ("delete", "anonymise")


def test_a_declaration_finds_its_subject_by_its_path_or_by_its_own_key():
    contact_map = declaration_for(Contact)
    interaction_map = declaration_for(Interaction)
    assert contact_map.subject == "" and contact_map.subject_lookup(7) == {"pk": 7}
    assert interaction_map.subject == "contact" and interaction_map.subject_lookup(7) == {"contact__pk": 7}
    assert contact_map.label == "crm.Contact"


def test_the_history_table_of_a_declared_model_is_found_with_it():
    declaration = declaration_for(Interaction.history.model)
    assert declaration is not None and declaration.model is Interaction
    assert declaration.history_model is Interaction.history.model
    assert {d.model for d in declarations()} >= {Contact, Interaction}
    assert declaration_for(PersonalField) is None


def test_a_field_declaration_defaults_to_not_portable_and_no_erasure_rule():
    personal = PersonalField(Category.IDENTITY)
    assert (personal.portable, personal.erase) == (False, None)
    assert Category.SPECIAL.label == "Special category (Art. 9)"
