"""Term lists the materiality rules match against: English first, with cheap German and French cues.

Each :class:`Lexicon` maps a plain label ("precise location") to a regular expression; ``find``
returns the labels present in a text. Patterns are case-insensitive and whole-word unless noted.
"""

from __future__ import annotations

import re
from collections import Counter


def words(text: str) -> frozenset[str]:
    """A set of white-space separated words."""
    return frozenset(text.split())


def cue(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern matched as whole words."""
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


class Lexicon:
    """Labelled regular expressions, matched as one alternation."""

    def __init__(self, terms: dict[str, str], *, case_sensitive: bool = False) -> None:
        self.labels = tuple(terms)
        alternatives = "|".join(f"(?P<t{i}>{pattern})" for i, pattern in enumerate(terms.values()))
        flags = 0 if case_sensitive else re.IGNORECASE
        self.pattern = re.compile(rf"(?<![\w@/.-])(?:{alternatives})(?![\w@-])", flags)

    def find(self, text: str) -> Counter[str]:
        """The labels matched in ``text``, with how often each matches."""
        return Counter(self.labels[int(m.lastgroup[1:])] for m in self.pattern.finditer(text))

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in ``text``, if any."""
        return self.pattern.search(text)

    def matches(self, text: str) -> list[tuple[str, int, int]]:
        """(label, start, end) of every match in ``text``."""
        return [(self.labels[int(m.lastgroup[1:])], m.start(), m.end()) for m in self.pattern.finditer(text)]


SENSITIVE_DATA = frozenset(
    {"precise location", "biometrics", "health", "special categories", "financial", "government id",
     "children's data", "contacts", "audio/video", "inferences"}
)  # fmt: skip

DATA_TYPES = Lexicon({
    "precise location": r"precise (?:geo)?location|exact location|gps(?: data| location| coordinates)?|geolocation"
    r"|genaue\w* (?:standort\w*|geo\w*)|gps-daten|standortdaten|localisation précise|géolocalisation"
    r"|données de localisation",
    "biometrics": r"biometric\w*|face ?prints?|facial (?:geometry|recognition|scans?|features)|voice ?prints?"
    r"|iris scans?|fingerprint (?:scans?|data|recognition)|biometrisch\w*|gesichtserkennung|biométrique\w*"
    r"|reconnaissance faciale",
    "health": r"health(?: and wellness)? (?:data|information|conditions?|records?)|medical (?:data|information"
    r"|conditions?|records?|history)|gesundheitsdaten|gesundheitsinformationen|données de santé|santé",
    "special categories": r"sexual (?:orientation|life|preferences?)|racial or ethnic origin|ethnic\w*"
    r"|religio\w* (?:beliefs?|views?)|political (?:opinions?|views?)|trade union membership|hiv"
    r"|sexuelle\w* orientierung|orientation sexuelle|origine ethnique|convictions religieuses",
    "financial": r"(?:credit|debit|payment|bank) card\w*|bank account\w*|financial (?:information|data|details)"
    r"|payment (?:information|data|details)|card numbers?|income|iban|bankverbindung\w*|kreditkart\w*"
    r"|zahlungs(?:daten|informationen)|carte (?:bancaire|de crédit)|coordonnées bancaires"
    r"|données (?:bancaires|financières)",
    "government id": r"government[- ]issued (?:id\w*|identification)|(?:government|national) id\w*|passports?"
    r"|driver'?s licen[cs]e\w*|social security numbers?|ssn|tax (?:id|identification)\w*"
    r"|(?:identity|id) (?:cards?|documents?)|personalausweis\w*|reisepass\w*|ausweis\w*"
    r"|(?:pièce|carte) d'identité|passeport",
    "children's data": r"children'?s (?:data|information|personal (?:data|information))"
    r"|(?:data|information) (?:from|about|of) (?:children|minors)|daten von kindern|données (?:des|d') ?enfants",
    "contacts": r"contacts? (?:list|book|data|information)|address book|phone ?book|your contacts|adressbuch"
    r"|kontaktliste|carnet d'adresses|liste de contacts",
    "audio/video": r"audio(?: recordings?| data)?|voice (?:recordings?|data|notes?|messages?)|video (?:recordings?"
    r"|calls?|data)|recordings?|microphone|camera roll|sprachaufnahme\w*|tonaufnahme\w*|videoaufnahme\w*"
    r"|enregistrements? (?:audio|vidéo|vocaux)",
    "inferences": r"inferences?|inferred (?:data|information|interests?|characteristics)|derived data"
    r"|abgeleitete\w* daten|inférences?|données déduites",
    "contact details": r"e-?mail address\w*|(?:tele)?phone numbers?|mobile numbers?|postal address\w*"
    r"|mailing address\w*|e-mail-adresse\w*|telefonnummer\w*|adresse (?:e-mail|électronique|postale)"
    r"|numéro de téléphone",
    "device identifiers": r"ip address\w*|device (?:ids?|identifiers?)|advertising (?:ids?|identifiers?)|idfa|gaid"
    r"|mac address\w*|ip-adresse\w*|adresse ip|identifiants? (?:publicitaires?|de l'appareil)",
    "location": r"(?:approximate|coarse|general) location|location (?:data|information)|standort\w*"
    r"|localisation",
    "usage data": r"usage (?:data|information)|browsing (?:history|data)|search history|nutzungsdaten"
    r"|données d'utilisation|historique de navigation",
    "demographics": r"date of birth|birth ?date|gender|geburtsdatum|geschlecht|date de naissance",
    "photos": r"photos?|photographs?|pictures?|selfies?|fotos?|lichtbild\w*|bilder",
})  # fmt: skip

COLLECTION_VERBS = cue(
    r"(?:collect\w*|obtain\w*|receiv\w*|gather\w*|record\w*|captur\w*|access\w*|process\w*|store[sd]?"
    r"|use[sd]?|request\w*|ask for|include[sd]?|erheb\w*|erhob\w*|erfass\w*|sammel\w*|verarbeit\w*|speicher\w*"
    r"|recueill\w*|traite\w*|obten\w*)"
)

PURPOSES = Lexicon({
    "advertising": r"advertis\w*|ads|ad targeting|targeted ads?|interest-based|marketing|werb\w*|publicit\w*",
    "profiling": r"profiling|build(?:ing)? (?:a )?profiles?|profilbildung|profilerstellung|profilage",
    "personalisation": r"personali[sz]\w*|personalisier\w*|personnalis\w*|tailor\w*|recommendations?",
    "AI/ML training": r"artificial intelligence|machine[- ]learning|(?:ai|ml) (?:models?|features?|systems?"
    r"|tools?|training)|generative ai|large language models?|llms?|train\w* (?:our |the |its )?(?:models?"
    r"|algorithms?)|künstliche\w* intelligenz|ki-\w+|intelligence artificielle|apprentissage automatique",
    "automated decisions": r"automated (?:decision\w*|processing|means)|automatisierte\w* (?:\w*entscheidung\w*)"
    r"|décisions? (?:individuelles? )?automatisées?|prise de décision automatisée",
    "sale": r"sell|sells|selling|sold|sale of (?:your )?(?:personal )?(?:data|information)|verkauf\w*"
    r"|vend(?:re|ons|ez|ent|u|ue|us|ues)",
    "research": r"research\w*|forschung\w*|studies",
})  # fmt: skip

RECIPIENTS = Lexicon({
    "affiliates": r"affiliat\w*|subsidiar\w*|(?:corporate )?family of companies|group companies|konzern\w*"
    r"|verbundene\w* unternehmen|tochtergesellschaft\w*|sociétés? (?:affiliées|du groupe)|filiales?",
    "advertising partners": r"advertis\w* (?:partners?|networks?|companies|providers?)|advertisers|ad (?:networks?"
    r"|partners?|tech\w*)|marketing partners?|werbepartner\w*|werbenetzwerk\w*|partenaires? publicitaires?"
    r"|annonceurs?|régies? publicitaires?",
    "data brokers": r"data brokers?|data resellers?|datenhändler\w*|courtiers? en données",
    "AI providers": r"(?:ai|artificial intelligence) (?:providers?|vendors?|partners?|compan\w*|services?)|openai"
    r"|anthropic|chatgpt|large language model providers?",
    "law enforcement": r"law enforcement|police|polizei|public authorit\w*|government (?:authorit\w*|agenc\w*"
    r"|requests?)|regulators?|strafverfolgungsbehörde\w*|behörde\w*|autorités? (?:publiques|judiciaires)"
    r"|forces de l'ordre",
    "third parties": r"third[- ]part(?:y|ies)|dritte\w*|tiers",
    "service providers": r"service providers?|vendors?|(?:sub-?)?processors?|contractors?|dienstleister\w*"
    r"|auftragsverarbeiter\w*|prestataires?|sous-traitants?",
    "business partners": r"(?:business|commercial|trusted) partners?|geschäftspartner\w*|partenaires? commerciaux",
})  # fmt: skip

NAMED_PROCESSORS = Lexicon(
    {name: re.escape(name) for name in (
        "Google", "Facebook", "Meta", "Amazon Web Services", "AWS", "Microsoft", "Azure", "Salesforce", "Stripe",
        "PayPal", "Adyen", "Braintree", "Twilio", "SendGrid", "Mailchimp", "HubSpot", "Zendesk", "Intercom",
        "Mixpanel", "Amplitude", "AppsFlyer", "Braze", "Firebase", "Cloudflare", "Akamai", "TikTok", "ByteDance",
        "Criteo", "OpenAI", "Anthropic", "Onfido", "Jumio", "Veriff", "Yoti", "Snowflake", "Segment.io",
    )},
    case_sensitive=True,
)  # fmt: skip

SHARE_VERBS = cue(
    r"(?:shar\w*|disclos\w*|sell\w*|sold|transfer\w*|provid\w*|mak\w* available|rent\w*|trad\w*|send\w*"
    r"|pass\w* (?:on|along)|giv\w*|weiter|weitergeb\w*|weitergegeben|weitergabe|übermitt\w*|offenleg\w*|verkauf\w*"
    r"|teilen|geteilt|partag\w*|communiqu\w*|transmet\w*|transmis\w*|céd\w*|vend(?:re|ons|ez|ent|u|ue|us|ues))"
)

# Verbs whose negation is a promise ("we do not sell"), as lemma -> pattern.
PROMISE_VERBS = Lexicon({
    "sell": r"sell\w*|sold|sale|verkauf\w*|vend(?:re|ons|ez|ent|u|ue|us|ues)",
    "share": r"shar\w*|teilen|geteilt|partag\w*",
    "disclose": r"disclos\w*|offenleg\w*|divulg\w*|communiqu\w*",
    "rent": r"rent(?:s|ed|ing)?|leas(?:e|es|ed|ing)|vermiet\w*|lou(?:er|ons)",
    "trade": r"trad(?:e|es|ed|ing)",
    "transfer": r"transfer\w*|übermitt\w*|weitergeb\w*|weitergegeben|weiter|transf[eé]r\w*|transmet\w*",
    "collect": r"collect\w*|erheb\w*|erhob\w*|recueill\w*",
    "use": r"use|uses|used|using|verwend\w*|utilis\w*",
    "track": r"track\w*|verfolg\w*",
    "combine": r"combin\w*|verknüpf\w*",
})  # fmt: skip

NEGATIONS = re.compile(
    r"(?<!\w)(?:not|n't|cannot|never|no|none|neither|nor|nicht|niemals|nie|kein\w*|ne|n'|pas|jamais|aucun\w*)"
    r"(?!\w)|n't(?!\w)",
    re.IGNORECASE,
)
GERMAN_NEGATIONS = re.compile(r"(?<!\w)(?:nicht|niemals|nie|kein\w*)(?!\w)", re.IGNORECASE)
SECOND_PERSON = re.compile(r"(?<!\w)(?:you|vous|tu|du)(?!\w)", re.IGNORECASE)

LIMITERS = Lexicon({
    "only": r"only|solely|exclusively|nur|ausschließlich|uniquement|seulement|exclusivement",
    "unless": r"unless|except|es sei denn|außer|sauf|à moins que",
    "with your consent": r"(?:with|without) your (?:prior |express |explicit )?(?:consent|permission)"
    r"|(?:mit|ohne) ihre\w* (?:ausdrücklich\w* )?einwilligung|(?:avec|sans) votre (?:accord|consentement)",
})  # fmt: skip

PERMISSIVE = Lexicon({
    "may": r"may|might|can|could|kann|können|dürfen|peut|pouvons|pourrions|pourrons",
    "from time to time": r"from time to time|occasionally|gelegentlich|de temps en temps|parfois",
})  # fmt: skip

MODALS = Lexicon({
    "will": r"will|shall|must|wird|werden|muss|müssen|devons|doit",
    "may": r"may|might|can|could|kann|können|dürfen|peut|pouvons",
})  # fmt: skip

# English name: its German and French names (labels are the English name, lower-cased).
_COUNTRY_NAMES = {
    "Argentina": "argentinien|argentine", "Australia": "australien|australie", "Brazil": "brasilien|brésil",
    "Canada": "kanada", "China": "chine", "India": "indien|inde", "Indonesia": "indonesien|indonésie",
    "Israel": "israël", "Japan": "japon", "Korea": "corée", "Mexico": "mexiko|mexique",
    "New Zealand": "neuseeland|nouvelle-zélande", "Philippines": "philippinen", "Russia": "russland|russie",
    "Singapore": "singapur|singapour", "South Africa": "südafrika|afrique du sud", "Switzerland": "schweiz|suisse",
    "Turkey": "türkei|turquie", "Ukraine": "", "Vietnam": "", "Hong Kong": "", "Taiwan": "taïwan",
    "Ireland": "irland|irlande", "Germany": "deutschland|allemagne", "France": "frankreich",
    "Netherlands": r"niederlande\w*|pays-bas", "Belgium": "belgien|belgique", "Luxembourg": "luxemburg",
    "Spain": "spanien|espagne", "Italy": "italien|italie", "Poland": "polen|pologne", "Sweden": "schweden|suède",
    "Cyprus": "zypern|chypre", "Malta": "malte", "Serbia": "serbien|serbie", "Belarus": "weißrussland|biélorussie",
    "United Arab Emirates": r"vereinigte\w* arabische\w* emirate\w*|émirats arabes unis",
    "Saudi Arabia": "saudi-arabien|arabie saoudite", "Egypt": "ägypten|égypte", "Nigeria": "nigéria",
    "Kenya": "kenia",
}  # fmt: skip

COUNTRIES = Lexicon({
    **{name.lower(): "|".join(filter(None, (name.lower(), other))) for name, other in _COUNTRY_NAMES.items()},
    "united states": r"united states|(?-i:US|U\.S\.(?:A\.)?|USA)|vereinigte\w* staaten|états-unis",
    "united kingdom": r"united kingdom|uk|großbritannien|vereinigte\w* königreich\w*|royaume-uni",
    "EU/EEA": r"european (?:union|economic area)|eu|eea|ewr|europäische\w* (?:union|wirtschaftsraum\w*)"
    r"|union européenne|espace économique européen|eee",
    "third countries": r"third countr\w*|drittl[aä]nd\w*|pays tiers",
    "outside": r"outside (?:of )?(?:the |your )?(?:country|region|eu|eea|europe)|außerhalb|en dehors",
})  # fmt: skip

TRANSFER_MECHANISMS = Lexicon({
    "standard contractual clauses": r"standard (?:contractual|data protection) clauses|sccs?"
    r"|standardvertragsklauseln|clauses contractuelles types",
    "Data Privacy Framework": r"data privacy framework|dpf",
    "Privacy Shield": r"privacy shield",
    "adequacy decision": r"adequacy (?:decisions?|findings?|regulations?)|adequate level of protection"
    r"|angemessenheitsbeschluss\w*|décision d'adéquation|angemessene\w* datenschutzniveau\w*",
    "binding corporate rules": r"binding corporate rules|bcrs?|verbindliche\w* interne\w* datenschutzvorschriften",
    "data localisation": r"(?:stored|hosted|kept|processed) (?:only |exclusively )?(?:in|within) (?:the )?"
    r"(?:eu|eea|europe|germany|france)|data locali[sz]ation",
})  # fmt: skip

STORAGE_CONTEXT = cue(
    r"stored|stores|storing|hosted|hosts|kept|keeps|servers?|data cent(?:er|re)s?|gespeichert|gehostet|rechenzentr\w*"
    r"|stockées?|hébergées?|serveurs?"
)
TRANSFER_CONTEXT = cue(
    r"transfer\w*|international\w*|cross-border|abroad|third countr\w*|servers?|servern|hosted|stored in"
    r"|übermitt\w*|drittland\w*|übertrag\w*|gehostet|gespeichert|transfert\w*|pays tiers|serveurs?|hébergé\w*"
    r"|stocké\w* (?:en|à|au|aux|dans)"
)

RIGHTS = Lexicon({
    "access": r"access|right to know|(?:a )?copy of (?:your|the) (?:personal )?(?:data|information)"
    r"|auskunft\w*|droit d'accès|accès",
    "delete": r"delet\w*|erasure|eras\w*|right to be forgotten|löschung\w*|lösch\w*|effac\w*|suppression|supprim\w*",
    "correct": r"correct\w*|rectif\w*|berichtigung\w*",
    "port": r"portab\w*|port your|übertragbarkeit|portabilité",
    "object": r"object\w*|widerspruch\w*|widersprech\w*|opposition|vous opposer",
    "restrict": r"restrict\w*|einschränkung\w*|limitation du traitement",
    "opt out": r"opt(?:-| )?out\w*|do not sell(?: or share)?(?: my)?|global privacy control|gpc|unsubscrib\w*"
    r"|abmeld\w*|désinscri\w*|désabonn\w*",
    "appeal": r"appeal\w*|lodge a complaint|complaint|supervisory authority|beschwerde\w*|aufsichtsbehörde\w*"
    r"|réclamation|recours|cnil",
    "withdraw consent": r"withdraw\w* (?:your )?consent|widerruf\w*|retirer (?:votre )?consentement",
})  # fmt: skip

# Purpose verbs that only restate running the service: a new one of these is no new use of data.
BASELINE_USES = words(
    """
    provide provided providing maintain operate improve run deliver support administer manage offer enable help
    ensure comply fulfil fulfill perform give allow make create keep use do get be have respond answer contact
    communicate send let process carry complete facilitate serve continue include
    bereitstellen bereitzustellen erbringen betreiben verbessern anbieten anzubieten ermöglichen gewährleisten
    sicherstellen sicherzustellen erfüllen beantworten kontaktieren verwalten unterstützen liefern nutzen
    verwenden verarbeiten senden erleichtern helfen
    fournir améliorer exploiter gérer offrir permettre assurer respecter répondre contacter communiquer envoyer
    traiter utiliser faciliter maintenir administrer exécuter fonctionner aider garantir proposer rendre savoir
    conformer être avoir faire
    """
)
# Words after "to" / "pour" that are not verbs of a purpose ("share with third parties", "pour votre compte"),
# and modal verbs ("nutzen zu können").
NOT_VERBS = words(
    """
    the a an your you our us them their its it this that these those other third any all each such which whom
    who what data information personal service services partner partners party parties user users law laws
    date time country countries court courts people person persons member members account accounts
    votre notre autre können dürfen müssen werden lassen pouvoir devoir
    """
)

# Who can see data: wider audiences rank higher (a change to a wider one is new sharing).
AUDIENCES = Lexicon({
    "your matches": r"(?:your )?matches|people you (?:match|connect|chat) with|your (?:connections|friends|contacts)"
    r"|ihre\w* (?:kontakte|freunde)|(?:vos )?matchs|vos (?:contacts|amis)",
    "other users": r"other (?:users|members|people|players)|(?:all )?(?:users|members) of (?:the|our) "
    r"(?:app|service|platform|community)|(?:andere|alle)\w* (?:nutzer|mitglieder)(?:innen|n)?|(?:autres|tous les) "
    r"(?:utilisateurs|membres)",
    "users nearby": r"(?:users|people|members) (?:nearby|near you|in your area|around you)|nearby (?:users|people"
    r"|members)|(?:nutzer|personen|mitglieder)\w* in (?:ihrer|der) (?:nähe|umgebung)|(?:utilisateurs|personnes"
    r"|membres) (?:à proximité|près de (?:chez )?vous|autour de vous)",
    "the public": r"(?:the )?public(?! (?:authorit|interest|health|bod|agenc|sector|record|law))|publicly|anyone"
    r"|everyone|search engines|öffentlich\w*|jedermann|suchmaschinen|tout le monde|publiquement|n'importe qui"
    r"|moteurs de recherche",
})  # fmt: skip
AUDIENCE_RANK = {"your matches": 1, "other users": 2, "users nearby": 2, "the public": 3}

RIGHTS_CONTEXT = cue(r"right\w*|request\w*|exercis\w*|recht\w*|anfrage\w*|antrag\w*|droits?|demande\w*")
RIGHTS_BURDENS = Lexicon({
    "fee": r"fees?|charges?|gebühr\w*|entgelt\w*|frais",
    "verification": r"verif\w*|proof of (?:identity|residency)|notari[sz]\w*|authenticat\w*|verifizier\w*"
    r"|identitätsnachweis\w*|vérifi\w*|justificatif\w*",
})  # fmt: skip
RIGHTS_CHANNELS = Lexicon({
    "e-mail": r"e-?mail\w*|courriel|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "phone": r"(?:tele)?phone|toll[- ]free|telefon\w*|téléphone",
    "web form": r"(?:web|online) ?form|formular\w*|formulaire",
    "in-app settings": r"in-app|settings|einstellungen|paramètres",
    "postal mail": r"post(?:al)? mail|mail to|letter|postalisch|courrier",
})  # fmt: skip

WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty-four": 24, "thirty": 30, "sixty": 60,
                "ninety": 90, "zwei": 2, "drei": 3, "sechs": 6, "zehn": 10, "un": 1, "une": 1, "deux": 2,
                "trois": 3, "dix": 10}  # fmt: skip
