from django.core.validators import RegexValidator

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", "Use a two-letter ISO 3166-1 country code in capitals, such as DE."
)
currency_code_validator = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code in capitals, such as EUR."
)
natural_key_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$",
    "Use letters, digits, dots, dashes, slashes or underscores, starting with a letter or digit.",
)
