"""Generated people with known duplicates and the hard non-matches a CRM holds, for measuring the matcher.

`people(n, seed)` returns raw rows (as typed into a CRM) and the true duplicate
pairs. About 10 % of the people are entered twice with the defects real
duplicates carry: typos, swapped first and last names, nicknames, day/month
swaps in birth dates, another phone format, missing fields, a changed address,
another form of the e-mail. About 15 % live in a household of two to four
(same surname, street, postcode, often the same landline, sometimes a family
e-mail; another first name and birth date), and 3 % have a namesake (same
first and last name, nothing else in common). Only the duplicates are matches.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import date, timedelta

FIRST_NAMES = [
    "Jean",
    "Marie",
    "Pierre",
    "Anne",
    "Michel",
    "Nathalie",
    "Philippe",
    "Isabelle",
    "Alain",
    "Sylvie",
    "Nicolas",
    "Catherine",
    "Christophe",
    "Sophie",
    "Patrick",
    "Valérie",
    "Stéphane",
    "Sandrine",
    "Frédéric",
    "Céline",
    "Laurent",
    "Florence",
    "Julien",
    "Caroline",
    "Sébastien",
    "Élodie",
    "Thomas",
    "Camille",
    "Antoine",
    "Chloé",
    "Guillaume",
    "Léa",
    "Maxime",
    "Manon",
    "Alexandre",
    "Emma",
    "Romain",
    "Inès",
    "Hugo",
    "Louise",
    "Lucas",
    "Jade",
    "Théo",
    "Robert",
    "William",
    "Elizabeth",
    "James",
    "Michael",
    "Richard",
    "Katherine",
    "Margaret",
    "Jennifer",
    "David",
    "Anthony",
    "Christopher",
    "Stephen",
    "Samuel",
    "Benjamin",
    "Andrew",
    "Daniel",
    "Edward",
    "Henry",
    "John",
    "Matthew",
    "Charles",
    "Emily",
    "Olivia",
    "Amelia",
    "Grace",
    "Ruby",
    "Joseph",
    "Dominique",
    "Emmanuel",
    "Grégoire",
    "Thierry",
    "Gabriel",
    "Hélène",
    "Agnès",
    "Bernard",
    "Denise",
    "Gérard",
    "Yvonne",
    "Rémi",
    "Noémie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Evans",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Clarke",
    "Jackson",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Watson",
    "Baker",
    "Harrison",
    "Morgan",
    "Patel",
    "Young",
    "Allen",
    "Mitchell",
    "Dupuis",
    "Lemoine",
    "Marchand",
    "Barbier",
    "Brun",
    "Caron",
    "Colin",
    "Giraud",
    "Joly",
    "Lucas",
    "Meunier",
    "Renard",
    "Rolland",
    "Schmitt",
    "Vidal",
]
NICKNAME_OF = {
    "Robert": "Bob",
    "William": "Bill",
    "Elizabeth": "Liz",
    "James": "Jim",
    "Michael": "Mike",
    "Richard": "Rick",
    "Katherine": "Kate",
    "Margaret": "Maggie",
    "Jennifer": "Jenny",
    "David": "Dave",
    "Anthony": "Tony",
    "Christopher": "Chris",
    "Stephen": "Steve",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Andrew": "Andy",
    "Daniel": "Dan",
    "Edward": "Ted",
    "Thomas": "Tom",
    "Nicolas": "Nico",
    "Frédéric": "Fred",
    "Sébastien": "Seb",
    "Emmanuel": "Manu",
    "Isabelle": "Isa",
    "Stéphane": "Steph",
    "Florence": "Flo",
    "Caroline": "Caro",
    "Maxime": "Max",
    "Joseph": "Joe",
    "Catherine": "Cathy",
}
STREETS = [
    "rue de la Paix",
    "avenue Victor Hugo",
    "rue du Moulin",
    "boulevard Voltaire",
    "rue des Écoles",
    "High Street",
    "Station Road",
    "Church Lane",
    "chemin des Vignes",
    "place de la Mairie",
    "rue Pasteur",
    "allée des Tilleuls",
]
STREET_SHORT = {"avenue": "av.", "boulevard": "bd", "rue": "r.", "Street": "St", "Road": "Rd", "chemin": "ch."}
DOMAINS = ("example.org", "example.net", "gmail.com", "mail.example.fr")
ORGS = ("Acme", "Globex SA", "Initech", "Umbrella SARL", "Soylent", "Hooli", "Vandelay", "Stark SAS", "", "", "", "")


@dataclass(frozen=True)
class Row:
    """One contact as entered: what the loaders of the matcher and of the other tools read."""

    id: int
    first_name: str
    last_name: str
    birth_date: date | None
    street: str
    postal_code: str
    city: str
    organisation: str
    email: str
    phone: str


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + text[i + 1 :]  # dropped letter
    if kind < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # transposed
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]  # wrong letter


def _phone(rng: random.Random) -> str:
    return "+3361" + "".join(rng.choice(string.digits) for _ in range(7))


def _landline(rng: random.Random) -> str:
    return "+3314" + "".join(rng.choice(string.digits) for _ in range(7))


def _phone_format(phone: str) -> str:
    national = "0" + phone[3:]
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))


def _email(rng: random.Random, first: str, last: str, serial: int) -> str:
    from .normalise import plain

    return f"{plain(first).replace(' ', '')}.{plain(last).replace(' ', '')}{serial}@{rng.choice(DOMAINS)}"


def _birth(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))


def _person(rng: random.Random, serial: int, *, last: str | None = None, home: tuple | None = None) -> Row:
    first = rng.choice(FIRST_NAMES)
    last = last or rng.choice(LAST_NAMES)
    if home is None:
        number = rng.randrange(1, 200)
        postcode = f"{rng.randrange(1, 96):02d}{rng.randrange(0, 1000):03d}"
        home = (f"{number} {rng.choice(STREETS)}", postcode, f"Ville{postcode[:3]}")
    return Row(
        id=serial,
        first_name=first,
        last_name=last,
        birth_date=_birth(rng) if rng.random() < 0.8 else None,
        street=home[0],
        postal_code=home[1],
        city=home[2],
        organisation=rng.choice(ORGS),
        email=_email(rng, first, last, serial) if rng.random() < 0.9 else "",
        phone=_phone(rng) if rng.random() < 0.6 else "",
    )


def _duplicate(rng: random.Random, row: Row, serial: int) -> Row:
    """The same person entered again, with two or three of the defects real duplicates carry."""
    dup = replace(row, id=serial)
    defects = rng.sample(range(10), k=rng.choice((1, 2, 2, 3)))
    for defect in defects:
        if defect == 0:
            dup = replace(dup, last_name=_typo(rng, dup.last_name))
        elif defect == 1:
            dup = replace(dup, first_name=_typo(rng, dup.first_name))
        elif defect == 2:
            dup = replace(dup, first_name=dup.last_name, last_name=dup.first_name)
        elif defect == 3:
            dup = replace(dup, first_name=NICKNAME_OF.get(dup.first_name, dup.first_name.upper()))
        elif defect == 4 and dup.birth_date and dup.birth_date.day <= 12:
            dup = replace(dup, birth_date=dup.birth_date.replace(day=dup.birth_date.month, month=dup.birth_date.day))
        elif defect == 5 and dup.phone:
            dup = replace(dup, phone=_phone_format(dup.phone))
        elif defect == 6:
            field = rng.choice(("birth_date", "email", "phone", "street"))
            dup = replace(dup, **{field: None if field == "birth_date" else ""})
        elif defect == 7:
            postcode = f"{rng.randrange(1, 96):02d}{rng.randrange(0, 1000):03d}"
            dup = replace(dup, street=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", postal_code=postcode)
        elif defect == 8 and dup.email:
            local, _at, domain = dup.email.partition("@")
            dup = replace(dup, email=rng.choice((f"{local.upper()}@{domain}", f"{local}+crm@{domain}")))
        elif defect == 9:
            words = dup.street.split(" ")
            dup = replace(dup, street=" ".join(STREET_SHORT.get(w, w) for w in words).lower())
    if dup.email == row.email and dup.email and rng.random() < 0.5:
        dup = replace(dup, email="")  # e-mails are unique in the CRM: the second record often lacks it
    if dup.email and dup.email.lower() == row.email.lower():
        dup = replace(dup, email=dup.email.replace("@", "+2@", 1))
    return dup


def people(count: int, seed: int = 0) -> tuple[list[Row], set[tuple[int, int]]]:
    """About `count` rows and the true duplicate pairs (lower id first)."""
    rng = random.Random(seed)
    rows: list[Row] = []
    truth: set[tuple[int, int]] = set()
    while len(rows) < count:
        serial = len(rows) + 1
        roll = rng.random()
        if roll < 0.15 and rows:  # a household: 2 to 4 people under one roof
            landline = _landline(rng) if rng.random() < 0.6 else ""
            head = _person(rng, serial)
            head = replace(head, phone=landline or head.phone)
            rows.append(head)
            family_email = head.email if rng.random() < 0.3 else ""
            names = {head.first_name}
            for _ in range(rng.choice((1, 1, 2, 3))):
                member = _person(
                    rng, len(rows) + 1, last=head.last_name, home=(head.street, head.postal_code, head.city)
                )
                while member.first_name in names:  # no two members of one household share a first name
                    member = replace(member, first_name=rng.choice(FIRST_NAMES))
                names.add(member.first_name)
                # One shares the family e-mail as an alternative address (the same one cannot be held twice).
                if family_email:
                    member = replace(member, email=family_email.replace("@", f"+{len(names)}@"))
                if landline:
                    member = replace(member, phone=landline)
                rows.append(member)
        elif roll < 0.18 and rows:  # a namesake of someone already in
            other = rng.choice(rows)
            namesake = replace(_person(rng, serial), first_name=other.first_name, last_name=other.last_name)
            rows.append(namesake)
        else:
            rows.append(_person(rng, serial))
        if rng.random() < 0.1:
            original = rows[-1]
            rows.append(_duplicate(rng, original, len(rows) + 1))
            truth.add((original.id, len(rows)))
    return rows, truth
