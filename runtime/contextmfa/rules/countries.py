"""ISO 3166-1 country names and the codes they stand for, to point a misspelt country at its code.

``geo.country`` holds alpha-2 codes and ``geo.country3`` alpha-3 codes (the table of both is
``enrich.geoip.COUNTRY_CODE3``, the one GeoIP enrichment uses). A rule author who writes "CUB",
"Netherlands" or "nl" means a country all the same: :func:`country_code` finds which, so the
checker can say ``did you mean "CU"?`` instead of letting a rule that never matches through.

Names are those of Debian iso-codes 4.15 (ISO 3166-1 short, common and official names), the
English names of the bundled GeoLite2 City database where they differ (``geo.country_name``),
and a few everyday names ISO does not list (:data:`EVERYDAY_NAMES`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache

from contextmfa.enrich.geoip import COUNTRY_CODE3

__all__ = ["ALPHA2", "ALPHA3", "CONTINENTS", "continent_code", "country_code"]

ALPHA2: frozenset[str] = frozenset(COUNTRY_CODE3)
"""Every code ``geo.country`` can hold: ISO 3166-1 alpha-2, and XK (Kosovo) as MaxMind uses."""

ALPHA3: frozenset[str] = frozenset(COUNTRY_CODE3.values())
"""Every code ``geo.country3`` can hold."""

CONTINENTS: dict[str, str] = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
"""The continent codes of GeoIP2 (``geo.continent``) and their names."""

RESERVED_CODES: dict[str, str] = {"UK": "GB", "EL": "GR"}
"""ISO's exceptionally reserved codes that people write for a country with another code."""

EVERYDAY_NAMES: dict[str, str] = {
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "America": "US",
    "Burma": "MM",
    "Swaziland": "SZ",
    "Macedonia": "MK",
    "Ivory Coast": "CI",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Vatican": "VA",
}

