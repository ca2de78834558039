"""The profile page: what an official keeps about themselves for the letters they sign."""


def test_an_official_sets_rank_and_nip_for_the_signature_block(login, users):
    """The rank and NIP printed under a camat's signature; a NIP without 18 digits is 400."""
    client = login("camat-tongas")
    bad = client.post("/akun/profil/", {"rank": "Pembina (IV/a)", "nip": "1975 03"})
    assert bad.status_code == 400 and "bukan NIP" in bad.content.decode()
    done = client.post("/akun/profil/", {"rank": " Pembina  (IV/a) ", "nip": "197503122000031004"})
    assert done.status_code == 302
    user = type(users["camat-tongas"]).objects.get(username="camat-tongas")
    assert (user.rank, user.nip) == ("Pembina (IV/a)", "19750312 200003 1 004")
    assert 'value="19750312 200003 1 004"' in client.get("/akun/profil/").content.decode()
