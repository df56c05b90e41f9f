"""The sandbox's Klenty team. The demo users are linked to these members."""

TEAM_EMAILS = [
    "morgan.hale@northwind.example",  # sales manager; the default user in API paths
    "priya.natarajan@northwind.example",
    "diego.alvarez@northwind.example",
    "sam.okafor@northwind.example",
]
MANAGER_EMAIL = TEAM_EMAILS[0]
DEMO_REP_EMAIL = TEAM_EMAILS[1]
