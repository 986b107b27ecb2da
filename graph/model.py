"""The closed set of labels and relationship types (docs/ARCHITECTURE.md §4): never from input."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    ACCOUNT = "Account"
    CLIENT_UNIT = "ClientUnit"
    CONTACT = "Contact"
    TEAM_MEMBER = "TeamMember"
    FUNCTIONAL_AREA = "FunctionalArea"
    GEO_DIVISION = "GeoDivision"
    COMPETITOR = "Competitor"
    PARTNER = "Partner"
    CAPABILITY = "Capability"
    NEED = "Need"
    PROJECT = "Project"
    PLAN = "Plan"
    REVIEW = "Review"
    ACTION = "Action"
    INTERACTION = "Interaction"
    USER = "User"
    SESSION = "Session"
    MUTATION_RECEIPT = "MutationReceipt"
    PLAN_REVISION = "PlanRevision"
    MILESTONE = "Milestone"
    AUDIT_ENTRY = "AuditEntry"
    MIGRATION = "Migration"
    SYNC_STATE = "SyncState"
    SYNC_ISSUE = "SyncIssue"
    SYNC_CONFLICT = "SyncConflict"


class Rel(StrEnum):
    HAS_UNIT = "HAS_UNIT"
    PARENT_OF = "PARENT_OF"
    WORKS_IN = "WORKS_IN"
    REPORTS_TO = "REPORTS_TO"
    INFLUENCES = "INFLUENCES"
    DECIDES = "DECIDES"
    ON_TEAM = "ON_TEAM"
    MIRRORS = "MIRRORS"
    IN_AREA = "IN_AREA"
    COVERS = "COVERS"
    KNOWS = "KNOWS"
    COMPETES_AT = "COMPETES_AT"
    HAS_NEED = "HAS_NEED"
    REQUIRES = "REQUIRES"
    OFFERS = "OFFERS"
    HAS_PROJECT = "HAS_PROJECT"
    WITH_PARTNER = "WITH_PARTNER"
    HAS_PLAN = "HAS_PLAN"
    REVIEWED_IN = "REVIEWED_IN"
    HAS_ACTION = "HAS_ACTION"
    OWNED_BY = "OWNED_BY"
    ABOUT = "ABOUT"
    WITH = "WITH"
    BY = "BY"
    IS = "IS"
    HAS_REVISION = "HAS_REVISION"
    HAS_MILESTONE = "HAS_MILESTONE"
    NOW_AT = "NOW_AT"


class UnitLevel(StrEnum):
    GLOBAL = "GLOBAL"
    REGIONAL = "REGIONAL"
    NATIONAL = "NATIONAL"
    STATE = "STATE"


class Role(StrEnum):
    """Login roles (docs/ARCHITECTURE.md §3); the functional ones match team roles by name."""

    ADMIN = "ADMIN"
    EXECUTIVE = "EXECUTIVE"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    CATEGORY_MANAGER = "CATEGORY_MANAGER"
    INTELLIGENCE = "INTELLIGENCE"
    MARKET_RESEARCH = "MARKET_RESEARCH"
    CONTROLLING = "CONTROLLING"
    CUSTOMER_SUPPORT = "CUSTOMER_SUPPORT"
    PRODUCT_DEVELOPMENT = "PRODUCT_DEVELOPMENT"
    MARKETING = "MARKETING"
