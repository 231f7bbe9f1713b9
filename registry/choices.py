"""The lists a DPO recognises: the CNIL model register's categories, Art. 6 and Art. 9, EDPB criteria."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityRole(models.TextChoices):
    CONTROLLER = "controller", _("Controller (Art. 30(1))")
    PROCESSOR = "processor", _("Processor on behalf of clients (Art. 30(2))")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REVIEW_DUE = "review_due", _("Due for review")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (Art. 6(1)(f))")


class Art9Condition(models.TextChoices):
    EXPLICIT_CONSENT = "a", _("Explicit consent (Art. 9(2)(a))")
    EMPLOYMENT = "b", _("Employment and social security law (Art. 9(2)(b))")
    VITAL_INTERESTS = "c", _("Vital interests (Art. 9(2)(c))")
    NOT_FOR_PROFIT = "d", _("Not-for-profit body, members (Art. 9(2)(d))")
    MADE_PUBLIC = "e", _("Made manifestly public by the person (Art. 9(2)(e))")
    LEGAL_CLAIMS = "f", _("Legal claims (Art. 9(2)(f))")
    PUBLIC_INTEREST = "g", _("Substantial public interest (Art. 9(2)(g))")
    HEALTH_CARE = "h", _("Health or social care (Art. 9(2)(h))")
    PUBLIC_HEALTH = "i", _("Public health (Art. 9(2)(i))")
    ARCHIVING = "j", _("Archiving, research or statistics (Art. 9(2)(j))")


class SubjectCategory(models.TextChoices):
    """Catégories de personnes concernées, as the CNIL model lists them."""

    EMPLOYEES = "employees", _("Employees")
    INTERNAL_SERVICES = "internal_services", _("Internal services")
    CUSTOMERS = "customers", _("Customers")
    SUPPLIERS = "suppliers", _("Suppliers")
    SERVICE_PROVIDERS = "service_providers", _("Service providers")
    PROSPECTS = "prospects", _("Prospects")
    CANDIDATES = "candidates", _("Candidates")
    OTHER = "other", _("Other")


class SensitiveData(models.TextChoices):
    """Données sensibles (Art. 9 and 10, plus the French NIR), as the CNIL model lists them."""

    RACIAL_ETHNIC = "racial_ethnic", _("Racial or ethnic origin")
    POLITICAL = "political", _("Political opinions")
    RELIGIOUS = "religious", _("Religious or philosophical beliefs")
    TRADE_UNION = "trade_union", _("Trade-union membership")
    GENETIC = "genetic", _("Genetic data")
    BIOMETRIC = "biometric", _("Biometric data")
    HEALTH = "health", _("Health data")
    SEX_LIFE = "sex_life", _("Sex life or sexual orientation")
    CRIMINAL = "criminal", _("Criminal convictions and offences")
    NIR = "nir", _("Social-security number (NIR)")


class RecipientKind(models.TextChoices):
    INTERNAL = "internal", _("Internal service")
    PROCESSOR = "processor", _("Processor (Art. 28)")
    PARTNER = "partner", _("Partner")
    AUTHORITY = "authority", _("Public authority")


class TransferMechanism(models.TextChoices):
    NONE = "", _("None recorded")
    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    DPF = "dpf", _("EU-US Data Privacy Framework (Art. 45)")
    SCC = "scc", _("Standard contractual clauses and transfer impact assessment (Art. 46(2)(c))")
    BCR = "bcr", _("Binding corporate rules (Art. 47)")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct (Art. 46(2)(e))")
    CERTIFICATION = "certification", _("Certification (Art. 46(2)(f))")
    DEROGATION = "derogation", _("Derogation for a specific situation (Art. 49)")


class SecurityMeasure(models.TextChoices):
    """Mesures de sécurité: the CNIL model's checklist."""

    ACCESS_CONTROL = "access_control", _("User access control")
    TRACEABILITY = "traceability", _("Traceability (logging)")
    SOFTWARE_PROTECTION = "software_protection", _("Software protection (updates, antivirus)")
    BACKUP = "backup", _("Data backup")
    ENCRYPTION = "encryption", _("Data encryption")
    PROCESSOR_CONTROL = "processor_control", _("Control of processors")
    OTHER = "other", _("Other measures")


class DpiaCriterion(models.TextChoices):
    """The nine EDPB (WP248) criteria: two or more call for a DPIA."""

    EVALUATION = "evaluation", _("Evaluation or scoring, including profiling")
    AUTOMATED_DECISION = "automated_decision", _("Automated decision with legal or similar effect")
    MONITORING = "monitoring", _("Systematic monitoring")
    SENSITIVE = "sensitive", _("Sensitive or highly personal data")
    LARGE_SCALE = "large_scale", _("Large-scale processing")
    MATCHING = "matching", _("Matching or combining datasets")
    VULNERABLE = "vulnerable", _("Vulnerable data subjects")
    INNOVATIVE = "innovative", _("Innovative technology")
    PREVENTS_RIGHT = "prevents_right", _("Prevents exercising a right or using a service")


DPIA_CRITERIA_THRESHOLD = 2


class DpiaStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    REQUIRED = "required", _("Required, not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ReviewItem(models.TextChoices):
    """What the DPO checks before approving an activity (GDPR.md A1.5)."""

    PURPOSE = "purpose", _("Purpose specific and explicit")
    LEGAL_BASIS = "legal_basis", _("Lawful basis per purpose (and Art. 9 condition)")
    MINIMISATION = "minimisation", _("Data categories minimised")
    RETENTION = "retention", _("Retention per category")
    RECIPIENTS = "recipients", _("Recipients and Art. 28 contracts")
    TRANSFERS = "transfers", _("Transfers and their safeguards")
    SECURITY = "security", _("Security measures")
    DPIA = "dpia", _("DPIA screening")
    NOTICE = "notice", _("Information notice published")
    RIGHTS = "rights", _("Rights-handling procedure in place")


# EU member states plus Iceland, Liechtenstein and Norway: a recipient elsewhere is a third-country transfer.
EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)


def is_third_country(country: str) -> bool:
    return bool(country) and country.upper() not in EEA_COUNTRIES


class BreachNature(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("Confidentiality (disclosure or access)")
    INTEGRITY = "integrity", _("Integrity (alteration)")
    AVAILABILITY = "availability", _("Availability (loss or destruction)")


class RiskLevel(models.TextChoices):
    NONE = "none", _("Unlikely to result in a risk")
    RISK = "risk", _("Risk")
    HIGH = "high", _("High risk")


class AuthorityDecision(models.TextChoices):
    PENDING = "pending", _("Not decided yet")
    NOTIFY = "notify", _("Notify the supervisory authority")
    NOT_NOTIFY = "not_notify", _("Not notifiable (unlikely to result in a risk)")


class Art34Exemption(models.TextChoices):
    NONE = "", _("None")
    UNINTELLIGIBLE = "a", _("Data unintelligible, e.g. encrypted (Art. 34(3)(a))")
    RISK_REMOVED = "b", _("High risk no longer likely (Art. 34(3)(b))")
    DISPROPORTIONATE = "c", _("Disproportionate effort: public communication (Art. 34(3)(c))")


class NotificationPhase(models.TextChoices):
    INITIAL = "initial", _("Initial notification")
    ADDITIONAL = "additional", _("Additional information (Art. 33(4))")
    FINAL = "final", _("Final notification")