UNITS = (("tag", "day"), ("woch", "week"), ("monat", "month"), ("jahr", "year"), ("jour", "day"),
         ("semaine", "week"), ("mois", "month"), ("an", "year"), ("day", "day"), ("week", "week"),
         ("month", "month"), ("year", "year"))  # fmt: skip
DURATION = re.compile(
    r"(?<!\w)(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty-four|thirty|sixty"
    r"|ninety|ein\w*|zwei|drei|sechs|zehn|un|une|deux|trois|six|dix)[\s-]*(?:\(\d+\)\s*)?(?:calendar |business )?"
    r"(days?|weeks?|months?|years?|tage\w*|wochen|monate\w*|jahre\w*|jours?|semaines?|mois|ans|années?)(?!\w)",
    re.IGNORECASE,
)
INDEFINITE = Lexicon({
    "indefinitely": r"indefinite\w*|unbegrenzt\w*|unbefristet\w*|indéfiniment|sans limite de durée",
    "as long as necessary": r"(?:for )?as long as (?:(?:is |it is )?(?:reasonably )?(?:necessary|needed|required)"
    r"|we (?:need|deem)|permitted)|so lange (?:wie )?(?:dies )?(?:erforderlich|notwendig|nötig)"
    r"|aussi longtemps que (?:nécessaire|nécessaire)|tant que nécessaire",
    "until you delete": r"until you (?:delete|close|request)|bis sie \w+ löschen|jusqu'à ce que vous supprimiez",
})  # fmt: skip
RETENTION_CONTEXT = cue(
    r"retain\w*|retention|keep|kept|store[ds]?|storing|delet\w*|held|hold\w*|aufbewahr\w*|speicher\w*|lösch\w*"
    r"|gelöscht|conserv\w*|supprim\w*|archiv\w*"
)

