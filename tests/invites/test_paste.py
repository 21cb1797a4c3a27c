from apps.invites.paste import PastedGuest, guests_parse


def test_one_guest_a_line_with_name_and_address():
    result = guests_parse(text='Ada Lovelace <ada@example.com>\n"Grace B. Hopper" <grace@example.org>,\n')

    assert result.guests == [
        PastedGuest(first_name="Ada", last_name="Lovelace", email="ada@example.com"),
        PastedGuest(first_name="Grace B.", last_name="Hopper", email="grace@example.org"),
    ]
    assert result.unreadable_lines == []


def test_a_bare_address_or_a_name_followed_by_an_address():
    result = guests_parse(text="bob@example.com\nAlan Turing alan@example.org\n\nCharles\n")

    assert result.guests == [
        PastedGuest(email="bob@example.com"),
        PastedGuest(first_name="Alan", last_name="Turing", email="alan@example.org"),
        PastedGuest(first_name="Charles"),
    ]


def test_csv_with_a_header_in_any_order_and_language():
    text = "E-Mail;Nachname;Vorname;Firma;Sprache\nada@example.com;Lovelace;Ada;Analytical Engines;de\n"

    assert guests_parse(text=text).guests == [
        PastedGuest(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.com",
            company_name="Analytical Engines",
            language="de",
        )
    ]


def test_rows_copied_from_a_spreadsheet_are_tab_separated():
    text = "Name\tEmail\tCompany\nGrace Hopper\tgrace@example.org\tNavy\n"

    assert guests_parse(text=text).guests == [
        PastedGuest(first_name="Grace", last_name="Hopper", email="grace@example.org", company_name="Navy")
    ]


def test_lines_without_a_name_or_address_are_reported_by_number():
    result = guests_parse(text="first name,last name,email\nAda,Lovelace,ada@example.com\n,,\n")

    assert (len(result.guests), result.unreadable_lines) == (1, [3])


def test_nothing_pasted_is_no_guests():
    assert guests_parse(text=" \n\n").guests == []
