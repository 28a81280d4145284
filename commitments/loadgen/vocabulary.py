"""Dutch-ish words and phrases the load generator builds its records from.

The texts only have to look and weigh like the real thing (lengths, variety, the words users
search for); they are not meant to be read. Every topic contains a word of its own, so a
free-text search for it matches about one commitment in `len(TOPICS)`.
"""

# name, abbreviation, the committee that follows the ministry, its policy areas
MINISTRIES = [
    (
        "Ministerie van Justitie en Veiligheid",
        "JenV",
        "vaste commissie voor Justitie en Veiligheid",
        [
            "de jeugdbescherming",
            "het gevangeniswezen",
            "de politiecapaciteit",
            "de aanpak van ondermijning",
            "de slachtofferhulp",
            "de rechtsbijstand",
            "de cybercriminaliteit",
            "de terugkeer van vreemdelingen",
            "de asielopvang",
            "de reclassering",
            "de terrorismebestrijding",
            "de aanpak van kindersekstoerisme",
        ],
    ),
    (
        "Ministerie van Volksgezondheid, Welzijn en Sport",
        "VWS",
        "vaste commissie voor Volksgezondheid, Welzijn en Sport",
        [
            "de ouderenzorg",
            "de wijkverpleging",
            "de geneesmiddelenprijzen",
            "de huisartsenzorg",
            "de pandemische paraatheid",
            "de jeugdzorg",
            "de mantelzorg",
            "de preventie van overgewicht",
            "de acute zorg",
            "de ggz-wachttijden",
            "de sportaccommodaties",
            "het orgaandonorregister",
        ],
    ),
    (
        "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
        "BZK",
        "vaste commissie voor Binnenlandse Zaken",
        [
            "de woningbouw",
            "het funderingsherstel",
            "de huurtoeslag",
            "de informatiebeveiliging",
            "de gemeentefinanciën",
            "de verkiezingslogistiek",
            "de ambtelijke integriteit",
            "de digitale overheid",
            "de Wet open overheid",
            "de aardbevingsschade",
            "de rijkshuisvesting",
            "de dakloosheid",
        ],
    ),
    (
        "Ministerie van Infrastructuur en Waterstaat",
        "IenW",
        "vaste commissie voor Infrastructuur en Waterstaat",
        [
            "de verkeersveiligheid",
            "het spoorgoederenvervoer",
            "de waterkwaliteit",
            "de dijkversterking",
            "de luchtvaartcapaciteit",
            "de circulaire economie",
            "de bruggen en viaducten",
            "het openbaar vervoer in de regio",
            "de scheepvaart op de binnenwateren",
            "de zwerfafvalaanpak",
            "de drinkwatervoorziening",
            "de fietsinfrastructuur",
        ],
    ),
    (
        "Ministerie van Onderwijs, Cultuur en Wetenschap",
        "OCW",
        "vaste commissie voor Onderwijs, Cultuur en Wetenschap",
        [
            "het lerarentekort",
            "de basisvaardigheden",
            "de studiefinanciering",
            "de internationalisering van het hoger onderwijs",
            "het passend onderwijs",
            "de erfgoedinspectie",
            "de publieke omroep",
            "de kansengelijkheid",
            "de wetenschapsfinanciering",
            "het burgerschapsonderwijs",
            "de kinderopvang op scholen",
            "de muziekscholen",
        ],
    ),
    (
        "Ministerie van Sociale Zaken en Werkgelegenheid",
        "SZW",
        "vaste commissie voor Sociale Zaken en Werkgelegenheid",
        [
            "de kinderopvangtoeslag",
            "het minimumloon",
            "de arbeidsmigratie",
            "de schuldhulpverlening",
            "de participatiewet",
            "de pensioentransitie",
            "de arbeidsongeschiktheid",
            "de armoedebestrijding",
            "de inburgering",
            "de arbeidsinspectie",
            "de zelfstandigen zonder personeel",
            "de re-integratie",
        ],
    ),
]

OTHER_ORGANISATIONS = [
    ("Nationale Politie", "NP", "police"),
    ("Openbaar Ministerie", "OM", "prosecutor"),
    ("Vereniging van Nederlandse Gemeenten", "VNG", "other"),
    ("Stichting Kinderpostzegels", "", "ngo"),
    ("Europese Commissie", "EC", "international"),
]

ACTION_LINES = [
    "Preventie",
    "Signalering en melding",
    "Opsporing en vervolging",
    "Internationale samenwerking",
    "Kennis en monitoring",
    "Nazorg en herstel",
]

ACTIVITY_WORDS = [
    "Pilot",
    "Landelijk programma",
    "Expertisecentrum",
    "Voorlichtingscampagne",
    "Regionale proeftuin",
    "Kennisagenda",
    "Monitor",
    "Handreiking",
    "Wetsevaluatie",
    "Samenwerkingsverband",
]

FIRST_NAMES = [
    "Anouk", "Bram", "Chantal", "Daan", "Esther", "Fleur", "Gert", "Hanneke", "Iris", "Jeroen",
    "Karin", "Lars", "Marieke", "Niels", "Olga", "Pieter", "Quinten", "Roos", "Sander", "Tessa",
    "Ursula", "Vincent", "Willemijn", "Xander", "Yvonne", "Zeynep", "Mohamed", "Fatima", "Sem",
    "Lotte", "Ruben", "Sanne", "Thijs", "Eva", "Joost", "Noor", "Koen", "Inge", "Bas", "Myrthe",
]  # fmt: skip

LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek",
    "Willems", "van Vliet", "Öztürk", "El Amrani", "Hoekstra", "Koster", "Prins", "Huisman",
]  # fmt: skip

PARTIES = [
    "VVD", "PVV", "GL-PvdA", "CDA", "D66", "SP", "NSC", "BBB", "ChristenUnie", "SGP", "PvdD",
    "JA21", "Volt", "DENK", "FvD",
]  # fmt: skip

DEADLINE_WORDINGS = [
    # wording, how the due date follows from the date the commitment was made
    ("voor de zomer", "before_summer"),
    ("dit najaar", "this_autumn"),
    ("voor het einde van het jaar", "end_of_year"),
    ("in de volgende voortgangsbrief", "six_months"),
    ("binnen drie maanden", "three_months"),
    ("zo spoedig mogelijk", "one_month"),
    ("in het voorjaar", "spring"),
    ("voor de begrotingsbehandeling", "budget_debate"),
    ("na afronding van het onderzoek", "one_year"),
]

COMMITMENT_TEMPLATES = [
    "De {who} zal de Kamer {when} informeren over {topic}.",
    "De {who} zegt toe de Kamer {when} een brief te sturen over {topic}, inclusief {aspect}.",
    "De {who} zegt toe in gesprek te gaan met {partner} over {topic} en de Kamer {when} over de "
    "uitkomst daarvan te berichten.",
    "De {who} zal {when} een evaluatie van {topic} naar de Kamer sturen en daarbij ingaan op "
    "{aspect}.",
    "De {who} zegt toe de motie-{member} over {topic} uit te voeren en de Kamer {when} over de "
    "voortgang te informeren.",
    "In de voortgangsbrief gaat de {who} {when} in op {topic}, in het bijzonder op {aspect}.",
    "De {who} zal de Kamer {when} een overzicht sturen van {aspect} bij {topic}.",
    "De {who} zegt toe te laten onderzoeken of {topic} beter kan worden geregeld en de Kamer "
    "{when} over de resultaten van dat onderzoek te informeren.",
]

ASPECTS = [
    "de financiële gevolgen",
    "de uitvoerbaarheid voor gemeenten",
    "de gevolgen voor de regeldruk",
    "de ervaringen in andere lidstaten",
    "de rol van de toezichthouder",
    "de planning van de implementatie",
    "de knelpunten in de uitvoering",
    "de resultaten van de pilot",
    "de aanbevelingen van de Raad van State",
    "de signalen uit de praktijk",
]

PARTNERS = [
    "de VNG",
    "het IPO",
    "de politie",
    "het Openbaar Ministerie",
    "de uitvoeringsorganisaties",
    "de sociale partners",
    "de toezichthouder",
    "de koepelorganisaties",
    "de Europese Commissie",
    "de betrokken gemeenten",
]

DEADLINE_CHANGE_REASONS = [
    "Het onderzoek van het externe bureau loopt vertraging op.",
    "De afstemming met de medeoverheden kost meer tijd dan voorzien.",
    "De Europese regelgeving is nog niet vastgesteld.",
    "De brief wordt gecombineerd met de eerstvolgende voortgangsbrief.",
    "Het advies van de Raad van State is later ontvangen dan gepland.",
    "Nieuwe signalen uit de uitvoering vragen om een aanvullende analyse.",
]

NOTE_SENTENCES = [
    "Overleg gevoerd met {partner} over de aanpak.",
    "De conceptbrief ligt ter ambtelijke afstemming bij de betrokken directies.",
    "Het onderzoeksbureau heeft de eerste resultaten opgeleverd; de analyse loopt nog.",
    "De planning schuift door de afstemming met {partner} enkele weken op.",
    "Input van de uitvoeringsorganisaties ontvangen en verwerkt.",
    "De nota aan de {who} is vandaag in de lijn gebracht.",
    "Bespreking in het bewindspersonenoverleg is gepland voor volgende week.",
    "Er is een extra gegevensuitvraag gedaan bij {partner} om de cijfers te actualiseren.",
    "De juridische toets is afgerond, er zijn geen bezwaren.",
    "De financiële paragraaf wordt nog met Financiën afgestemd.",
    "Het conceptantwoord sluit aan bij de eerdere toezegging over {topic}.",
    "Na het commissiedebat is de reikwijdte van de toezegging met de griffie verduidelijkt.",
    "De brief is getekend en gaat deze week naar de Kamer.",
    "Wacht op de uitkomst van de Europese onderhandelingen voordat de brief kan worden afgerond.",
    "Afgesproken om {topic} mee te nemen in de eerstvolgende voortgangsbrief.",
    "De ambtelijke werkgroep is voor de derde keer bijeen geweest.",
    "Stand van zaken besproken in het teamoverleg; geen bijzonderheden.",
    "Concept besproken met de directeur, enkele tekstuele aanpassingen verwerkt.",
    "De {who} heeft gevraagd om een aanvullende passage over {aspect}.",
    "Vertraging door capaciteitsgebrek in het team; prioriteit opnieuw bepaald.",
    "De evaluatie is aanbesteed; de opdrachtnemer start na de zomer.",
    "Signalen uit de praktijk verzameld tijdens een werkbezoek.",
    "Afstemming met het kabinet van de {who} over de toon van de brief.",
]