CHILD_CONTEXT = cue(
    r"child\w*|minor\w*|kids?|teen\w*|parent\w*|guardian\w*|underage|under the age|age of|years? old|kinder\w*"
    r"|aged \d|years of age|or older|minimum age|mindestalter"
    r"|minderjährig\w*|jugendlich\w*|eltern\w*|enfants?|mineurs?|parents?|âge"
)
AGE = re.compile(
    r"(?:under|below|younger than|older than|over|at least|age of|aged?|ages|unter|über|mindestens|alter von"
    r"|moins de|plus de|au moins|âge de)\s+(?:the age of\s+)?(\d{1,2})(?!\d)"
    r"|(?<!\d)(\d{1,2})\s*(?:years? (?:of age|old)|or older|and (?:over|older)|\+|jahre\w*|ans)",
    re.IGNORECASE,
)
PARENTAL_CONSENT = Lexicon({
    "parental consent": r"(?:verifiable )?parental consent|consent (?:of|from) (?:a|their|the|your) (?:parent\w*"
    r"|guardian\w*)|einwilligung der eltern|zustimmung (?:der|ihrer) (?:eltern|erziehungsberechtigten)"
    r"|consentement (?:parental|des parents|de leurs parents)",
})  # fmt: skip

# The choice a user has: a change between these (in either direction) changes the choice model.
CHOICE = Lexicon({
    "required": r"(?:you|users?) (?:must|have to|need to|are required to|are obliged to|shall)|(?:is|are) "
    r"(?:required|mandatory|compulsory|obligatory)|required to (?:use|register|access)|sie müssen|müssen sie"
    r"|(?:ist|sind) (?:erforderlich|verpflichtend|zwingend)|sie sind verpflichtet|vous devez|vous êtes tenu\w*"
    r"|(?:est|sont) (?:obligatoires?|requis\w*)",
    "asked": r"(?:we )?(?:will |may |might )?ask (?:you|for your)|request your (?:permission|consent)|prompt(?:s|ed)?"
    r" you|seek your (?:permission|consent)|(?:bitten|fragen) (?:wir )?sie|wir (?:\w+ )?sie (?:um (?:ihre\w* )?\w+ )?"
    r"(?:bitten|fragen)|sie werden (?:\w+ )?(?:gebeten|gefragt)|vous demander|nous vous demand\w*"
    r"|vous (?:sera|seront) demandé\w*",
    "optional": r"optional|voluntar\w*|(?:you|users?) (?:can|may|are free to) (?:refuse|decline|choose|opt|decide"
    r"|skip|say no|withdraw)|not (?:required|mandatory|obligatory)|if you (?:wish|want|choose|prefer|agree)"
    r"|freiwillig\w*|(?:können|dürfen) sie (?:ablehnen|wählen|entscheiden)|sie (?:können|dürfen)(?: \w+){0,3}"
    r" (?:ablehnen|verweigern|wählen|entscheiden)|nicht (?:erforderlich|verpflichtend)|facultati\w*"
    r"|vous pouvez (?:\w+ )?(?:refuser|choisir|décider)|vous êtes libre|pas obligatoire|si vous le souhaitez",
})  # fmt: skip