# ISO 3166-1 alpha-2 -> English names (short name first).
# fmt: off
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AD": ("Andorra", "Principality of Andorra"),
    "AE": ("United Arab Emirates",),
    "AF": ("Afghanistan", "Islamic Republic of Afghanistan"),
    "AG": ("Antigua and Barbuda",),
    "AI": ("Anguilla",),
    "AL": ("Albania", "Republic of Albania"),
    "AM": ("Armenia", "Republic of Armenia"),
    "AO": ("Angola", "Republic of Angola"),
    "AQ": ("Antarctica",),
    "AR": ("Argentina", "Argentine Republic"),
    "AS": ("American Samoa",),
    "AT": ("Austria", "Republic of Austria"),
    "AU": ("Australia",),
    "AW": ("Aruba",),
    "AX": ("Åland Islands", "Åland"),
    "AZ": ("Azerbaijan", "Republic of Azerbaijan"),
    "BA": ("Bosnia and Herzegovina", "Republic of Bosnia and Herzegovina"),
    "BB": ("Barbados",),
    "BD": ("Bangladesh", "People's Republic of Bangladesh"),
    "BE": ("Belgium", "Kingdom of Belgium"),
    "BF": ("Burkina Faso",),
    "BG": ("Bulgaria", "Republic of Bulgaria"),
    "BH": ("Bahrain", "Kingdom of Bahrain"),
    "BI": ("Burundi", "Republic of Burundi"),
    "BJ": ("Benin", "Republic of Benin"),
    "BL": ("Saint Barthélemy",),
    "BM": ("Bermuda",),
    "BN": ("Brunei Darussalam", "Brunei"),
    "BO": ("Bolivia, Plurinational State of", "Bolivia", "Plurinational State of Bolivia"),
    "BQ": ("Bonaire, Sint Eustatius and Saba", "Bonaire, Sint Eustatius, and Saba"),
    "BR": ("Brazil", "Federative Republic of Brazil"),
    "BS": ("Bahamas", "Commonwealth of the Bahamas"),
    "BT": ("Bhutan", "Kingdom of Bhutan"),
    "BV": ("Bouvet Island",),
    "BW": ("Botswana", "Republic of Botswana"),
    "BY": ("Belarus", "Republic of Belarus"),
    "BZ": ("Belize",),
    "CA": ("Canada",),
    "CC": ("Cocos (Keeling) Islands", "Cocos [Keeling] Islands"),
    "CD": ("Congo, The Democratic Republic of the", "DR Congo"),
    "CF": ("Central African Republic",),
    "CG": ("Congo", "Republic of the Congo", "Congo Republic"),
    "CH": ("Switzerland", "Swiss Confederation"),
    "CI": ("Côte d'Ivoire", "Republic of Côte d'Ivoire", "Ivory Coast"),
    "CK": ("Cook Islands",),
    "CL": ("Chile", "Republic of Chile"),
    "CM": ("Cameroon", "Republic of Cameroon"),
    "CN": ("China", "People's Republic of China"),
    "CO": ("Colombia", "Republic of Colombia"),
    "CR": ("Costa Rica", "Republic of Costa Rica"),
    "CU": ("Cuba", "Republic of Cuba"),
    "CV": ("Cabo Verde", "Republic of Cabo Verde"),
    "CW": ("Curaçao",),
    "CX": ("Christmas Island",),
    "CY": ("Cyprus", "Republic of Cyprus"),
    "CZ": ("Czechia", "Czech Republic"),
    "DE": ("Germany", "Federal Republic of Germany"),
    "DJ": ("Djibouti", "Republic of Djibouti"),
    "DK": ("Denmark", "Kingdom of Denmark"),
    "DM": ("Dominica", "Commonwealth of Dominica"),
    "DO": ("Dominican Republic",),
    "DZ": ("Algeria", "People's Democratic Republic of Algeria"),
    "EC": ("Ecuador", "Republic of Ecuador"),
    "EE": ("Estonia", "Republic of Estonia"),
    "EG": ("Egypt", "Arab Republic of Egypt"),
    "EH": ("Western Sahara",),
    "ER": ("Eritrea", "the State of Eritrea"),
    "ES": ("Spain", "Kingdom of Spain"),
    "ET": ("Ethiopia", "Federal Democratic Republic of Ethiopia"),
    "FI": ("Finland", "Republic of Finland"),
    "FJ": ("Fiji", "Republic of Fiji"),
    "FK": ("Falkland Islands (Malvinas)", "Falkland Islands"),
    "FM": ("Micronesia, Federated States of", "Federated States of Micronesia"),
    "FO": ("Faroe Islands",),
    "FR": ("France", "French Republic"),
    "GA": ("Gabon", "Gabonese Republic"),
    "GB": ("United Kingdom", "United Kingdom of Great Britain and Northern Ireland"),
    "GD": ("Grenada",),
    "GE": ("Georgia",),
    "GF": ("French Guiana",),
    "GG": ("Guernsey",),
    "GH": ("Ghana", "Republic of Ghana"),
    "GI": ("Gibraltar",),
    "GL": ("Greenland",),
    "GM": ("Gambia", "Republic of the Gambia"),
    "GN": ("Guinea", "Republic of Guinea"),
    "GP": ("Guadeloupe",),
    "GQ": ("Equatorial Guinea", "Republic of Equatorial Guinea"),
    "GR": ("Greece", "Hellenic Republic"),
    "GS": ("South Georgia and the South Sandwich Islands",),
    "GT": ("Guatemala", "Republic of Guatemala"),
    "GU": ("Guam",),
    "GW": ("Guinea-Bissau", "Republic of Guinea-Bissau"),
    "GY": ("Guyana", "Republic of Guyana"),
    "HK": ("Hong Kong", "Hong Kong Special Administrative Region of China"),
    "HM": ("Heard Island and McDonald Islands",),
    "HN": ("Honduras", "Republic of Honduras"),
    "HR": ("Croatia", "Republic of Croatia"),
    "HT": ("Haiti", "Republic of Haiti"),
    "HU": ("Hungary",),
    "ID": ("Indonesia", "Republic of Indonesia"),
    "IE": ("Ireland",),
    "IL": ("Israel", "State of Israel"),
    "IM": ("Isle of Man",),
    "IN": ("India", "Republic of India"),
    "IO": ("British Indian Ocean Territory",),
    "IQ": ("Iraq", "Republic of Iraq"),
    "IR": ("Iran, Islamic Republic of", "Iran", "Islamic Republic of Iran"),
    "IS": ("Iceland", "Republic of Iceland"),
    "IT": ("Italy", "Italian Republic"),
    "JE": ("Jersey",),
    "JM": ("Jamaica",),
    "JO": ("Jordan", "Hashemite Kingdom of Jordan"),
    "JP": ("Japan",),
    "KE": ("Kenya", "Republic of Kenya"),
    "KG": ("Kyrgyzstan", "Kyrgyz Republic"),
    "KH": ("Cambodia", "Kingdom of Cambodia"),
    "KI": ("Kiribati", "Republic of Kiribati"),
    "KM": ("Comoros", "Union of the Comoros"),
    "KN": ("Saint Kitts and Nevis", "St Kitts and Nevis"),
    "KP": (
        "Korea, Democratic People's Republic of", "North Korea",
        "Democratic People's Republic of Korea",
    ),
    "KR": ("Korea, Republic of", "South Korea"),
    "KW": ("Kuwait", "State of Kuwait"),
    "KY": ("Cayman Islands",),
    "KZ": ("Kazakhstan", "Republic of Kazakhstan"),
    "LA": ("Lao People's Democratic Republic", "Laos"),
    "LB": ("Lebanon", "Lebanese Republic"),
    "LC": ("Saint Lucia",),
    "LI": ("Liechtenstein", "Principality of Liechtenstein"),
    "LK": ("Sri Lanka", "Democratic Socialist Republic of Sri Lanka"),
    "LR": ("Liberia", "Republic of Liberia"),
    "LS": ("Lesotho", "Kingdom of Lesotho"),
    "LT": ("Lithuania", "Republic of Lithuania"),
    "LU": ("Luxembourg", "Grand Duchy of Luxembourg"),
    "LV": ("Latvia", "Republic of Latvia"),
    "LY": ("Libya",),
    "MA": ("Morocco", "Kingdom of Morocco"),
    "MC": ("Monaco", "Principality of Monaco"),
    "MD": ("Moldova, Republic of", "Moldova", "Republic of Moldova"),
    "ME": ("Montenegro",),
    "MF": ("Saint Martin (French part)", "Saint Martin"),
    "MG": ("Madagascar", "Republic of Madagascar"),
    "MH": ("Marshall Islands", "Republic of the Marshall Islands"),
    "MK": ("North Macedonia", "Republic of North Macedonia"),
    "ML": ("Mali", "Republic of Mali"),
    "MM": ("Myanmar", "Republic of Myanmar"),
    "MN": ("Mongolia",),
    "MO": ("Macao", "Macao Special Administrative Region of China"),
    "MP": ("Northern Mariana Islands", "Commonwealth of the Northern Mariana Islands"),
    "MQ": ("Martinique",),
    "MR": ("Mauritania", "Islamic Republic of Mauritania"),
    "MS": ("Montserrat",),
    "MT": ("Malta", "Republic of Malta"),
    "MU": ("Mauritius", "Republic of Mauritius"),
    "MV": ("Maldives", "Republic of Maldives"),
    "MW": ("Malawi", "Republic of Malawi"),
    "MX": ("Mexico", "United Mexican States"),
    "MY": ("Malaysia",),
    "MZ": ("Mozambique", "Republic of Mozambique"),
    "NA": ("Namibia", "Republic of Namibia"),
    "NC": ("New Caledonia",),
    "NE": ("Niger", "Republic of the Niger"),
    "NF": ("Norfolk Island",),
    "NG": ("Nigeria", "Federal Republic of Nigeria"),
    "NI": ("Nicaragua", "Republic of Nicaragua"),
    "NL": ("Netherlands", "Kingdom of the Netherlands"),
    "NO": ("Norway", "Kingdom of Norway"),
    "NP": ("Nepal", "Federal Democratic Republic of Nepal"),
    "NR": ("Nauru", "Republic of Nauru"),
    "NU": ("Niue",),
    "NZ": ("New Zealand",),
    "OM": ("Oman", "Sultanate of Oman"),
    "PA": ("Panama", "Republic of Panama"),
    "PE": ("Peru", "Republic of Peru"),
    "PF": ("French Polynesia",),
    "PG": ("Papua New Guinea", "Independent State of Papua New Guinea"),
    "PH": ("Philippines", "Republic of the Philippines"),
    "PK": ("Pakistan", "Islamic Republic of Pakistan"),
    "PL": ("Poland", "Republic of Poland"),
    "PM": ("Saint Pierre and Miquelon",),
    "PN": ("Pitcairn", "Pitcairn Islands"),
    "PR": ("Puerto Rico",),
    "PS": ("Palestine, State of", "the State of Palestine", "Palestine"),
    "PT": ("Portugal", "Portuguese Republic"),
    "PW": ("Palau", "Republic of Palau"),
    "PY": ("Paraguay", "Republic of Paraguay"),
    "QA": ("Qatar", "State of Qatar"),
    "RE": ("Réunion",),
    "RO": ("Romania",),
    "RS": ("Serbia", "Republic of Serbia"),
    "RU": ("Russian Federation", "Russia"),
    "RW": ("Rwanda", "Rwandese Republic"),
    "SA": ("Saudi Arabia", "Kingdom of Saudi Arabia"),
    "SB": ("Solomon Islands",),
    "SC": ("Seychelles", "Republic of Seychelles"),
    "SD": ("Sudan", "Republic of the Sudan"),
    "SE": ("Sweden", "Kingdom of Sweden"),
    "SG": ("Singapore", "Republic of Singapore"),
    "SH": ("Saint Helena, Ascension and Tristan da Cunha", "Saint Helena"),
    "SI": ("Slovenia", "Republic of Slovenia"),
    "SJ": ("Svalbard and Jan Mayen",),
    "SK": ("Slovakia", "Slovak Republic"),
    "SL": ("Sierra Leone", "Republic of Sierra Leone"),
    "SM": ("San Marino", "Republic of San Marino"),
    "SN": ("Senegal", "Republic of Senegal"),
    "SO": ("Somalia", "Federal Republic of Somalia"),
    "SR": ("Suriname", "Republic of Suriname"),
    "SS": ("South Sudan", "Republic of South Sudan"),
    "ST": (
        "Sao Tome and Principe", "Democratic Republic of Sao Tome and Principe",
        "São Tomé and Príncipe",
    ),
    "SV": ("El Salvador", "Republic of El Salvador"),
    "SX": ("Sint Maarten (Dutch part)", "Sint Maarten"),
    "SY": ("Syrian Arab Republic", "Syria"),
    "SZ": ("Eswatini", "Kingdom of Eswatini"),
    "TC": ("Turks and Caicos Islands",),
    "TD": ("Chad", "Republic of Chad"),
    "TF": ("French Southern Territories",),
    "TG": ("Togo", "Togolese Republic"),
    "TH": ("Thailand", "Kingdom of Thailand"),
    "TJ": ("Tajikistan", "Republic of Tajikistan"),
    "TK": ("Tokelau",),
    "TL": ("Timor-Leste", "Democratic Republic of Timor-Leste", "East Timor"),
    "TM": ("Turkmenistan",),
    "TN": ("Tunisia", "Republic of Tunisia"),
    "TO": ("Tonga", "Kingdom of Tonga"),
    "TR": ("Türkiye", "Republic of Türkiye", "Turkey"),
    "TT": ("Trinidad and Tobago", "Republic of Trinidad and Tobago"),
    "TV": ("Tuvalu",),
    "TW": ("Taiwan, Province of China", "Taiwan"),
    "TZ": ("Tanzania, United Republic of", "Tanzania", "United Republic of Tanzania"),
    "UA": ("Ukraine",),
    "UG": ("Uganda", "Republic of Uganda"),
    "UM": ("United States Minor Outlying Islands", "U.S. Minor Outlying Islands"),
    "US": ("United States", "United States of America"),
    "UY": ("Uruguay", "Eastern Republic of Uruguay"),
    "UZ": ("Uzbekistan", "Republic of Uzbekistan"),
    "VA": ("Holy See (Vatican City State)", "Vatican City"),
    "VC": ("Saint Vincent and the Grenadines",),
    "VE": ("Venezuela, Bolivarian Republic of", "Venezuela", "Bolivarian Republic of Venezuela"),
    "VG": ("Virgin Islands, British", "British Virgin Islands"),
    "VI": ("Virgin Islands, U.S.", "Virgin Islands of the United States", "U.S. Virgin Islands"),
    "VN": ("Viet Nam", "Vietnam", "Socialist Republic of Viet Nam"),
    "VU": ("Vanuatu", "Republic of Vanuatu"),
    "WF": ("Wallis and Futuna",),
    "WS": ("Samoa", "Independent State of Samoa"),
    "XK": ("Kosovo",),
    "YE": ("Yemen", "Republic of Yemen"),
    "YT": ("Mayotte",),
    "ZA": ("South Africa", "Republic of South Africa"),
    "ZM": ("Zambia", "Republic of Zambia"),
    "ZW": ("Zimbabwe", "Republic of Zimbabwe"),
}
# fmt: on

