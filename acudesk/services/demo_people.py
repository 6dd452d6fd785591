"""Invented people for the demo clinic. Any likeness to a real person is coincidence.

Phone numbers come from Ofcom's ranges reserved for drama (07700 900000-900999), so no real
number is ever dialled from the demo.
"""

GIVEN_NAMES = (
    "Amelia", "Arjun", "Beatrice", "Callum", "Chloe", "Dario", "Elif", "Ewan", "Farah", "Gareth",
    "Hannah", "Ibrahim", "Isla", "Jasper", "Kavya", "Liam", "Lucia", "Maeve", "Mohammed", "Nadia",
    "Niamh", "Oscar", "Priya", "Quentin", "Rosa", "Rhys", "Saoirse", "Tomasz", "Una", "Viktor",
    "Wen", "Yusuf", "Zara", "Agnieszka", "Bogdan", "Cerys", "Dmitri", "Esme", "Femi", "Greta",
)

FAMILY_NAMES = (
    "Abernethy", "Balogun", "Castellano", "Dunmore", "Eriksen", "Fairweather", "Gallagher", "Hollis",
    "Iqbal", "Jablonski", "Kowalczyk", "Lindqvist", "Macaulay", "Nakamura", "O'Rourke", "Pemberton",
    "Quayle", "Ravensworth", "Szabo", "Thorne", "Ulloa", "Vasquez", "Whitcombe", "Xu", "Yardley",
    "Zielinski", "Achterberg", "Brightwell", "Cartwright", "Delacroix", "Entwistle", "Featherstone",
    "Gwynne", "Hargreaves", "Ingleby", "Jovanović", "Kettering", "Lowther", "Müller", "Nørgaard",
    "Ashdown", "Bellweather", "Corrigan", "Dalgleish", "Eastwood", "Fennimore", "Garside", "Holroyd",
    "Illingworth", "Jessop", "Kinsella", "Lockhart", "Merriman", "Netherwood", "Ogilvy", "Prendergast",
    "Rainsford", "Stallybrass", "Tennant", "Underhill", "Valentine", "Wetherby", "Yeoman", "Zamora",
    "Adeyemi", "Bergström", "Chakraborty", "Dimitriou", "Esposito", "Fontaine", "Gonçalves", "Haddad",
)

STREETS = (
    "Mill Lane", "Church Street", "Orchard Close", "Station Road", "Victoria Terrace", "Riverside Walk",
    "Hawthorn Avenue", "Kingfisher Way", "Old Market Square", "Chapel Row",
)

TOWNS = ("Ashford", "Canterbury", "Faversham", "Maidstone", "Whitstable")

GP_PRACTICES = (
    ("Dr S. Okonkwo", "Bridge Street Surgery", "4 Bridge Street, Ashford TN23 1AA", "01632 960111"),
    ("Dr H. Lindgren", "Northgate Medical Centre", "20 Northgate, Canterbury CT1 1BE", "01632 960222"),
    ("Dr P. Moreau", "Abbey Fields Practice", "Abbey Fields, Faversham ME13 8AA", "01632 960333"),
)