CONSENT_MODEL = Lexicon({
    "opt-in": r"opt(?:-| )?in|ausdrücklich\w* einwillig\w*|consentement (?:exprès|préalable)",
    "opt-out": r"opt(?:-| )?out\w*|widerspruch\w*|vous opposer",
    "consent": r"consent\w*|einwillig\w*|zustimm\w*|consentement",
    "implied consent": r"(?:by|when you) (?:continuing to use|using|accessing|visiting|continuing|registering"
    r"|signing up|creating an account)\b[^.;]{0,80}?\b(?:consent|agree|accept)\w*|continued use[^.;]{0,60}?"
    r"\b(?:consent|agree|accept)\w*|durch die (?:weitere )?nutzung[^.;]{0,60}?(?:einverstanden|zustimm\w*"
    r"|willig\w*)|en (?:continuant|utilisant)[^.;]{0,60}?(?:acceptez|consentez)",
    "condition of service": r"condition of (?:using|service|use|access)|required to use|voraussetzung für die nutzung",
})  # fmt: skip

LEGAL_BASES = Lexicon({
    "legitimate interests": r"legitimate (?:business )?interests?|berechtigte\w* interesse\w*|intérêts? légitimes?",
    "contract": r"performance of (?:a|the|our) contract|contractual necessity|necessary (?:to|for) (?:perform|the "
    r"performance)\w*|vertragserfüllung|erfüllung (?:eines|des) vertrag\w*|exécution (?:d'un|du) contrat",
    "legal obligation": r"legal obligations?|rechtliche\w* verpflichtung\w*|obligations? légales?",
    "vital interests": r"vital interests?|lebenswichtige\w* interesse\w*|intérêts? vitaux",
    "public interest": r"public interest|öffentliche\w* interesse\w*|intérêt public",
    "consent (legal basis)": r"(?:basis|grounds?|based on|on the basis) of (?:your )?consent|art\.? 6 (?:abs\.? 1 )?"
    r"(?:lit\.? )?a|auf grundlage (?:ihrer|der) einwilligung|sur la base de votre consentement",
})  # fmt: skip

