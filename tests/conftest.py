import datetime
import zoneinfo

import pytest
from django.core.management import call_command

from commitments.roles import ensure_role_groups
from tests.factories import CommitmentFactory, TeamFactory, UserFactory

TODAY = datetime.date(2025, 11, 3)


@pytest.fixture
def test_day(time_machine):
    """The clock set to the day the tests' dates are written for, 3 November 2025, at 10:00
    in Amsterdam: "after today" and "overdue" then mean the same in every run. It keeps
    ticking, so that records saved one after the other keep their order in the history."""
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    time_machine.move_to(datetime.datetime.combine(TODAY, datetime.time(10), amsterdam))
    return TODAY


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached filter options live in the cache: no test sees another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db):
    """A small cast per role: an official and a manager of one team, a director above them,
    policy staff, an outsider (an official of another team) and an admin."""
    official = UserFactory(username="official")
    manager = UserFactory(username="manager")
    director = UserFactory(username="director")
    staff = UserFactory(username="staff")
    outsider = UserFactory(username="outsider")
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    directorate = TeamFactory(name="Directie", managers=[director])
    team = TeamFactory(
        name="Team Jeugd",
        organisation=directorate.organisation,
        parent=directorate,
        members=[official],
        managers=[manager],
    )
    other_team = TeamFactory(name="Team Migratie", members=[outsider])
    ensure_role_groups().user_set.add(staff)

    class Cast:
        pass

    people = Cast()
    people.__dict__.update(
        official=official,
        manager=manager,
        director=director,
        staff=staff,
        outsider=outsider,
        admin=admin,
        team=team,
        directorate=directorate,
        other_team=other_team,
    )
    return people


@pytest.fixture
def commitment(cast):
    return CommitmentFactory(team=cast.team, owner=cast.official)


@pytest.fixture
def plan_2016(db):
    call_command("loaddata", "plan_2016", verbosity=0)
