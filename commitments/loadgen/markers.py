"""How generated records are recognised, so they can be replaced and never mistaken for work.

Every generated record carries one of these marks; nothing a user types carries them (the
"[gen]" suffix is not a thing anyone writes in a title).
"""

# Commitments: the reference, e.g. "GEN-2019-004711".
REFERENCE_PREFIX = "GEN-"
# Users: "gen-user-00001"; the benchmark's own superuser is "gen-bench-admin".
USERNAME_PREFIX = "gen-"
# Organisations, teams, plans, activities, bewindspersonen, committees, addressees, debates,
# documents and follow-up letters: the name or title ends with it.
NAME_SUFFIX = " [gen]"
# Register numbers ("TZ201903-G0042") and debate activity numbers ("2019G00042") put a G where
# the Kamer's own numbers never have one, so they cannot collide with real numbers.
REGISTER_MARK = "-G"
EMAIL_DOMAIN = "gen.tracker.invalid"

# What may be in the database besides generated data: the 2016 plan (fixtures/plan_2016.json),
# the demo users of `setup_demo` and the system actors (tracker.actors) that wrote them.
PLAN_2016_REFERENCE_PREFIX = "KST-2016-"

# The audit history: every record the generator makes has a '+' row by the system actor
# "system:loadgen" (tracker.actors) with this reason.
HISTORY_ACTOR = "loadgen"
HISTORY_REASON = "generate_load"