NOTICE_CONTEXT = cue(
    r"(?:chang\w*|updat\w*|modif\w*|amend\w*|revis\w*) (?:to |of )?(?:this|our|the) (?:privacy )?"
    r"(?:policy|notice|statement)|änderung\w* (?:dieser|der|unserer) datenschutz\w*|diese datenschutz\w* "
    r"(?:ändern|anpassen)|modifi\w* (?:de |à )?(?:la présente|cette|notre) politique"
)
NOTICE_PROMISES = Lexicon({
    "notify you": r"notify(?: you)?|notification|e-?mail you|inform you|let you know|prior notice|advance notice"
    r"|in advance|benachrichtig\w*|informieren|informerons|préavis|notifier|avertir",
    "ask for consent": r"(?:ask for|seek|obtain) your consent|ihre einwilligung einholen|votre consentement",
})  # fmt: skip
NOTICE_WEAKENERS = Lexicon({
    "effective on posting": r"effective (?:immediately|upon posting|when posted|on posting|as soon as)"
    r"|upon posting|when we post|mit (?:der )?veröffentlichung|dès (?:leur )?publication",
    "continued use means acceptance": r"continued use|continue to use|by continuing|weitere nutzung"
    r"|en continuant",
    "without notice": r"without (?:prior |further )?notice|at any time|sole discretion|ohne vorherige\w*"
    r"|jederzeit|sans préavis|à tout moment",
})  # fmt: skip

