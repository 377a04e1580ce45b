"""Reference tables the demo data is drawn from: countries, currencies, part categories.

Plain data, no Django: the generators pick from these with a seeded random generator.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    region: str
    currency: str
    weight: int  # how many suppliers come from here, relatively
    legal_forms: tuple[str, ...]
    name_roots: tuple[str, ...]
    cities: tuple[str, ...]
    price_factor: float  # price level against the European average
    lead_time_days: tuple[int, int]  # contracted lead time range to a European plant
    transit_days: tuple[int, int]  # part of the lead time spent in transport


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country(
        "DE", "EMEA", "EUR", 16, ("GmbH", "AG", "GmbH & Co. KG"),
        ("Albrecht", "Brandt", "Hoffmann", "Kessler", "Lindner", "Vogt", "Ziegler", "Krämer",
         "Seidel", "Wagner", "Haller", "Reuter"),
        ("Stuttgart", "Dortmund", "Nürnberg", "Chemnitz", "Bielefeld", "Ulm"),
        1.05, (10, 28), (1, 3),
    ),
    Country(
        "FR", "EMEA", "EUR", 5, ("SAS", "S.A."),
        ("Arnaud", "Delmas", "Fabre", "Girard", "Lefèvre", "Moreau", "Rousseau"),
        ("Lyon", "Lille", "Grenoble", "Saint-Étienne"),
        1.04, (12, 30), (2, 4),
    ),
    Country(
        "IT", "EMEA", "EUR", 6, ("S.p.A.", "S.r.l."),
        ("Bianchi", "Colombo", "Galli", "Marino", "Rinaldi", "Fontana", "Greco"),
        ("Brescia", "Bergamo", "Torino", "Bologna"),
        0.98, (12, 30), (2, 4),
    ),
    Country(
        "ES", "EMEA", "EUR", 3, ("S.L.", "S.A."),
        ("Castillo", "Herrera", "Navarro", "Ortega", "Vidal"),
        ("Bilbao", "Valencia", "Zaragoza"),
        0.95, (14, 32), (3, 5),
    ),
    Country(
        "NL", "EMEA", "EUR", 2, ("B.V.",),
        ("Bakker", "De Vries", "Janssen", "Visser", "Smit"),
        ("Eindhoven", "Tilburg", "Venlo"),
        1.06, (10, 25), (1, 3),
    ),
    Country(
        "PL", "EMEA", "PLN", 7, ("Sp. z o.o.", "S.A."),
        ("Kowalski", "Nowak", "Wiśniewski", "Zieliński", "Lewandowski", "Mazur"),
        ("Wrocław", "Poznań", "Katowice", "Łódź"),
        0.88, (12, 30), (2, 4),
    ),
    Country(
        "CZ", "EMEA", "CZK", 4, ("s.r.o.", "a.s."),
        ("Dvořák", "Novotný", "Svoboda", "Procházka", "Kučera"),
        ("Brno", "Plzeň", "Ostrava"),
        0.9, (12, 28), (2, 4),
    ),
    Country(
        "GB", "EMEA", "GBP", 5, ("Ltd", "plc"),
        ("Ashworth", "Bradley", "Fletcher", "Whitmore", "Pennington", "Holroyd"),
        ("Sheffield", "Coventry", "Leeds", "Bristol"),
        1.08, (14, 35), (3, 6),
    ),
    Country(
        "SE", "EMEA", "SEK", 2, ("AB",),
        ("Lindqvist", "Nyberg", "Sandberg", "Holm"),
        ("Göteborg", "Västerås", "Jönköping"),
        1.1, (14, 30), (3, 5),
    ),
    Country(
        "CH", "EMEA", "CHF", 2, ("AG", "SA"),
        ("Brunner", "Keller", "Meier", "Gerber"),
        ("Winterthur", "Biel", "St. Gallen"),
        1.22, (12, 28), (2, 4),
    ),
    Country(
        "US", "Americas", "USD", 9, ("Inc.", "LLC", "Corp."),
        ("Carver", "Hamilton", "Lakeside", "Summit", "Prairie", "Redwood", "Keystone",
         "Bluewater"),
        ("Cleveland", "Milwaukee", "Charlotte", "Dayton", "Grand Rapids"),
        1.06, (35, 56), (14, 24),
    ),
    Country(
        "MX", "Americas", "MXN", 6, ("S.A. de C.V.",),
        ("Aguilar", "Bajío", "Rivera", "Sierra Madre", "Torres", "Villanueva"),
        ("Querétaro", "Monterrey", "Saltillo", "León"),
        0.86, (35, 56), (16, 26),
    ),
    Country(
        "CA", "Americas", "CAD", 2, ("Ltd.", "Inc."),
        ("Maple Ridge", "Northern", "Laurentian", "Fraser"),
        ("Mississauga", "Windsor", "Laval"),
        1.04, (35, 56), (14, 24),
    ),
    Country(
        "BR", "Americas", "BRL", 2, ("Ltda.",),
        ("Paulista", "Silva", "Souza", "Itajubá"),
        ("Campinas", "Joinville", "Curitiba"),
        0.9, (42, 63), (20, 30),
    ),
    Country(
        "CN", "APAC", "CNY", 12, ("Co., Ltd.",),
        ("Kaiyuan", "Ruixiang", "Tianhe", "Xinda", "Yongsheng", "Huaxin", "Jinlong",
         "Shenghua", "Zhongde", "Dongfang"),
        ("Ningbo", "Suzhou", "Dongguan", "Wuxi", "Qingdao", "Tianjin"),
        0.78, (42, 75), (26, 38),
    ),
    Country(
        "JP", "APAC", "JPY", 4, ("K.K.", "Co., Ltd."),
        ("Hoshino", "Kuroda", "Morimoto", "Nakamura", "Sakurai", "Fujimoto"),
        ("Nagoya", "Hamamatsu", "Osaka", "Kobe"),
        1.1, (42, 70), (26, 36),
    ),
    Country(
        "KR", "APAC", "KRW", 3, ("Co., Ltd.",),
        ("Daesung", "Hanil", "Seojin", "Woojin"),
        ("Changwon", "Ulsan", "Incheon"),
        0.95, (42, 70), (26, 36),
    ),
    Country(
        "IN", "APAC", "INR", 4, ("Pvt. Ltd.",),
        ("Bharat", "Shakti", "Sundaram", "Kaveri", "Vardhman"),
        ("Pune", "Chennai", "Ludhiana", "Coimbatore"),
        0.8, (45, 75), (24, 34),
    ),
    Country(
        "TW", "APAC", "TWD", 2, ("Co., Ltd.",),
        ("Chenghua", "Jialong", "Hsinyuan", "Taikang"),
        ("Taichung", "Tainan", "Taoyuan"),
        0.92, (42, 70), (26, 36),
    ),
    # Vietnamese suppliers of export goods usually quote and invoice in US dollars.
    Country(
        "VN", "APAC", "USD", 2, ("Co., Ltd.",),
        ("Saigon", "Mekong", "Hong Phat", "Tan Thanh"),
        ("Bình Dương", "Hải Phòng", "Đồng Nai"),
        0.76, (45, 75), (26, 38),
    ),
)
# fmt: on


@dataclass(frozen=True)
class CurrencyProfile:
    eur_per_unit: float  # euros for one unit of the currency at the anchor date
    yearly_drift: float  # trend of eur_per_unit per year (negative: the currency weakens)
    daily_volatility: float


CURRENCIES: dict[str, CurrencyProfile] = {
    "EUR": CurrencyProfile(1.0, 0.0, 0.0),
    "USD": CurrencyProfile(0.92, 0.01, 0.0040),
    "GBP": CurrencyProfile(1.17, -0.005, 0.0030),
    "CHF": CurrencyProfile(1.04, 0.015, 0.0030),
    "PLN": CurrencyProfile(0.232, 0.005, 0.0030),
    "CZK": CurrencyProfile(0.0400, 0.0, 0.0025),
    "SEK": CurrencyProfile(0.087, -0.01, 0.0040),
    "MXN": CurrencyProfile(0.050, -0.02, 0.0070),
    "CAD": CurrencyProfile(0.68, -0.005, 0.0040),
    "BRL": CurrencyProfile(0.17, -0.05, 0.0090),
    "CNY": CurrencyProfile(0.127, -0.01, 0.0030),
    "JPY": CurrencyProfile(0.0062, -0.04, 0.0050),
    "KRW": CurrencyProfile(0.00068, -0.02, 0.0050),
    "INR": CurrencyProfile(0.0110, -0.03, 0.0040),
    "TWD": CurrencyProfile(0.0285, -0.01, 0.0035),
}


@dataclass(frozen=True)
class Characteristic:
    code: str
    description: str
    is_critical: bool = False


@dataclass(frozen=True)
class Category:
    name: str
    prefix: str  # part number prefix
    unit: str
    weight: int  # share of the part catalogue, relatively
    supplier_word: str  # what a supplier of this category calls itself
    part_names: tuple[str, ...]
    price_eur: tuple[float, float]  # unit price range
    monthly_demand: tuple[int, int]  # units per month, whole portfolio of one part
    pack: int  # quantities are ordered in multiples of this
    moq_packs: tuple[int, int]
    checklist: tuple[Characteristic, ...]


_DIM = Characteristic("DIM", "Critical dimensions per drawing", True)
_SURF = Characteristic("SURF", "Surface free of scratches, dents and corrosion")
_BURR = Characteristic("BURR", "Edges deburred, no sharp burrs")
_COAT = Characteristic("COAT", "Coating thickness and adhesion")
_HARD = Characteristic("HARD", "Hardness within specification")
_LABEL = Characteristic("LABEL", "Labelling and traceability marking")
_PACK = Characteristic("PACK", "Packaging undamaged, quantity per pack correct")

# fmt: off
CATEGORIES: tuple[Category, ...] = (
    Category(
        "Castings", "CST", "EA", 10, "Castings",
        ("Aluminium housing", "Gearbox cover", "Pump body", "Bearing housing", "Valve body",
         "Motor end shield", "Manifold"),
        (8.0, 140.0), (150, 2500), 10, (2, 10),
        (_DIM, Characteristic("POR", "Porosity within X-ray acceptance level", True), _SURF,
         _HARD),
    ),
    Category(
        "Machined parts", "MCH", "EA", 14, "Precision",
        ("Drive shaft", "Flange", "Bushing", "Spindle", "Adapter plate", "Coupling hub",
         "Threaded insert"),
        (2.5, 90.0), (200, 5000), 10, (5, 20),
        (_DIM, Characteristic("ROUGH", "Surface roughness Ra per drawing"),
         Characteristic("THREAD", "Thread gauge go / no-go", True), _BURR),
    ),
    Category(
        "Fasteners", "FST", "EA", 12, "Fasteners",
        ("Hex bolt M8x30", "Socket head screw M6x20", "Hex nut M10", "Flat washer 12 mm",
         "Self-locking nut M8", "Stud bolt M12x60", "Rivet 4.8x12", "Spring pin 5x30"),
        (0.02, 0.9), (5000, 80000), 500, (2, 10),
        (Characteristic("THREAD", "Thread gauge go / no-go", True), _COAT, _HARD, _PACK),
    ),
    Category(
        "Electronics", "ELE", "EA", 10, "Electronics",
        ("Controller board", "Wiring harness", "Pressure sensor", "Temperature sensor",
         "Power supply unit", "Display module", "Relay board"),
        (4.0, 220.0), (100, 3000), 10, (5, 25),
        (Characteristic("ELEC", "Functional electrical test", True),
         Characteristic("SOLD", "Solder joints per IPC-A-610 class 2"),
         Characteristic("ESD", "ESD-safe packaging"), _LABEL),
    ),
    Category(
        "Plastics", "PLS", "EA", 10, "Polymers",
        ("Injection-moulded cover", "Cable clip", "Fan shroud", "Knob", "Housing half",
         "Connector body", "Grommet"),
        (0.15, 12.0), (1000, 30000), 100, (2, 20),
        (_DIM, Characteristic("COLOR", "Colour against master sample"),
         Characteristic("FLASH", "No flash or short shots"),
         Characteristic("WARP", "Flatness / warpage")),
    ),
    Category(
        "Sheet metal", "SHM", "EA", 10, "Metalworks",
        ("Mounting bracket", "Cover plate", "Chassis panel", "Support angle", "Heat shield",
         "Cable tray"),
        (0.8, 45.0), (300, 8000), 20, (5, 25),
        (_DIM, Characteristic("FLAT", "Flatness within tolerance"), _COAT, _BURR),
    ),
    Category(
        "Rubber and seals", "SEA", "EA", 7, "Seals",
        ("O-ring 40x3", "Flat gasket", "Shaft seal 35x52x7", "Bellows", "Rubber buffer",
         "Door seal profile"),
        (0.05, 8.0), (2000, 40000), 100, (2, 20),
        (Characteristic("HARD", "Shore hardness within specification", True), _DIM, _SURF),
    ),
    Category(
        "Raw materials", "RAW", "kg", 6, "Materials",
        ("Steel coil DC04", "Aluminium ingot AlSi9Cu3", "Stainless bar 1.4301",
         "Copper wire rod", "PA66 GF30 granulate", "Brass bar CW614N"),
        (0.9, 9.5), (2000, 40000), 100, (5, 50),
        (Characteristic("CHEM", "Chemical composition per certificate", True),
         Characteristic("TENS", "Tensile strength"),
         Characteristic("CERT", "3.1 material certificate present", True), _PACK),
    ),
    Category(
        "Cables", "CBL", "m", 5, "Cable",
        ("Power cable 3G2.5", "Control cable 12x0.75", "Shielded data cable", "Welding cable 35",
         "Silicone hose cable"),
        (0.4, 12.0), (1000, 25000), 50, (10, 40),
        (Characteristic("ELEC", "Insulation resistance and continuity", True),
         Characteristic("INSUL", "Insulation wall thickness"), _DIM, _LABEL),
    ),
    Category(
        "Chemicals", "CHM", "l", 4, "Chemicals",
        ("Hydraulic oil HLP 46", "Epoxy primer", "Thread locker", "Cutting fluid",
         "Powder coat RAL 7035", "Adhesive 2K"),
        (2.0, 38.0), (200, 5000), 20, (1, 10),
        (Characteristic("VISC", "Viscosity within specification", True),
         Characteristic("PURITY", "Purity / contamination"), _LABEL,
         Characteristic("SHELF", "Remaining shelf life at least 6 months")),
    ),
    Category(
        "Kits and assemblies", "KIT", "set", 4, "Assemblies",
        ("Service kit", "Hinge assembly", "Pump assembly", "Valve kit", "Brake assembly"),
        (12.0, 380.0), (50, 1200), 5, (1, 10),
        (Characteristic("COMPL", "Kit complete per bill of material", True),
         Characteristic("FUNC", "Functional test"), _LABEL, _PACK),
    ),
)
# fmt: on

CERTIFICATE_BODIES = (
    "TÜV SÜD",
    "TÜV Rheinland",
    "DNV",
    "Bureau Veritas",
    "SGS",
    "DEKRA",
    "Lloyd's Register",
    "BSI",
    "Intertek",
)

# Our own plants, where parts are received and stocked.
SITES = (
    ("DE-HAM", "Hamburg"),
    ("DE-STR", "Stuttgart"),
    ("PL-WRO", "Wrocław"),
    ("MX-QRO", "Querétaro"),
)

# Stations of a shipment by region of origin: (what happened, where). "{city}" is the supplier's.
TRANSIT_ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "EMEA": (
        ("Picked up", "{city}"),
        ("Departed hub", "Leipzig, DE"),
        ("Arrived at destination hub", "Hamburg, DE"),
        ("Out for delivery", "Hamburg, DE"),
    ),
    "Americas": (
        ("Picked up", "{city}"),
        ("Departed port", "Houston, US"),
        ("At sea", "North Atlantic"),
        ("Arrived at port", "Hamburg, DE"),
        ("Customs cleared", "Hamburg, DE"),
        ("Out for delivery", "Hamburg, DE"),
    ),
    "APAC": (
        ("Picked up", "{city}"),
        ("Departed port", "Shanghai, CN"),
        ("At sea", "Indian Ocean"),
        ("Arrived at port", "Rotterdam, NL"),
        ("Customs cleared", "Rotterdam, NL"),
        ("Out for delivery", "Hamburg, DE"),
    ),
}

CARRIERS = {
    "EMEA": ("DHL Freight", "DB Schenker", "DSV Road", "Dachser", "Raben Logistics"),
    "Americas": ("Maersk", "Hapag-Lloyd", "Kuehne+Nagel", "DHL Global Forwarding"),
    "APAC": ("Maersk", "COSCO Shipping", "CMA CGM", "Kuehne+Nagel", "DHL Global Forwarding"),
}
