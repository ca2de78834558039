"""Phone numbers: E.164 everywhere (phonenumbers), in the profile, the admin, the API's /me, the
instruction's people and the demo accounts."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pantau.accounts.admin import UserAdmin
from pantau.api.actions import do_issue_token
from pantau.demo.setup import demo_phones
from pantau.instruction.loader import apply_instruction
from pantau.lib.errors import InputFileError
from pantau.lib.phones import normalize

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.parametrize(
    "raw,e164",
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),  # as WhatsApp's wa_id
        ("", ""),
    ],
)
def test_numbers_are_stored_in_e164(raw, e164):
    assert normalize(raw) == e164


def test_a_wrong_number_is_refused_in_indonesian():
    with translation.override("id"), pytest.raises(ValidationError) as info:
        normalize("0812")
    assert "bukan nomor telepon yang sah" in info.value.messages[0]


def test_the_profile_saves_a_number_and_refuses_a_wrong_or_taken_one(login, users):
    client = login("desa-3513012001")
    page = client.get("/akun/profil/")
    assert page.status_code == 200 and "+6281230000021" in page.content.decode()
    saved = client.post("/akun/profil/", {"phone": "0813 1111 2222"})
    assert saved.status_code == 302
    users["desa-3513012001"].refresh_from_db()
    assert users["desa-3513012001"].phone == "+6281311112222"
    wrong = client.post("/akun/profil/", {"phone": "12ab"}, headers={"Accept-Language": "id"})
    assert wrong.status_code == 400 and "bukan nomor telepon yang sah" in wrong.content.decode()
    taken = client.post("/akun/profil/", {"phone": users["bupati"].phone})
    assert taken.status_code == 400 and "sudah" in taken.content.decode()
    users["desa-3513012001"].refresh_from_db()
    assert users["desa-3513012001"].phone == "+6281311112222"


def test_api_me_shows_the_phone_number(client, users):
    key, _token = do_issue_token(users["camat-sukapura"])
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["phone"] == "+6281230001001" and me["channels"] == []


def test_the_admin_form_refuses_a_wrong_number(rf, users):
    from django.contrib.admin.sites import site

    admin = UserAdmin(type(users["admin"]), site)
    request = rf.get("/")
    request.user = users["admin"]
    form_class = admin.get_form(request, users["bawaslu"])
    data = {
        "username": "bawaslu",
        "full_name": "Bawaslu",
        "role": "agency",
        "phone": "0812",
        "date_joined_0": "2024-11-01",
        "date_joined_1": "08:00:00",
    }
    form = form_class(data, instance=users["bawaslu"])
    assert not form.is_valid() and "phone" in form.errors
    form = form_class({**data, "phone": "0812 9999 0000"}, instance=users["bawaslu"])
    form.is_valid()
    assert "phone" not in form.errors and form.cleaned_data["phone"] == "0812 9999 0000"
    assert form.instance.phone == "+6281299990000"


def test_the_instruction_names_people_with_their_numbers(tmp_path, users):
    path = tmp_path / "instruksi.yaml"
    path.write_text(
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npeople:\n"
        "  - {username: kades-baru, name: Kades Baru, role: village, phone: '0812-7777-1234'}\n"
    )
    apply_instruction(path)
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="kades-baru").phone == "+6281277771234"
    path.write_text(
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npeople:\n"
        "  - {username: kades-baru, name: Kades Baru, role: village, phone: '12345'}\n"
    )
    with pytest.raises(InputFileError) as info:
        apply_instruction(path)
    assert any("people[0].phone" in str(e) for e in info.value.errors), info.value.errors


def test_every_demo_account_has_the_number_the_readme_lists(users):
    demo = [u for u in users.values()]
    phones = demo_phones(demo)
    assert {u.username: u.phone for u in demo if u.username in phones} == phones
    assert len(set(phones.values())) == len(phones) >= 30
    readme = README.read_text()
    for username in ("admin", "bupati", "desa-3513012001", "pemantau-kraksaan", "bawaslu"):
        assert phones[username] in readme, username
    assert re.search(r"\+62812300010", readme) and re.search(r"\+62812300020", readme)


def test_two_people_of_the_instruction_with_one_number_are_refused_by_name(tmp_path, users):
    path = tmp_path / "instruksi.yaml"
    path.write_text(
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npeople:\n"
        "  - {username: kades-satu, name: Kades Satu, role: village, phone: '0812-7777-1234'}\n"
        "  - {username: kades-dua, name: Kades Dua, role: village, phone: '+6281277771234'}\n"
    )
    with pytest.raises(InputFileError) as info:  # not an IntegrityError
        apply_instruction(path)
    (error,) = [e for e in info.value.errors if "phone" in str(e)]
    assert error.where == 7 and "people[1].phone" in str(error)
    assert "kades-dua" in str(error) and "kades-satu" in str(error)
    assert "+6281277771234" in str(error)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__startswith="kades-").exists()


def test_a_number_of_an_account_the_file_does_not_move_is_refused(tmp_path, users):
    taken = users["pemantau-kraksaan"].phone
    path = tmp_path / "instruksi.yaml"
    path.write_text(
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npeople:\n"
        f"  - {{username: kades-tiga, name: Kades Tiga, role: village, phone: '{taken}'}}\n"
    )
    with pytest.raises(InputFileError) as info:
        apply_instruction(path)
    assert any("kades-tiga" in str(e) and "pemantau-kraksaan" in str(e) for e in info.value.errors)
    # Given to its account with another number in the same file, the number may move.
    path.write_text(
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npeople:\n"
        "  - {username: pemantau-kraksaan, name: P, role: monitor, phone: '0812-5555-0000'}\n"
        f"  - {{username: kades-tiga, name: Kades Tiga, role: village, phone: '{taken}'}}\n"
    )
    apply_instruction(path)
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="kades-tiga").phone == taken