TRACKING = Lexicon({
    "pixels": r"(?:tracking |web |conversion )?pixels?|web beacons?|beacons?|zählpixel|pixels? espions?",
    "SDKs": r"sdks?|software development kits?",
    "fingerprinting": r"(?:device |browser )?fingerprinting|device fingerprints?|browser fingerprints?"
    r"|empreinte numérique",
    "cross-device tracking": r"cross-device|device graph|geräteübergreifend\w*|multi-appareils?",
    "cross-site tracking": r"cross-(?:site|context)|across (?:other )?(?:websites|sites|apps)"
    r"|websiteübergreifend\w*",
    "session replay": r"session (?:replay|recording)s?",
    "advertising identifiers": r"(?:mobile )?advertising (?:ids?|identifiers?)|idfa|aaid|gaid",
    "third-party cookies": r"third-party cookies|cookies (?:de|tiers)|drittanbieter-cookies",
    "social plugins": r"social (?:media )?plugins?|social widgets?",
})  # fmt: skip
DO_NOT_TRACK = cue(r"do not track|dnt|global privacy control|gpc|opt-out preference signal\w*")

SCOPE_CONTEXT = cue(
    r"(?:this|our|the) (?:privacy )?(?:policy|notice|statement) (?:also )?(?:applies to|covers|governs)"
    r"|applies to|gilt (?:auch )?für|findet anwendung auf|s'applique à|couvre"
)
SCOPE_NOUNS = re.compile(
    r"apps?|applications?|products?|services?|websites?|sites?|affiliates?|offline|subsidiar\w*|brands?"
    r"|features?|devices?|platforms?|stores?|events?|anwendung\w*|produkt\w*|dienst\w*|marken?"
    r"|produits?|marques?",
    re.IGNORECASE,
)