_FUZZY_CUTOFF = 0.8


def _key(text: str) -> str:
    """A name as compared: no accents, case or punctuation ("Côte d'Ivoire": "cote d ivoire")."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z]+", " ", text.casefold()).strip().removeprefix("the ")


@cache
def _by_name() -> dict[str, str]:
    table = {_key(name): code for code, names in COUNTRY_NAMES.items() for name in names}
    table.update({_key(name): code for name, code in EVERYDAY_NAMES.items()})
    return table


_ALPHA3_TO_2 = {alpha3: alpha2 for alpha2, alpha3 in COUNTRY_CODE3.items()}


def country_code(text: str) -> str | None:
    """The alpha-2 code ``text`` most likely means (a code in any case, an alpha-3 code, a name,
    a close misspelling of a name), or None."""
    upper = text.strip().upper()
    if upper in ALPHA2:
        return upper
    if upper in _ALPHA3_TO_2:
        return _ALPHA3_TO_2[upper]
    if upper in RESERVED_CODES:
        return RESERVED_CODES[upper]
    key = _key(text)
    names = _by_name()
    if key in names:
        return names[key]
    if len(key) > 3:
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=_FUZZY_CUTOFF)
        if close:
            return names[close[0]]
    return None


def continent_code(text: str) -> str | None:
    """The continent code ``text`` most likely means ("eu", "Europe"), or None."""
    upper = text.strip().upper()
    if upper in CONTINENTS:
        return upper
    key = _key(text)
    for code, name in CONTINENTS.items():
        if _key(name) == key:
            return code
    return None