CONTROLLER_CONTEXT = cue(
    r"controller|responsible for (?:the )?(?:processing|your (?:personal )?(?:data|information))|operated by"
    r"|provided by|who we are|representative|verantwortlich\w*|vertreter\w*|responsable (?:du|de) traitement"
    r"|représentant\w*|fusion|merg\w*|acqui\w*"
)
ORGANISATION = re.compile(
    r"(?:[A-Z0-9][\w&'.-]*,?\s+){1,4}?(?:Inc\.?|Incorporated|LLC|L\.L\.C\.|Ltd\.?|Limited|GmbH(?: & Co\.? KG)?"
    r"|AG|SE|S\.A\.S?\.?|SAS|SARL|S\.à r\.l\.|B\.V\.|N\.V\.|plc|PLC|Corp\.?|Corporation|Co\., Ltd\.?|KG|UG"
    r"|LIMITED|LTD\.?|INC\.?|CORP\.?|GMBH"
    r"|Pty Ltd|S\.p\.A\.|SpA|Oy|ApS|AB)(?![\w])"
)

CONTACT_CONTEXT = cue(
    r"contact\w*|dpo|data protection officer|privacy officer|write to us|reach us|address\w*|kontakt\w*"
    r"|datenschutzbeauftragte\w*|délégué à la protection|nous contacter|adresse"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OBFUSCATED_AT = re.compile(r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|\[@\]|\(@\))\s*", re.IGNORECASE)
OBFUSCATED_DOT = re.compile(r"\s*(?:\[\s*(?:dot|punkt|point)\s*\]|\(\s*(?:dot|punkt|point)\s*\)|\{\s*dot\s*\})\s*",
                            re.IGNORECASE)  # fmt: skip
PHONE = re.compile(  # not a numeric date (01.05.2024, 05/01/2024, 2024-05-01)
    r"(?<![\w+])(?!(?:\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}-\d{1,2}-\d{1,2})(?![\d/-]|\.\d))\+?\d[\d ()./-]{6,}\d(?!\w)"
)

SECURITY = Lexicon({
    "security": r"secur\w*|safeguard\w*|sicherheit\w*|sécurité|sécuris\w*",
    "encryption": r"encrypt\w*|ssl|tls|verschlüssel\w*|chiffr\w*",
    "access controls": r"access controls?|firewalls?|zugriffskontroll\w*|contrôles? d'accès",
    "pseudonymisation": r"pseudonymi[sz]\w*|anonymi[sz]\w*|pseudonymis\w*|anonymis\w*",
})  # fmt: skip

# Which part of a promise is covered: dropping one narrows the promise.
SECURITY_SCOPES = Lexicon({
    "in transit": r"in transit|during transmission|when (?:it is )?(?:sent|transmitted)|bei der übertragung"
    r"|en transit|lors de (?:la|leur) transmission",
    "at rest": r"at rest|in storage|when (?:it is )?stored|(?:on|in) our (?:servers|databases)|im ruhezustand"
    r"|au repos|lors de (?:son|leur) stockage",
    "end-to-end": r"end-to-end|e2e|ende-zu-ende|de bout en bout",
    "all data": r"all (?:of )?(?:your |the )?(?:personal )?(?:data|information)|alle\w* (?:ihre\w* )?daten"
    r"|toutes (?:vos|les) données",
})  # fmt: skip

JURISDICTIONS = cue(
    r"residents?|california\w*|ccpa|cpra|virginia|colorado|connecticut|utah|texas|oregon|montana|nevada|iowa"
    r"|delaware|new jersey|new hampshire|tennessee|minnesota|maryland|indiana|kentucky|rhode island|nebraska"
    r"|washington|brazil\w*|lgpd|canad\w*|pipeda|quebec|australia\w*|japan\w*|korea\w*|south africa|popia"
    r"|india\w*|turkey|kvkk|switzerland|swiss|united kingdom|uk|eea|european|gdpr|us state\w*|u\.s\. state\w*"
    r"|state privacy|kalifornien|brésil|californie"
)
GENERIC_JURISDICTION_WORDS = frozenset({"residents", "resident", "state privacy", "us state", "us states",
                                        "u.s. state", "u.s. states"})  # fmt: skip
EXPLANATION_SECTIONS = cue(
    r"faq|frequently asked|questions|examples?|glossary|definitions|häufig\w*|beispiel\w*|questions fréquentes"
    r"|exemples?"
)
EXPLANATION_OPENERS = re.compile(
    r"(?:for example|for instance|e\.g\.|this means|in other words|to illustrate|zum beispiel|beispielsweise"
    r"|das heißt|par exemple|autrement dit|c'est-à-dire)\b",
    re.IGNORECASE,
)

MONTHS = words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember jänner "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre"
)
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        ["january jan januar jänner janvier janv", "february feb februar février févr", "march mar märz mars",
         "april apr avril avr", "may mai", "june jun juni juin", "july jul juli juillet juil",
         "august aug août", "september sep sept septembre", "october oct oktober okt octobre",
         "november nov novembre", "december dec dezember dez décembre déc"],
        start=1,
    )
    for name in names.split()
}  # fmt: skip
NAVIGATION = words(
    "home back to top print share menu skip content cookie cookies settings language english deutsch français "
    "español italiano nederlands português sitemap imprint impressum mentions légales accueil zurück retour privacy "
    "policy"
)
STOPWORDS = words(
    "a an the and or of to in on for with by at as is are be been our your we you it its this that these those "
    "any all other such from into also may will can which who their they them us"
)
